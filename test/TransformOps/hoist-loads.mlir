// transform.nki.hoist_loads: nki-hoist-loads inside the handle's payload.
// RUN: mamba-opt %s --convert-mamba-to-nki --transform-interpreter -split-input-file -verify-diagnostics | FileCheck %s

// After the interchange, delta_i and u_i leave the state loop; the handle
// holds the two loads that moved.
// CHECK-LABEL: func.func @toy
// CHECK: nki.loop = "acc_zero"
// CHECK: scf.for
// CHECK: nki.alloc "delta_i"
// CHECK-NEXT: nki.load
// CHECK: nki.alloc "u_i"
// CHECK-NEXT: nki.load
// CHECK-NEXT: scf.for
// CHECK: nki.alloc "A_i"
// CHECK: } {nki.kind = "affine", nki.loop = "state"}
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>, %A: memref<256x16xf32>,
               %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  // expected-remark @+2 {{hoisted first}}
  // expected-remark @+1 {{hoisted second}}
  mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
      u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %out : memref<1x256x512xf32>
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %state = transform.nki.match_loop "state" in %root
    %outer, %inner = transform.nki.reorder_loops %state
    %loads = transform.nki.hoist_loads %root
    %first, %second = transform.split_handle %loads : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.debug.emit_remark_at %first, "hoisted first" : !transform.any_op
    transform.debug.emit_remark_at %second, "hoisted second" : !transform.any_op
    transform.yield
  }
}

// -----

// The only candidate is blocked: nothing moves, a silenceable failure with
// the pass's reason.
func.func @loop_writes_source(%in: memref<128x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %x = nki.alloc "x" : memref<128x64xf32, #nki.mem<sbuf>>
    // expected-error @+1 {{cannot hoist 'nki.load' into 'x' out of 'step': 'nki.store' in the loop writes argument #0, which the load reads}}
    nki.load %in : memref<128x64xf32> into %x : memref<128x64xf32, #nki.mem<sbuf>>
    %y = nki.alloc "y" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_scalar(%x : memref<128x64xf32, #nki.mem<sbuf>>) add(1.0) into %y : memref<128x64xf32, #nki.mem<sbuf>>
    nki.store %y : memref<128x64xf32, #nki.mem<sbuf>> into %in : memref<128x64xf32>
  } {nki.loop = "step"}
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    // expected-note @below {{declined by 'transform.nki.hoist_loads'}}
    %loads = transform.nki.hoist_loads %root
    transform.yield
  }
}

// -----

// One load moves, the other is blocked: it gets the pass's remark and the
// op succeeds.
// CHECK-LABEL: func.func @partly
// CHECK: nki.alloc "z"
// CHECK-NEXT: nki.load
// CHECK-NEXT: scf.for
func.func @partly(%in: memref<128x64xf32>, %other: memref<128x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %x = nki.alloc "x" : memref<128x64xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{cannot hoist 'nki.load' into 'x' out of 'step'}}
    nki.load %in : memref<128x64xf32> into %x : memref<128x64xf32, #nki.mem<sbuf>>
    %z = nki.alloc "z" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %other : memref<128x64xf32> into %z : memref<128x64xf32, #nki.mem<sbuf>>
    %y = nki.alloc "y" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%x : memref<128x64xf32, #nki.mem<sbuf>>, %z : memref<128x64xf32, #nki.mem<sbuf>>) into %y : memref<128x64xf32, #nki.mem<sbuf>>
    nki.store %y : memref<128x64xf32, #nki.mem<sbuf>> into %in : memref<128x64xf32>
  } {nki.loop = "step"}
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %loads = transform.nki.hoist_loads %root
    transform.yield
  }
}

// -----

// An empty handle is a definite error.
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
    // The second time, every load left moves with its loop: none moves,
    // none declines, and the handle is empty.
    %moved = transform.nki.hoist_loads %root
    %nothing = transform.nki.hoist_loads %root
    // expected-error @below {{'transform.nki.hoist_loads': the handle target matches no payload op}}
    %again = transform.nki.hoist_loads %nothing
    transform.yield
  }
}
