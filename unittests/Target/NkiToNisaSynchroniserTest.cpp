//===- NkiToNisaSynchroniserTest.cpp - the backend's semaphore waits ------===//
//
// The synchroniser (lib/Target/NkiToNisa/Synchroniser.h) on instructions
// written by hand: read-after-write, write-after-read and write-after-write
// on overlapping bytes across queues become waits; the same queue, other
// bytes, another memory or another tensor need none; a wait that the queue
// already knows of, or that another wait implies through its vector clock,
// is dropped.
//
//===----------------------------------------------------------------------===//

#include "Target/NkiToNisa/Synchroniser.h"
#include "Target/NkiToNisa/VInstr.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

using namespace mlir::nki::backend;
using nisa::Queue;

namespace {

using Waits = std::vector<std::pair<Queue, uint32_t>>;

/// 512 f32 per partition at byte `offset` of `space`.
nisa::AccessPattern onChip(int64_t offset,
                           nisa::Space space = nisa::Space::sbuf) {
  nisa::AccessPattern ap = rowsAP(space, 128, 512);
  ap.offset = offset;
  return ap;
}

/// 128 rows of 512 f32 of HBM tensor `tensor`, from element `offset`.
nisa::AccessPattern hbm(int tensor, int64_t offset = 0) {
  nisa::AccessPattern ap = rowsAP(nisa::Space::hbm, 128, 512);
  ap.tensor = int16_t(tensor);
  ap.partStride = 512;
  ap.offset = offset;
  return ap;
}

/// A header declaring two HBM tensors, each a memory of its own.
nisa::Program twoTensors() {
  nisa::Program header;
  header.tensors.resize(2);
  return header;
}

class NkiToNisaSynchroniser : public ::testing::Test {
protected:
  /// Adds an instruction on `queue` writing `dst` and reading `srcs`; returns
  /// its waits.
  Waits add(Queue queue, nisa::AccessPattern dst,
            std::vector<nisa::AccessPattern> srcs = {}) {
    nisa::Instruction in;
    in.queue = queue;
    in.opcode = srcs.empty()       ? nisa::Opcode::memset
                : srcs.size() == 1 ? nisa::Opcode::tensor_copy
                                   : nisa::Opcode::tensor_tensor;
    if (nisa::isDmaQueue(queue))
      in.opcode = nisa::Opcode::dma;
    in.dst = dst;
    in.numSrcs = uint8_t(srcs.size());
    if (srcs.size() >= 1)
      in.src0 = srcs[0];
    if (srcs.size() >= 2)
      in.src1 = srcs[1];
    sync.add(in);
    signals.push_back(in.signal);
    Waits waits;
    for (const nisa::Wait &w : in.waits)
      waits.emplace_back(w.queue, w.value);
    return waits;
  }

  nisa::Program header = twoTensors();
  Synchroniser sync{header};
  std::vector<uint32_t> signals;
};

const nisa::AccessPattern kX = onChip(0), kY = onChip(0x800),
                          kZ = onChip(0x1000);

TEST_F(NkiToNisaSynchroniser, ReadAfterWriteOnAnotherQueueWaits) {
  EXPECT_EQ(add(Queue::dve, kX), Waits{});
  EXPECT_EQ(add(Queue::act, kY, {kX}), (Waits{{Queue::dve, 1}}));
}

TEST_F(NkiToNisaSynchroniser, WriteAfterReadOnAnotherQueueWaits) {
  EXPECT_EQ(add(Queue::act, kY, {kX}), Waits{}); // X was never written
  EXPECT_EQ(add(Queue::pool, kX), (Waits{{Queue::act, 1}}));
}

TEST_F(NkiToNisaSynchroniser, WriteAfterWriteOnAnotherQueueWaits) {
  EXPECT_EQ(add(Queue::dve, kX), Waits{});
  EXPECT_EQ(add(Queue::pool, kX), (Waits{{Queue::dve, 1}}));
}

TEST_F(NkiToNisaSynchroniser, PartialOverlapWaits) {
  EXPECT_EQ(add(Queue::dve, kX), Waits{}); // bytes [0, 0x800)
  EXPECT_EQ(add(Queue::act, kY, {onChip(0x7fc)}), (Waits{{Queue::dve, 1}}));
}

TEST_F(NkiToNisaSynchroniser, SameQueueOrderNeedsNoWait) {
  EXPECT_EQ(add(Queue::dve, kX), Waits{});
  EXPECT_EQ(add(Queue::dve, kY, {kX}), Waits{});
  EXPECT_EQ(add(Queue::dve, kX, {kY}), Waits{});
  // Each queue counts its own instructions.
  EXPECT_EQ(add(Queue::act, kZ), Waits{});
  EXPECT_EQ(signals, (std::vector<uint32_t>{1, 2, 3, 1}));
}

TEST_F(NkiToNisaSynchroniser, OtherBytesMemoriesAndTensorsNeedNoWait) {
  EXPECT_EQ(add(Queue::dve, kX), Waits{});
  EXPECT_EQ(add(Queue::act, kZ, {kY}), Waits{});
  // PSUM at the same offset is another memory.
  EXPECT_EQ(add(Queue::pool, onChip(0x3000), {onChip(0, nisa::Space::psum)}),
            Waits{});
  // HBM: by tensor, then bytes.
  EXPECT_EQ(add(Queue::io0, hbm(0), {kZ}), (Waits{{Queue::act, 1}}));
  EXPECT_EQ(add(Queue::io1, onChip(0x4000), {hbm(1)}), Waits{});
  EXPECT_EQ(add(Queue::io2, onChip(0x5000), {hbm(0, 128 * 512)}), Waits{});
  EXPECT_EQ(add(Queue::io3, onChip(0x6000), {hbm(0, 128 * 512 - 1)}),
            (Waits{{Queue::io0, 1}}));
}

TEST_F(NkiToNisaSynchroniser, WaitImpliedByAnotherWaitsClockIsDropped) {
  EXPECT_EQ(add(Queue::dve, kX), Waits{});
  EXPECT_EQ(add(Queue::act, kY, {kX}), (Waits{{Queue::dve, 1}}));
  // Reads X (written by dve:1) and Y (written by act:1, which waited for
  // dve:1): waiting for act:1 is enough.
  EXPECT_EQ(add(Queue::pool, kZ, {kX, kY}), (Waits{{Queue::act, 1}}));
}

TEST_F(NkiToNisaSynchroniser, WaitKnownThroughTheQueuesEarlierWaitsIsDropped) {
  EXPECT_EQ(add(Queue::dve, kX), Waits{});
  EXPECT_EQ(add(Queue::dve, kY), Waits{});
  EXPECT_EQ(add(Queue::act, kZ, {kY}), (Waits{{Queue::dve, 2}}));
  // act already waited for dve:2, so dve:1 (X) is known complete.
  EXPECT_EQ(add(Queue::act, onChip(0x2000), {kX}), Waits{});
  // pool knows nothing yet: it waits for dve:1 itself.
  EXPECT_EQ(add(Queue::pool, onChip(0x3000), {kX}), (Waits{{Queue::dve, 1}}));
}

TEST_F(NkiToNisaSynchroniser, WriteWaitsForEveryReaderSinceTheLastWrite) {
  EXPECT_EQ(add(Queue::dve, kX), Waits{});
  EXPECT_EQ(add(Queue::act, kY, {kX}), (Waits{{Queue::dve, 1}}));
  EXPECT_EQ(add(Queue::pool, kZ, {kX}), (Waits{{Queue::dve, 1}}));
  // Overwriting X: after both readers; the writer dve:1 is implied by them.
  EXPECT_EQ(add(Queue::io0, kX, {hbm(0)}),
            (Waits{{Queue::act, 1}, {Queue::pool, 1}}));
  // The write leaves X with one state: the next reader waits for it alone.
  EXPECT_EQ(add(Queue::pe, onChip(0, nisa::Space::psum), {kX}),
            (Waits{{Queue::io0, 1}}));
}

} // namespace
