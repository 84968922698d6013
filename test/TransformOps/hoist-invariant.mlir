// transform.nki.hoist_invariant: nki-hoist-invariant (and with {expand},
// nki-hoist-invariant{expand=true}) inside the handle's payload.
// The kernels are first brought to v2 by v2's steps.
// RUN: mamba-opt %s --convert-mamba-to-nki --transform-interpreter -split-input-file -verify-diagnostics | FileCheck %s

// deltaU = delta * u leaves the state loop of v2; A_i stays (it moves with
// the loop).
// CHECK-LABEL: func.func @toy
// CHECK: nki.alloc "deltaU"
// CHECK-NEXT: nki.tensor_tensor multiply
// CHECK: scf.for
// CHECK: nki.alloc "A_i" : memref<128x1xf32
// CHECK: nki.loop = "state"
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>, %A: memref<256x16xf32>,
               %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  // expected-remark @below {{moved}}
  mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
      u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %out : memref<1x256x512xf32>
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %s0 = transform.nki.match_loop "state" in %root
    %ct0, %st0 = transform.nki.reorder_loops %s0
    %loads0 = transform.nki.hoist_loads %root
    %z0 = transform.nki.match_loop "acc_zero" in %root
    %w0 = transform.nki.match_loop "acc_store" in %root
    %f0 = transform.nki.fuse_loops %z0, %ct0
    %v2 = transform.nki.fuse_loops %f0, %w0 {contract}
    %moved = transform.nki.hoist_invariant %root
    transform.debug.emit_remark_at %moved, "moved" : !transform.any_op
    transform.yield
  }
}

// -----

// {expand}: A also leaves it, as one [128, 16] load per channel tile.
// CHECK-LABEL: func.func @toy
// CHECK: nki.alloc "A_i" : memref<128x16xf32
// CHECK: nki.alloc "deltaU"
// CHECK: scf.for
// CHECK: memref.subview %A_i[0, %{{.*}}] [128, 1] [1, 1]
// CHECK: nki.loop = "state"
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>, %A: memref<256x16xf32>,
               %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
      u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %out : memref<1x256x512xf32>
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %s0 = transform.nki.match_loop "state" in %root
    %ct0, %st0 = transform.nki.reorder_loops %s0
    %loads0 = transform.nki.hoist_loads %root
    %z0 = transform.nki.match_loop "acc_zero" in %root
    %w0 = transform.nki.match_loop "acc_store" in %root
    %f0 = transform.nki.fuse_loops %z0, %ct0
    %v2 = transform.nki.fuse_loops %f0, %w0 {contract}
    %moved = transform.nki.hoist_invariant %root {expand}
    transform.yield
  }
}

// -----

func.func @input_written(%x: memref<128x64xf32, #nki.mem<sbuf>>, %out: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %y = nki.alloc "y" : memref<128x64xf32, #nki.mem<sbuf>>
    // expected-error @+1 {{cannot hoist 'nki.activation' out of 'step': 'nki.tensor_scalar' in the loop writes argument #0, which it reads}}
    nki.activation exp(%x : memref<128x64xf32, #nki.mem<sbuf>>) into %y : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%out : memref<128x64xf32, #nki.mem<sbuf>>, %y : memref<128x64xf32, #nki.mem<sbuf>>) into %out : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_scalar(%x : memref<128x64xf32, #nki.mem<sbuf>>) multiply(0.5) into %x : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "step"}
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    // expected-note @below {{declined by 'transform.nki.hoist_invariant'}}
    %moved = transform.nki.hoist_invariant %root
    transform.yield
  }
}
