// RUN: mamba-opt %s -split-input-file --nki-peel-reduction -verify-diagnostics | FileCheck %s
// Every term below is x * 0.0, which is -0.0 wherever x < 0: where all
// three terms are -0.0, a sum that starts from the first term is -0.0 but
// v1's (from +0.0) is +0.0. The add of +0.0 after the loop makes the peeled
// kernel bit-identical (without it, about 1 element in 8 differs):
// RUN: %equiv %s --function=signed_zeros --after=--nki-peel-reduction | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=copy_term --after=--nki-peel-reduction | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=two_accumulators --after=--nki-peel-reduction | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=psum_accumulator --after=--nki-peel-reduction | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=term_through_view --after=--nki-peel-reduction | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=self_sum --after=--nki-peel-reduction | FileCheck %s --check-prefix=EQ
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

// -----

// Two accumulators of a loop of one iteration: the first peel removes the
// loop; the second accumulator's update has then been peeled with it (its
// memset stays, the clone adds to it).
// CHECK-LABEL: func.func @two_accumulators
// CHECK-NOT: scf.for
func.func @two_accumulators(%x: memref<4x128x64xf32> {nki.name = "x"}, %y: memref<128x64xf32> {nki.name = "y"}, %y2: memref<128x64xf32> {nki.name = "y2"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %acc1 = nki.alloc "acc1" : memref<128x64xf32, #nki.mem<sbuf>>
  nki.memset 0.0 into %acc1 : memref<128x64xf32, #nki.mem<sbuf>>
  %acc2 = nki.alloc "acc2" : memref<128x64xf32, #nki.mem<sbuf>>
  nki.memset 0.0 into %acc2 : memref<128x64xf32, #nki.mem<sbuf>>
  scf.for %n = %c0 to %c1 step %c1 {
    %v = nki.alloc "v" : memref<128x64xf32, #nki.mem<sbuf>>
    %src = memref.subview %x[%n, 0, 0] [1, 128, 64] [1, 1, 1] : memref<4x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    nki.load %src : memref<128x64xf32, strided<[64, 1], offset: ?>> into %v : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc1 : memref<128x64xf32, #nki.mem<sbuf>>, %v : memref<128x64xf32, #nki.mem<sbuf>>) into %acc1 : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc2 : memref<128x64xf32, #nki.mem<sbuf>>, %v : memref<128x64xf32, #nki.mem<sbuf>>) into %acc2 : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "n"}
  nki.store %acc1 : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  nki.store %acc2 : memref<128x64xf32, #nki.mem<sbuf>> into %y2 : memref<128x64xf32>
  return
}

// -----

// An accumulator in PSUM with terms loaded into SBUF: the load cannot write
// PSUM, so the peeled iteration copies the term.
// CHECK-LABEL: func.func @psum_accumulator
// CHECK: nki.load
// CHECK-NEXT: nki.tensor_copy %{{.*}} : memref<128x64xf32, #nki.mem<sbuf>> into %[[ACC:.*]] : memref<128x64xf32, #nki.mem<psum>>
func.func @psum_accumulator(%x: memref<4x128x64xf32> {nki.name = "x"}, %y: memref<128x64xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %acc = nki.alloc "acc" : memref<128x64xf32, #nki.mem<psum>>
  nki.memset 0.0 into %acc : memref<128x64xf32, #nki.mem<psum>>
  scf.for %n = %c0 to %c4 step %c1 {
    %v = nki.alloc "v" : memref<128x64xf32, #nki.mem<sbuf>>
    %src = memref.subview %x[%n, 0, 0] [1, 128, 64] [1, 1, 1] : memref<4x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    nki.load %src : memref<128x64xf32, strided<[64, 1], offset: ?>> into %v : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<128x64xf32, #nki.mem<psum>>, %v : memref<128x64xf32, #nki.mem<sbuf>>) into %acc : memref<128x64xf32, #nki.mem<psum>>
  } {nki.loop = "n"}
  %o = nki.alloc "o" : memref<128x64xf32, #nki.mem<sbuf>>
  nki.tensor_copy %acc : memref<128x64xf32, #nki.mem<psum>> into %o : memref<128x64xf32, #nki.mem<sbuf>>
  nki.store %o : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  return
}

// -----

// The term is also written through a view: its producer is not the only
// writer, so the peeled iteration keeps the term's buffer and copies it.
// CHECK-LABEL: func.func @term_through_view
// CHECK: %[[V:.*]] = nki.alloc "v"
// CHECK: nki.memset 5.000000e+00
// CHECK-NEXT: nki.tensor_copy %[[V]]
func.func @term_through_view(%x: memref<4x128x64xf32> {nki.name = "x"}, %y: memref<128x64xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %acc = nki.alloc "acc" : memref<128x64xf32, #nki.mem<sbuf>>
  nki.memset 0.0 into %acc : memref<128x64xf32, #nki.mem<sbuf>>
  scf.for %n = %c0 to %c4 step %c1 {
    %v = nki.alloc "v" : memref<128x64xf32, #nki.mem<sbuf>>
    %src = memref.subview %x[%n, 0, 0] [1, 128, 64] [1, 1, 1] : memref<4x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    nki.load %src : memref<128x64xf32, strided<[64, 1], offset: ?>> into %v : memref<128x64xf32, #nki.mem<sbuf>>
    %v0 = memref.subview %v[0, 0] [128, 8] [1, 1] : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x8xf32, strided<[64, 1]>, #nki.mem<sbuf>>
    nki.memset 5.0 into %v0 : memref<128x8xf32, strided<[64, 1]>, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<128x64xf32, #nki.mem<sbuf>>, %v : memref<128x64xf32, #nki.mem<sbuf>>) into %acc : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "n"}
  nki.store %acc : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  return
}

// -----

// acc = acc + acc is no reduction over terms: left alone (the memset stays).
// CHECK-LABEL: func.func @self_sum
// CHECK: nki.memset 0.000000e+00
// CHECK: scf.for %{{.*}} = %c0 to %c3
func.func @self_sum(%x: memref<128x64xf32> {nki.name = "x"}, %y: memref<128x64xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %acc = nki.alloc "acc" : memref<128x64xf32, #nki.mem<sbuf>>
  nki.memset 0.0 into %acc : memref<128x64xf32, #nki.mem<sbuf>>
  scf.for %n = %c0 to %c3 step %c1 {
    nki.tensor_tensor add(%acc : memref<128x64xf32, #nki.mem<sbuf>>, %acc : memref<128x64xf32, #nki.mem<sbuf>>) into %acc : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "n"}
  nki.load %x : memref<128x64xf32> into %acc : memref<128x64xf32, #nki.mem<sbuf>>
  nki.store %acc : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  return
}
