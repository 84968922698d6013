// transform.nki.reorder_loops: nki::reorderLoops on the loops of a handle;
// the two handles it returns name the new outer and inner loops.
// RUN: mamba-opt %s --convert-mamba-to-nki --transform-interpreter -split-input-file -verify-diagnostics | FileCheck %s

// The state loop moves inside channel_tile; the inner handle (the state
// loop) is then tiled, so the tile loop sits in it.
// CHECK-LABEL: func.func @toy
// CHECK: scf.for
// CHECK: nki.alloc "scanC_accum" : memref<128x2x512xf32
// CHECK: nki.loop = "acc_zero"
// CHECK: scf.for %[[T:.*]] = %c0 to %c2 step %c1 {
// CHECK-NEXT: scf.for %[[N:.*]] = %c0 to %c16 step %c1 {
// CHECK-NEXT: arith.muli %[[T]], %c128
// CHECK: scf.for
// CHECK: nki.loop = "seq_tile"
// CHECK-NEXT: } {nki.kind = "affine", nki.loop = "state"}
// CHECK-NEXT: } {nki.kind = "affine", nki.loop = "channel_tile"}
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
    %state = transform.nki.match_loop "state" in %root
    %outer, %inner = transform.nki.reorder_loops %state
    %tiles = transform.nki.tile_free_dim %inner {tile_size = 256}
    transform.yield
  }
}

// -----

// A loop that is not perfectly nested declines, silenceably, with the
// pass's reason at the loop (the kernel's location) and a note at the op.
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>, %A: memref<256x16xf32>,
               %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  // expected-error @below {{cannot interchange: 'batch' is not perfectly nested (its body also holds 'nki.alloc')}}
  mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
      u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %out : memref<1x256x512xf32>
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %batch = transform.nki.match_loop "batch" in %root
    // expected-note @below {{declined by 'transform.nki.reorder_loops'}}
    %outer, %inner = transform.nki.reorder_loops %batch
    transform.yield
  }
}

// -----

// A floating-point accumulation carried by both loops declines unless
// allow_reassociation (reordering it changes the result bits).
func.func @carried(%x: memref<128x64xf32, #nki.mem<sbuf>>, %acc: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  // expected-error @below {{it is a floating-point accumulation: reordering it changes the result bits; pass allow-reassociation=true to allow it}}
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      nki.tensor_tensor add(%acc : memref<128x64xf32, #nki.mem<sbuf>>, %x : memref<128x64xf32, #nki.mem<sbuf>>) into %acc : memref<128x64xf32, #nki.mem<sbuf>>
    } {nki.loop = "j"}
  } {nki.loop = "i"}
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %i = transform.nki.match_loop "i" in %root
    // expected-note @below {{declined by}}
    %outer, %inner = transform.nki.reorder_loops %i
    transform.yield
  }
}

// -----

// With allow_reassociation it is interchanged.
// CHECK-LABEL: func.func @reassociated
// CHECK: } {nki.loop = "i"}
// CHECK-NEXT: } {nki.loop = "j"}
func.func @reassociated(%x: memref<128x64xf32, #nki.mem<sbuf>>, %acc: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      nki.tensor_tensor add(%acc : memref<128x64xf32, #nki.mem<sbuf>>, %x : memref<128x64xf32, #nki.mem<sbuf>>) into %acc : memref<128x64xf32, #nki.mem<sbuf>>
    } {nki.loop = "j"}
  } {nki.loop = "i"}
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %i = transform.nki.match_loop "i" in %root
    %outer, %inner = transform.nki.reorder_loops %i {allow_reassociation}
    transform.yield
  }
}

// -----

// A handle to something other than loops is a definite error.
// expected-note @below {{this payload op}}
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %f = transform.cast %root : !transform.any_op to !transform.any_op
    // expected-error @below {{'transform.nki.reorder_loops' expects target to hold scf.for loops, but it holds a 'builtin.module'}}
    %outer, %inner = transform.nki.reorder_loops %f
    transform.yield
  }
}
