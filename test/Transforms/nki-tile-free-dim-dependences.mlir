// Dependences between tiles through memory that outlives one tile: HBM
// arguments and buffers allocated outside the tiled body. Tiling runs op a's
// tile i before op b's tile j for every i < j, so the pass must decline
// when a later op of an earlier tile touches what an earlier op of a later
// tile touches, and make the tile loop sequential when a dependence only
// points from a tile to a later one.
// RUN: mamba-opt %s --nki-tile-free-dim="loop=body tile-size=16" -split-input-file -verify-diagnostics | FileCheck %s

// Every case also runs before and after the pass through nki-run on the same
// inputs; every output must be bit-identical.
// RUN: %equiv %s --function=raw_hbm --after='--nki-tile-free-dim="loop=body tile-size=16"' | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=war_hbm --after='--nki-tile-free-dim="loop=body tile-size=16"' | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=raw_outer_sbuf --after='--nki-tile-free-dim="loop=body tile-size=16"' | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=shifted_in_place --after='--nki-tile-free-dim="loop=body tile-size=16"' | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=forward_hbm --after='--nki-tile-free-dim="loop=body tile-size=16"' | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=forward_outer_sbuf --after='--nki-tile-free-dim="loop=body tile-size=16"' | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=same_tile --after='--nki-tile-free-dim="loop=body tile-size=16"' | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=disjoint --after='--nki-tile-free-dim="loop=body tile-size=16"' | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=forward_hbm --after='--nki-tile-free-dim="loop=body tile-size=7"' | FileCheck %s --check-prefix=EQ
// EQ-NOT: DIFFERENT
// EQ: bit-identical
// EQ-NOT: DIFFERENT



// Read after write across tiles: the store writes columns [0, 64) of buf,
// then the load reads [32, 96). Tile 0 of the load (columns [32, 48)) would
// run before tile 2 of the store writes them.
// CHECK-LABEL: func.func @raw_hbm
// CHECK-NOT: seq_tile
func.func @raw_hbm(%x: memref<128x64xf32> {nki.name = "x"}, %buf: memref<128x96xf32> {nki.name = "buf"}, %y: memref<128x64xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    %a = nki.alloc "a" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %x : memref<128x64xf32> into %a : memref<128x64xf32, #nki.mem<sbuf>>
    %w = memref.subview %buf[0, 0] [128, 64] [1, 1] : memref<128x96xf32> to memref<128x64xf32, strided<[96, 1]>>
    nki.store %a : memref<128x64xf32, #nki.mem<sbuf>> into %w : memref<128x64xf32, strided<[96, 1]>>
    %r = memref.subview %buf[0, 32] [128, 64] [1, 1] : memref<128x96xf32> to memref<128x64xf32, strided<[96, 1], offset: 32>>
    %b = nki.alloc "b" : memref<128x64xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{cannot tile the free dim: 'nki.load' into 'b' reads argument #1 ('buf') where 'nki.store' before it writes it, and in tiles part of that would run in the opposite order (a dependence across tiles)}}
    nki.load %r : memref<128x64xf32, strided<[96, 1], offset: 32>> into %b : memref<128x64xf32, #nki.mem<sbuf>>
    nki.store %b : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  } {nki.loop = "body"}
  return
}

// -----

// Write after read across tiles: the load reads [0, 64) of buf, then the
// store writes [32, 96). Tile 0 of the store (columns [32, 48)) would
// overwrite what tile 2 of the load has not read yet.
// CHECK-LABEL: func.func @war_hbm
// CHECK-NOT: seq_tile
func.func @war_hbm(%buf: memref<128x96xf32> {nki.name = "buf"}, %y: memref<128x64xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    %r = memref.subview %buf[0, 0] [128, 64] [1, 1] : memref<128x96xf32> to memref<128x64xf32, strided<[96, 1]>>
    %a = nki.alloc "a" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %r : memref<128x64xf32, strided<[96, 1]>> into %a : memref<128x64xf32, #nki.mem<sbuf>>
    nki.store %a : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
    %w = memref.subview %buf[0, 32] [128, 64] [1, 1] : memref<128x96xf32> to memref<128x64xf32, strided<[96, 1], offset: 32>>
    %b = nki.alloc "b" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_scalar(%a : memref<128x64xf32, #nki.mem<sbuf>>) multiply(2.0) into %b : memref<128x64xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{cannot tile the free dim: 'nki.store' writes argument #0 ('buf') where 'nki.load' into 'a' before it reads it, and in tiles part of that would run in the opposite order (a dependence across tiles)}}
    nki.store %b : memref<128x64xf32, #nki.mem<sbuf>> into %w : memref<128x64xf32, strided<[96, 1], offset: 32>>
  } {nki.loop = "body"}
  return
}

// -----

// The same through an SBUF buffer allocated outside the loop: written at
// [:, 0:64], then read at [:, 32:96].
// CHECK-LABEL: func.func @raw_outer_sbuf
// CHECK-NOT: seq_tile
func.func @raw_outer_sbuf(%x: memref<128x64xf32> {nki.name = "x"}, %y: memref<128x64xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %s = nki.alloc "stage" : memref<128x96xf32, #nki.mem<sbuf>>
  nki.memset 0.0 into %s : memref<128x96xf32, #nki.mem<sbuf>>
  scf.for %i = %c0 to %c1 step %c1 {
    %a = nki.alloc "a" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %x : memref<128x64xf32> into %a : memref<128x64xf32, #nki.mem<sbuf>>
    %w = memref.subview %s[0, 0] [128, 64] [1, 1] : memref<128x96xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[96, 1]>, #nki.mem<sbuf>>
    nki.tensor_copy %a : memref<128x64xf32, #nki.mem<sbuf>> into %w : memref<128x64xf32, strided<[96, 1]>, #nki.mem<sbuf>>
    %r = memref.subview %s[0, 32] [128, 64] [1, 1] : memref<128x96xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[96, 1], offset: 32>, #nki.mem<sbuf>>
    %b = nki.alloc "b" : memref<128x64xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{cannot tile the free dim: 'nki.tensor_copy' reads 'stage' where 'nki.tensor_copy' before it writes it, and in tiles part of that would run in the opposite order (a dependence across tiles)}}
    nki.tensor_copy %r : memref<128x64xf32, strided<[96, 1], offset: 32>, #nki.mem<sbuf>> into %b : memref<128x64xf32, #nki.mem<sbuf>>
    nki.store %b : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  } {nki.loop = "body"}
  return
}

// -----

// One op reads [0, 64) and writes [16, 80) of the same buffer: its tiles
// would read what its earlier tiles wrote.
// CHECK-LABEL: func.func @shifted_in_place
// CHECK-NOT: seq_tile
func.func @shifted_in_place(%x: memref<128x80xf32> {nki.name = "x"}, %y: memref<128x80xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %s = nki.alloc "s" : memref<128x80xf32, #nki.mem<sbuf>>
  nki.load %x : memref<128x80xf32> into %s : memref<128x80xf32, #nki.mem<sbuf>>
  scf.for %i = %c0 to %c1 step %c1 {
    %r = memref.subview %s[0, 0] [128, 64] [1, 1] : memref<128x80xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[80, 1]>, #nki.mem<sbuf>>
    %w = memref.subview %s[0, 16] [128, 64] [1, 1] : memref<128x80xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[80, 1], offset: 16>, #nki.mem<sbuf>>
    // expected-remark @+1 {{cannot tile the free dim: 'nki.tensor_scalar' reads and writes 's' at overlapping but different elements, so its tiles would see each other's results}}
    nki.tensor_scalar(%r : memref<128x64xf32, strided<[80, 1]>, #nki.mem<sbuf>>) add(1.0) into %w : memref<128x64xf32, strided<[80, 1], offset: 16>, #nki.mem<sbuf>>
  } {nki.loop = "body"}
  nki.store %s : memref<128x80xf32, #nki.mem<sbuf>> into %y : memref<128x80xf32>
  return
}

// -----

// Legal, in order: the store writes [32, 96) and the load then reads
// [0, 64): tile j of the load needs only tiles <= j of the store, so the
// tiles keep every dependence if they run in order. The tile loop is
// sequential.
// CHECK-LABEL: func.func @forward_hbm
// CHECK: scf.for
// CHECK: nki.store
// CHECK: nki.load
// CHECK: } {nki.kind = "sequential", nki.loop = "seq_tile"}
func.func @forward_hbm(%x: memref<128x64xf32> {nki.name = "x"}, %buf: memref<128x96xf32> {nki.name = "buf"}, %y: memref<128x64xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    %a = nki.alloc "a" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %x : memref<128x64xf32> into %a : memref<128x64xf32, #nki.mem<sbuf>>
    %w = memref.subview %buf[0, 32] [128, 64] [1, 1] : memref<128x96xf32> to memref<128x64xf32, strided<[96, 1], offset: 32>>
    nki.store %a : memref<128x64xf32, #nki.mem<sbuf>> into %w : memref<128x64xf32, strided<[96, 1], offset: 32>>
    %r = memref.subview %buf[0, 0] [128, 64] [1, 1] : memref<128x96xf32> to memref<128x64xf32, strided<[96, 1]>>
    %b = nki.alloc "b" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %r : memref<128x64xf32, strided<[96, 1]>> into %b : memref<128x64xf32, #nki.mem<sbuf>>
    nki.store %b : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  } {nki.loop = "body"}
  return
}

// -----

// The same through an outer SBUF buffer.
// CHECK-LABEL: func.func @forward_outer_sbuf
// CHECK: } {nki.kind = "sequential", nki.loop = "seq_tile"}
func.func @forward_outer_sbuf(%x: memref<128x64xf32> {nki.name = "x"}, %y: memref<128x64xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %s = nki.alloc "stage" : memref<128x96xf32, #nki.mem<sbuf>>
  nki.memset 0.0 into %s : memref<128x96xf32, #nki.mem<sbuf>>
  scf.for %i = %c0 to %c1 step %c1 {
    %a = nki.alloc "a" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %x : memref<128x64xf32> into %a : memref<128x64xf32, #nki.mem<sbuf>>
    %w = memref.subview %s[0, 32] [128, 64] [1, 1] : memref<128x96xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[96, 1], offset: 32>, #nki.mem<sbuf>>
    nki.tensor_copy %a : memref<128x64xf32, #nki.mem<sbuf>> into %w : memref<128x64xf32, strided<[96, 1], offset: 32>, #nki.mem<sbuf>>
    %r = memref.subview %s[0, 0] [128, 64] [1, 1] : memref<128x96xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[96, 1]>, #nki.mem<sbuf>>
    %b = nki.alloc "b" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_copy %r : memref<128x64xf32, strided<[96, 1]>, #nki.mem<sbuf>> into %b : memref<128x64xf32, #nki.mem<sbuf>>
    nki.store %b : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  } {nki.loop = "body"}
  return
}

// -----

// Legal, independent: an accumulation in place touches the same elements in
// the same tile only; the tile loop stays affine.
// CHECK-LABEL: func.func @same_tile
// CHECK: } {nki.kind = "affine", nki.loop = "seq_tile"}
func.func @same_tile(%x: memref<128x64xf32> {nki.name = "x"}, %y: memref<128x64xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %acc = nki.alloc "acc" : memref<128x64xf32, #nki.mem<sbuf>>
  nki.memset 0.0 into %acc : memref<128x64xf32, #nki.mem<sbuf>>
  scf.for %i = %c0 to %c3 step %c1 {
    %a = nki.alloc "a" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %x : memref<128x64xf32> into %a : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<128x64xf32, #nki.mem<sbuf>>, %a : memref<128x64xf32, #nki.mem<sbuf>>) into %acc : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "body"}
  nki.store %acc : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  return
}

// -----

// Legal, independent: the store and the load touch disjoint columns.
// CHECK-LABEL: func.func @disjoint
// CHECK: } {nki.kind = "affine", nki.loop = "seq_tile"}
func.func @disjoint(%x: memref<128x64xf32> {nki.name = "x"}, %buf: memref<128x128xf32> {nki.name = "buf"}, %y: memref<128x64xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    %a = nki.alloc "a" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %x : memref<128x64xf32> into %a : memref<128x64xf32, #nki.mem<sbuf>>
    %w = memref.subview %buf[0, 0] [128, 64] [1, 1] : memref<128x128xf32> to memref<128x64xf32, strided<[128, 1]>>
    nki.store %a : memref<128x64xf32, #nki.mem<sbuf>> into %w : memref<128x64xf32, strided<[128, 1]>>
    %r = memref.subview %buf[0, 64] [128, 64] [1, 1] : memref<128x128xf32> to memref<128x64xf32, strided<[128, 1], offset: 64>>
    %b = nki.alloc "b" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %r : memref<128x64xf32, strided<[128, 1], offset: 64>> into %b : memref<128x64xf32, #nki.mem<sbuf>>
    nki.store %b : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  } {nki.loop = "body"}
  return
}
