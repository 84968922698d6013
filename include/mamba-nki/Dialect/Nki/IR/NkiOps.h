//===- NkiOps.h - nki operations --------------------------------*- C++ -*-===//

#ifndef MAMBA_NKI_DIALECT_NKI_IR_NKIOPS_H
#define MAMBA_NKI_DIALECT_NKI_IR_NKIOPS_H

#include "mamba-nki/Dialect/Nki/IR/NkiAttrs.h"
#include "mamba-nki/Dialect/Nki/IR/NkiDialect.h"
#include "mamba-nki/Dialect/Nki/IR/NkiTarget.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir {
namespace nki {
namespace detail {
/// Verifier of EngineOpInterface: the named engine can run the op.
LogicalResult verifyEngineOp(Operation *op);
} // namespace detail
} // namespace nki
} // namespace mlir

#include "mamba-nki/Dialect/Nki/IR/NkiInterfaces.h.inc"

#define GET_OP_CLASSES
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h.inc"

#endif // MAMBA_NKI_DIALECT_NKI_IR_NKIOPS_H
