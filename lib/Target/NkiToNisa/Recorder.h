//===- Recorder.h - what allocation needs of the unrolled stream --*- C++
//-*-===//
//
// Private to the backend. The recording run keeps, per instruction, only
// which allocation units it uses: a few bytes, where the instruction itself
// is about a hundred. On the way it narrows how each buffer instance is cut
// into units (Buffer::unitElems, Buffer::window) and which HBM tensors are
// read and written.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_TARGET_NKITONISA_RECORDER_H
#define MAMBA_NKI_LIB_TARGET_NKITONISA_RECORDER_H

#include "Unroller.h"

namespace mlir {
namespace nki {
namespace backend {

/// No next use.
constexpr uint32_t kNever = UINT32_MAX;
/// Flag in Records::meta: the instruction's first record is its write.
constexpr uint8_t kFirstIsWrite = 0x8;
/// Mask of Records::meta: the instruction's number of records.
constexpr uint8_t kRecordCountMask = 0x7;

/// What the recording pass keeps: per instruction, how many of its operands
/// are on-chip buffers (at most kNumRoles) and whether the first of them is
/// written; per such operand, a record of two words. The words change
/// meaning as the passes go: (buffer instance, block) when recorded, then
/// (unit, next instruction using the unit), then (unit, address).
struct Records {
  ChunkedVector<uint8_t> meta;
  ChunkedVector<uint32_t> unit;
  ChunkedVector<uint32_t> aux;
  uint64_t instructions() const { return meta.size(); }
};

class Recorder : public InstructionSink {
public:
  Recorder(BufferTable &buffers, Records &records, nisa::Program &header)
      : buffers(buffers), records(records), header(header) {}

  LogicalResult consume(VInstr &vi, Operation *) override;

private:
  /// Records operand `role` of `in` on buffer instance `id`.
  void record(nisa::Instruction &in, int role, int32_t id);

  BufferTable &buffers;
  Records &records;
  nisa::Program &header;
};

} // namespace backend
} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_LIB_TARGET_NKITONISA_RECORDER_H
