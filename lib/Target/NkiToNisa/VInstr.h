//===- VInstr.h - an instruction before allocation ----------------*- C++
//-*-===//
//
// Private to the backend. What the unroller hands to the recorder and the
// streamer: a .nisa instruction whose on-chip operands still name a buffer
// instance and an element offset into one of its partitions, and the roles
// by which passes address an instruction's operands uniformly.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_TARGET_NKITONISA_VINSTR_H
#define MAMBA_NKI_LIB_TARGET_NKITONISA_VINSTR_H

#include "mamba-nki/Target/Nisa/Program.h"

#include <array>
#include <cstdint>

namespace mlir {
namespace nki {
namespace backend {

/// Roles of an instruction's access patterns, to address them uniformly.
enum Role { kDst, kSrc0, kSrc1, kScalar0, kScalar1, kBias, kNumRoles };

/// The access pattern of `role` in `in`, or null when `in` has none.
inline nisa::AccessPattern *roleAP(nisa::Instruction &in, int role) {
  switch (role) {
  case kDst:
    return &in.dst;
  case kSrc0:
    return in.numSrcs >= 1 ? &in.src0 : nullptr;
  case kSrc1:
    return in.numSrcs >= 2 ? &in.src1 : nullptr;
  case kScalar0:
    return in.scalar0.isImmediate ? nullptr : &in.scalar0.ap;
  case kScalar1:
    return in.scalar1.isImmediate ? nullptr : &in.scalar1.ap;
  case kBias:
    return in.hasBias ? &in.bias : nullptr;
  }
  return nullptr;
}

/// An instruction as the unroller produces it: on-chip operands still name
/// a buffer instance and an element offset into one of its partitions.
struct VInstr {
  nisa::Instruction in;
  std::array<int32_t, kNumRoles> buffer;
};

/// Makes `vi` a fresh instruction without operands.
inline void reset(VInstr &vi, nisa::Opcode opcode, nisa::Queue queue,
                  uint8_t numSrcs, uint32_t loc) {
  vi.in = nisa::Instruction();
  vi.buffer.fill(-1);
  vi.in.opcode = opcode;
  vi.in.queue = queue;
  vi.in.numSrcs = numSrcs;
  vi.in.loc = loc;
}

/// `elems` contiguous f32 elements in each of `partitions` partitions, at
/// the start of a buffer.
inline nisa::AccessPattern rowsAP(nisa::Space space, int64_t partitions,
                                  int64_t elems) {
  nisa::AccessPattern ap;
  ap.space = space;
  ap.partCount = int32_t(partitions);
  ap.rank = 1;
  ap.sizes[0] = int32_t(elems);
  ap.strides[0] = 1;
  return ap;
}

/// The on-chip operand at which the backend may split `in` into pieces
/// without changing what it computes: a DMA's on-chip side or a memset's
/// destination, when it is one contiguous run per partition (and a DMA's
/// other side one strided run). -1 for every other instruction.
inline int splittableRole(const nisa::Instruction &in) {
  if (in.opcode == nisa::Opcode::memset)
    return in.dst.rank == 1 && in.dst.strides[0] == 1 ? kDst : -1;
  if (in.opcode != nisa::Opcode::dma || in.dst.rank != 1 || in.src0.rank != 1)
    return -1;
  int role = in.dst.isOnChip() ? kDst : kSrc0;
  const nisa::AccessPattern &onChip = role == kDst ? in.dst : in.src0;
  return onChip.strides[0] == 1 ? role : -1;
}

} // namespace backend
} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_LIB_TARGET_NKITONISA_VINSTR_H
