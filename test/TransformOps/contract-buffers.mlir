// transform.nki.contract_buffers: nki::contractBuffer on the buffers
// nki-fuse-loops would contract for a loop.
// RUN: mamba-opt %s --convert-mamba-to-nki --transform-interpreter -split-input-file -verify-diagnostics | FileCheck %s

// After fusing without {contract}, the accumulator [128, 2, 512] becomes
// [128, 512] in the loop; the handle holds the new allocation, and the loop
// handle stays valid.
// CHECK-LABEL: func.func @toy
// CHECK: scf.for
// CHECK-NEXT: scf.for
// CHECK-NEXT: nki.alloc "scanC_accum" : memref<128x512xf32
// CHECK: nki.loop = "channel_tile"
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>, %A: memref<256x16xf32>,
               %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  // expected-remark @+2 {{contracted}}
  // expected-remark @+1 {{still valid}}
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
    %f2 = transform.nki.fuse_loops %f1, %store
    %acc = transform.nki.contract_buffers %f2
    transform.debug.emit_remark_at %acc, "contracted" : !transform.any_op
    transform.debug.emit_remark_at %f2, "still valid" : !transform.any_op
    transform.yield
  }
}

// -----

// v1's state loop shares scanC_accum with the zeroing and store loops:
// nothing to contract.
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>, %A: memref<256x16xf32>,
               %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  // expected-error @below {{nothing to contract: no buffer allocated beside 'state' is used only inside it}}
  mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
      u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %out : memref<1x256x512xf32>
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %state = transform.nki.match_loop "state" in %root
    // expected-note @below {{declined by 'transform.nki.contract_buffers'}}
    %acc = transform.nki.contract_buffers %state
    transform.yield
  }
}
