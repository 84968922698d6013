//===- MambaOps.h - mamba operations ----------------------------*- C++ -*-===//

#ifndef MAMBA_NKI_DIALECT_MAMBA_IR_MAMBAOPS_H
#define MAMBA_NKI_DIALECT_MAMBA_IR_MAMBAOPS_H

#include "mamba-nki/Dialect/Mamba/IR/MambaDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "mamba-nki/Dialect/Mamba/IR/MambaOps.h.inc"

#endif // MAMBA_NKI_DIALECT_MAMBA_IR_MAMBAOPS_H
