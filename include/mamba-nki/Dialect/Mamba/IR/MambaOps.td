//===- MambaOps.td - the mamba dialect ----------------------*- tablegen -*-===//

#ifndef MAMBA_NKI_DIALECT_MAMBA_IR_MAMBAOPS_TD
#define MAMBA_NKI_DIALECT_MAMBA_IR_MAMBAOPS_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Mamba_Dialect : Dialect {
  let name = "mamba";
  let cppNamespace = "::mlir::mamba";
  let summary = "the Mamba selective-scan layer, as users write it";
  let description = [{
    The `mamba` dialect holds what a user writes: the selective scan of a
    Mamba layer on HBM tensors, before any decision about tiles, engines or
    loops. `--convert-mamba-to-nki` lowers it to the `nki` dialect.
  }];
  let dependentDialects = ["::mlir::nki::NkiDialect"];
}

class Mamba_Op<string mnemonic, list<Trait> traits = []>
    : Op<Mamba_Dialect, mnemonic, traits>;

def Mamba_SelectiveScanOp : Mamba_Op<"selective_scan"> {
  let summary = "Mamba selective scan (the Fused Mamba tutorial's mamba_layer)";
  let description = [{
    Computes, for batch `b`, channel `c`, state `n` and time step `t`:

    ```
    dA[b,c,n,t]  = exp(delta[b,c,t] * A[c,n])
    dBu[b,c,n,t] = delta[b,c,t] * B[b,n,t] * u[b,c,t]
    x[b,c,n,t]   = dA[b,c,n,t] * x[b,c,n,t-1] + dBu[b,c,n,t]    (x[b,c,n,-1] = 0)
    out[b,c,t]   = sum_n C[b,n,t] * x[b,c,n,t]
    ```

    This is mamba_ssm's `selective_scan_ref(u, delta, A, B, C)` with real `A`,
    one group of variable `B`/`C`, and no `D`, `z`, `delta_bias` or softplus.
    All operands are fp32 memrefs in HBM (no memory space, or
    `#nki.mem<hbm>`); `out` is the destination. Shapes:
    `delta, u, out: [batch, channels, seq_len]`, `A: [channels, state]`,
    `B, C: [batch, state, seq_len]`. Dynamic dims are accepted here and
    checked where both sides are static; the lowering requires static shapes.

    ```mlir
    mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
        u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
        B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
        into %out : memref<1x256x512xf32>
    ```
  }];
  let arguments = (ins Arg<AnyMemRef, "time step", [MemRead]>:$delta,
                       Arg<AnyMemRef, "input", [MemRead]>:$u,
                       Arg<AnyMemRef, "state matrix", [MemRead]>:$A,
                       Arg<AnyMemRef, "input projection", [MemRead]>:$B,
                       Arg<AnyMemRef, "output projection", [MemRead]>:$C,
                       Arg<AnyMemRef, "result", [MemWrite]>:$out);
  let assemblyFormat = [{
    `delta` `(` $delta `:` type($delta) `)`
    `u` `(` $u `:` type($u) `)`
    `A` `(` $A `:` type($A) `)`
    `B` `(` $B `:` type($B) `)`
    `C` `(` $C `:` type($C) `)`
    `into` $out `:` type($out) attr-dict
  }];
  let hasVerifier = 1;
}

#endif // MAMBA_NKI_DIALECT_MAMBA_IR_MAMBAOPS_TD
