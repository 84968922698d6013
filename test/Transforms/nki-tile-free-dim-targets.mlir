// Without loop=, the targets are the loops with a scan directly in their
// body. When one holds another, the outer one is tiled first, with the inner
// one inside its tiles (the inner scan's state carried per iteration); the
// inner target is then gone and is not tiled again.
// RUN: mamba-opt %s --nki-tile-free-dim=tile-size=16 | FileCheck %s
// RUN: %equiv %s --after=--nki-tile-free-dim=tile-size=16 | FileCheck %s --check-prefix=EQ
// EQ: y: bit-identical
// EQ: z: bit-identical

// CHECK: nki.alloc "s2_carry" : memref<128x2xf32, #nki.mem<sbuf>>
// CHECK: scf.for
// CHECK: nki.loop = "inner"
// CHECK: } {nki.kind = "sequential", nki.loop = "seq_tile"}
// CHECK-NOT: seq_tile
// CHECK: } {nki.loop = "outer"}
func.func @two_targets(%x: memref<128x64xf32> {nki.name = "x"}, %y: memref<128x64xf32> {nki.name = "y"}, %z: memref<2x128x64xf32> {nki.name = "z"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.for %i = %c0 to %c1 step %c1 {
    %xs = nki.alloc "xs" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %x : memref<128x64xf32> into %xs : memref<128x64xf32, #nki.mem<sbuf>>
    %s1 = nki.alloc "s1" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor_scan multiply, add(%xs : memref<128x64xf32, #nki.mem<sbuf>>, %xs : memref<128x64xf32, #nki.mem<sbuf>>) initial(0.0) into %s1 : memref<128x64xf32, #nki.mem<sbuf>>
    nki.store %s1 : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
    scf.for %n = %c0 to %c2 step %c1 {
      %s2 = nki.alloc "s2" : memref<128x64xf32, #nki.mem<sbuf>>
      nki.tensor_tensor_scan multiply, add(%xs : memref<128x64xf32, #nki.mem<sbuf>>, %xs : memref<128x64xf32, #nki.mem<sbuf>>) initial(0.5) into %s2 : memref<128x64xf32, #nki.mem<sbuf>>
      %zv = memref.subview %z[%n, 0, 0] [1, 128, 64] [1, 1, 1] : memref<2x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
      nki.store %s2 : memref<128x64xf32, #nki.mem<sbuf>> into %zv : memref<128x64xf32, strided<[64, 1], offset: ?>>
    } {nki.loop = "inner"}
  } {nki.loop = "outer"}
  return
}
