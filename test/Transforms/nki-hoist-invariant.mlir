// RUN: mamba-opt %s -split-input-file --nki-hoist-invariant -verify-diagnostics | FileCheck %s
// RUN: %equiv %s --function=state_loop --after=--nki-hoist-invariant | FileCheck %s --check-prefix=EQ
// The Mamba kernel: v2, then deltaU out of the state loop, against v1.
// RUN: %python %mamba_src_root/scripts/make-kernel.py --batch 1 --seq-len 300 --channels 200 --state 3 -o %t.mlir
// RUN: mamba-opt %t.mlir --mamba-v2 --nki-hoist-invariant | FileCheck %s --check-prefix=MAMBA
// RUN: %equiv %t.mlir --before=--mamba-v1 --after='--mamba-v2 --nki-hoist-invariant' | FileCheck %s --check-prefix=EQ
// EQ: out: bit-identical

// MAMBA: nki.alloc "deltaU"
// MAMBA-NEXT: nki.tensor_tensor multiply(%delta_i
// MAMBA-NEXT: scf.for
// MAMBA-NOT: "deltaU"
// MAMBA: } {nki.kind = "affine", nki.loop = "state"}

// deltaU = delta * u does not depend on the state: it leaves the loop with
// its buffer; deltaBu, which reads a row of the state, stays.
// CHECK-LABEL: func.func @state_loop
// CHECK: %[[DU:.*]] = nki.alloc "deltaU"
// CHECK-NEXT: nki.tensor_tensor multiply({{.*}}) into %[[DU]]
// CHECK-NEXT: scf.for
// CHECK-NOT: nki.alloc "deltaU"
// CHECK: nki.tensor_tensor multiply(%[[DU]]
func.func @state_loop(%delta: memref<128x256xf32> {nki.name = "delta"}, %u: memref<128x256xf32> {nki.name = "u"}, %rows: memref<4x256xf32> {nki.name = "rows"}, %out: memref<4x128x256xf32> {nki.name = "out"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %d = nki.alloc "d" : memref<128x256xf32, #nki.mem<sbuf>>
  nki.load %delta : memref<128x256xf32> into %d : memref<128x256xf32, #nki.mem<sbuf>>
  %us = nki.alloc "us" : memref<128x256xf32, #nki.mem<sbuf>>
  nki.load %u : memref<128x256xf32> into %us : memref<128x256xf32, #nki.mem<sbuf>>
  scf.for %n = %c0 to %c4 step %c1 {
    %du = nki.alloc "deltaU" : memref<128x256xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%d : memref<128x256xf32, #nki.mem<sbuf>>, %us : memref<128x256xf32, #nki.mem<sbuf>>) into %du : memref<128x256xf32, #nki.mem<sbuf>>
    %rv = memref.subview %rows[%n, 0] [1, 256] [1, 1] : memref<4x256xf32> to memref<1x256xf32, strided<[256, 1], offset: ?>>
    %r = nki.alloc "row" : memref<1x256xf32, #nki.mem<sbuf>>
    nki.load %rv : memref<1x256xf32, strided<[256, 1], offset: ?>> into %r : memref<1x256xf32, #nki.mem<sbuf>>
    %bb = nki.alloc "bb" : memref<128x256xf32, #nki.mem<psum>>
    nki.partition_broadcast %r : memref<1x256xf32, #nki.mem<sbuf>> into %bb : memref<128x256xf32, #nki.mem<psum>>
    %dbu = nki.alloc "dbu" : memref<128x256xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%du : memref<128x256xf32, #nki.mem<sbuf>>, %bb : memref<128x256xf32, #nki.mem<psum>>) into %dbu : memref<128x256xf32, #nki.mem<sbuf>>
    %o = memref.subview %out[%n, 0, 0] [1, 128, 256] [1, 1, 1] : memref<4x128x256xf32> to memref<128x256xf32, strided<[256, 1], offset: ?>>
    nki.store %dbu : memref<128x256xf32, #nki.mem<sbuf>> into %o : memref<128x256xf32, strided<[256, 1], offset: ?>>
  } {nki.loop = "state"}
  return
}

// -----

// An input written in the loop: the op would not compute the same thing in
// every iteration.
// CHECK-LABEL: func.func @input_written
// CHECK: scf.for
// CHECK: nki.alloc "y"
func.func @input_written(%x: memref<128x64xf32, #nki.mem<sbuf>>, %out: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %y = nki.alloc "y" : memref<128x64xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{cannot hoist 'nki.activation' out of 'step': 'nki.tensor_scalar' in the loop writes argument #0, which it reads}}
    nki.activation exp(%x : memref<128x64xf32, #nki.mem<sbuf>>) into %y : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%out : memref<128x64xf32, #nki.mem<sbuf>>, %y : memref<128x64xf32, #nki.mem<sbuf>>) into %out : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_scalar(%x : memref<128x64xf32, #nki.mem<sbuf>>) multiply(0.5) into %x : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "step"}
  return
}

// -----

// Its buffer is read before it is written in the iteration.
// CHECK-LABEL: func.func @read_before
// CHECK: scf.for
// CHECK: nki.alloc "y"
func.func @read_before(%x: memref<128x64xf32, #nki.mem<sbuf>>, %out: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %y = nki.alloc "y" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_copy %y : memref<128x64xf32, #nki.mem<sbuf>> into %out : memref<128x64xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{cannot hoist 'nki.activation' out of 'step': 'nki.tensor_copy' reads its buffer 'y' before it is written}}
    nki.activation exp(%x : memref<128x64xf32, #nki.mem<sbuf>>) into %y : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "step"}
  return
}

// -----

// Not candidates, silently: an accumulator's initialisation (something else
// writes the buffer), an op whose input varies, an update in place.
// CHECK-LABEL: func.func @not_candidates
// CHECK: scf.for
// CHECK-NEXT: nki.alloc "acc"
// CHECK-NEXT: nki.memset
func.func @not_candidates(%x: memref<4x128x64xf32, #nki.mem<sbuf>>, %out: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %acc = nki.alloc "acc" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.memset 0.0 into %acc : memref<128x64xf32, #nki.mem<sbuf>>
    %xi = memref.subview %x[%i, 0, 0] [1, 128, 64] [1, 1, 1] : memref<4x128x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[64, 1], offset: ?>, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<128x64xf32, #nki.mem<sbuf>>, %xi : memref<128x64xf32, strided<[64, 1], offset: ?>, #nki.mem<sbuf>>) into %acc : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_copy %acc : memref<128x64xf32, #nki.mem<sbuf>> into %out : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "step"}
  return
}

// -----

// A PSUM buffer would stay live for the whole loop: PSUM's 8 banks are not
// taken on trust.
// CHECK-LABEL: func.func @psum_buffer
// CHECK: scf.for
// CHECK-NEXT: nki.alloc "x"
func.func @psum_buffer(%cs: memref<128x512xf32, #nki.mem<sbuf>>, %out: memref<128x512xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.for %n = %c0 to %c2 step %c1 {
    %x = nki.alloc "x" : memref<128x512xf32, #nki.mem<psum>>
    // expected-remark @+1 {{cannot hoist 'nki.tensor_copy' out of 'n': its buffer 'x' is in PSUM, which has too few banks to keep it for the whole loop}}
    nki.tensor_copy %cs : memref<128x512xf32, #nki.mem<sbuf>> into %x : memref<128x512xf32, #nki.mem<psum>>
    nki.tensor_tensor add(%out : memref<128x512xf32, #nki.mem<sbuf>>, %x : memref<128x512xf32, #nki.mem<psum>>) into %out : memref<128x512xf32, #nki.mem<sbuf>>
  } {nki.loop = "n"}
  return
}

// -----

// A loop that never runs: hoisting would run the op once instead of never.
// CHECK-LABEL: func.func @zero_trip
// CHECK: scf.for
// CHECK-NEXT: nki.alloc "t"
func.func @zero_trip(%s: memref<128x64xf32, #nki.mem<sbuf>>, %y: memref<128x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %n = %c0 to %c0 step %c1 {
    %t = nki.alloc "t" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_scalar(%s : memref<128x64xf32, #nki.mem<sbuf>>) multiply(2.0) into %t : memref<128x64xf32, #nki.mem<sbuf>>
    nki.store %t : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  } {nki.loop = "n"}
  return
}
