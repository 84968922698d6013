//===- NkiDialect.h - the nki dialect ---------------------------*- C++ -*-===//

#ifndef MAMBA_NKI_DIALECT_NKI_IR_NKIDIALECT_H
#define MAMBA_NKI_DIALECT_NKI_IR_NKIDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"

#include "mamba-nki/Dialect/Nki/IR/NkiDialect.h.inc"

#endif // MAMBA_NKI_DIALECT_NKI_IR_NKIDIALECT_H
