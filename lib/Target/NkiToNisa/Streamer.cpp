//===- Streamer.cpp - the last unrolling: addresses, spills, waits --------===//

#include "Streamer.h"

using namespace mlir;
using namespace mlir::nki;
using namespace mlir::nki::backend;

LogicalResult Streamer::consume(VInstr &vi, Operation *op) {
  uint64_t i = index++;
  // A new context, before its first instruction (a spill DMA made for this
  // instruction is in it too).
  for (; announced < vi.in.ctx; ++announced)
    consumer.context(header, announced + 1);
  while (nextEvent < events.size() && events[nextEvent].at == i) {
    nisa::Instruction dma = spillDma(events[nextEvent++]);
    dma.ctx = vi.in.ctx;
    if (failed(deliver(dma, op)))
      return failure();
  }
  uint8_t meta = records.meta[i];
  size_t r = nextRecord;
  for (int role = 0; role < kNumRoles; ++role) {
    int32_t id = vi.buffer[role];
    if (id < 0)
      continue;
    const Buffer &b = buffers.buffers[id];
    uint32_t unit = records.unit[r];
    if (r - nextRecord >= size_t(meta & kRecordCountMask) ||
        units[unit].buffer != id)
      return op->emitError("internal error: the second unrolling diverged "
                           "from the first");
    nisa::AccessPattern *ap = roleAP(vi.in, role);
    int64_t blockStart =
        b.inPieces() ? int64_t(unit - uint32_t(b.firstUnit)) * b.unitElems : 0;
    ap->offset = int64_t(records.aux[r]) +
                 (ap->offset - blockStart) * nisa::elementBytes(ap->dtype);
    ++r;
  }
  nextRecord = r;
  return deliver(vi.in, op);
}

nisa::Instruction Streamer::spillDma(const SpillEvent &e) const {
  const Unit &u = units[e.unit];
  const Buffer &b = buffers.buffers[u.buffer];
  const BufferType &t = buffers.typeOf(b);
  int64_t eb = nisa::elementBytes(t.dtype);
  int64_t elems = u.bytes / eb;
  nisa::AccessPattern onChip = rowsAP(nisa::Space::sbuf, t.partitions, elems);
  onChip.dtype = t.dtype;
  onChip.offset = e.address;
  nisa::AccessPattern off = onChip;
  off.space = nisa::Space::scratch;
  off.partStride = elems;
  off.offset = u.scratch / eb;
  nisa::Instruction in;
  in.opcode = nisa::Opcode::dma;
  in.queue = nisa::Queue::spill;
  in.numSrcs = 1;
  in.dst = e.save ? off : onChip;
  in.src0 = e.save ? onChip : off;
  // Named after the buffer it moves (its nki.alloc).
  if (b.origin >= 0)
    in.loc = steps.steps[size_t(b.origin)].loc;
  return in;
}

LogicalResult Streamer::deliver(nisa::Instruction &in, Operation *op) {
  sync.add(in);
  if (llvm::Error e = validator.check(in))
    return op->emitError("internal error: the emitted stream is invalid: ")
           << llvm::toString(std::move(e));
  consumer.instruction(int64_t(emitted++), in);
  return success();
}
