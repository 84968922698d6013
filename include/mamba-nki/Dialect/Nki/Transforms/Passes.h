//===- Passes.h - nki loop transformations ----------------------*- C++ -*-===//

#ifndef MAMBA_NKI_DIALECT_NKI_TRANSFORMS_PASSES_H
#define MAMBA_NKI_DIALECT_NKI_TRANSFORMS_PASSES_H

#include "mamba-nki/Dialect/Nki/Transforms/Transforms.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace nki {

#define GEN_PASS_DECL
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h.inc"

} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_DIALECT_NKI_TRANSFORMS_PASSES_H
