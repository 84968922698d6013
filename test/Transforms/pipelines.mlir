// The tutorial's three kernels as pass pipelines, on the toy shape and on a
// shape with a partial channel tile and a seq_len remainder.
// RUN: mamba-opt %s --mamba-v1 | FileCheck %s --check-prefix=V1
// RUN: mamba-opt %s --mamba-v2 | FileCheck %s --check-prefix=V2
// RUN: mamba-opt %s --mamba-v3 | FileCheck %s --check-prefix=V3
// RUN: mamba-opt %s --mamba-v3 2>&1 >/dev/null | FileCheck %s --check-prefix=V3-REMARK
// RUN: mamba-opt %s --pass-pipeline="builtin.module(mamba-v2)" | FileCheck %s --check-prefix=V2
// RUN: mamba-opt %s --pass-pipeline="builtin.module(mamba-v3{tile-size=256})" | FileCheck %s --check-prefix=V3-256
// RUN: mamba-opt %s --mamba-v3 --mlir-print-ir-after-all 2>&1 >/dev/null | FileCheck %s --check-prefix=STEPS
// RUN: mamba-opt %s --mamba-v4 | FileCheck %s --check-prefix=V4
// RUN: mamba-opt %s --pass-pipeline="builtin.module(mamba-v4{tile-size=256})" | FileCheck %s --check-prefix=V4-256
// RUN: mamba-opt %s --mamba-v4 --mlir-print-ir-after-all 2>&1 >/dev/null | FileCheck %s --check-prefix=STEPS4

// v1: batch { acc_zero, state { channel_tile { loads ... } }, acc_store }
// V1-LABEL: func.func @toy
// V1: scf.for
// V1: nki.alloc "scanC_accum" : memref<128x2x512xf32
// V1: nki.loop = "acc_zero"
// V1: scf.for
// V1-NEXT: scf.for
// V1-NEXT: arith.muli
// V1-NEXT: nki.alloc "delta_i"
// V1: } {nki.kind = "affine", nki.loop = "channel_tile"}
// V1-NEXT: } {nki.kind = "affine", nki.loop = "state"}
// V1: nki.loop = "acc_store"
// V1: nki.loop = "batch"

// v2: batch { channel_tile { acc [128, L], delta_i, u_i, state { ... }, store } }
// V2-LABEL: func.func @toy
// V2: scf.for
// V2-NEXT: scf.for
// V2-NEXT: nki.alloc "scanC_accum" : memref<128x512xf32, #nki.mem<sbuf>>
// V2-NEXT: nki.memset
// V2: nki.alloc "delta_i"
// V2: nki.load
// V2: nki.alloc "u_i"
// V2: nki.load
// V2: scf.for
// V2-NOT: "delta_i"
// V2-NOT: "u_i"
// V2: nki.alloc "A_i"
// V2: nki.tensor_tensor_scan
// V2: } {nki.kind = "affine", nki.loop = "state"}
// V2-NEXT: memref.subview
// V2-NEXT: nki.store
// V2-NEXT: } {nki.kind = "affine", nki.loop = "channel_tile"}
// V2-NEXT: } {nki.kind = "affine", nki.loop = "batch"}

// v3: v2 with a sequential seq_tile loop inside the state loop. At the toy
// shape one 512-wide tile would be the whole seq_len and add only a carried
// state that nothing reads: nki-tile-free-dim declines, and v3 is v2.
// V3-LABEL: func.func @toy
// V3-NOT: seq_tile
// V3: nki.alloc "scan_res" : memref<128x512xf32, #nki.mem<sbuf>>
// V3: nki.tensor_tensor_scan
// V3-NOT: seq_tile
// V3: } {nki.kind = "affine", nki.loop = "state"}
// V3: } {nki.kind = "affine", nki.loop = "channel_tile"}
// V3-REMARK: pipelines.mlir:[[@LINE+28]]:3: remark: nothing to tile: the free dim (512) fits in one tile of 512
// V3-REMARK-NOT: remark
// V3-256-LABEL: func.func @toy
// V3-256: nki.alloc "deltaA" : memref<128x256xf32, #nki.mem<sbuf>>
// V3-256: nki.loop = "seq_tile"
// v4: channel_tile { A [128, n] ; carry [128, n] ; seq_tile { delta, u,
// deltaU, state 0 (peeled), state { ... }, + 0.0, store of the previous
// tile } ; store of the last tile } (the toy has one tile of 512, so there
// is no seq_tile loop, no carry and no delayed store).
// V4-LABEL: func.func @toy
// V4-NOT: carry
// V4: nki.alloc "deltaU" : memref<128x512xf32, #nki.mem<sbuf>>
// V4: nki.alloc "A_i" : memref<128x16xf32, #nki.mem<sbuf>>
// V4: nki.alloc "B_i_bcast" : memref<128x512xf32, #nki.mem<psum>>
// V4: into %scanC_accum
// V4: scf.for %{{.*}} = %c1 to %c16 step %c1 {
// V4: } {nki.kind = "affine", nki.loop = "state"}
// V4-NEXT: nki.tensor_scalar(%scanC_accum {{.*}} add(0.000000e+00) into %scanC_accum {{.*}} on scalar
// V4-NOT: 512xf32, #nki.mem<sbuf>>, %{{.*}} : memref<128x512xf32, #nki.mem<sbuf>>) into %deltaBu
// V4-256-LABEL: func.func @toy
// V4-256: nki.alloc "scanC_accum" : memref<128x2x256xf32, #nki.mem<sbuf>>
// V4-256: scf.for %{{.*}} = %c1 to %c2 step %c1 {
// V4-256: nki.store
// V4-256: } {nki.kind = "sequential", nki.loop = "seq_tile"}
// V4-256: nki.store
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>,
               %A: memref<256x16xf32>, %B: memref<1x16x512xf32>,
               %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
      u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %out : memref<1x256x512xf32>
  return
}

// channels 200 (a 128 tile and a 72 tile), seq_len 1000 (a 512 tile and a
// 488 remainder): both channel groups get the v2/v3 treatment.
// V2-LABEL: func.func @odd
// V2: nki.alloc "scanC_accum" : memref<128x1000xf32
// V2: nki.loop = "channel_tile"
// V2: nki.alloc "scanC_accum" : memref<72x1000xf32
// V2: nki.loop = "channel_tile"
// V3-LABEL: func.func @odd
// V3: nki.alloc "deltaA" : memref<128x512xf32
// V3: nki.loop = "seq_tile"
// V3: nki.alloc "deltaA" : memref<128x488xf32
// V3: nki.alloc "deltaA" : memref<72x512xf32
// V3: nki.loop = "seq_tile"
// V3: nki.alloc "deltaA" : memref<72x488xf32
// (one full tile and a remainder: no store to delay)
// V4-LABEL: func.func @odd
// V4: nki.alloc "scanC_accum" : memref<128x512xf32
// V4: nki.loop = "seq_tile"
// V4: nki.alloc "scanC_accum" : memref<128x488xf32
// V4: nki.loop = "channel_tile"
// V4: nki.alloc "scanC_accum" : memref<72x512xf32
// V4: nki.alloc "scanC_accum" : memref<72x488xf32
// V4-NOT: 1000xf32, #nki.mem<sbuf>
func.func @odd(%delta: memref<2x200x1000xf32>, %u: memref<2x200x1000xf32>,
               %A: memref<200x16xf32>, %B: memref<2x16x1000xf32>,
               %C: memref<2x16x1000xf32>, %out: memref<2x200x1000xf32>) {
  mamba.selective_scan delta(%delta : memref<2x200x1000xf32>)
      u(%u : memref<2x200x1000xf32>) A(%A : memref<200x16xf32>)
      B(%B : memref<2x16x1000xf32>) C(%C : memref<2x16x1000xf32>)
      into %out : memref<2x200x1000xf32>
  return
}

// STEPS: IR Dump After ConvertMambaToNki
// STEPS: IR Dump After NkiReorderLoops
// STEPS: IR Dump After NkiHoistLoads
// STEPS: IR Dump After NkiFuseLoops
// STEPS: IR Dump After CSE
// STEPS: IR Dump After NkiTileFreeDim

// STEPS4: IR Dump After NkiFuseLoops
// STEPS4: IR Dump After CSE
// STEPS4: IR Dump After NkiHoistInvariant
// STEPS4: IR Dump After NkiTileFreeDim
// STEPS4: IR Dump After NkiPlaceBuffers
// STEPS4: IR Dump After NkiHoistInvariant
// STEPS4: IR Dump After NkiPeelReduction
// STEPS4: IR Dump After NkiDelayStores
// STEPS4: IR Dump After NkiAssignEngines
// STEPS4: IR Dump After CSE
// STEPS4: IR Dump After NkiCheckCapacity
