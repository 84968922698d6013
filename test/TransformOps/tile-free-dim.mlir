// transform.nki.tile_free_dim: nki::tileFreeDim on the loops of a handle.
// RUN: mamba-opt %s --convert-mamba-to-nki --transform-interpreter -split-input-file -verify-diagnostics | FileCheck %s

// v2's state loop in tiles of 256 (v3 at tile-size=256): the scan's buffer
// carries its state in column 0; the tile loop's handle is returned.
// CHECK-LABEL: func.func @toy
// CHECK: nki.alloc "scan_res" : memref<128x257xf32
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1 {
// CHECK: nki.tensor_tensor_scan
// CHECK: } {nki.kind = "sequential", nki.loop = "tiles"}
// CHECK: nki.loop = "state"
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>, %A: memref<256x16xf32>,
               %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  // expected-remark @below {{tile loop}}
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
    %tiles = transform.nki.tile_free_dim %state {tile_size = 256, name = "tiles"}
    transform.debug.emit_remark_at %tiles, "tile loop" : !transform.any_op
    transform.yield
  }
}

// -----

// A dependence across tiles declines with the pass's reason.
func.func @across(%x: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %a = memref.subview %x[0, 1] [128, 63] [1, 1] : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x63xf32, strided<[64, 1], offset: 1>, #nki.mem<sbuf>>
    %b = memref.subview %x[0, 0] [128, 63] [1, 1] : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x63xf32, strided<[64, 1]>, #nki.mem<sbuf>>
    // expected-error @+1 {{cannot tile the free dim: 'nki.tensor_copy' reads and writes argument #0 at overlapping but different elements, so its tiles would see each other's results}}
    nki.tensor_copy %b : memref<128x63xf32, strided<[64, 1]>, #nki.mem<sbuf>> into %a : memref<128x63xf32, strided<[64, 1], offset: 1>, #nki.mem<sbuf>>
  } {nki.loop = "step"}
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %step = transform.nki.match_loop "step" in %root
    // expected-note @below {{declined by 'transform.nki.tile_free_dim'}}
    %tiles = transform.nki.tile_free_dim %step {tile_size = 16}
    transform.yield
  }
}

// -----

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %step = transform.nki.match_loop "step" in %root
    // expected-error @below {{tile_size must be at least 1, got 0}}
    %tiles = transform.nki.tile_free_dim %step {tile_size = 0}
    transform.yield
  }
}
