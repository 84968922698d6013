// The passes on a kernel they were not written for, in different orders:
// a two-level nest that scales 4 row blocks of x by 3 per-block factors and
// accumulates into a per-block buffer. Loads sit in the innermost loop, as in
// v1.
// RUN: mamba-opt %s --nki-reorder-loops="outer=factor inner=block" --nki-hoist-loads --nki-fuse-loops | FileCheck %s --check-prefix=RHF
// RUN: mamba-opt %s --nki-hoist-loads --nki-reorder-loops="outer=factor inner=block" --nki-hoist-loads --nki-fuse-loops | FileCheck %s --check-prefix=RHF
// RUN: mamba-opt %s --nki-fuse-loops --nki-hoist-loads | FileCheck %s --check-prefix=FH
// RUN: mamba-opt %s --nki-reorder-loops="outer=factor inner=block" --nki-fuse-loops --nki-tile-free-dim="loop=factor tile-size=256" | FileCheck %s --check-prefix=RFT

// Reorder, hoist, fuse: block { acc, x load, zero, factor { w load, scale, += }, store }
// RHF: scf.for %[[B:.*]] =
// RHF-NEXT: nki.alloc "acc" : memref<128x1024xf32, #nki.mem<sbuf>>
// RHF: nki.alloc "x"
// RHF-NEXT: nki.load
// RHF: scf.for
// RHF-NOT: nki.alloc "x"
// RHF: nki.alloc "w"
// RHF: } {nki.kind = "affine", nki.loop = "factor"}
// RHF: nki.store
// RHF-NEXT: } {nki.kind = "affine", nki.loop = "block"}
// RHF-NOT: scf.for

// Fusing first: the zero and store loops have 4 iterations, the factor loop
// 3, so nothing fuses; x cannot leave the block loop (its source moves).
// FH: nki.loop = "zero"
// FH: nki.loop = "block"
// FH-NEXT: } {nki.kind = "affine", nki.loop = "factor"}
// FH: nki.loop = "store"

// Reorder, fuse, then tile the factor loop's free dim (no scan: affine
// tiles of 256): x and the scaled tile shrink, acc is sliced, w stays whole.
// RFT: scf.for
// RFT: %[[ACC:.*]] = nki.alloc "acc" : memref<128x1024xf32
// RFT: scf.for
// RFT: nki.alloc "w" : memref<128x1xf32
// RFT: scf.for
// RFT: nki.alloc "x" : memref<128x256xf32
// RFT: nki.alloc "scaled" : memref<128x256xf32
// RFT: memref.subview %[[ACC]][0, %{{.*}}] [128, 256]
// RFT: } {nki.kind = "affine", nki.loop = "seq_tile"}
// RFT-NEXT: } {nki.kind = "affine", nki.loop = "factor"}
// RFT: } {nki.kind = "affine", nki.loop = "block"}

!x = memref<512x1024xf32>
!tile = memref<128x1024xf32, #nki.mem<sbuf>>
func.func @scale_blocks(%x: !x, %w: memref<512x3xf32>, %y: !x) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c128 = arith.constant 128 : index
  %acc = nki.alloc "acc" : memref<128x4x1024xf32, #nki.mem<sbuf>>
  scf.for %b = %c0 to %c4 step %c1 {
    %a = memref.subview %acc[0, %b, 0] [128, 1, 1024] [1, 1, 1] : memref<128x4x1024xf32, #nki.mem<sbuf>> to memref<128x1024xf32, strided<[4096, 1], offset: ?>, #nki.mem<sbuf>>
    nki.memset 0.0 into %a : memref<128x1024xf32, strided<[4096, 1], offset: ?>, #nki.mem<sbuf>>
  } {nki.loop = "zero", nki.kind = "affine"}
  scf.for %f = %c0 to %c3 step %c1 {
    scf.for %b = %c0 to %c4 step %c1 {
      %row = arith.muli %b, %c128 : index
      %xt = nki.alloc "x" : !tile
      %xv = memref.subview %x[%row, 0] [128, 1024] [1, 1] : !x to memref<128x1024xf32, strided<[1024, 1], offset: ?>>
      nki.load %xv : memref<128x1024xf32, strided<[1024, 1], offset: ?>> into %xt : !tile
      %wt = nki.alloc "w" : memref<128x1xf32, #nki.mem<sbuf>>
      %wv = memref.subview %w[%row, %f] [128, 1] [1, 1] : memref<512x3xf32> to memref<128x1xf32, strided<[3, 1], offset: ?>>
      nki.load %wv : memref<128x1xf32, strided<[3, 1], offset: ?>> into %wt : memref<128x1xf32, #nki.mem<sbuf>>
      %s = nki.alloc "scaled" : !tile
      nki.tensor_scalar(%xt : !tile) multiply(%wt : memref<128x1xf32, #nki.mem<sbuf>>) into %s : !tile
      %a = memref.subview %acc[0, %b, 0] [128, 1, 1024] [1, 1, 1] : memref<128x4x1024xf32, #nki.mem<sbuf>> to memref<128x1024xf32, strided<[4096, 1], offset: ?>, #nki.mem<sbuf>>
      nki.tensor_tensor add(%a : memref<128x1024xf32, strided<[4096, 1], offset: ?>, #nki.mem<sbuf>>, %s : !tile) into %a : memref<128x1024xf32, strided<[4096, 1], offset: ?>, #nki.mem<sbuf>>
    } {nki.loop = "block", nki.kind = "affine"}
  } {nki.loop = "factor", nki.kind = "affine"}
  scf.for %b = %c0 to %c4 step %c1 {
    %row = arith.muli %b, %c128 : index
    %yv = memref.subview %y[%row, 0] [128, 1024] [1, 1] : !x to memref<128x1024xf32, strided<[1024, 1], offset: ?>>
    %a = memref.subview %acc[0, %b, 0] [128, 1, 1024] [1, 1, 1] : memref<128x4x1024xf32, #nki.mem<sbuf>> to memref<128x1024xf32, strided<[4096, 1], offset: ?>, #nki.mem<sbuf>>
    nki.store %a : memref<128x1024xf32, strided<[4096, 1], offset: ?>, #nki.mem<sbuf>> into %yv : memref<128x1024xf32, strided<[1024, 1], offset: ?>>
  } {nki.loop = "store", nki.kind = "affine"}
  return
}
