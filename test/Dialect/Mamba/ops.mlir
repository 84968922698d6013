// mamba.selective_scan: printed, re-parsed, and re-parsed from generic form.
// RUN: mamba-opt %s | mamba-opt | FileCheck %s
// RUN: mamba-opt %s --mlir-print-op-generic | mamba-opt | FileCheck %s

// CHECK-LABEL: func.func @toy
// CHECK-SAME: (%[[D:.*]]: memref<1x256x512xf32>, %[[U:.*]]: memref<1x256x512xf32>, %[[A:.*]]: memref<256x16xf32>, %[[B:.*]]: memref<1x16x512xf32>, %[[C:.*]]: memref<1x16x512xf32>, %[[Y:.*]]: memref<1x256x512xf32>)
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>,
               %A: memref<256x16xf32>, %B: memref<1x16x512xf32>,
               %C: memref<1x16x512xf32>, %y: memref<1x256x512xf32>) {
  // CHECK: mamba.selective_scan delta(%[[D]] : memref<1x256x512xf32>) u(%[[U]] : memref<1x256x512xf32>) A(%[[A]] : memref<256x16xf32>) B(%[[B]] : memref<1x16x512xf32>) C(%[[C]] : memref<1x16x512xf32>) into %[[Y]] : memref<1x256x512xf32>
  mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
      u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %y : memref<1x256x512xf32>
  return
}

// HBM spelled out, and dynamic dims (accepted by the op, rejected by the
// lowering).
// CHECK-LABEL: func.func @hbm_and_dynamic
func.func @hbm_and_dynamic(%delta: memref<2x?x1000xf32, #nki.mem<hbm>>,
                           %u: memref<2x200x?xf32>, %A: memref<?x1xf32>,
                           %B: memref<2x1x1000xf32>, %C: memref<?x1x1000xf32>,
                           %y: memref<2x200x1000xf32, #nki.mem<hbm>>) {
  // CHECK: mamba.selective_scan delta(%{{.*}} : memref<2x?x1000xf32, #nki.mem<hbm>>) u(%{{.*}} : memref<2x200x?xf32>) A(%{{.*}} : memref<?x1xf32>) B(%{{.*}} : memref<2x1x1000xf32>) C(%{{.*}} : memref<?x1x1000xf32>) into %{{.*}} : memref<2x200x1000xf32, #nki.mem<hbm>>
  mamba.selective_scan delta(%delta : memref<2x?x1000xf32, #nki.mem<hbm>>)
      u(%u : memref<2x200x?xf32>) A(%A : memref<?x1xf32>)
      B(%B : memref<2x1x1000xf32>) C(%C : memref<?x1x1000xf32>)
      into %y : memref<2x200x1000xf32, #nki.mem<hbm>>
  return
}

// The whole layer: every optional operand, softplus, bf16 I/O, grouped B and
// constant C.
// CHECK-LABEL: func.func @full_layer
func.func @full_layer(%delta: memref<2x256x64xbf16>, %u: memref<2x256x64xbf16>,
                      %A: memref<256x16xf32>, %B: memref<2x4x16x64xbf16>,
                      %C: memref<256x16xf32>, %D: memref<256xf32>,
                      %z: memref<2x256x64xbf16>, %bias: memref<256xf32>,
                      %h0: memref<2x256x16xf32>, %y: memref<2x256x64xbf16>,
                      %h: memref<2x256x16xf32>) {
  // CHECK: mamba.selective_scan delta(%{{.*}} : memref<2x256x64xbf16>) u(%{{.*}} : memref<2x256x64xbf16>) A(%{{.*}} : memref<256x16xf32>) B(%{{.*}} : memref<2x4x16x64xbf16>) C(%{{.*}} : memref<256x16xf32>) D(%{{.*}} : memref<256xf32>) z(%{{.*}} : memref<2x256x64xbf16>) delta_bias(%{{.*}} : memref<256xf32>) initial_state(%{{.*}} : memref<2x256x16xf32>) into %{{.*}} : memref<2x256x64xbf16> final_state(%{{.*}} : memref<2x256x16xf32>) {delta_softplus}
  mamba.selective_scan delta(%delta : memref<2x256x64xbf16>)
      u(%u : memref<2x256x64xbf16>) A(%A : memref<256x16xf32>)
      B(%B : memref<2x4x16x64xbf16>) C(%C : memref<256x16xf32>)
      D(%D : memref<256xf32>) z(%z : memref<2x256x64xbf16>)
      delta_bias(%bias : memref<256xf32>) initial_state(%h0 : memref<2x256x16xf32>)
      into %y : memref<2x256x64xbf16> final_state(%h : memref<2x256x16xf32>)
      {delta_softplus}
  return
}

// Some of them: the printer keeps exactly the clauses written.
// CHECK-LABEL: func.func @some
func.func @some(%delta: memref<1x128x64xf32>, %u: memref<1x128x64xf32>,
                %A: memref<128x4xf32>, %B: memref<1x4x64xf32>,
                %C: memref<1x2x4x64xf32>, %z: memref<1x128x64xf32>,
                %y: memref<1x128x64xf32>, %h: memref<1x128x4xf32>) {
  // CHECK: mamba.selective_scan delta(%{{.*}} : memref<1x128x64xf32>) u(%{{.*}} : memref<1x128x64xf32>) A(%{{.*}} : memref<128x4xf32>) B(%{{.*}} : memref<1x4x64xf32>) C(%{{.*}} : memref<1x2x4x64xf32>) z(%{{.*}} : memref<1x128x64xf32>) into %{{.*}} : memref<1x128x64xf32> final_state(%{{.*}} : memref<1x128x4xf32>){{$}}
  mamba.selective_scan delta(%delta : memref<1x128x64xf32>)
      u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>)
      B(%B : memref<1x4x64xf32>) C(%C : memref<1x2x4x64xf32>)
      z(%z : memref<1x128x64xf32>)
      into %y : memref<1x128x64xf32> final_state(%h : memref<1x128x4xf32>)
  return
}
