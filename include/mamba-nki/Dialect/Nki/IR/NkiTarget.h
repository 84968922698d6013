//===- NkiTarget.h - NeuronCore memory rules and targets --------*- C++ -*-===//
//
// The dialect's view of the hardware: the figures of
// mamba-nki/Support/Hardware.h under the names the verifiers use, the
// target in force for an op, and sizes of memref types.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_DIALECT_NKI_IR_NKITARGET_H
#define MAMBA_NKI_DIALECT_NKI_IR_NKITARGET_H

#include "mamba-nki/Dialect/Nki/IR/NkiAttrs.h"
#include "mamba-nki/Support/Hardware.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"

#include <cstdint>
#include <optional>

namespace mlir {
namespace nki {

// The hardware figures live in mamba-nki/Support/Hardware.h (each with its
// source, docs/hardware.md §4); these are their names in the dialect.

/// A tile spans at most this many partitions (nl.tile_size.pmax).
constexpr int64_t kMaxPartitions = mamba_hw::kPartitions;
/// Free size limit of an SBUF tile, in elements.
constexpr int64_t kMaxSbufFreeElements = mamba_hw::kMaxSbufFreeElements;
/// The largest SBUF buffer the IR accepts, in bytes per partition: far
/// beyond any SBUF (whether buffers fit is nki-check-capacity's and the
/// backend's question), small enough that size arithmetic never overflows.
constexpr int64_t kMaxBufferBytes = int64_t(1) << 40;
/// One PSUM bank, per partition: the largest PSUM tile.
constexpr int64_t kPsumBankBytes = mamba_hw::kPsumBankBytes;
/// PSUM per partition: 8 banks.
constexpr int64_t kPsumPartitionBytes = mamba_hw::kPsumPartitionBytes;
/// nki.matmul's free sizes (nl.tile_size.gemm_stationary_fmax, _moving_fmax).
constexpr int64_t kMaxMatmulStationaryFree = mamba_hw::kMatmulStationaryFree;
constexpr int64_t kMaxMatmulMovingFree = mamba_hw::kMatmulMovingFree;

/// The dialect's targets are mamba_hw's, value for value.
static_assert(getMaxEnumValForTarget() + 1 == mamba_hw::kNumTargets,
              "#nki.target and mamba_hw::Target list the same targets");
static_assert(uint32_t(Target::trn1) == uint32_t(mamba_hw::Target::trn1) &&
                  uint32_t(Target::trn2) == uint32_t(mamba_hw::Target::trn2),
              "#nki.target and mamba_hw::Target in the same order");
constexpr mamba_hw::Target toHardware(Target target) {
  return mamba_hw::Target(uint32_t(target));
}
constexpr Target fromHardware(mamba_hw::Target target) {
  return Target(uint32_t(target));
}

/// Per-target capacities.
struct TargetInfo {
  Target target;
  /// SBUF bytes per partition.
  int64_t sbufPartitionBytes;
  /// PSUM bytes per partition.
  int64_t psumPartitionBytes;
};

/// Capacities of `target` (trn1: 192 KiB SBUF per partition; trn2: 224 KiB).
const TargetInfo &getTargetInfo(Target target);

/// The target in force for `op`: the nearest enclosing `nki.target`
/// attribute, trn1 when there is none.
Target getTarget(Operation *op);

/// The nki memory space of `type`: HBM when it has no memory space, nullopt
/// when it has a memory space that is not an nki one.
std::optional<MemorySpace> getMemorySpace(MemRefType type);

/// Size in bytes of an element type (f32: 4, bf16: 2), 0 if unsupported.
int64_t getElementBytes(Type elementType);

/// Whether `elementType` is one the engines compute on (f32, bf16).
bool isSupportedElementType(Type elementType);

/// Number of partitions of an on-chip view (dim 0).
inline int64_t getPartitions(MemRefType type) { return type.getDimSize(0); }

/// Elements per partition of an on-chip view (product of dims 1..).
int64_t getFreeElements(MemRefType type);

/// Bytes per partition of an on-chip view.
inline int64_t getFreeBytes(MemRefType type) {
  return getFreeElements(type) * getElementBytes(type.getElementType());
}

/// Bytes per partition of one block of an on-chip buffer: the whole buffer
/// for rank 2 ([P, F]), one dim-1 slice for rank >= 3 ([P, blocks, free...]).
int64_t getBlockBytes(MemRefType type);

} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_DIALECT_NKI_IR_NKITARGET_H
