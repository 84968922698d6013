// RUN: mamba-opt %s -split-input-file --nki-peel-reduction -verify-diagnostics | FileCheck %s
// Every term below is x * 0.0, which is -0.0 wherever x < 0: where all
// three terms are -0.0, a sum that starts from the first term is -0.0 but
// v1's (from +0.0) is +0.0. The add of +0.0 after the loop makes the peeled
// kernel bit-identical (without it, about 1 element in 8 differs):
// RUN: %equiv %s --function=signed_zeros --after=--nki-peel-reduction | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=copy_term --after=--nki-peel-reduction | FileCheck %s --check-prefix=EQ
// EQ: y: bit-identical

// The producer of the first term writes the accumulator; the loop starts
// one iteration later; +0.0 is added once after it (on ScalarE).
// CHECK-LABEL: func.func @signed_zeros
// CHECK-NOT: nki.memset
// CHECK: %[[ACC:.*]] = nki.alloc "acc"
// CHECK-NOT: nki.memset
// CHECK: %[[X0:.*]] = memref.subview %{{.*}}[%c0, 0, 0] [1, 128, 64]
// CHECK: nki.load %[[X0]]
// CHECK: nki.tensor_scalar(%{{.*}}) multiply(0.000000e+00) into %[[ACC]]
// CHECK: scf.for %{{.*}} = %c1 to %c3 step %c1 {
// CHECK: nki.tensor_scalar(%{{.*}}) multiply(0.000000e+00) into %[[T:.*]] :
// CHECK: nki.tensor_tensor add(%[[ACC]] : {{.*}}, %[[T]] : {{.*}}) into %[[ACC]]
// CHECK: } {nki.loop = "n"}
// CHECK-NEXT: nki.tensor_scalar(%[[ACC]] : {{.*}}) add(0.000000e+00) into %[[ACC]] : {{.*}} on scalar
// CHECK-NEXT: nki.store %[[ACC]]
func.func @signed_zeros(%x: memref<3x128x64xf32> {nki.name = "x"}, %y: memref<128x64xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %acc = nki.alloc "acc" : memref<128x64xf32, #nki.mem<sbuf>>
  nki.memset 0.0 into %acc : memref<128x64xf32, #nki.mem<sbuf>>
  scf.for %n = %c0 to %c3 step %c1 {
    %xv = memref.subview %x[%n, 0, 0] [1, 128, 64] [1, 1, 1] : memref<3x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    %xs = nki.alloc "xs" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %xv : memref<128x64xf32, strided<[64, 1], offset: ?>> into %xs : memref<128x64xf32, #nki.mem<sbuf>>
    %t = nki.alloc "term" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_scalar(%xs : memref<128x64xf32, #nki.mem<sbuf>>) multiply(0.0) into %t : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<128x64xf32, #nki.mem<sbuf>>, %t : memref<128x64xf32, #nki.mem<sbuf>>) into %acc : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "n"}
  nki.store %acc : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  return
}

// -----

// A term that something else also reads: the peeled iteration copies it
// into the accumulator. From -0.0 nothing is added after the loop (-0.0 + x
// is x for every x).
// CHECK-LABEL: func.func @copy_term
// CHECK: nki.tensor_copy %{{.*}} into %[[ACC:.*]] :
// CHECK: scf.for %{{.*}} = %c1 to %c3
// CHECK: } {nki.loop = "n"}
// CHECK-NOT: add(0.000000e+00)
func.func @copy_term(%x: memref<3x128x64xf32> {nki.name = "x"}, %y: memref<128x64xf32> {nki.name = "y"}, %z: memref<3x128x64xf32> {nki.name = "z"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %acc = nki.alloc "acc" : memref<128x64xf32, #nki.mem<sbuf>>
  nki.memset -0.0 into %acc : memref<128x64xf32, #nki.mem<sbuf>>
  scf.for %n = %c0 to %c3 step %c1 {
    %xv = memref.subview %x[%n, 0, 0] [1, 128, 64] [1, 1, 1] : memref<3x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    %xs = nki.alloc "xs" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %xv : memref<128x64xf32, strided<[64, 1], offset: ?>> into %xs : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<128x64xf32, #nki.mem<sbuf>>, %xs : memref<128x64xf32, #nki.mem<sbuf>>) into %acc : memref<128x64xf32, #nki.mem<sbuf>>
    %zv = memref.subview %z[%n, 0, 0] [1, 128, 64] [1, 1, 1] : memref<3x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    nki.store %xs : memref<128x64xf32, #nki.mem<sbuf>> into %zv : memref<128x64xf32, strided<[64, 1], offset: ?>>
  } {nki.loop = "n"}
  nki.store %acc : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  return
}

// -----

// A loop of one iteration disappears.
// CHECK-LABEL: func.func @one_iteration
// CHECK-NOT: scf.for
// CHECK: nki.tensor_scalar({{.*}}) add(0.000000e+00)
func.func @one_iteration(%x: memref<128x64xf32, #nki.mem<sbuf>>, %y: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %acc = nki.alloc "acc" : memref<128x64xf32, #nki.mem<sbuf>>
  nki.memset 0.0 into %acc : memref<128x64xf32, #nki.mem<sbuf>>
  scf.for %n = %c0 to %c1 step %c1 {
    %t = nki.alloc "t" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.activation exp(%x : memref<128x64xf32, #nki.mem<sbuf>>) into %t : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<128x64xf32, #nki.mem<sbuf>>, %t : memref<128x64xf32, #nki.mem<sbuf>>) into %acc : memref<128x64xf32, #nki.mem<sbuf>>
  }
  nki.tensor_copy %acc : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32, #nki.mem<sbuf>>
  return
}

// -----

// An accumulator that starts elsewhere than 0 declines; one that something
// reads between its memset and the loop is not a candidate (no remark).
// CHECK-LABEL: func.func @declines
// CHECK: nki.memset 1.000000e+00
// CHECK: nki.memset 0.000000e+00
func.func @declines(%x: memref<128x64xf32, #nki.mem<sbuf>>, %y: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = nki.alloc "a" : memref<128x64xf32, #nki.mem<sbuf>>
  nki.memset 1.0 into %a : memref<128x64xf32, #nki.mem<sbuf>>
  scf.for %n = %c0 to %c4 step %c1 {
    // expected-remark @+1 {{cannot peel the first iteration of 'n': the accumulator starts at 1.000000, not 0 (the first term would need an add)}}
    nki.tensor_tensor add(%a : memref<128x64xf32, #nki.mem<sbuf>>, %x : memref<128x64xf32, #nki.mem<sbuf>>) into %a : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "n"}
  %b = nki.alloc "b" : memref<128x64xf32, #nki.mem<sbuf>>
  nki.memset 0.0 into %b : memref<128x64xf32, #nki.mem<sbuf>>
  nki.tensor_copy %b : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32, #nki.mem<sbuf>>
  scf.for %n = %c0 to %c4 step %c1 {
    nki.tensor_tensor add(%b : memref<128x64xf32, #nki.mem<sbuf>>, %x : memref<128x64xf32, #nki.mem<sbuf>>) into %b : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "m"}
  return
}
