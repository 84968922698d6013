//===- Passes.h - mamba-nki conversion passes -------------------*- C++ -*-===//

#ifndef MAMBA_NKI_CONVERSION_PASSES_H
#define MAMBA_NKI_CONVERSION_PASSES_H

#include "mamba-nki/Conversion/MambaToNki/MambaToNki.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace mamba {

#define GEN_PASS_DECL
#include "mamba-nki/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "mamba-nki/Conversion/Passes.h.inc"

} // namespace mamba
} // namespace mlir

#endif // MAMBA_NKI_CONVERSION_PASSES_H
