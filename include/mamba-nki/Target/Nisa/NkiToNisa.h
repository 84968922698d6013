//===- NkiToNisa.h - lower nki IR to a NeuronCore instruction stream -*- C++ -*-===//

#ifndef MAMBA_NKI_TARGET_NISA_NKITONISA_H
#define MAMBA_NKI_TARGET_NISA_NKITONISA_H

#include "mamba-nki/Target/Nisa/Program.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <optional>

namespace mlir {
namespace nki {

struct NisaOptions {
  /// Overrides the module's nki.target.
  std::optional<nisa::Target> target;
  /// The unrolled stream may not exceed this many instructions.
  int64_t maxInstructions = 20'000'000;
};

/// Unrolls `func` (nki ops in scf.for loops with constant bounds), allocates
/// SBUF/PSUM with spills to an HBM scratch area, and inserts semaphore
/// waits. Emits located errors and fails on what it cannot translate.
FailureOr<nisa::Program> translateToNisa(func::FuncOp func,
                                         const NisaOptions &options);

/// Registers --nki-to-nisa, --nisa-roundtrip and --nisa-stats with
/// mlir-translate's registry.
void registerNisaTranslations();

} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_TARGET_NISA_NKITONISA_H
