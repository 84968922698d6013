// RUN: mamba-opt %s --nki-fuse-loops -split-input-file -verify-diagnostics | FileCheck %s
// RUN: mamba-opt %s --nki-fuse-loops="contract=false fused-name=fused" -split-input-file 2>/dev/null | FileCheck %s --check-prefix=NOCONTRACT

// The v2 fusion: zero / accumulate / store loops over tiles of one buffer
// become one loop, and the buffer, now indexed only by that loop, shrinks
// from [128, 2, 64] to a per-iteration [128, 64].

// CHECK-LABEL: func.func @fuse_three
// CHECK-SAME: (%[[X:[^:]*]]: memref<128x64xf32, #nki.mem<sbuf>>, %[[OUT:[^:]*]]: memref<1x256x64xf32>)
// CHECK-NOT: memref<128x2x64xf32
// CHECK: scf.for %[[T:.*]] =
// CHECK-NEXT: %[[ACC:.*]] = nki.alloc "acc" : memref<128x64xf32, #nki.mem<sbuf>>
// CHECK-NEXT: nki.memset 0.000000e+00 into %[[ACC]] : memref<128x64xf32, #nki.mem<sbuf>>
// CHECK-NEXT: scf.for
// CHECK-NEXT: nki.tensor_tensor add(%[[ACC]] : memref<128x64xf32, #nki.mem<sbuf>>, %[[X]] : {{.*}}) into %[[ACC]]
// CHECK-NEXT: } {nki.loop = "state"}
// CHECK-NEXT: %[[CH:.*]] = arith.muli %[[T]]
// CHECK-NEXT: %[[O:.*]] = memref.subview %[[OUT]][0, %[[CH]], 0]
// CHECK-NEXT: nki.store %[[ACC]] : memref<128x64xf32, #nki.mem<sbuf>> into %[[O]]
// CHECK-NEXT: } {nki.kind = "affine", nki.loop = "channel_tile"}
// CHECK-NOT: scf.for
// NOCONTRACT-LABEL: func.func @fuse_three
// NOCONTRACT: nki.alloc "acc" : memref<128x2x64xf32, #nki.mem<sbuf>>
// NOCONTRACT: scf.for
// NOCONTRACT-NOT: } {nki.kind = "affine", nki.loop = "acc_
// NOCONTRACT: } {nki.kind = "affine", nki.loop = "fused"}
func.func @fuse_three(%x: memref<128x64xf32, #nki.mem<sbuf>>, %out: memref<1x256x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c128 = arith.constant 128 : index
  %acc = nki.alloc "acc" : memref<128x2x64xf32, #nki.mem<sbuf>>
  scf.for %t = %c0 to %c2 step %c1 {
    %a = memref.subview %acc[0, %t, 0] [128, 1, 64] [1, 1, 1] : memref<128x2x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[128, 1], offset: ?>, #nki.mem<sbuf>>
    nki.memset 0.0 into %a : memref<128x64xf32, strided<[128, 1], offset: ?>, #nki.mem<sbuf>>
  } {nki.loop = "acc_zero", nki.kind = "affine"}
  scf.for %t = %c0 to %c2 step %c1 {
    scf.for %n = %c0 to %c4 step %c1 {
      %a = memref.subview %acc[0, %t, 0] [128, 1, 64] [1, 1, 1] : memref<128x2x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[128, 1], offset: ?>, #nki.mem<sbuf>>
      nki.tensor_tensor add(%a : memref<128x64xf32, strided<[128, 1], offset: ?>, #nki.mem<sbuf>>, %x : memref<128x64xf32, #nki.mem<sbuf>>) into %a : memref<128x64xf32, strided<[128, 1], offset: ?>, #nki.mem<sbuf>>
    } {nki.loop = "state"}
  } {nki.loop = "channel_tile", nki.kind = "affine"}
  scf.for %t = %c0 to %c2 step %c1 {
    %ch = arith.muli %t, %c128 : index
    %o = memref.subview %out[0, %ch, 0] [1, 128, 64] [1, 1, 1] : memref<1x256x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    %a = memref.subview %acc[0, %t, 0] [128, 1, 64] [1, 1, 1] : memref<128x2x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[128, 1], offset: ?>, #nki.mem<sbuf>>
    nki.store %a : memref<128x64xf32, strided<[128, 1], offset: ?>, #nki.mem<sbuf>> into %o : memref<128x64xf32, strided<[64, 1], offset: ?>>
  } {nki.loop = "acc_store", nki.kind = "affine"}
  return
}

// -----

// Iteration t of the second loop reads what iteration t + 1 of the first
// writes: fusing would read it before it is written.

// CHECK-LABEL: func.func @reads_next_iteration
// CHECK: nki.loop = "produce"
// CHECK: nki.loop = "consume"
func.func @reads_next_iteration(%out: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %buf = nki.alloc "buf" : memref<128x4x64xf32, #nki.mem<sbuf>>
  scf.for %t = %c0 to %c3 step %c1 {
    %a = memref.subview %buf[0, %t, 0] [128, 1, 64] [1, 1, 1] : memref<128x4x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[256, 1], offset: ?>, #nki.mem<sbuf>>
    nki.memset 1.0 into %a : memref<128x64xf32, strided<[256, 1], offset: ?>, #nki.mem<sbuf>>
  } {nki.loop = "produce"}
  // expected-remark @+1 {{cannot fuse 'produce' and 'consume': 'nki.tensor_copy' reads 'buf' where a different iteration of 'produce' writes it ('nki.memset')}}
  scf.for %t = %c0 to %c3 step %c1 {
    %next = arith.addi %t, %c1 : index
    %a = memref.subview %buf[0, %next, 0] [128, 1, 64] [1, 1, 1] : memref<128x4x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[256, 1], offset: ?>, #nki.mem<sbuf>>
    nki.tensor_copy %a : memref<128x64xf32, strided<[256, 1], offset: ?>, #nki.mem<sbuf>> into %out : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "consume"}
  return
}

// -----

// Different trip counts: not fusion candidates, no remark.

// CHECK-LABEL: func.func @different_bounds
// CHECK: nki.loop = "a"
// CHECK: nki.loop = "b"
func.func @different_bounds(%x: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  scf.for %t = %c0 to %c2 step %c1 {
    nki.memset 1.0 into %x : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "a"}
  scf.for %t = %c0 to %c3 step %c1 {
    nki.memset 2.0 into %x : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "b"}
  return
}

// -----

// Both loops write the same whole buffer in every iteration: the last write
// order would change (iteration 0 of the second before iteration 1 of the
// first).

// CHECK-LABEL: func.func @same_buffer_every_iteration
// CHECK: nki.loop = "a"
// CHECK: nki.loop = "b"
func.func @same_buffer_every_iteration(%x: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.for %t = %c0 to %c2 step %c1 {
    nki.memset 1.0 into %x : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "a"}
  // expected-remark @+1 {{cannot fuse 'a' and 'b': 'nki.memset' writes argument #0 where a different iteration of 'a' writes it ('nki.memset')}}
  scf.for %t = %c0 to %c2 step %c1 {
    nki.memset 2.0 into %x : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "b"}
  return
}

// -----

// An op with memory effects between the loops keeps them apart; loops=
// restricts fusion to named loops.

// CHECK-LABEL: func.func @separated
// CHECK: nki.loop = "a"
// CHECK: nki.memset
// CHECK: nki.loop = "b"
func.func @separated(%x: memref<128x64xf32, #nki.mem<sbuf>>, %y: memref<128x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.for %t = %c0 to %c2 step %c1 {
    nki.memset 1.0 into %y : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "a"}
  nki.memset 3.0 into %x : memref<128x64xf32, #nki.mem<sbuf>>
  scf.for %t = %c0 to %c2 step %c1 {
    nki.memset 2.0 into %x : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "b"}
  return
}

// -----

// A buffer used after the fused loop is not contracted.

// CHECK-LABEL: func.func @no_contract_when_used_later
// CHECK: nki.alloc "buf" : memref<128x2x64xf32, #nki.mem<sbuf>>
// CHECK: scf.for
// CHECK: nki.tensor_copy
func.func @no_contract_when_used_later(%out: memref<128x2x64xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %buf = nki.alloc "buf" : memref<128x2x64xf32, #nki.mem<sbuf>>
  scf.for %t = %c0 to %c2 step %c1 {
    %a = memref.subview %buf[0, %t, 0] [128, 1, 64] [1, 1, 1] : memref<128x2x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[128, 1], offset: ?>, #nki.mem<sbuf>>
    nki.memset 1.0 into %a : memref<128x64xf32, strided<[128, 1], offset: ?>, #nki.mem<sbuf>>
  } {nki.loop = "a"}
  nki.tensor_copy %buf : memref<128x2x64xf32, #nki.mem<sbuf>> into %out : memref<128x2x64xf32, #nki.mem<sbuf>>
  return
}
