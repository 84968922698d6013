//===- NkiAttrs.td - nki enums and attributes --------------*- tablegen -*-===//

#ifndef MAMBA_NKI_DIALECT_NKI_IR_NKIATTRS_TD
#define MAMBA_NKI_DIALECT_NKI_IR_NKIATTRS_TD

include "mamba-nki/Dialect/Nki/IR/NkiDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Memory spaces
//===----------------------------------------------------------------------===//

def Nki_MemorySpace : I32EnumAttr<"MemorySpace", "NeuronCore memory", [
    I32EnumAttrCase<"hbm", 0>,
    I32EnumAttrCase<"sbuf", 1>,
    I32EnumAttrCase<"psum", 2>
  ]> {
  let cppNamespace = "::mlir::nki";
  let genSpecializedAttr = 0;
}

def Nki_MemorySpaceAttr : EnumAttr<Nki_Dialect, Nki_MemorySpace, "mem"> {
  let summary = "memref memory space: HBM, SBUF or PSUM";
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Engines
//===----------------------------------------------------------------------===//

def Nki_EngineAttr : I32EnumAttr<"Engine", "NeuronCore compute engine", [
    I32EnumAttrCase<"scalar", 0>,   // ScalarE (activation engine)
    I32EnumAttrCase<"vector", 1>,   // VectorE
    I32EnumAttrCase<"gpsimd", 2>,   // GpSimdE
    I32EnumAttrCase<"tensor", 3>    // TensorE (PE array)
  ]> {
  let cppNamespace = "::mlir::nki";
}


//===----------------------------------------------------------------------===//
// ALU operations (VectorE / GpSimdE / ScalarE arithmetic)
//===----------------------------------------------------------------------===//

def Nki_AluOpAttr : I32EnumAttr<"AluOp", "element-wise ALU operation", [
    I32EnumAttrCase<"bypass", 0>,
    I32EnumAttrCase<"add", 1>,
    I32EnumAttrCase<"subtract", 2>,
    I32EnumAttrCase<"multiply", 3>,
    I32EnumAttrCase<"divide", 4>,
    I32EnumAttrCase<"max", 5>,
    I32EnumAttrCase<"min", 6>
  ]> {
  let cppNamespace = "::mlir::nki";
}


//===----------------------------------------------------------------------===//
// Activation functions (ScalarE)
//===----------------------------------------------------------------------===//

def Nki_ActivationFunctionAttr : I32EnumAttr<"ActivationFunction",
    "ScalarE activation function", [
    I32EnumAttrCase<"identity", 0>,
    I32EnumAttrCase<"exp", 1>,
    I32EnumAttrCase<"log", 2>,
    I32EnumAttrCase<"relu", 3>,
    I32EnumAttrCase<"sigmoid", 4>,
    I32EnumAttrCase<"silu", 5>,
    I32EnumAttrCase<"softplus", 6>,
    I32EnumAttrCase<"tanh", 7>,
    I32EnumAttrCase<"square", 8>,
    I32EnumAttrCase<"sqrt", 9>
  ]> {
  let cppNamespace = "::mlir::nki";
}


//===----------------------------------------------------------------------===//
// Targets
//===----------------------------------------------------------------------===//

def Nki_Target : I32EnumAttr<"Target", "NeuronCore generation", [
    I32EnumAttrCase<"trn1", 0>,   // NeuronCore-v2 (Trn1, Inf2)
    I32EnumAttrCase<"trn2", 1>    // NeuronCore-v3 (Trn2)
  ]> {
  let cppNamespace = "::mlir::nki";
  let genSpecializedAttr = 0;
}

def Nki_TargetAttr : EnumAttr<Nki_Dialect, Nki_Target, "target"> {
  let summary = "target NeuronCore generation";
  let assemblyFormat = "`<` $value `>`";
}

#endif // MAMBA_NKI_DIALECT_NKI_IR_NKIATTRS_TD
