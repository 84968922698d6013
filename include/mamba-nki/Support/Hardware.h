//===- Hardware.h - NeuronCore figures and targets --------------*- C++ -*-===//
//
// The hardware figures the nki dialect's verifiers, the backend and the
// interpreter share, in one place, each with its source (docs/hardware.md
// lists them and where they come from), and the targets' names. Depends only
// on LLVM Support, so that the .nisa library and nki-run need no MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_SUPPORT_HARDWARE_H
#define MAMBA_NKI_SUPPORT_HARDWARE_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mamba_hw {

/// NeuronCore generations. The nki dialect's `#nki.target` enumerates the
/// same values in the same order (NkiTarget.h checks it).
enum class Target : uint8_t {
  trn1, // NeuronCore-v2 (Trn1, Inf2)
  trn2, // NeuronCore-v3 (Trn2)
};
constexpr int kNumTargets = 2;

/// "trn1", "trn2".
llvm::StringRef targetName(Target target);
/// The target named `name`, if any (what `--target`, `--nisa-target` and the
/// `.nisa` header accept).
std::optional<Target> parseTarget(llvm::StringRef name);
/// "trn1 or trn2", for messages listing what parseTarget accepts.
std::string targetChoices();

/// SBUF and PSUM are 128 partitions; a tile spans at most 128 of them
/// (nl.tile_size.pmax). docs/hardware.md §4.
constexpr int64_t kPartitions = 128;

/// VectorE and ScalarE take a free size of up to 64 Ki elements from SBUF:
/// the free size limit of an SBUF tile, in elements. docs/hardware.md §4.
constexpr int64_t kMaxSbufFreeElements = 64 * 1024;

/// PSUM: 2 MiB = 128 partitions of 16 KiB, each 8 banks of 2 KiB (512 fp32);
/// a matmul writes one bank. docs/hardware.md §4.
constexpr int64_t kPsumBankBytes = 2 * 1024;
constexpr int64_t kPsumBanks = 8;
constexpr int64_t kPsumPartitionBytes = kPsumBanks * kPsumBankBytes;
/// A TensorE matmul's free sizes: the stationary operand's at most 128 (the
/// systolic array's columns), the moving operand's at most 512 (one PSUM bank
/// of fp32 results). docs/hardware.md §4.
constexpr int64_t kMatmulStationaryFree = 128;
constexpr int64_t kMatmulMovingFree = 512;

/// SBUF per partition: trn1 24 MiB = 128 x 192 KiB, trn2 28 MiB = 128 x
/// 224 KiB. docs/hardware.md §4.
constexpr int64_t sbufPartitionBytes(Target target) {
  return target == Target::trn2 ? 224 * 1024 : 192 * 1024;
}

/// PSUM per partition, the same on both targets. docs/hardware.md §4.
constexpr int64_t psumPartitionBytes(Target) { return kPsumPartitionBytes; }

/// Engine clocks in GHz: trn1 ScalarE 1.4, VectorE 1.12, GpSimdE 1.4,
/// TensorE 2.8; trn2 1.2, 0.96, 1.2, 2.4. docs/hardware.md §4. (The timing
/// model starts from these; `nki-run --model-params` may override them.)
struct EngineClocks {
  double scalarGHz, vectorGHz, gpsimdGHz, tensorGHz;
};
constexpr EngineClocks engineClocks(Target target) {
  return target == Target::trn2 ? EngineClocks{1.2, 0.96, 1.2, 2.4}
                                : EngineClocks{1.4, 1.12, 1.4, 2.8};
}

} // namespace mamba_hw

#endif // MAMBA_NKI_SUPPORT_HARDWARE_H
