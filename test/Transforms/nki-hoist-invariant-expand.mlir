// nki-hoist-invariant{expand=true}: a load that takes one slice per
// iteration becomes one load of all the slices, before the loop.
// RUN: mamba-opt %s -split-input-file --nki-hoist-invariant=expand=true -verify-diagnostics | FileCheck %s
// RUN: %equiv %s --function=per_state --after=--nki-hoist-invariant=expand=true | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=backwards --after=--nki-hoist-invariant=expand=true | FileCheck %s --check-prefix=EQ
// EQ: out: bit-identical

// A_i = A[c0:c0+128, n] in the state loop: one [128, 4] load of A[c0:, 0:4]
// before it, and a view of column n in it. The expanded load leaves the
// outer loop too (its source does not depend on it).
// CHECK-LABEL: func.func @per_state
// CHECK: %[[A:.*]] = nki.alloc "A_i" : memref<128x4xf32, #nki.mem<sbuf>>
// CHECK: nki.load %{{.*}} : memref<128x4xf32, strided<[4, 1]>> into %[[A]]
// CHECK: scf.for
// CHECK: scf.for %[[N:.*]] =
// CHECK: %[[COL:.*]] = memref.subview %[[A]][0, %[[N]]] [128, 1] [1, 1]
// CHECK: nki.activation exp({{.*}}) scale(%[[COL]] : {{.*}})
// CHECK-NOT: nki.load %{{.*}} into %{{.*}} : memref<128x1xf32
func.func @per_state(%x: memref<128x64xf32> {nki.name = "x"}, %a: memref<128x4xf32> {nki.name = "A"}, %out: memref<2x4x128x64xf32> {nki.name = "out"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %xs = nki.alloc "xs" : memref<128x64xf32, #nki.mem<sbuf>>
  nki.load %x : memref<128x64xf32> into %xs : memref<128x64xf32, #nki.mem<sbuf>>
  scf.for %t = %c0 to %c2 step %c1 {
    scf.for %n = %c0 to %c4 step %c1 {
      %av = memref.subview %a[0, %n] [128, 1] [1, 1] : memref<128x4xf32> to memref<128x1xf32, strided<[4, 1], offset: ?>>
      %ai = nki.alloc "A_i" : memref<128x1xf32, #nki.mem<sbuf>>
      nki.load %av : memref<128x1xf32, strided<[4, 1], offset: ?>> into %ai : memref<128x1xf32, #nki.mem<sbuf>>
      %e = nki.alloc "e" : memref<128x64xf32, #nki.mem<sbuf>>
      nki.activation exp(%xs : memref<128x64xf32, #nki.mem<sbuf>>) scale(%ai : memref<128x1xf32, #nki.mem<sbuf>>) into %e : memref<128x64xf32, #nki.mem<sbuf>>
      %o = memref.subview %out[%t, %n, 0, 0] [1, 1, 128, 64] [1, 1, 1, 1] : memref<2x4x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
      nki.store %e : memref<128x64xf32, #nki.mem<sbuf>> into %o : memref<128x64xf32, strided<[64, 1], offset: ?>>
    } {nki.loop = "state"}
  } {nki.loop = "tile"}
  return
}

// -----

// The loop writes what the load reads: no expansion, and a remark.
// CHECK-LABEL: func.func @source_written
func.func @source_written(%a: memref<128x4xf32> {nki.name = "A"}, %y: memref<128x1xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %n = %c0 to %c4 step %c1 {
    %av = memref.subview %a[0, %n] [128, 1] [1, 1] : memref<128x4xf32> to memref<128x1xf32, strided<[4, 1], offset: ?>>
    %ai = nki.alloc "A_i" : memref<128x1xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{cannot hoist 'nki.load' into 'A_i' out of 'state' with one slice per iteration: 'nki.store' in the loop writes argument #0 ('A'), which the load reads}}
    nki.load %av : memref<128x1xf32, strided<[4, 1], offset: ?>> into %ai : memref<128x1xf32, #nki.mem<sbuf>>
    nki.tensor_copy %ai : memref<128x1xf32, #nki.mem<sbuf>> into %y : memref<128x1xf32, #nki.mem<sbuf>>
    nki.store %y : memref<128x1xf32, #nki.mem<sbuf>> into %av : memref<128x1xf32, strided<[4, 1], offset: ?>>
  } {nki.loop = "state"}
  return
}

// -----

// Slices that move backwards (column 3 - n) are not expanded (the view
// would need a negative stride).
// CHECK-LABEL: func.func @backwards
// CHECK: scf.for
// CHECK: nki.load %{{.*}} : memref<128x1xf32
func.func @backwards(%a: memref<128x4xf32> {nki.name = "A"}, %x: memref<128x64xf32> {nki.name = "x"}, %out: memref<4x128x64xf32> {nki.name = "out"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %xs = nki.alloc "xs" : memref<128x64xf32, #nki.mem<sbuf>>
  nki.load %x : memref<128x64xf32> into %xs : memref<128x64xf32, #nki.mem<sbuf>>
  scf.for %n = %c0 to %c4 step %c1 {
    %col = arith.subi %c3, %n : index
    %av = memref.subview %a[0, %col] [128, 1] [1, 1] : memref<128x4xf32> to memref<128x1xf32, strided<[4, 1], offset: ?>>
    %ai = nki.alloc "ai" : memref<128x1xf32, #nki.mem<sbuf>>
    nki.load %av : memref<128x1xf32, strided<[4, 1], offset: ?>> into %ai : memref<128x1xf32, #nki.mem<sbuf>>
    %r = nki.alloc "r" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_scalar(%xs : memref<128x64xf32, #nki.mem<sbuf>>) multiply(%ai : memref<128x1xf32, #nki.mem<sbuf>>) into %r : memref<128x64xf32, #nki.mem<sbuf>>
    %o = memref.subview %out[%n, 0, 0] [1, 128, 64] [1, 1, 1] : memref<4x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    nki.store %r : memref<128x64xf32, #nki.mem<sbuf>> into %o : memref<128x64xf32, strided<[64, 1], offset: ?>>
  } {nki.loop = "n"}
  return
}
