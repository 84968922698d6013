//===- Recorder.cpp - what allocation needs of the unrolled stream --------===//

#include "Recorder.h"

using namespace mlir;
using namespace mlir::nki::backend;

LogicalResult Recorder::consume(VInstr &vi, Operation *) {
  nisa::Instruction &in = vi.in;
  if (in.opcode == nisa::Opcode::dma) {
    if (in.dst.space == nisa::Space::hbm)
      header.tensors[in.dst.tensor].isOutput = true;
    if (in.src0.space == nisa::Space::hbm)
      header.tensors[in.src0.tensor].isInput = true;
  }
  uint8_t count = 0, flags = 0;
  for (int role = 0; role < kNumRoles; ++role) {
    int32_t id = vi.buffer[role];
    if (id < 0)
      continue;
    record(in, role, id);
    if (role == kDst)
      flags = kFirstIsWrite;
    ++count;
  }
  records.meta.push_back(uint8_t(count | flags));
  return success();
}

void Recorder::record(nisa::Instruction &in, int role, int32_t id) {
  Buffer &b = buffers.buffers[id];
  const nisa::AccessPattern *ap = roleAP(in, role);
  int64_t first = ap->offset;
  int64_t last =
      ap->offset + ap->spanBytes() / nisa::elementBytes(ap->dtype) - 1;
  uint32_t block = 0;
  if (b.inPieces()) {
    // In pieces while every access stays within one piece.
    if (first / b.unitElems != last / b.unitElems)
      b.unitElems = 0;
    else
      block = uint32_t(first / b.unitElems);
  }
  if (role != splittableRole(in)) {
    // The window must hold this access: double it until it does
    // (a power-of-two window holding an access holds it when doubled).
    int64_t w = std::max<int64_t>(b.window, 1);
    while (w < last - first + 1)
      w *= 2;
    while (first / w != last / w)
      w *= 2;
    b.window = w;
  }
  records.unit.push_back(uint32_t(id));
  records.aux.push_back(block);
}
