// transform.nki.fuse_loops: nki::fuseSiblingLoops on pairs of loops.
// RUN: mamba-opt %s --convert-mamba-to-nki --transform-interpreter -split-input-file -verify-diagnostics | FileCheck %s

// v2's fusion: zeroing, work and store in one loop, named by {name}; with
// {contract} the accumulator shrinks to one channel tile.
// CHECK-LABEL: func.func @toy
// CHECK: scf.for
// CHECK-NEXT: scf.for
// CHECK-NEXT: nki.alloc "scanC_accum" : memref<128x512xf32
// CHECK-NEXT: nki.memset 0.000000e+00 into %scanC_accum
// CHECK: nki.loop = "state"
// CHECK: nki.store %scanC_accum
// CHECK-NEXT: } {nki.kind = "affine", nki.loop = "tiles"}
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>, %A: memref<256x16xf32>,
               %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  // expected-remark @below {{fused}}
  mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
      u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %out : memref<1x256x512xf32>
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %state = transform.nki.match_loop "state" in %root
    %ct, %st = transform.nki.reorder_loops %state
    %zero = transform.nki.match_loop "acc_zero" in %root
    %store = transform.nki.match_loop "acc_store" in %root
    %f1 = transform.nki.fuse_loops %zero, %ct
    %f2 = transform.nki.fuse_loops %f1, %store {contract, name = "tiles"}
    transform.debug.emit_remark_at %f2, "fused" : !transform.any_op
    transform.yield
  }
}

// -----

func.func @reads_next_iteration(%out: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %buf = nki.alloc "buf" : memref<128x4x64xf32, #nki.mem<sbuf>>
  scf.for %t = %c0 to %c3 step %c1 {
    %a = memref.subview %buf[0, %t, 0] [128, 1, 64] [1, 1, 1] : memref<128x4x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[256, 1], offset: ?>, #nki.mem<sbuf>>
    nki.memset 1.0 into %a : memref<128x64xf32, strided<[256, 1], offset: ?>, #nki.mem<sbuf>>
  } {nki.loop = "produce"}
  // expected-error @+1 {{cannot fuse 'produce' and 'consume': 'nki.tensor_copy' reads 'buf' where a different iteration of 'produce' writes it ('nki.memset')}}
  scf.for %t = %c0 to %c3 step %c1 {
    %next = arith.addi %t, %c1 : index
    %a = memref.subview %buf[0, %next, 0] [128, 1, 64] [1, 1, 1] : memref<128x4x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[256, 1], offset: ?>, #nki.mem<sbuf>>
    nki.tensor_copy %a : memref<128x64xf32, strided<[256, 1], offset: ?>, #nki.mem<sbuf>> into %out : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "consume"}
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %p = transform.nki.match_loop "produce" in %root
    %c = transform.nki.match_loop "consume" in %root
    // expected-note @below {{declined by 'transform.nki.fuse_loops'}}
    %f = transform.nki.fuse_loops %p, %c
    transform.yield
  }
}

// -----

// Handles of different lengths are a definite error.
func.func @three(%x: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    nki.memset 0.0 into %x : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "a"}
  scf.for %i = %c0 to %c4 step %c1 {
    nki.memset 1.0 into %x : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "b"}
  scf.for %i = %c0 to %c4 step %c1 {
    nki.memset 2.0 into %x : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "b"}
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %a = transform.nki.match_loop "a" in %root
    %b = transform.nki.match_loop "b" in %root
    // expected-error @below {{'transform.nki.fuse_loops' pairs the loops of its two handles, but first holds 1 and second holds 2}}
    %f = transform.nki.fuse_loops %a, %b
    transform.yield
  }
}
