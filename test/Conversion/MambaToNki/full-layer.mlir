// RUN: mamba-opt %s --convert-mamba-to-nki -split-input-file | FileCheck %s
// The whole layer's operands in the v1 kernel (docs/lowering.md, "The whole
// layer"): delta_bias and softplus on ScalarE before everything else, D and
// delta_bias read as [channels, 1] columns, grouped B read from the tile's
// group, constant C as a per-partition operand, the initial state as the
// scan's initial column, the final state stored from its last column, and
// the D skip and silu(z) gate applied to the accumulator before the store.

// CHECK-LABEL: func.func @full_layer
// CHECK-SAME: {nki.name = "D"}
// CHECK-SAME: {nki.name = "z"}
// CHECK-SAME: {nki.name = "delta_bias"}
// CHECK-SAME: {nki.name = "initial_state"}
// CHECK-SAME: {nki.name = "out"}
// CHECK-SAME: {nki.name = "final_state"})
// CHECK-SAME: attributes {nki.kernel = {delta_softplus = true, name = "selective_scan"}}
// CHECK-DAG: %[[D2:.*]] = memref.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [200, 1] : memref<200xf32> into memref<200x1xf32>
// CHECK-DAG: %[[BIAS2:.*]] = memref.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [200, 1] : memref<200xf32> into memref<200x1xf32>
// Group 0: channels 0..99.
// CHECK: nki.loop = "acc_zero"
// CHECK: %[[BI:.*]] = nki.alloc "delta_bias_i" : memref<100x1xf32, #nki.mem<sbuf>>
// CHECK: memref.subview %[[BIAS2]][%{{.*}}, 0] [100, 1] [1, 1]
// CHECK: %[[DT:.*]] = nki.alloc "delta_t"
// CHECK: nki.activation softplus(%{{.*}} : {{.*}}) bias(%[[BI]] : {{.*}}) into %[[DT]]
// CHECK: nki.activation exp(%[[DT]] : {{.*}}) scale(%{{.*}})
// CHECK: memref.subview %{{.*}}[%{{.*}}, %c0, %{{.*}}, 0] [1, 1, 1, 64] [1, 1, 1, 1] : memref<1x2x2x64xf32>
// CHECK: nki.tensor_tensor multiply(%[[DT]] : {{.*}}, %{{.*}}) into %{{.*}}deltaU
// CHECK: nki.partition_broadcast
// CHECK: %[[H0:.*]] = nki.alloc "initial_state_i" : memref<100x1xf32, #nki.mem<sbuf>>
// CHECK: %[[SCAN:.*]] = nki.alloc "scan_res"
// CHECK: nki.tensor_tensor_scan multiply, add(%{{.*}}, %{{.*}}) initial(%[[H0]] : memref<100x1xf32, #nki.mem<sbuf>>) into %[[SCAN]]
// CHECK: %[[LAST:.*]] = memref.subview %[[SCAN]][0, 63] [100, 1] [1, 1]
// CHECK: %[[HV:.*]] = memref.subview %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] [1, 100, 1] [1, 1, 1] : memref<1x200x2xf32> to memref<100x1xf32
// CHECK: nki.store %[[LAST]] : {{.*}} into %[[HV]]
// CHECK: %[[CI:.*]] = nki.alloc "C_i" : memref<100x1xf32, #nki.mem<sbuf>>
// CHECK: nki.tensor_scalar(%[[SCAN]] : {{.*}}) multiply(%[[CI]] : {{.*}}) into %{{.*}} : memref<100x64xf32, #nki.mem<psum>>
// CHECK: nki.loop = "state"
// CHECK: %[[DI:.*]] = nki.alloc "D_i" : memref<100x1xf32, #nki.mem<sbuf>>
// CHECK: memref.subview %[[D2]][%{{.*}}, 0] [100, 1] [1, 1]
// CHECK: %[[SKIP:.*]] = nki.alloc "skip"
// CHECK: nki.tensor_scalar(%{{.*}}u_skip{{.*}}) multiply(%[[DI]] : {{.*}}) into %[[SKIP]]
// CHECK: nki.tensor_tensor add(%[[ACC:.*]] : {{.*}}, %[[SKIP]] : {{.*}}) into %[[ACC]]
// CHECK: %[[G:.*]] = nki.alloc "z_silu"
// CHECK: nki.activation silu(%{{.*}}) into %[[G]]
// CHECK: nki.tensor_tensor multiply(%[[ACC]] : {{.*}}, %[[G]] : {{.*}}) into %[[ACC]]
// CHECK: nki.store %[[ACC]]
// CHECK: nki.loop = "acc_store"
// Group 1: channels 100..199 read B's group 1.
// CHECK: memref.subview %{{.*}}[%{{.*}}, %c1, %{{.*}}, 0] [1, 1, 1, 64] [1, 1, 1, 1] : memref<1x2x2x64xf32>
func.func @full_layer(%delta: memref<1x200x64xf32>, %u: memref<1x200x64xf32>, %A: memref<200x2xf32>, %B: memref<1x2x2x64xf32>, %C: memref<200x2xf32>, %D: memref<200xf32>, %z: memref<1x200x64xf32>, %bias: memref<200xf32>, %h0: memref<1x200x2xf32>, %y: memref<1x200x64xf32>, %h: memref<1x200x2xf32>) {
  mamba.selective_scan delta(%delta : memref<1x200x64xf32>) u(%u : memref<1x200x64xf32>) A(%A : memref<200x2xf32>) B(%B : memref<1x2x2x64xf32>) C(%C : memref<200x2xf32>) D(%D : memref<200xf32>) z(%z : memref<1x200x64xf32>) delta_bias(%bias : memref<200xf32>) initial_state(%h0 : memref<1x200x2xf32>) into %y : memref<1x200x64xf32> final_state(%h : memref<1x200x2xf32>) {delta_softplus}
  return
}

// -----

// delta_bias without softplus: an identity activation with the bias.
// CHECK-LABEL: func.func @bias_only
// CHECK-SAME: attributes {nki.kernel = {delta_softplus = false, name = "selective_scan"}}
// CHECK: nki.activation identity(%{{.*}}) bias(%{{.*}}) into %{{.*}}delta_t
func.func @bias_only(%delta: memref<1x128x32xf32>, %u: memref<1x128x32xf32>, %A: memref<128x2xf32>, %B: memref<1x2x32xf32>, %C: memref<1x2x32xf32>, %bias: memref<128xf32>, %y: memref<1x128x32xf32>) {
  mamba.selective_scan delta(%delta : memref<1x128x32xf32>) u(%u : memref<1x128x32xf32>) A(%A : memref<128x2xf32>) B(%B : memref<1x2x32xf32>) C(%C : memref<1x2x32xf32>) delta_bias(%bias : memref<128xf32>) into %y : memref<1x128x32xf32>
  return
}

// -----

// Groups that do not align with the 128-partition tiles: channels 0..191
// (group 0) as a full tile and a 64-channel tile, then the same for group 1.
// CHECK-LABEL: func.func @unaligned_groups
// CHECK: nki.alloc "scanC_accum" : memref<128x1x32xf32, #nki.mem<sbuf>>
// CHECK: memref.subview %{{.*}}[%{{.*}}, %c0, %{{.*}}, 0] [1, 1, 1, 32]
// CHECK: nki.alloc "scanC_accum" : memref<64x1x32xf32, #nki.mem<sbuf>>
// CHECK: memref.subview %{{.*}}[%{{.*}}, %c0, %{{.*}}, 0] [1, 1, 1, 32]
// CHECK: nki.alloc "scanC_accum" : memref<128x1x32xf32, #nki.mem<sbuf>>
// CHECK: memref.subview %{{.*}}[%{{.*}}, %c1, %{{.*}}, 0] [1, 1, 1, 32]
// CHECK: nki.alloc "scanC_accum" : memref<64x1x32xf32, #nki.mem<sbuf>>
// CHECK: memref.subview %{{.*}}[%{{.*}}, %c1, %{{.*}}, 0] [1, 1, 1, 32]
// CHECK-NOT: nki.alloc "scanC_accum"
func.func @unaligned_groups(%delta: memref<1x384x32xf32>, %u: memref<1x384x32xf32>, %A: memref<384x2xf32>, %B: memref<1x2x2x32xf32>, %C: memref<1x2x2x32xf32>, %y: memref<1x384x32xf32>) {
  mamba.selective_scan delta(%delta : memref<1x384x32xf32>) u(%u : memref<1x384x32xf32>) A(%A : memref<384x2xf32>) B(%B : memref<1x2x2x32xf32>) C(%C : memref<1x2x2x32xf32>) into %y : memref<1x384x32xf32>
  return
}

// -----

// bf16 I/O: the loads keep bf16 tiles (DMA does not convert), the engines
// read them and write f32; a constant B (a per-partition scalar, which must
// be f32) is copied to f32; the f32 accumulator is rounded to a bf16 tile by
// a copy before the store.
// CHECK-LABEL: func.func @bf16_io
// CHECK: %[[DI:.*]] = nki.alloc "delta_i" : memref<128x32xbf16, #nki.mem<sbuf>>
// CHECK: nki.load %{{.*}} : memref<128x32xbf16, {{.*}}> into %[[DI]]
// CHECK: %[[DA:.*]] = nki.alloc "deltaA" : memref<128x32xf32, #nki.mem<sbuf>>
// CHECK: nki.activation exp(%[[DI]] : memref<128x32xbf16, #nki.mem<sbuf>>) scale(%{{.*}}) into %[[DA]]
// CHECK: %[[BI:.*]] = nki.alloc "B_i" : memref<128x1xbf16, #nki.mem<sbuf>>
// CHECK: %[[BF:.*]] = nki.alloc "B_i_f32" : memref<128x1xf32, #nki.mem<sbuf>>
// CHECK: nki.tensor_copy %[[BI]] : {{.*}} into %[[BF]]
// CHECK: nki.tensor_tensor multiply(%[[DI]] : memref<128x32xbf16, #nki.mem<sbuf>>, %{{.*}} : memref<128x32xbf16, #nki.mem<sbuf>>) into %{{.*}} : memref<128x32xf32, #nki.mem<sbuf>>
// CHECK: nki.tensor_scalar(%{{.*}}) multiply(%[[BF]] : memref<128x1xf32, #nki.mem<sbuf>>)
// CHECK: nki.loop = "state"
// CHECK: %[[OUT:.*]] = nki.alloc "output" : memref<128x32xbf16, #nki.mem<sbuf>>
// CHECK: nki.tensor_copy %{{.*}} : memref<128x32xf32, {{.*}}> into %[[OUT]] : memref<128x32xbf16, #nki.mem<sbuf>>
// CHECK: nki.store %[[OUT]] : memref<128x32xbf16, #nki.mem<sbuf>> into %{{.*}} : memref<128x32xbf16, {{.*}}>
module {
  func.func @bf16_io(%delta: memref<1x128x32xbf16>, %u: memref<1x128x32xbf16>, %A: memref<128x2xf32>,
                         %B: memref<128x2xbf16>, %C: memref<128x2xbf16>,
                         %out: memref<1x128x32xbf16>) {
    mamba.selective_scan delta(%delta : memref<1x128x32xbf16>)
        u(%u : memref<1x128x32xbf16>) A(%A : memref<128x2xf32>)
        B(%B : memref<128x2xbf16>) C(%C : memref<128x2xbf16>)
        into %out : memref<1x128x32xbf16>
    return
  }
}
