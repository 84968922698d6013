// transform.nki.hoist_expanded: nki::hoistLoadExpanded alone.
// The kernels are first brought to v2 by v2's steps.
// RUN: mamba-opt %s --convert-mamba-to-nki --transform-interpreter -split-input-file -verify-diagnostics | FileCheck %s

// A leaves the state loop as one [128, 16] load; deltaU stays in it (no
// plain hoist). The handle holds the new load.
// CHECK-LABEL: func.func @toy
// CHECK: nki.alloc "A_i" : memref<128x16xf32
// CHECK-NEXT: nki.load %{{.*}} : memref<128x16xf32, strided<[16, 1], offset: ?>> into %A_i
// CHECK: scf.for
// CHECK: nki.alloc "deltaU"
// CHECK: nki.loop = "state"
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>, %A: memref<256x16xf32>,
               %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  // expected-remark @below {{one load of every slice}}
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
    %a = transform.nki.hoist_expanded %state
    transform.debug.emit_remark_at %a, "one load of every slice" : !transform.any_op
    transform.yield
  }
}

// -----

func.func @source_written(%a: memref<128x4xf32> {nki.name = "A"}, %y: memref<128x1xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %n = %c0 to %c4 step %c1 {
    %av = memref.subview %a[0, %n] [128, 1] [1, 1] : memref<128x4xf32> to memref<128x1xf32, strided<[4, 1], offset: ?>>
    %ai = nki.alloc "A_i" : memref<128x1xf32, #nki.mem<sbuf>>
    // expected-error @+1 {{cannot hoist 'nki.load' into 'A_i' out of 'state' with one slice per iteration: 'nki.store' in the loop writes argument #0 ('A'), which the load reads}}
    nki.load %av : memref<128x1xf32, strided<[4, 1], offset: ?>> into %ai : memref<128x1xf32, #nki.mem<sbuf>>
    nki.tensor_copy %ai : memref<128x1xf32, #nki.mem<sbuf>> into %y : memref<128x1xf32, #nki.mem<sbuf>>
    nki.store %y : memref<128x1xf32, #nki.mem<sbuf>> into %av : memref<128x1xf32, strided<[4, 1], offset: ?>>
  } {nki.loop = "state"}
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    // expected-note @below {{declined by 'transform.nki.hoist_expanded'}}
    %a = transform.nki.hoist_expanded %root
    transform.yield
  }
}
