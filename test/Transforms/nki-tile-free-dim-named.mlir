// nki-tile-free-dim on a loop chosen by name (loop=outer) rather than by
// the scan it contains.
// RUN: mamba-opt %s --nki-tile-free-dim="loop=outer" -split-input-file -verify-diagnostics | FileCheck %s

// No scan: element-wise ops tile into an affine (independent) loop; the
// length is the longest free dim in the body.
// CHECK-LABEL: func.func @elementwise
// CHECK: scf.for
// CHECK: nki.alloc "y" : memref<128x512xf32, #nki.mem<sbuf>>
// CHECK: nki.store
// CHECK: } {nki.kind = "affine", nki.loop = "seq_tile"}
func.func @elementwise(%in: memref<128x2048xf32>, %out: memref<128x2048xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    %x = nki.alloc "x" : memref<128x2048xf32, #nki.mem<sbuf>>
    nki.load %in : memref<128x2048xf32> into %x : memref<128x2048xf32, #nki.mem<sbuf>>
    %y = nki.alloc "y" : memref<128x2048xf32, #nki.mem<sbuf>>
    nki.activation exp(%x : memref<128x2048xf32, #nki.mem<sbuf>>) into %y : memref<128x2048xf32, #nki.mem<sbuf>>
    nki.store %y : memref<128x2048xf32, #nki.mem<sbuf>> into %out : memref<128x2048xf32>
  } {nki.loop = "outer"}
  return
}

// -----

// The scan sits in a loop nested in the one being tiled (loop=outer): the
// nested loop is cloned into each tile, and the scan's state is carried in
// one column per iteration of it (nki-tile-free-dim-nested.mlir has more).
// CHECK-LABEL: func.func @nested_scan
// CHECK: %[[CARRY:.*]] = nki.alloc "s_carry" : memref<128x3xf32, #nki.mem<sbuf>>
// CHECK-NEXT: nki.memset 0.000000e+00 into %[[CARRY]]
// CHECK: scf.for
// CHECK: scf.for %[[J:.*]] =
// CHECK: %[[S:.*]] = nki.alloc "s" : memref<128x512xf32, #nki.mem<sbuf>>
// CHECK: %[[COL:.*]] = memref.subview %[[CARRY]][0, %[[J]]] [128, 1] [1, 1]
// CHECK: nki.tensor_tensor_scan multiply, add({{.*}}) initial(%[[COL]] : {{.*}}) into %[[S]]
// CHECK: %[[LAST:.*]] = memref.subview %[[S]][0, 511] [128, 1] [1, 1]
// CHECK: nki.tensor_copy %[[LAST]] : {{.*}} into %[[COL]] : {{.*}} on scalar
// CHECK: } {nki.kind = "sequential", nki.loop = "seq_tile"}
func.func @nested_scan(%x: memref<128x1024xf32, #nki.mem<sbuf>>, %y: memref<128x1024xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %i = %c0 to %c1 step %c1 {
    scf.for %j = %c0 to %c3 step %c1 {
      %s = nki.alloc "s" : memref<128x1024xf32, #nki.mem<sbuf>>
      nki.tensor_tensor_scan multiply, add(%x : memref<128x1024xf32, #nki.mem<sbuf>>, %x : memref<128x1024xf32, #nki.mem<sbuf>>) initial(0.0) into %s : memref<128x1024xf32, #nki.mem<sbuf>>
      nki.tensor_tensor add(%y : memref<128x1024xf32, #nki.mem<sbuf>>, %s : memref<128x1024xf32, #nki.mem<sbuf>>) into %y : memref<128x1024xf32, #nki.mem<sbuf>>
    }
  } {nki.loop = "outer"}
  return
}

// -----

// ... and likewise when the tiled result is an outside buffer.
// CHECK-LABEL: func.func @reads_tiled_external
func.func @reads_tiled_external(%x: memref<128x1024xf32, #nki.mem<sbuf>>, %y: memref<128x1024xf32, #nki.mem<sbuf>>, %col: memref<128x1xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    nki.activation exp(%x : memref<128x1024xf32, #nki.mem<sbuf>>) into %y : memref<128x1024xf32, #nki.mem<sbuf>>
    %last = memref.subview %y[0, 1023] [128, 1] [1, 1] : memref<128x1024xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[1024, 1], offset: 1023>, #nki.mem<sbuf>>
    // expected-remark @+1 {{cannot tile the free dim: 'nki.tensor_copy' stays outside the tile loop but depends on 'nki.activation', which is tiled}}
    nki.tensor_copy %last : memref<128x1xf32, strided<[1024, 1], offset: 1023>, #nki.mem<sbuf>> into %col : memref<128x1xf32, #nki.mem<sbuf>>
  } {nki.loop = "outer"}
  return
}
