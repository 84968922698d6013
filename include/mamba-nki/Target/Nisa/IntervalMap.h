//===- IntervalMap.h - per-address-range state of one memory ----*- C++ -*-===//
//
// Splits a memory's address space into disjoint segments, each carrying a
// `State`, and visits the segments covering a range (splitting at its ends).
// Used for hazards: the backend's synchroniser (which waits to insert) and
// the interpreter's race detector (which orderings are missing).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_TARGET_NISA_INTERVALMAP_H
#define MAMBA_NKI_TARGET_NISA_INTERVALMAP_H

// ByteRange, what IntervalMaps are keyed by in the synchroniser and the race
// detector, is in MemoryKey.h.
#include "mamba-nki/Target/Nisa/MemoryKey.h"

#include <cstdint>
#include <iterator>
#include <map>

namespace nisa {

template <typename State> class IntervalMap {
public:
  /// Calls `fn(segmentStart, segmentEnd, state)` for every segment of
  /// [start, end), in address order; segments never touched before start
  /// with a default-constructed state.
  template <typename Fn> void forEach(int64_t start, int64_t end, Fn &&fn) {
    if (start >= end)
      return;
    for (auto it = cover(start, end); it != segments.end() && it->first < end;
         ++it)
      fn(it->first, it->second.end, it->second.state);
  }

  /// forEach, then makes [start, end) one segment with state `state`
  /// (a write that leaves the whole range alike): keeps the map from
  /// fragmenting as later accesses cut it at new boundaries.
  template <typename Fn>
  void forEachThenAssign(int64_t start, int64_t end, Fn &&fn,
                         const State &state) {
    if (start >= end)
      return;
    auto first = cover(start, end);
    auto it = first;
    for (; it != segments.end() && it->first < end; ++it)
      fn(it->first, it->second.end, it->second.state);
    // [first, it) covers exactly [start, end): keep the first node.
    first->second.end = end;
    first->second.state = state;
    segments.erase(std::next(first), it);
  }

  /// Segments in the map (for tests and statistics).
  size_t size() const { return segments.size(); }

private:
  struct Segment {
    int64_t end;
    State state;
  };
  using Iterator = typename std::map<int64_t, Segment>::iterator;

  /// Makes `start` and `end` segment boundaries and returns the segment
  /// starting at `start`. The segments always tile [lowest start touched,
  /// INT64_MAX) without gaps, so one search finds `start` and a walk over
  /// the covered segments finds `end`.
  Iterator cover(int64_t start, int64_t end) {
    Iterator first = split(start);
    for (Iterator it = first; it != segments.end() && it->first < end; ++it)
      if (it->second.end > end) {
        segments.emplace_hint(std::next(it), end,
                              Segment{it->second.end, it->second.state});
        it->second.end = end;
        break;
      }
    return first;
  }

  /// Makes `at` the start of a segment and returns it.
  Iterator split(int64_t at) {
    Iterator next = segments.upper_bound(at);
    if (next == segments.begin()) // below everything touched so far
      return segments.emplace_hint(
          next, at,
          Segment{next == segments.end() ? INT64_MAX : next->first, State()});
    Iterator it = std::prev(next);
    if (it->first == at)
      return it;
    Segment tail{it->second.end, it->second.state};
    it->second.end = at;
    return segments.emplace_hint(next, at, tail);
  }

  std::map<int64_t, Segment> segments;
};

} // namespace nisa

#endif // MAMBA_NKI_TARGET_NISA_INTERVALMAP_H
