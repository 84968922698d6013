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
/// Verifier of NoDiscardableAttrs: the op carries only its own attributes.
LogicalResult verifyNoDiscardableAttrs(Operation *op);
} // namespace detail

/// An op whose attributes are all its own (inherent): any other attribute is
/// a verifier error naming it and the op's attributes.
template <typename ConcreteType>
class NoDiscardableAttrs
    : public ::mlir::OpTrait::TraitBase<ConcreteType, NoDiscardableAttrs> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return detail::verifyNoDiscardableAttrs(op);
  }
};
} // namespace nki
} // namespace mlir

#include "mamba-nki/Dialect/Nki/IR/NkiInterfaces.h.inc"

#define GET_OP_CLASSES
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h.inc"

#endif // MAMBA_NKI_DIALECT_NKI_IR_NKIOPS_H
