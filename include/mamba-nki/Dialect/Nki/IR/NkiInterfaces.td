//===- NkiInterfaces.td - nki op interfaces ----------------*- tablegen -*-===//

#ifndef MAMBA_NKI_DIALECT_NKI_IR_NKIINTERFACES_TD
#define MAMBA_NKI_DIALECT_NKI_IR_NKIINTERFACES_TD

include "mlir/IR/OpBase.td"

def Nki_EngineOpInterface : OpInterface<"EngineOpInterface"> {
  let cppNamespace = "::mlir::nki";
  let description = [{
    An op that is one engine instruction. It may name its engine explicitly
    (`on <engine>`); otherwise it runs on its default engine, the one NKI uses.
    The interface verifier rejects an engine the instruction cannot run on.
  }];
  let methods = [
    InterfaceMethod<"The engine named on the op, if any.",
      "std::optional<::mlir::nki::Engine>", "getEngine">,
    InterfaceMethod<"The engine NKI uses for this instruction.",
      "::mlir::nki::Engine", "getDefaultEngine">,
    InterfaceMethod<"Whether this instruction can run on `engine`.",
      "bool", "isEngineSupported", (ins "::mlir::nki::Engine":$engine)>,
    InterfaceMethod<"The engine that runs this instruction.",
      "::mlir::nki::Engine", "getEffectiveEngine", (ins), [{}], [{
        return $_op.getEngine().value_or($_op.getDefaultEngine());
      }]>,
  ];
  let verify = [{ return ::mlir::nki::detail::verifyEngineOp($_op); }];
}

#endif // MAMBA_NKI_DIALECT_NKI_IR_NKIINTERFACES_TD
