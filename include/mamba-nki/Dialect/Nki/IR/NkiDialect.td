//===- NkiDialect.td - the nki dialect ---------------------*- tablegen -*-===//
//
// The `nki` dialect models what a NeuronCore sees: on-chip SBUF/PSUM tiles,
// DMA between HBM and SBUF, and one op per engine instruction.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_DIALECT_NKI_IR_NKIDIALECT_TD
#define MAMBA_NKI_DIALECT_NKI_IR_NKIDIALECT_TD

include "mlir/IR/OpBase.td"

def Nki_Dialect : Dialect {
  let name = "nki";
  let cppNamespace = "::mlir::nki";
  let summary = "NeuronCore tiles, DMA and engine instructions";
  let description = [{
    The `nki` dialect is the hardware-facing level of mamba-nki. Buffers are
    memrefs whose memory space is `#nki.mem<sbuf>` or `#nki.mem<psum>`; dim 0
    of an on-chip buffer is the partition dimension (at most 128), the other
    dims are the free dimensions laid out inside each partition. HBM tensors are
    memrefs with no memory space or with `#nki.mem<hbm>`.

    Compute ops are destination-passing on memref views: each reads its input
    views and writes its `into` view, as NeuronCore instructions read and write
    SBUF/PSUM address ranges. Each compute op names the engine that runs it
    (`on vector`, ...); when omitted, the engine NKI would use is implied.

    A module may carry `nki.target = #nki.target<trn1|trn2>` (default trn1);
    capacity rules (SBUF bytes per partition) follow the target. A kernel
    argument may carry `nki.name = "delta"`, the name of its HBM tensor in
    the instruction stream and for the interpreter's --input/--output.
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Name of the module-level target attribute.
    static constexpr ::llvm::StringLiteral getTargetAttrName() {
      return ::llvm::StringLiteral("nki.target");
    }
  }];
}

// Every nki op: an attribute that is not the op's own is an error (nothing
// the user wrote is ignored).
def Nki_NoDiscardableAttrs : NativeOpTrait<"NoDiscardableAttrs"> {
  let cppNamespace = "::mlir::nki";
}

class Nki_Op<string mnemonic, list<Trait> traits = []>
    : Op<Nki_Dialect, mnemonic, !listconcat(traits, [Nki_NoDiscardableAttrs])>;

#endif // MAMBA_NKI_DIALECT_NKI_IR_NKIDIALECT_TD
