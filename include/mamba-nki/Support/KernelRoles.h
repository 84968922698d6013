//===- KernelRoles.h - the selective scan kernel's tensors ------*- C++ -*-===//
//
// The names of the selective scan's tensors, after their roles in
// mamba_ssm's selective_scan_fn (docs/hardware.md §1): the compiler names the
// kernel's HBM arguments so (--convert-mamba-to-nki, `nki.name`), and nki-run
// recognises them to draw random inputs from mamba_ssm's test distributions
// and to check the output against the reference (--check).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_SUPPORT_KERNELROLES_H
#define MAMBA_NKI_SUPPORT_KERNELROLES_H

#include "llvm/ADT/StringRef.h"

namespace mamba_roles {

/// [batch, channels, seq_len]: the step sizes (after softplus).
constexpr llvm::StringLiteral kDelta = "delta";
/// [batch, channels, seq_len]: the input.
constexpr llvm::StringLiteral kU = "u";
/// [channels, state]: the state matrix (negative).
constexpr llvm::StringLiteral kA = "A";
/// [batch, state, seq_len]: the input and output projections.
constexpr llvm::StringLiteral kB = "B";
constexpr llvm::StringLiteral kC = "C";
/// [batch, channels, seq_len]: the result.
constexpr llvm::StringLiteral kOut = "out";

} // namespace mamba_roles

#endif // MAMBA_NKI_SUPPORT_KERNELROLES_H
