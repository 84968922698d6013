// RUN: mamba-opt %s --nki-hoist-loads="loop=inner" | FileCheck %s
// RUN: %equiv %s --after='--nki-hoist-loads="loop=inner"' | FileCheck %s --check-prefix=EQ

// With loop=inner, a load invariant in two nested loops leaves only the
// loop named "inner" (without the option it leaves both).
// CHECK-LABEL: func.func @two_levels
// CHECK: scf.for
// CHECK: nki.memset
// CHECK-NEXT: nki.alloc "x"
// CHECK-NEXT: nki.load
// CHECK-NEXT: scf.for
// CHECK-NEXT: nki.tensor_tensor add
// CHECK-NEXT: } {nki.loop = "inner"}
// CHECK: } {nki.loop = "outer"}
// EQ: out: bit-identical
func.func @two_levels(%in: memref<128x64xf32> {nki.name = "in"}, %out: memref<4x128x64xf32> {nki.name = "out"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %acc = nki.alloc "acc" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.memset 0.0 into %acc : memref<128x64xf32, #nki.mem<sbuf>>
    scf.for %j = %c0 to %c4 step %c1 {
      %x = nki.alloc "x" : memref<128x64xf32, #nki.mem<sbuf>>
      nki.load %in : memref<128x64xf32> into %x : memref<128x64xf32, #nki.mem<sbuf>>
      nki.tensor_tensor add(%acc : memref<128x64xf32, #nki.mem<sbuf>>, %x : memref<128x64xf32, #nki.mem<sbuf>>) into %acc : memref<128x64xf32, #nki.mem<sbuf>>
    } {nki.loop = "inner"}
    %o = memref.subview %out[%i, 0, 0] [1, 128, 64] [1, 1, 1] : memref<4x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    nki.store %acc : memref<128x64xf32, #nki.mem<sbuf>> into %o : memref<128x64xf32, strided<[64, 1], offset: ?>>
  } {nki.loop = "outer"}
  return
}
