// Tiling a loop whose body holds loops: what nki-tile-free-dim declines, and
// why (with tiles shorter than the free dim; at a tile as long as the free
// dim it declines first because there is nothing to tile, see the last case).
// RUN: mamba-opt %s -split-input-file --nki-tile-free-dim="loop=outer tile-size=32" -verify-diagnostics | FileCheck %s


// A forward dependence inside one nested loop is not enough: the load of
// iteration 1 reads what the store of iteration 0 wrote, in other tiles, and
// tiling interleaves the iterations. (Both iterations storing to the same
// columns is fine: each element is stored iteration by iteration, within
// its tile.)
// CHECK-LABEL: func.func @forward_in_nested
func.func @forward_in_nested(%x: memref<128x64xf32> {nki.name = "x"}, %buf: memref<128x96xf32> {nki.name = "buf"}, %y: memref<128x64xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.for %i = %c0 to %c1 step %c1 {
    scf.for %n = %c0 to %c2 step %c1 {
      %a = nki.alloc "a" : memref<128x64xf32, #nki.mem<sbuf>>
      nki.load %x : memref<128x64xf32> into %a : memref<128x64xf32, #nki.mem<sbuf>>
      %w = memref.subview %buf[0, 32] [128, 64] [1, 1] : memref<128x96xf32> to memref<128x64xf32, strided<[96, 1], offset: 32>>
      nki.store %a : memref<128x64xf32, #nki.mem<sbuf>> into %w : memref<128x64xf32, strided<[96, 1], offset: 32>>
      %r = memref.subview %buf[0, 0] [128, 64] [1, 1] : memref<128x96xf32> to memref<128x64xf32, strided<[96, 1]>>
      %b = nki.alloc "b" : memref<128x64xf32, #nki.mem<sbuf>>
      // expected-remark @+1 {{cannot tile the free dim: 'nki.load' into 'b' reads argument #1 ('buf') where 'nki.store' writes it in another iteration of loop 'n', and tiling interleaves those iterations}}
      nki.load %r : memref<128x64xf32, strided<[96, 1]>> into %b : memref<128x64xf32, #nki.mem<sbuf>>
      nki.store %b : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
    } {nki.loop = "n"}
  } {nki.loop = "outer"}
  return
}

// -----

// A buffer of a nested loop that is not of the tiled length would be
// allocated again in every tile: views of it that span the free dim would
// lose what the previous tile wrote (a padded row read at a shift, as a
// causal convolution does).
// CHECK-LABEL: func.func @nested_padded
func.func @nested_padded(%x: memref<128x64xf32> {nki.name = "x"}, %y: memref<128x64xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    %xs = nki.alloc "xs" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %x : memref<128x64xf32> into %xs : memref<128x64xf32, #nki.mem<sbuf>>
    // (The scan makes the tiled length 64.)
    %s = nki.alloc "s" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor_scan multiply, add(%xs : memref<128x64xf32, #nki.mem<sbuf>>, %xs : memref<128x64xf32, #nki.mem<sbuf>>) initial(0.0) into %s : memref<128x64xf32, #nki.mem<sbuf>>
    scf.for %n = %c0 to %c1 step %c1 {
      // expected-remark @+1 {{cannot tile the free dim: buffer 'z' of loop 'n' is used through views of the tiled length, and it would be allocated again in every tile}}
      %z = nki.alloc "z" : memref<128x65xf32, #nki.mem<sbuf>>
      nki.memset 0.0 into %z : memref<128x65xf32, #nki.mem<sbuf>>
      %w = memref.subview %z[0, 1] [128, 64] [1, 1] : memref<128x65xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[65, 1], offset: 1>, #nki.mem<sbuf>>
      nki.tensor_copy %xs : memref<128x64xf32, #nki.mem<sbuf>> into %w : memref<128x64xf32, strided<[65, 1], offset: 1>, #nki.mem<sbuf>>
      %r = memref.subview %z[0, 0] [128, 64] [1, 1] : memref<128x65xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[65, 1]>, #nki.mem<sbuf>>
      nki.store %r : memref<128x64xf32, strided<[65, 1]>, #nki.mem<sbuf>> into %y : memref<128x64xf32>
    } {nki.loop = "n"}
  } {nki.loop = "outer"}
  return
}

// -----

// A nested loop with no iteration: there is no state to carry.
// CHECK-LABEL: func.func @zero_trip
func.func @zero_trip(%x: memref<128x64xf32, #nki.mem<sbuf>>, %out: memref<4x128x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c1 step %c1 {
    // expected-remark @+1 {{cannot tile the free dim: loop 'n' in the loop body has no iteration}}
    scf.for %n = %c4 to %c0 step %c1 {
      %s = nki.alloc "s" : memref<128x64xf32, #nki.mem<sbuf>>
      nki.tensor_tensor_scan multiply, add(%x : memref<128x64xf32, #nki.mem<sbuf>>, %x : memref<128x64xf32, #nki.mem<sbuf>>) initial(0.0) into %s : memref<128x64xf32, #nki.mem<sbuf>>
      %o = memref.subview %out[%n, 0, 0] [1, 128, 64] [1, 1, 1] : memref<4x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
      nki.store %s : memref<128x64xf32, #nki.mem<sbuf>> into %o : memref<128x64xf32, strided<[64, 1], offset: ?>>
    } {nki.loop = "n"}
  } {nki.loop = "outer"}
  return
}

// -----

// A broadcast row from outside the body with two free dims: a tile of it
// is not one contiguous run, which a broadcast needs.
// CHECK-LABEL: func.func @row_3d
func.func @row_3d(%row: memref<1x2x64xf32, #nki.mem<sbuf>>, %x: memref<128x2x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    %p = nki.alloc "p" : memref<128x2x64xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{cannot tile the free dim: a tile of the broadcast row argument #0 would not be one contiguous run of elements}}
    nki.partition_broadcast %row : memref<1x2x64xf32, #nki.mem<sbuf>> into %p : memref<128x2x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%p : memref<128x2x64xf32, #nki.mem<sbuf>>, %x : memref<128x2x64xf32, #nki.mem<sbuf>>) into %x : memref<128x2x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "outer"}
  return
}

// -----

// A tile as long as the free dim: one tile would only add a carried state
// that no later tile reads.
// CHECK-LABEL: func.func @one_tile
// CHECK-NOT: seq_tile
func.func @one_tile(%x: memref<128x32xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-remark @+1 {{nothing to tile: the free dim (32) fits in one tile of 32}}
  scf.for %i = %c0 to %c1 step %c1 {
    %s = nki.alloc "s" : memref<128x32xf32, #nki.mem<sbuf>>
    nki.tensor_tensor_scan multiply, add(%x : memref<128x32xf32, #nki.mem<sbuf>>, %x : memref<128x32xf32, #nki.mem<sbuf>>) initial(0.0) into %s : memref<128x32xf32, #nki.mem<sbuf>>
  } {nki.loop = "outer"}
  return
}
