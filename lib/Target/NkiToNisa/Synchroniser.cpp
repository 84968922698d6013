//===- Synchroniser.cpp - semaphore waits for the instruction stream ------===//

#include "Synchroniser.h"

#include "llvm/ADT/SmallVector.h"

#include <algorithm>

using namespace mlir::nki::backend;

Clock Synchroniser::dependencies(const nisa::Instruction &in,
                                 uint32_t position) {
  int q = int(in.queue);
  Clock deps{};
  auto touch = [&](const nisa::AccessPattern &ap, bool write) {
    nisa::ByteRange range = nisa::byteRange(ap);
    nisa::IntervalMap<HazardState> &memory = memories[range.key];
    if (!write) {
      memory.forEach(
          range.start, range.end, [&](int64_t, int64_t, HazardState &s) {
            if (s.writerQueue >= 0)
              deps[s.writerQueue] = std::max(deps[s.writerQueue], s.writer);
            s.readers[q] = std::max(s.readers[q], position);
          });
      return;
    }
    // A write depends on the last writer and every reader since, and
    // leaves the range with one state: this instruction wrote it.
    HazardState written;
    written.writerQueue = int8_t(q);
    written.writer = position;
    memory.forEachThenAssign(
        range.start, range.end,
        [&](int64_t, int64_t, const HazardState &s) {
          if (s.writerQueue >= 0)
            deps[s.writerQueue] = std::max(deps[s.writerQueue], s.writer);
          for (int d = 0; d < nisa::kNumQueues; ++d)
            deps[d] = std::max(deps[d], s.readers[d]);
        },
        written);
  };
  // Reads first, then the write, so that an in-place update (dst == src)
  // depends on the previous writer once.
  nisa::forEachAccess(in, touch);
  return deps;
}

void Synchroniser::chooseWaits(nisa::Instruction &in, const Clock &deps,
                               const Clock &known) {
  int q = int(in.queue);
  llvm::SmallVector<nisa::Wait, 4> candidates;
  for (int d = 0; d < nisa::kNumQueues; ++d)
    if (d != q && deps[d] > known[d])
      candidates.push_back({static_cast<nisa::Queue>(d), deps[d]});
  // Drop a wait implied by another candidate's knowledge.
  in.waits.clear();
  for (const nisa::Wait &w : candidates) {
    bool implied = false;
    for (const nisa::Wait &other : candidates)
      if (&other != &w &&
          clockOf(other.queue, other.value)[int(w.queue)] >= w.value)
        implied = true;
    if (!implied)
      in.waits.push_back(w);
  }
}

void Synchroniser::add(nisa::Instruction &in) {
  int q = int(in.queue);
  uint32_t position = ++counts[q];
  in.signal = position;
  Clock deps = dependencies(in, position);
  // Same-queue order is implicit; what this queue already knows is free.
  Clock known = lastClock[q];
  chooseWaits(in, deps, known);
  Clock clock = known;
  for (const nisa::Wait &w : in.waits) {
    const Clock &c = clockOf(w.queue, w.value);
    for (int d = 0; d < nisa::kNumQueues; ++d)
      clock[d] = std::max(clock[d], c[d]);
  }
  clock[q] = position;
  lastClock[q] = clock;
  clocks[q].push_back(clock);
}
