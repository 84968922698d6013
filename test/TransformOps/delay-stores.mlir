// transform.nki.delay_stores: nki::delayStores on the loops of a handle.
// RUN: mamba-opt %s --transform-interpreter -split-input-file -verify-diagnostics | FileCheck %s

// Each iteration's result is stored in the next one, from a double buffer;
// the returned handle is the loop, now from 1.
// CHECK-LABEL: func.func @delayed
// CHECK: %[[ACC:.*]] = nki.alloc "acc" : memref<128x2x64xf32, #nki.mem<sbuf>>
// CHECK: %[[H0:.*]] = memref.subview %[[ACC]][0, %{{.*}}, 0] [128, 1, 64] [1, 1, 1]
// CHECK: nki.activation exp({{.*}}) into %[[H0]]
// CHECK-NOT: nki.store
// CHECK: scf.for %[[I:.*]] = %c1 to %c4 step %c1 {
// CHECK: %[[SLOT:.*]] = arith.remui %[[I]], %c2
// CHECK: %[[H:.*]] = memref.subview %[[ACC]][0, %[[SLOT]], 0] [128, 1, 64] [1, 1, 1]
// CHECK: nki.activation exp({{.*}}) into %[[H]]
// CHECK: %[[P:.*]] = arith.subi %[[I]], %c1
// CHECK: %[[PSLOT:.*]] = arith.remui %[[P]], %c2
// CHECK: %[[PH:.*]] = memref.subview %[[ACC]][0, %[[PSLOT]], 0]
// CHECK: nki.store %[[PH]]
// CHECK: } {nki.loop = "tiles"}
// CHECK: %[[LAST:.*]] = memref.subview %[[ACC]][0, %c1, 0]
// CHECK-NEXT: nki.store %[[LAST]]
func.func @delayed(%x: memref<128x256xf32> {nki.name = "x"}, %y: memref<128x256xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  // expected-remark @+1 {{delayed}}
  scf.for %i = %c0 to %c4 step %c1 {
    %off = arith.muli %i, %c64 : index
    %xv = memref.subview %x[0, %off] [128, 64] [1, 1] : memref<128x256xf32> to memref<128x64xf32, strided<[256, 1], offset: ?>>
    %xs = nki.alloc "xs" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %xv : memref<128x64xf32, strided<[256, 1], offset: ?>> into %xs : memref<128x64xf32, #nki.mem<sbuf>>
    %acc = nki.alloc "acc" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.activation exp(%xs : memref<128x64xf32, #nki.mem<sbuf>>) into %acc : memref<128x64xf32, #nki.mem<sbuf>>
    %yv = memref.subview %y[0, %off] [128, 64] [1, 1] : memref<128x256xf32> to memref<128x64xf32, strided<[256, 1], offset: ?>>
    nki.store %acc : memref<128x64xf32, #nki.mem<sbuf>> into %yv : memref<128x64xf32, strided<[256, 1], offset: ?>>
  } {nki.loop = "tiles"}
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %tiles = transform.nki.match_loop "tiles" in %root
    %delayed = transform.nki.delay_stores %tiles
    transform.debug.emit_remark_at %delayed, "delayed" : !transform.any_op
    transform.yield
  }
}

// -----

// A store whose buffer is used after it declines with the pass's reason.
func.func @declines(%x: memref<128x256xf32> {nki.name = "x"}, %y: memref<128x256xf32> {nki.name = "y"}, %z: memref<128x64xf32> {nki.name = "z"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %off = arith.muli %i, %c64 : index
    %xv = memref.subview %x[0, %off] [128, 64] [1, 1] : memref<128x256xf32> to memref<128x64xf32, strided<[256, 1], offset: ?>>
    %a = nki.alloc "a" : memref<128x64xf32, #nki.mem<sbuf>>
    // expected-error @+1 {{cannot delay 'nki.store' by one iteration of 'tiles': its buffer 'a' is used after it}}
    nki.store %a : memref<128x64xf32, #nki.mem<sbuf>> into %xv : memref<128x64xf32, strided<[256, 1], offset: ?>>
    nki.memset 0.0 into %a : memref<128x64xf32, #nki.mem<sbuf>>
  } {nki.loop = "tiles"}
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %tiles = transform.nki.match_loop "tiles" in %root
    // expected-note @below {{declined by 'transform.nki.delay_stores'}}
    %delayed = transform.nki.delay_stores %tiles
    transform.yield
  }
}
