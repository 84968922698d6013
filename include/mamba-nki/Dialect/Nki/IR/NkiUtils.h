//===- NkiUtils.h - helpers shared by nki passes ----------------*- C++ -*-===//

#ifndef MAMBA_NKI_DIALECT_NKI_IR_NKIUTILS_H
#define MAMBA_NKI_DIALECT_NKI_IR_NKIUTILS_H

#include "mlir/IR/Builders.h"

namespace mlir {
namespace nki {

/// An `arith.constant <value> : index` at the start of the entry block of
/// the closest isolated-from-above region around `anchor` (usually the
/// function), reusing one that is already there. Keeps loop bodies free of
/// constants across passes.
Value getIndexConstant(OpBuilder &builder, Operation *anchor, int64_t value);

} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_DIALECT_NKI_IR_NKIUTILS_H
