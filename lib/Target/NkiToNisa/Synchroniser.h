//===- Synchroniser.h - semaphore waits for the instruction stream -*- C++
//-*-===//
//
// Private to the backend. Every read after write, write after read and
// write after write on overlapping addresses between instructions of
// different queues becomes a semaphore wait of the later on the earlier;
// instructions of one queue run in order and need none. A wait is dropped
// when the instruction already knows the awaited one finished: through its
// queue's earlier waits, or through another of its waits (a vector clock
// per instruction).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_TARGET_NKITONISA_SYNCHRONISER_H
#define MAMBA_NKI_LIB_TARGET_NKITONISA_SYNCHRONISER_H

#include "ChunkedVector.h"

#include "mamba-nki/Target/Nisa/IntervalMap.h"
#include "mamba-nki/Target/Nisa/MemoryKey.h"
#include "mamba-nki/Target/Nisa/Program.h"

#include <array>
#include <vector>

namespace mlir {
namespace nki {
namespace backend {

/// Per queue, the last of its instructions known to have completed.
using Clock = std::array<uint32_t, nisa::kNumQueues>;

/// Last writer and latest reader per queue of an address range.
struct HazardState {
  int8_t writerQueue = -1;
  uint32_t writer = 0;
  std::array<uint32_t, nisa::kNumQueues> readers{};
};

class Synchroniser {
public:
  /// `header` declares the HBM tensors, each a memory of its own.
  explicit Synchroniser(const nisa::Program &header)
      : memories(nisa::numMemoryKeys(header.tensors.size())) {}

  /// Sets the instruction's semaphore value and the waits it needs, given
  /// every instruction added before it.
  void add(nisa::Instruction &in);

private:
  /// Per queue, the last instruction that `in` (the `position`th of its
  /// queue) must wait for; records its accesses.
  Clock dependencies(const nisa::Instruction &in, uint32_t position);
  /// The waits on `deps` that neither `known` nor another of them implies.
  void chooseWaits(nisa::Instruction &in, const Clock &deps,
                   const Clock &known);
  const Clock &clockOf(nisa::Queue queue, uint32_t position) const {
    return clocks[int(queue)][position - 1];
  }

  std::vector<nisa::IntervalMap<HazardState>> memories;
  std::array<uint32_t, nisa::kNumQueues> counts{};
  std::array<Clock, nisa::kNumQueues> lastClock{};
  std::array<ChunkedVector<Clock>, nisa::kNumQueues> clocks;
};

} // namespace backend
} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_LIB_TARGET_NKITONISA_SYNCHRONISER_H
