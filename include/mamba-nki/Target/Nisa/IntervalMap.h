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

#include <cstdint>
#include <iterator>
#include <map>

namespace nisa {

template <typename State>
class IntervalMap {
public:
  /// Calls `fn(segmentStart, segmentEnd, state)` for every segment of
  /// [start, end), in address order; segments never touched before start
  /// with a default-constructed state.
  template <typename Fn>
  void forEach(int64_t start, int64_t end, Fn &&fn) {
    if (start >= end)
      return;
    split(start);
    split(end);
    for (auto it = segments.lower_bound(start);
         it != segments.end() && it->first < end; ++it)
      fn(it->first, it->second.end, it->second.state);
  }

private:
  struct Segment {
    int64_t end;
    State state;
  };

  /// Makes `at` the start of a segment.
  void split(int64_t at) {
    auto it = segments.upper_bound(at);
    auto next = it;
    if (it == segments.begin()) {
      segments.emplace(at, Segment{next == segments.end() ? INT64_MAX
                                                          : next->first,
                                   State()});
      return;
    }
    --it;
    if (it->first == at)
      return;
    if (it->second.end <= at) {
      segments.emplace(at, Segment{next == segments.end() ? INT64_MAX
                                                          : next->first,
                                   State()});
      return;
    }
    Segment tail{it->second.end, it->second.state};
    it->second.end = at;
    segments.emplace(at, tail);
  }

  std::map<int64_t, Segment> segments;
};

/// The memory an access pattern touches, as a key and a byte range:
/// sbuf 0, psum 1, scratch 2, hbm tensor t 3 + t. Partitions are not
/// distinguished (conservative: two accesses to the same bytes of different
/// partitions count as overlapping).
struct ByteRange {
  int key;
  int64_t start, end;
};

} // namespace nisa

#endif // MAMBA_NKI_TARGET_NISA_INTERVALMAP_H
