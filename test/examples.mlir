// The example kernels in examples/ parse and verify, and stay in sync with
// scripts/make-kernel.py.
// RUN: mamba-opt %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | FileCheck %s --check-prefix=TOY
// RUN: mamba-opt %mamba_src_root/examples/mamba_b1_l512_c4096_n16.mlir | FileCheck %s --check-prefix=WIDE
// RUN: mamba-opt %mamba_src_root/examples/mamba_b1_l2048_c512_n16.mlir | FileCheck %s --check-prefix=LONG
// RUN: mamba-opt %mamba_src_root/examples/mamba_b1_l8192_c4096_n16.mlir | FileCheck %s --check-prefix=HUGE
// RUN: %python %mamba_src_root/scripts/make-kernel.py | diff - %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir
// RUN: %python %mamba_src_root/scripts/make-kernel.py --channels 4096 --seq-len 8192 | diff - %mamba_src_root/examples/mamba_b1_l8192_c4096_n16.mlir
// RUN: not %python %mamba_src_root/scripts/make-kernel.py --channels 0 2>&1 | FileCheck %s --check-prefix=BAD

// TOY: mamba.selective_scan delta(%{{.*}} : memref<1x256x512xf32>) {{.*}} A(%{{.*}} : memref<256x16xf32>) B(%{{.*}} : memref<1x16x512xf32>)
// WIDE: mamba.selective_scan delta(%{{.*}} : memref<1x4096x512xf32>) {{.*}} A(%{{.*}} : memref<4096x16xf32>)
// LONG: mamba.selective_scan delta(%{{.*}} : memref<1x512x2048xf32>) {{.*}} B(%{{.*}} : memref<1x16x2048xf32>)
// HUGE: mamba.selective_scan delta(%{{.*}} : memref<1x4096x8192xf32>)
// BAD: argument --channels: must be >= 1, got 0
