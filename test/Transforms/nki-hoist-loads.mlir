// RUN: mamba-opt %s --nki-hoist-loads -split-input-file -verify-diagnostics | FileCheck %s

// The v2 situation: inside the state loop, delta_i does not depend on the
// state; A_i does. delta_i's load, its buffer and its index math leave the
// loop; A_i's stay.

// CHECK-LABEL: func.func @hoist
// CHECK-SAME: (%[[DELTA:[^:]*]]: memref<1x256x64xf32>, %[[A:[^:]*]]: memref<256x4xf32>
// CHECK: scf.for %[[T:.*]] =
// CHECK-NEXT: %[[CH:.*]] = arith.muli %[[T]]
// CHECK-NEXT: %[[V:.*]] = memref.subview %[[DELTA]][0, %[[CH]], 0]
// CHECK-NEXT: %[[D:.*]] = nki.alloc "delta_i"
// CHECK-NEXT: nki.load %[[V]] : {{.*}} into %[[D]]
// CHECK-NEXT: scf.for %[[N:.*]] =
// CHECK-NOT: "delta_i"
// CHECK: nki.alloc "A_i"
// CHECK: memref.subview %[[A]][%[[CH]], %[[N]]]
// CHECK: nki.load
// CHECK: nki.activation exp(%[[D]]
// CHECK: } {nki.loop = "state"}
// CHECK: } {nki.loop = "channel_tile"}
func.func @hoist(%delta: memref<1x256x64xf32>, %A: memref<256x4xf32>,
                 %out: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c128 = arith.constant 128 : index
  scf.for %t = %c0 to %c2 step %c1 {
    scf.for %n = %c0 to %c4 step %c1 {
      %ch = arith.muli %t, %c128 : index
      %d = nki.alloc "delta_i" : memref<128x64xf32, #nki.mem<sbuf>>
      %v = memref.subview %delta[0, %ch, 0] [1, 128, 64] [1, 1, 1] : memref<1x256x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
      nki.load %v : memref<128x64xf32, strided<[64, 1], offset: ?>> into %d : memref<128x64xf32, #nki.mem<sbuf>>
      %a = nki.alloc "A_i" : memref<128x1xf32, #nki.mem<sbuf>>
      %av = memref.subview %A[%ch, %n] [128, 1] [1, 1] : memref<256x4xf32> to memref<128x1xf32, strided<[4, 1], offset: ?>>
      nki.load %av : memref<128x1xf32, strided<[4, 1], offset: ?>> into %a : memref<128x1xf32, #nki.mem<sbuf>>
      nki.activation exp(%d : memref<128x64xf32, #nki.mem<sbuf>>) scale(%a : memref<128x1xf32, #nki.mem<sbuf>>) into %out : memref<128x64xf32, #nki.mem<sbuf>>
    } {nki.loop = "state"}
  } {nki.loop = "channel_tile"}
  return
}

// -----

// A load invariant in two nested loops leaves both (the pass iterates to a
// fixed point). nki-hoist-loads-named.mlir has the same case with
// loop=inner.

// CHECK-LABEL: func.func @two_levels
// CHECK-NEXT: arith.constant
// CHECK-NEXT: arith.constant
// CHECK-NEXT: arith.constant
// CHECK-NEXT: %[[X:.*]] = nki.alloc "x"
// CHECK-NEXT: nki.load
// CHECK-NEXT: scf.for
// CHECK-NEXT: scf.for
// CHECK-NEXT: nki.tensor_copy %[[X]]
func.func @two_levels(%in: memref<128x64xf32>, %out: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      %x = nki.alloc "x" : memref<128x64xf32, #nki.mem<sbuf>>
      nki.load %in : memref<128x64xf32> into %x : memref<128x64xf32, #nki.mem<sbuf>>
      nki.tensor_copy %x : memref<128x64xf32, #nki.mem<sbuf>> into %out : memref<128x64xf32, #nki.mem<sbuf>>
    } {nki.loop = "inner"}
  } {nki.loop = "outer"}
  return
}

// -----

// The loop writes the HBM tensor the load reads: each iteration must see the
// previous iteration's store.

// CHECK-LABEL: func.func @loop_writes_source
// CHECK: scf.for
// CHECK-NEXT: nki.alloc "x"
// CHECK-NEXT: nki.load
func.func @loop_writes_source(%in: memref<128x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %x = nki.alloc "x" : memref<128x64xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{cannot hoist 'nki.load' into 'x' out of 'step': 'nki.store' in the loop writes argument #0, which the load reads}}
    nki.load %in : memref<128x64xf32> into %x : memref<128x64xf32, #nki.mem<sbuf>>
    %y = nki.alloc "y" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_scalar(%x : memref<128x64xf32, #nki.mem<sbuf>>) add(1.0) into %y : memref<128x64xf32, #nki.mem<sbuf>>
    nki.store %y : memref<128x64xf32, #nki.mem<sbuf>> into %in : memref<128x64xf32>
  } {nki.loop = "step"}
  return
}

// -----

// The loaded buffer is also written in the loop: hoisting the load would let
// iteration 2 see iteration 1's write instead of fresh data. The load's
// buffer is then not its result alone, so it is not a candidate (no remark).

// CHECK-LABEL: func.func @buffer_written
// CHECK: scf.for
// CHECK-NEXT: nki.alloc "x"
// CHECK-NEXT: nki.load
func.func @buffer_written(%in: memref<128x64xf32>, %out: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %x = nki.alloc "x" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %in : memref<128x64xf32> into %x : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_scalar(%x : memref<128x64xf32, #nki.mem<sbuf>>) add(1.0) into %x : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_copy %x : memref<128x64xf32, #nki.mem<sbuf>> into %out : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "step"}
  return
}

// -----

// A load whose source moves with the loop is not a candidate: it stays, and
// no remark is emitted.

// CHECK-LABEL: func.func @varying_source
// CHECK: scf.for %[[I:.*]] =
// CHECK-NEXT: nki.alloc "x"
// CHECK-NEXT: memref.subview %{{.*}}[%[[I]], 0]
// CHECK-NEXT: nki.load
func.func @varying_source(%in: memref<512x64xf32>, %out: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %x = nki.alloc "x" : memref<128x64xf32, #nki.mem<sbuf>>
    %v = memref.subview %in[%i, 0] [128, 64] [1, 1] : memref<512x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    nki.load %v : memref<128x64xf32, strided<[64, 1], offset: ?>> into %x : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_copy %x : memref<128x64xf32, #nki.mem<sbuf>> into %out : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "step"}
  return
}

// -----

// Distinct function arguments do not alias (the documented assumption): a
// store to another argument does not block the hoist.

// CHECK-LABEL: func.func @other_argument
// CHECK: nki.alloc "x"
// CHECK-NEXT: nki.load
// CHECK-NEXT: scf.for
func.func @other_argument(%in: memref<128x64xf32>, %res: memref<128x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %x = nki.alloc "x" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %in : memref<128x64xf32> into %x : memref<128x64xf32, #nki.mem<sbuf>>
    nki.store %x : memref<128x64xf32, #nki.mem<sbuf>> into %res : memref<128x64xf32>
  } {nki.loop = "step"}
  return
}
