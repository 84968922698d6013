//===- NkiTransformOps.h - the nki Transform-dialect extension --*- C++ -*-===//
//
// transform.nki.* ops: the nki loop transformations (Transforms.h) driven by
// a Transform-dialect script (docs/schedules.md).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_DIALECT_NKI_TRANSFORMOPS_NKITRANSFORMOPS_H
#define MAMBA_NKI_DIALECT_NKI_TRANSFORMOPS_NKITRANSFORMOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Transform/IR/TransformTypes.h"
#include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir {
namespace nki {
/// The memory effects of the ops on a scope (and contract_buffers): they
/// only read their handles, produce their results and modify the payload.
template <typename OpTy>
class ScopeTransformOpTrait
    : public OpTrait::TraitBase<OpTy, ScopeTransformOpTrait> {
public:
  void getEffects(SmallVectorImpl<MemoryEffects::EffectInstance> &effects) {
    transform::onlyReadsHandle(this->getOperation()->getOpOperands(), effects);
    transform::producesHandle(this->getOperation()->getOpResults(), effects);
    transform::modifiesPayload(effects);
  }
};
} // namespace nki
} // namespace mlir

#define GET_OP_CLASSES
#include "mamba-nki/Dialect/Nki/TransformOps/NkiTransformOps.h.inc"

namespace mlir {
class DialectRegistry;
namespace nki {
/// Registers the transform.nki.* ops as an extension of the Transform
/// dialect.
void registerTransformDialectExtension(DialectRegistry &registry);

/// What a tool needs to run schedules (docs/schedules.md): the Transform
/// dialect with this extension and upstream's debug extension
/// (transform.debug.emit_remark_at) in `registry`, and the
/// --transform-interpreter and --transform-preload-library passes.
void registerTransformSchedules(DialectRegistry &registry);
} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_DIALECT_NKI_TRANSFORMOPS_NKITRANSFORMOPS_H
