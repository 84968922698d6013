//===- NkiAttrs.h - nki enums and attributes --------------------*- C++ -*-===//

#ifndef MAMBA_NKI_DIALECT_NKI_IR_NKIATTRS_H
#define MAMBA_NKI_DIALECT_NKI_IR_NKIATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "mamba-nki/Dialect/Nki/IR/NkiEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "mamba-nki/Dialect/Nki/IR/NkiAttrs.h.inc"

#endif // MAMBA_NKI_DIALECT_NKI_IR_NKIATTRS_H
