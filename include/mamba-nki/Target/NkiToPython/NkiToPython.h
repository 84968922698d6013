//===- NkiToPython.h - nki IR to NKI Python source --------------*- C++ -*-===//
//
// mamba-translate --nki-to-python: every kernel function of a module as one
// @nki.jit Python function written with NKI's public API
// (docs/nki-emission.md). Implemented in lib/Target/NkiToPython/.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_TARGET_NKITOPYTHON_NKITOPYTHON_H
#define MAMBA_NKI_TARGET_NKITOPYTHON_NKITOPYTHON_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir {
namespace nki {

/// Writes every non-external func.func under `op` (nki ops in scf.for
/// loops) as an @nki.jit function of one Python module. Emits a located
/// error, and writes nothing, for any op or form without an NKI
/// equivalent.
LogicalResult translateToNkiPython(Operation *op, llvm::raw_ostream &os);

/// Registers --nki-to-python with mlir-translate's registry.
void registerNkiToPythonTranslation();

} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_TARGET_NKITOPYTHON_NKITOPYTHON_H
