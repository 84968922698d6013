// nki transform ops mixed with upstream ones: a declined interchange skipped
// by a failures(suppress) sequence, upstream canonicalization and CSE
// through transform.apply_patterns / transform.apply_cse, and handles that
// survive them. The result is v3 at tile-size=256 after --canonicalize --cse.
// RUN: mamba-opt %s --convert-mamba-to-nki --transform-interpreter -verify-diagnostics -o %t.script
// RUN: mamba-opt %s --pass-pipeline="builtin.module(mamba-v3{tile-size=256})" | mamba-opt --canonicalize --cse -o %t.pipeline
// The payload of both (the script module, which --canonicalize also
// touches, cut off):
// RUN: sed -e '/transform.with_named_sequence/,$d' %t.script > %t.script.func
// RUN: sed -e '/transform.with_named_sequence/,$d' %t.pipeline > %t.pipeline.func
// RUN: diff %t.script.func %t.pipeline.func
// RUN: FileCheck %s --input-file=%t.script

// The single-iteration batch loop is gone (canonicalization), one constant
// of each value is left (CSE), and the remark names the tile loop that
// the handle still holds afterwards.
// CHECK-LABEL: func.func @toy
// CHECK-COUNT-1: arith.constant 128 : index
// CHECK-NOT: nki.loop = "batch"
// CHECK: nki.loop = "seq_tile"
// CHECK: } {nki.kind = "affine", nki.loop = "channel_tile"}
// CHECK-NEXT: return
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>, %A: memref<256x16xf32>,
               %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  // expected-remark @below {{tiles after cleanup}}
  mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
      u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %out : memref<1x256x512xf32>
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    // Declines (the batch loop is not perfectly nested); skipped.
    transform.sequence %root : !transform.any_op failures(suppress) {
    ^bb0(%r: !transform.any_op):
      %batch = transform.nki.match_loop "batch" in %r
      %o, %i = transform.nki.reorder_loops %batch
    }
    // Upstream's canonicalization and CSE apply to the function (the
    // script sits in the same module here).
    %batch = transform.nki.match_loop "batch" in %root
    %func = transform.get_parent_op %batch {op_name = "func.func"} : (!transform.any_op) -> !transform.any_op
    %state = transform.nki.match_loop "state" in %root
    %ct, %st = transform.nki.reorder_loops %state
    %loads = transform.nki.hoist_loads %root
    %zero = transform.nki.match_loop "acc_zero" in %root
    %store = transform.nki.match_loop "acc_store" in %root
    %f1 = transform.nki.fuse_loops %zero, %ct
    %f2 = transform.nki.fuse_loops %f1, %store {contract}
    transform.apply_cse to %func : !transform.any_op
    %scan_loop = transform.nki.match_loop "state" in %root
    %tiles = transform.nki.tile_free_dim %scan_loop {tile_size = 256}
    transform.apply_patterns to %func {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func : !transform.any_op
    transform.debug.emit_remark_at %tiles, "tiles after cleanup" : !transform.any_op
    transform.yield
  }
}
