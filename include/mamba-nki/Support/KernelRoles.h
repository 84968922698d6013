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

// Inputs. B and C each take one of three forms, told apart by their rank.

/// [batch, channels, seq_len]: the step sizes (before delta_bias and the
/// softplus, when the kernel has them).
constexpr llvm::StringLiteral kDelta = "delta";
/// [batch, channels, seq_len]: the input.
constexpr llvm::StringLiteral kU = "u";
/// [channels, state]: the state matrix (negative).
constexpr llvm::StringLiteral kA = "A";
/// The input and output projections: [batch, state, seq_len] (variable),
/// [batch, groups, state, seq_len] (grouped: channel c uses group
/// c / (channels / groups)) or [channels, state] (constant in time).
constexpr llvm::StringLiteral kB = "B";
constexpr llvm::StringLiteral kC = "C";
/// [channels], optional: the skip connection, out += D[c] * u.
constexpr llvm::StringLiteral kD = "D";
/// [batch, channels, seq_len], optional: the gate, out *= silu(z).
constexpr llvm::StringLiteral kZ = "z";
/// [channels], optional: added to delta (before the softplus).
constexpr llvm::StringLiteral kDeltaBias = "delta_bias";
/// [batch, channels, state], optional: the state before t = 0 (else 0).
constexpr llvm::StringLiteral kInitialState = "initial_state";

// Outputs.

/// [batch, channels, seq_len]: the result.
constexpr llvm::StringLiteral kOut = "out";
/// [batch, channels, state], optional: the state after the last step
/// (mamba_ssm's return_last_state).
constexpr llvm::StringLiteral kFinalState = "final_state";

} // namespace mamba_roles

#endif // MAMBA_NKI_SUPPORT_KERNELROLES_H
