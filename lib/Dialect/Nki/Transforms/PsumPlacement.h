//===- PsumPlacement.h - which buffers may live in PSUM ---------*- C++ -*-===//
//
// Private to the nki Transforms library: the rules that nki-tile-free-dim
// and nki-place-buffers share (docs/passes.md, "--nki-place-buffers").
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_DIALECT_NKI_TRANSFORMS_PSUMPLACEMENT_H
#define MAMBA_NKI_LIB_DIALECT_NKI_TRANSFORMS_PSUMPLACEMENT_H

#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"

#include "llvm/ADT/STLFunctionalExtras.h"

namespace mlir {
namespace nki {

/// Whether SBUF buffer `alloc` may move to PSUM, and it pays: every user is
/// an engine op on an engine that can access PSUM (not GpSimdE, not a DMA,
/// not a scan) and uses the buffer itself (not a view); one op writes it;
/// a tensor_tensor that reads it has its other input in SBUF (at most one
/// input may be in PSUM), and at least one does (it then costs N cycles
/// instead of 2N). `inPsum` says where the other operands live.
bool isPsumCandidate(AllocOp alloc, llvm::function_ref<bool(Value)> inPsum);

/// PSUM banks (2 KiB per partition) of one instance of `type`.
int64_t psumBanks(MemRefType type);

} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_LIB_DIALECT_NKI_TRANSFORMS_PSUMPLACEMENT_H
