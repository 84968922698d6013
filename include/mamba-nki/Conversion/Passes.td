//===- Passes.td - mamba-nki conversion passes -------------*- tablegen -*-===//

#ifndef MAMBA_NKI_CONVERSION_PASSES_TD
#define MAMBA_NKI_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertMambaToNki : Pass<"convert-mamba-to-nki"> {
  let summary = "Lower mamba.selective_scan to the Fused Mamba tutorial's v1 kernel";
  let description = [{
    Rewrites each `mamba.selective_scan` into the v1 kernel of AWS's Fused
    Mamba NKI tutorial, in `nki` + `scf` + `arith` + `memref`:

    * loops batch -> state -> channel tile (128 channels per tile on the
      partition dim), all `nki.kind = "affine"`, named by `nki.loop`
      (`batch`, `state`, `channel_tile`);
    * in the innermost loop: load the delta and u tiles `[P, L]`, the A
      column `[P, 1]` and the B and C rows `[1, L]`;
      `activation(exp, delta, scale = A column)` on ScalarE; `delta * u` and
      `* broadcast(B)` on VectorE; `tensor_tensor_scan(multiply, add,
      initial = 0)`; `* broadcast(C)`; accumulate;
    * the accumulator is one SBUF buffer `[P, n_channel_tiles, L]` zeroed
      (loop `acc_zero`) before the state loop; a second channel-tile loop
      (`acc_store`) stores it to `out`.

    This is deliberately the tutorial's naive structure: the loads sit in the
    innermost loop and the accumulator outside. The `nki-*` passes, not this
    lowering, turn it into v2 and v3.

    Any shape lowers: when `channels % 128 != 0`, the last `channels % 128`
    channels form a second loop nest of the same structure on a partial tile
    (fewer partitions, never padding). Broadcast rows go to PSUM when a row
    fits one 2 KiB bank (`seq_len <= 512`), else to SBUF.

    Rejected with a located error: dynamic shapes (the stream is fully
    unrolled), and a `seq_len` whose `[P, seq_len]` tile exceeds one SBUF
    partition (192 KiB on trn1, 224 KiB on trn2); the message names the limit
    and by how much it is exceeded.

    Before:
    ```mlir
    mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
        u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
        B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
        into %out : memref<1x256x512xf32>
    ```
    After (abridged; see docs/lowering.md for the whole kernel):
    ```mlir
    scf.for %b = %c0 to %c1 step %c1 {
      %acc = nki.alloc "scanC_accum" : memref<128x2x512xf32, #nki.mem<sbuf>>
      scf.for %t = %c0 to %c2 step %c1 { nki.memset 0.0 into ... }
          {nki.kind = "affine", nki.loop = "acc_zero"}
      scf.for %n = %c0 to %c16 step %c1 {
        scf.for %t = %c0 to %c2 step %c1 {
          %delta_i = nki.alloc "delta_i" : memref<128x512xf32, #nki.mem<sbuf>>
          nki.load %delta_view : ... into %delta_i : ...
          ...
          nki.tensor_tensor_scan multiply, add(%deltaA : ..., %deltaBu : ...)
              initial(0.0) into %scan_res : ...
          ...
          nki.tensor_tensor add(%acc_t : ..., %scanC : ...) into %acc_t : ...
        } {nki.kind = "affine", nki.loop = "channel_tile"}
      } {nki.kind = "affine", nki.loop = "state"}
      scf.for %t = %c0 to %c2 step %c1 { nki.store ... }
          {nki.kind = "affine", nki.loop = "acc_store"}
    } {nki.kind = "affine", nki.loop = "batch"}
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::nki::NkiDialect",
    "::mlir::scf::SCFDialect"
  ];
}

#endif // MAMBA_NKI_CONVERSION_PASSES_TD
