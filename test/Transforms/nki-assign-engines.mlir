// RUN: mamba-opt %s -split-input-file --nki-assign-engines | FileCheck %s
// RUN: %equiv %s --function=off_vector --after=--nki-assign-engines | FileCheck %s --check-prefix=EQ
// EQ: y: bit-identical

// VectorE has three 2N multiplies (both inputs in SBUF) and a PSUM one; the
// SBUF port is VectorE's alone. Moving one SBUF multiply to GpSimdE takes it
// off VectorE and holds the SBUF port for less time (GpSimdE's clock is
// faster), so the busiest resource gets less to do. The multiply that
// reads PSUM cannot move to GpSimdE; the one that names its engine keeps
// it.
// CHECK-LABEL: func.func @off_vector
// CHECK: into %[[A:.*]] : memref<128x512xf32, #nki.mem<sbuf>> on gpsimd
// CHECK-NOT: on gpsimd
// CHECK: into %{{.*}} : memref<128x512xf32, #nki.mem<sbuf>> on vector
// CHECK-NOT: on gpsimd
func.func @off_vector(%x: memref<128x512xf32> {nki.name = "x"}, %row: memref<1x512xf32> {nki.name = "row"}, %y: memref<128x512xf32> {nki.name = "y"}) {
  %xs = nki.alloc "xs" : memref<128x512xf32, #nki.mem<sbuf>>
  nki.load %x : memref<128x512xf32> into %xs : memref<128x512xf32, #nki.mem<sbuf>>
  %a = nki.alloc "a" : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor multiply(%xs : memref<128x512xf32, #nki.mem<sbuf>>, %xs : memref<128x512xf32, #nki.mem<sbuf>>) into %a : memref<128x512xf32, #nki.mem<sbuf>>
  %b = nki.alloc "b" : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor multiply(%a : memref<128x512xf32, #nki.mem<sbuf>>, %xs : memref<128x512xf32, #nki.mem<sbuf>>) into %b : memref<128x512xf32, #nki.mem<sbuf>> on vector
  %r = nki.alloc "r" : memref<1x512xf32, #nki.mem<sbuf>>
  nki.load %row : memref<1x512xf32> into %r : memref<1x512xf32, #nki.mem<sbuf>>
  %bb = nki.alloc "bb" : memref<128x512xf32, #nki.mem<psum>>
  nki.partition_broadcast %r : memref<1x512xf32, #nki.mem<sbuf>> into %bb : memref<128x512xf32, #nki.mem<psum>>
  %c = nki.alloc "c" : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor multiply(%b : memref<128x512xf32, #nki.mem<sbuf>>, %bb : memref<128x512xf32, #nki.mem<psum>>) into %c : memref<128x512xf32, #nki.mem<sbuf>>
  nki.store %c : memref<128x512xf32, #nki.mem<sbuf>> into %y : memref<128x512xf32>
  return
}

// -----

// A multiply that reads PSUM cannot go to GpSimdE and stays; a
// tensor_scalar alone moves to ScalarE, which is faster and holds no port
// for SBUF operands.
// CHECK-LABEL: func.func @alone
// CHECK: into %arg2 : memref<128x512xf32, #nki.mem<sbuf>>{{$}}
// CHECK: add(1.000000e+00) into %arg2 : memref<128x512xf32, #nki.mem<sbuf>> on scalar
func.func @alone(%a: memref<128x512xf32, #nki.mem<sbuf>>, %p: memref<128x512xf32, #nki.mem<psum>>, %b: memref<128x512xf32, #nki.mem<sbuf>>) {
  nki.tensor_tensor multiply(%a : memref<128x512xf32, #nki.mem<sbuf>>, %p : memref<128x512xf32, #nki.mem<psum>>) into %b : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_scalar(%b : memref<128x512xf32, #nki.mem<sbuf>>) add(1.0) into %b : memref<128x512xf32, #nki.mem<sbuf>>
  return
}
