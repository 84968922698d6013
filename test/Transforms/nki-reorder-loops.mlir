// RUN: mamba-opt %s --nki-reorder-loops="outer=state inner=channel_tile" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: mamba-opt %s --nki-reorder-loops="outer=state inner=channel_tile allow-reassociation=true" -split-input-file 2>/dev/null | FileCheck %s --check-prefix=REASSOC

!in = memref<4x256x64xf32>
!tile = memref<128x64xf32, #nki.mem<sbuf>>

// A v1-like nest: loads per (state, tile), accumulation into tile `t` of a
// buffer, disjoint across tiles. Interchange swaps bounds, induction
// variables, names and kinds; the body is unchanged.

// CHECK-LABEL: func.func @interchange
// CHECK-SAME: (%[[IN:.*]]: memref<4x256x64xf32>)
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[ACC:.*]] = nki.alloc "acc"
// CHECK: scf.for %[[T:.*]] = %{{.*}} to %[[C2]] step
// CHECK-NEXT: scf.for %[[N:.*]] = %{{.*}} to %[[C4]] step
// CHECK-NEXT: %[[CH:.*]] = arith.muli %[[T]], %{{.*}} : index
// CHECK: memref.subview %[[IN]][%[[N]], %[[CH]], 0] [1, 128, 64]
// CHECK: memref.subview %[[ACC]][0, %[[T]], 0] [128, 1, 64]
// CHECK: } {nki.kind = "sequential", nki.loop = "state"}
// CHECK-NEXT: } {nki.kind = "affine", nki.loop = "channel_tile"}
// REASSOC-LABEL: func.func @interchange
// REASSOC: nki.loop = "state"
// REASSOC-NEXT: nki.loop = "channel_tile"
func.func @interchange(%in: !in) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c128 = arith.constant 128 : index
  %acc = nki.alloc "acc" : memref<128x2x64xf32, #nki.mem<sbuf>>
  scf.for %n = %c0 to %c4 step %c1 {
    scf.for %t = %c0 to %c2 step %c1 {
      %ch = arith.muli %t, %c128 : index
      %x = nki.alloc "x" : !tile
      %v = memref.subview %in[%n, %ch, 0] [1, 128, 64] [1, 1, 1] : !in to memref<128x64xf32, strided<[64, 1], offset: ?>>
      nki.load %v : memref<128x64xf32, strided<[64, 1], offset: ?>> into %x : !tile
      %a = memref.subview %acc[0, %t, 0] [128, 1, 64] [1, 1, 1] : memref<128x2x64xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[128, 1], offset: ?>, #nki.mem<sbuf>>
      nki.tensor_tensor add(%a : memref<128x64xf32, strided<[128, 1], offset: ?>, #nki.mem<sbuf>>, %x : !tile) into %a : memref<128x64xf32, strided<[128, 1], offset: ?>, #nki.mem<sbuf>>
    } {nki.loop = "channel_tile", nki.kind = "affine"}
  } {nki.loop = "state", nki.kind = "sequential"}
  return
}

// -----

// buf[n][t] = buf[n-1][t+1]: a dependence with direction (<, >). Swapping
// the loops would read buf[n-1][t+1] before it is written.

// CHECK-LABEL: func.func @reversed_dependence
// CHECK: nki.loop = "channel_tile"
// CHECK-NEXT: nki.loop = "state"
func.func @reversed_dependence() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c7 = arith.constant 7 : index
  %buf = nki.alloc "buf" : memref<128x8x8xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{cannot interchange 'state' and 'channel_tile': 'nki.tensor_copy' reads 'buf' and 'nki.tensor_copy' writes it in different iterations of both loops, so the interchange could reverse that dependence}}
  scf.for %n = %c1 to %c7 step %c1 {
    scf.for %t = %c0 to %c7 step %c1 {
      %np = arith.subi %n, %c1 : index
      %tn = arith.addi %t, %c1 : index
      %src = memref.subview %buf[0, %np, %tn] [128, 1, 1] [1, 1, 1] : memref<128x8x8xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[64, 1], offset: ?>, #nki.mem<sbuf>>
      %dst = memref.subview %buf[0, %n, %t] [128, 1, 1] [1, 1, 1] : memref<128x8x8xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[64, 1], offset: ?>, #nki.mem<sbuf>>
      nki.tensor_copy %src : memref<128x1xf32, strided<[64, 1], offset: ?>, #nki.mem<sbuf>> into %dst : memref<128x1xf32, strided<[64, 1], offset: ?>, #nki.mem<sbuf>>
    } {nki.loop = "channel_tile"}
  } {nki.loop = "state"}
  return
}

// -----

!in = memref<4x256x64xf32>
!tile = memref<128x64xf32, #nki.mem<sbuf>>
// acc += x for every (n, t) into the same tile: a floating-point reduction
// carried by both loops. Reordering it changes the summation order, so it is
// refused unless allow-reassociation=true.

// CHECK-LABEL: func.func @reduction
// CHECK: nki.loop = "channel_tile"
// CHECK-NEXT: nki.loop = "state"
// REASSOC-LABEL: func.func @reduction
// REASSOC: nki.loop = "state"
// REASSOC-NEXT: nki.loop = "channel_tile"
func.func @reduction(%x: !tile) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %acc = nki.alloc "acc" : !tile
  // expected-remark @+1 {{cannot interchange 'state' and 'channel_tile': 'nki.tensor_tensor' reads 'acc' and 'nki.tensor_tensor' writes it in different iterations of both loops, so the interchange could reverse that dependence (it is a floating-point accumulation: reordering it changes the result bits; pass allow-reassociation=true to allow it)}}
  scf.for %n = %c0 to %c4 step %c1 {
    scf.for %t = %c0 to %c4 step %c1 {
      nki.tensor_tensor add(%acc : !tile, %x : !tile) into %acc : !tile
    } {nki.loop = "channel_tile"}
  } {nki.loop = "state"}
  return
}

// -----

!in = memref<4x256x64xf32>
!tile = memref<128x64xf32, #nki.mem<sbuf>>
// CHECK-LABEL: func.func @imperfect
// CHECK: nki.loop = "channel_tile"
// CHECK-NEXT: nki.memset
func.func @imperfect(%x: !tile) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  // expected-remark @+1 {{cannot interchange: 'state' is not perfectly nested (its body also holds 'nki.memset')}}
  scf.for %n = %c0 to %c4 step %c1 {
    scf.for %t = %c0 to %c4 step %c1 {
    } {nki.loop = "channel_tile"}
    nki.memset 0.0 into %x : !tile
  } {nki.loop = "state"}
  return
}

// -----

// CHECK-LABEL: func.func @triangular
func.func @triangular() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  // expected-remark @+1 {{cannot interchange: the bounds of 'channel_tile' depend on 'state'}}
  scf.for %n = %c0 to %c4 step %c1 {
    scf.for %t = %c0 to %n step %c1 {
    } {nki.loop = "channel_tile"}
  } {nki.loop = "state"}
  return
}
