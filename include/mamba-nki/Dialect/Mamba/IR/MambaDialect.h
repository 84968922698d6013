//===- MambaDialect.h - the mamba dialect -----------------------*- C++ -*-===//

#ifndef MAMBA_NKI_DIALECT_MAMBA_IR_MAMBADIALECT_H
#define MAMBA_NKI_DIALECT_MAMBA_IR_MAMBADIALECT_H

#include "mamba-nki/Dialect/Nki/IR/NkiDialect.h"
#include "mlir/IR/Dialect.h"

#include "mamba-nki/Dialect/Mamba/IR/MambaDialect.h.inc"

#endif // MAMBA_NKI_DIALECT_MAMBA_IR_MAMBADIALECT_H
