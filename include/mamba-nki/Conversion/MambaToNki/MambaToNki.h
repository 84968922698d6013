//===- MambaToNki.h - lower mamba.selective_scan to nki ---------*- C++ -*-===//

#ifndef MAMBA_NKI_CONVERSION_MAMBATONKI_MAMBATONKI_H
#define MAMBA_NKI_CONVERSION_MAMBATONKI_MAMBATONKI_H

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace mamba {

class SelectiveScanOp;

/// Names of the loops the lowering creates (`nki.loop` attribute values).
namespace loop_names {
constexpr llvm::StringLiteral kBatch = "batch";
constexpr llvm::StringLiteral kAccZero = "acc_zero";
constexpr llvm::StringLiteral kState = "state";
constexpr llvm::StringLiteral kChannelTile = "channel_tile";
constexpr llvm::StringLiteral kAccStore = "acc_store";
} // namespace loop_names

/// Checks that `op` can be lowered (static shapes, a [P, seq_len] tile fits
/// one SBUF partition); emits a located error and fails otherwise.
LogicalResult checkLowerableToNki(SelectiveScanOp op);

/// Replaces `op` with the Fused Mamba tutorial's v1 kernel (see the
/// convert-mamba-to-nki pass description) and returns the batch loop.
FailureOr<scf::ForOp> lowerSelectiveScanToNki(RewriterBase &rewriter,
                                              SelectiveScanOp op);

} // namespace mamba
} // namespace mlir

#endif // MAMBA_NKI_CONVERSION_MAMBATONKI_MAMBATONKI_H
