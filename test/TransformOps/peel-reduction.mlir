// transform.nki.peel_reduction: nki::peelReduction for the accumulators of
// the loops of a handle.
// RUN: mamba-opt %s --convert-mamba-to-nki --transform-interpreter -split-input-file -verify-diagnostics | FileCheck %s

// v2: state 0 writes scanC_accum (no memset); the loop of the remaining
// states starts at 1, and the +0.0 start is restored after it.
// CHECK-LABEL: func.func @toy
// CHECK-NOT: nki.memset
// CHECK: nki.tensor_tensor multiply({{.*}}) into %scanC_accum
// CHECK: scf.for %{{.*}} = %c1 to %c16 step %c1 {
// CHECK: nki.tensor_tensor add(%scanC_accum
// CHECK: } {nki.kind = "affine", nki.loop = "state"}
// CHECK-NEXT: nki.tensor_scalar(%scanC_accum {{.*}}) add(0.000000e+00) into %scanC_accum
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>, %A: memref<256x16xf32>,
               %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  // expected-remark @below {{the other states}}
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
    %state = transform.nki.match_loop "state" in %root
    %rest = transform.nki.peel_reduction %state
    transform.debug.emit_remark_at %rest, "the other states" : !transform.any_op
    transform.yield
  }
}

// -----

// No accumulator is zeroed right before the batch loop.
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>, %A: memref<256x16xf32>,
               %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  // expected-error @below {{nothing to peel: no accumulator that an nki.memset zeroes right before 'batch' is accumulated by it (acc = acc + v)}}
  mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
      u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %out : memref<1x256x512xf32>
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %batch = transform.nki.match_loop "batch" in %root
    // expected-note @below {{declined by 'transform.nki.peel_reduction'}}
    %rest = transform.nki.peel_reduction %batch
    transform.yield
  }
}

// -----

// An accumulator that starts at 1.0 declines with the pass's reason.
func.func @declines(%x: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = nki.alloc "a" : memref<128x64xf32, #nki.mem<sbuf>>
  nki.memset 1.0 into %a : memref<128x64xf32, #nki.mem<sbuf>>
  scf.for %n = %c0 to %c4 step %c1 {
    // expected-error @+1 {{cannot peel the first iteration of 'n': the accumulator starts at 1.000000, not 0 (the first term would need an add)}}
    nki.tensor_tensor add(%a : memref<128x64xf32, #nki.mem<sbuf>>, %x : memref<128x64xf32, #nki.mem<sbuf>>) into %a : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "n"}
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %n = transform.nki.match_loop "n" in %root
    // expected-note @below {{declined by 'transform.nki.peel_reduction'}}
    %rest = transform.nki.peel_reduction %n
    transform.yield
  }
}
