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

def Mamba_SelectiveScanOp : Mamba_Op<"selective_scan",
                                      [AttrSizedOperandSegments]> {
  let summary = "the selective scan of a Mamba layer (mamba_ssm's "
                "selective_scan_fn)";
  let description = [{
    Computes, for batch `b`, channel `c`, state `n` and time step `t`,
    mamba_ssm's `selective_scan_fn(u, delta, A, B, C, D, z, delta_bias,
    delta_softplus, return_last_state)` with real `A`:

    ```
    dt[b,c,t]    = delta[b,c,t] + delta_bias[c]                (if delta_bias)
    dt[b,c,t]    = softplus(dt[b,c,t])                         (if delta_softplus;
                                                                 x for x > 20)
    x[b,c,n,-1]  = initial_state[b,c,n]                        (0 without it)
    x[b,c,n,t]   = exp(dt[b,c,t] * A[c,n]) * x[b,c,n,t-1]
                 + dt[b,c,t] * B[.,n,t] * u[b,c,t]
    y[b,c,t]     = sum_n C[.,n,t] * x[b,c,n,t]
    out[b,c,t]   = (y[b,c,t] + D[c] * u[b,c,t]) * silu(z[b,c,t])
                                                   (each term if its operand is given)
    final_state[b,c,n] = x[b,c,n,seq_len-1]                    (if final_state)
    ```

    `B[., n, t]` and `C[., n, t]` are each in one of mamba_ssm's three forms:
    variable `[batch, state, seq_len]` (`B[b,n,t]`), grouped
    `[batch, groups, state, seq_len]` (channel `c` reads group
    `c / (channels / groups)`; groups divides channels) or constant
    `[channels, state]` (`B[c,n]`, the same at every time step).

    Every operand is a memref in HBM (no memory space, or `#nki.mem<hbm>`).
    `delta`, `u`, `z`, `B`, `C` and `out` are f32 or bf16 (computation and
    the scan state are f32); `A`, `D`, `delta_bias`, `initial_state` and
    `final_state` are f32. Shapes: `delta, u, z, out: [batch, channels,
    seq_len]`, `A: [channels, state]`, `D, delta_bias: [channels]`,
    `initial_state, final_state: [batch, channels, state]`. Dynamic dims are
    accepted here and checked where both sides are static; the lowering
    requires static shapes. The op carries no attribute other than
    `delta_softplus`.

    ```mlir
    mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
        u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
        B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
        D(%D : memref<256xf32>) z(%z : memref<1x256x512xf32>)
        delta_bias(%delta_bias : memref<256xf32>)
        initial_state(%h0 : memref<1x256x16xf32>)
        into %out : memref<1x256x512xf32>
        final_state(%h : memref<1x256x16xf32>) {delta_softplus}
    ```
  }];
  let arguments = (ins Arg<AnyMemRef, "time step", [MemRead]>:$delta,
                       Arg<AnyMemRef, "input", [MemRead]>:$u,
                       Arg<AnyMemRef, "state matrix", [MemRead]>:$A,
                       Arg<AnyMemRef, "input projection", [MemRead]>:$B,
                       Arg<AnyMemRef, "output projection", [MemRead]>:$C,
                       Arg<Optional<AnyMemRef>, "skip term", [MemRead]>:$D,
                       Arg<Optional<AnyMemRef>, "gate", [MemRead]>:$z,
                       Arg<Optional<AnyMemRef>, "time step bias",
                           [MemRead]>:$delta_bias,
                       Arg<Optional<AnyMemRef>, "state before the first step",
                           [MemRead]>:$initial_state,
                       Arg<AnyMemRef, "result", [MemWrite]>:$out,
                       Arg<Optional<AnyMemRef>, "state after the last step",
                           [MemWrite]>:$final_state,
                       UnitAttr:$delta_softplus);
  let assemblyFormat = [{
    `delta` `(` $delta `:` type($delta) `)`
    `u` `(` $u `:` type($u) `)`
    `A` `(` $A `:` type($A) `)`
    `B` `(` $B `:` type($B) `)`
    `C` `(` $C `:` type($C) `)`
    (`D` `(` $D^ `:` type($D) `)`)?
    (`z` `(` $z^ `:` type($z) `)`)?
    (`delta_bias` `(` $delta_bias^ `:` type($delta_bias) `)`)?
    (`initial_state` `(` $initial_state^ `:` type($initial_state) `)`)?
    `into` $out `:` type($out)
    (`final_state` `(` $final_state^ `:` type($final_state) `)`)?
    attr-dict
  }];
  let hasVerifier = 1;
}

#endif // MAMBA_NKI_DIALECT_MAMBA_IR_MAMBAOPS_TD
