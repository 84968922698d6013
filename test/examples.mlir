// The example kernels in examples/ parse and verify, and stay in sync with
// scripts/make-kernel.py.
// RUN: mamba-opt %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | FileCheck %s --check-prefix=TOY
// RUN: mamba-opt %mamba_src_root/examples/mamba_b1_l512_c4096_n16.mlir | FileCheck %s --check-prefix=WIDE
// RUN: mamba-opt %mamba_src_root/examples/mamba_b1_l2048_c512_n16.mlir | FileCheck %s --check-prefix=LONG
// RUN: mamba-opt %mamba_src_root/examples/mamba_b1_l8192_c4096_n16.mlir | FileCheck %s --check-prefix=HUGE
// Each lowers to verified v1 IR (mamba-opt verifies after every pass).
// RUN: mamba-opt --convert-mamba-to-nki %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | FileCheck %s --check-prefix=V1
// RUN: mamba-opt --convert-mamba-to-nki %mamba_src_root/examples/mamba_b1_l512_c4096_n16.mlir | FileCheck %s --check-prefix=V1
// RUN: mamba-opt --convert-mamba-to-nki %mamba_src_root/examples/mamba_b1_l2048_c512_n16.mlir | FileCheck %s --check-prefix=V1
// RUN: mamba-opt --convert-mamba-to-nki %mamba_src_root/examples/mamba_b1_l8192_c4096_n16.mlir | FileCheck %s --check-prefix=V1
// Odd shapes from the generator: partial tiles, odd lengths, batch, state.
// RUN: %python %mamba_src_root/scripts/make-kernel.py --batch 3 --seq-len 1 --channels 1 --state 1 | mamba-opt --convert-mamba-to-nki | FileCheck %s --check-prefix=V1
// RUN: %python %mamba_src_root/scripts/make-kernel.py --batch 2 --seq-len 1000 --channels 200 --state 64 | mamba-opt --convert-mamba-to-nki | FileCheck %s --check-prefix=V1
// RUN: %python %mamba_src_root/scripts/make-kernel.py --seq-len 777 --channels 385 --state 256 | mamba-opt --convert-mamba-to-nki | FileCheck %s --check-prefix=V1
// RUN: %python %mamba_src_root/scripts/make-kernel.py --seq-len 49152 --channels 128 --state 2 | mamba-opt --convert-mamba-to-nki | FileCheck %s --check-prefix=V1
// V1: nki.loop = "channel_tile"
// V1: nki.loop = "state"
// V1: nki.loop = "acc_store"
// V1: nki.loop = "batch"
// V1-NOT: mamba.selective_scan

// v2 and v3 on every example: the tutorial's loop structures.
// RUN: mamba-opt --mamba-v2 %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | FileCheck %s --check-prefix=V2
// RUN: mamba-opt --mamba-v2 %mamba_src_root/examples/mamba_b1_l512_c4096_n16.mlir | FileCheck %s --check-prefix=V2
// RUN: mamba-opt --mamba-v2 %mamba_src_root/examples/mamba_b1_l2048_c512_n16.mlir | FileCheck %s --check-prefix=V2
// RUN: mamba-opt --mamba-v2 %mamba_src_root/examples/mamba_b1_l8192_c4096_n16.mlir | FileCheck %s --check-prefix=V2
// At seq_len 512 one 512-wide tile would be the whole sequence: v3 is v2.
// RUN: mamba-opt --mamba-v3 %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir 2>/dev/null | FileCheck %s --check-prefix=V2
// RUN: mamba-opt --mamba-v3 %mamba_src_root/examples/mamba_b1_l512_c4096_n16.mlir 2>/dev/null | FileCheck %s --check-prefix=V2
// RUN: mamba-opt --mamba-v3 %mamba_src_root/examples/mamba_b1_l2048_c512_n16.mlir | FileCheck %s --check-prefix=V3
// RUN: mamba-opt --mamba-v3 %mamba_src_root/examples/mamba_b1_l8192_c4096_n16.mlir | FileCheck %s --check-prefix=V3
// V2: nki.alloc "scanC_accum" : memref<128x{{[0-9]+}}xf32, #nki.mem<sbuf>>
// V2: nki.alloc "delta_i"
// V2: nki.alloc "u_i"
// V2: scf.for
// V2-NOT: "delta_i"
// V2: } {nki.kind = "affine", nki.loop = "state"}
// V2: nki.store
// V2-NEXT: } {nki.kind = "affine", nki.loop = "channel_tile"}
// V2-NEXT: } {nki.kind = "affine", nki.loop = "batch"}
// V3: nki.alloc "delta_i"
// V3: nki.alloc "scan_res" : memref<128x{{[0-9]+}}xf32
// V3: nki.alloc "deltaA" : memref<128x512xf32
// V3: } {nki.kind = "sequential", nki.loop = "seq_tile"}
// V3-NEXT: } {nki.kind = "affine", nki.loop = "state"}
// V3: } {nki.kind = "affine", nki.loop = "channel_tile"}

// RUN: %python %mamba_src_root/scripts/make-kernel.py | diff - %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir
// RUN: %python %mamba_src_root/scripts/make-kernel.py --channels 4096 --seq-len 8192 | diff - %mamba_src_root/examples/mamba_b1_l8192_c4096_n16.mlir
// RUN: not %python %mamba_src_root/scripts/make-kernel.py --channels 0 2>&1 | FileCheck %s --check-prefix=BAD

// TOY: mamba.selective_scan delta(%{{.*}} : memref<1x256x512xf32>) {{.*}} A(%{{.*}} : memref<256x16xf32>) B(%{{.*}} : memref<1x16x512xf32>)
// WIDE: mamba.selective_scan delta(%{{.*}} : memref<1x4096x512xf32>) {{.*}} A(%{{.*}} : memref<4096x16xf32>)
// LONG: mamba.selective_scan delta(%{{.*}} : memref<1x512x2048xf32>) {{.*}} B(%{{.*}} : memref<1x16x2048xf32>)
// HUGE: mamba.selective_scan delta(%{{.*}} : memref<1x4096x8192xf32>)
// BAD: argument --channels: must be >= 1, got 0
