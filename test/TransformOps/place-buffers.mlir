// transform.nki.place_buffers: nki::placeBuffers on the handle's payload.
// RUN: mamba-opt %s --transform-interpreter -split-input-file -verify-diagnostics | FileCheck %s

// The broadcast row and the product move to PSUM (those are the handles);
// du (read by the product with bb in PSUM) and acc stay.
// CHECK-LABEL: func.func @broadcasts_first
// CHECK: nki.alloc "du" : memref<128x512xf32, #nki.mem<sbuf>>
// CHECK: nki.alloc "bb" : memref<128x512xf32, #nki.mem<psum>>
// CHECK: nki.alloc "prod" : memref<128x512xf32, #nki.mem<psum>>
// CHECK: nki.alloc "acc" : memref<128x512xf32, #nki.mem<sbuf>>
func.func @broadcasts_first(%x: memref<128x512xf32> {nki.name = "x"}, %row: memref<1x512xf32> {nki.name = "row"}, %y: memref<128x512xf32> {nki.name = "y"}) {
  %xs = nki.alloc "xs" : memref<128x512xf32, #nki.mem<sbuf>>
  nki.load %x : memref<128x512xf32> into %xs : memref<128x512xf32, #nki.mem<sbuf>>
  %du = nki.alloc "du" : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor multiply(%xs : memref<128x512xf32, #nki.mem<sbuf>>, %xs : memref<128x512xf32, #nki.mem<sbuf>>) into %du : memref<128x512xf32, #nki.mem<sbuf>>
  %r = nki.alloc "r" : memref<1x512xf32, #nki.mem<sbuf>>
  nki.load %row : memref<1x512xf32> into %r : memref<1x512xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{to PSUM}}
  %bb = nki.alloc "bb" : memref<128x512xf32, #nki.mem<sbuf>>
  nki.partition_broadcast %r : memref<1x512xf32, #nki.mem<sbuf>> into %bb : memref<128x512xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{to PSUM}}
  %prod = nki.alloc "prod" : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor multiply(%du : memref<128x512xf32, #nki.mem<sbuf>>, %bb : memref<128x512xf32, #nki.mem<sbuf>>) into %prod : memref<128x512xf32, #nki.mem<sbuf>>
  %acc = nki.alloc "acc" : memref<128x512xf32, #nki.mem<sbuf>>
  nki.memset 1.0 into %acc : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor add(%acc : memref<128x512xf32, #nki.mem<sbuf>>, %prod : memref<128x512xf32, #nki.mem<sbuf>>) into %acc : memref<128x512xf32, #nki.mem<sbuf>>
  nki.store %acc : memref<128x512xf32, #nki.mem<sbuf>> into %y : memref<128x512xf32>
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %moved = transform.nki.place_buffers %root
    transform.debug.emit_remark_at %moved, "to PSUM" : !transform.any_op
    transform.yield
  }
}

// -----

// Nine broadcast rows, eight banks: the ninth stays in SBUF with the pass's
// remark (the others moved, so the op succeeds).
// CHECK-LABEL: func.func @budget
// CHECK: nki.alloc "b7" : memref<8x512xf32, #nki.mem<sbuf>>
// CHECK: nki.alloc "b8" : memref<8x512xf32, #nki.mem<psum>>
func.func @budget(%rows: memref<9x512xf32> {nki.name = "rows"}, %x: memref<8x512xf32> {nki.name = "x"}, %y: memref<8x512xf32> {nki.name = "y"}) {
  %xs = nki.alloc "xs" : memref<8x512xf32, #nki.mem<sbuf>>
  nki.load %x : memref<8x512xf32> into %xs : memref<8x512xf32, #nki.mem<sbuf>>
  %acc = nki.alloc "acc" : memref<8x512xf32, #nki.mem<sbuf>>
  nki.memset 0.0 into %acc : memref<8x512xf32, #nki.mem<sbuf>>
  %r = nki.alloc "r" : memref<9x512xf32, #nki.mem<sbuf>>
  nki.load %rows : memref<9x512xf32> into %r : memref<9x512xf32, #nki.mem<sbuf>>
  %r0 = memref.subview %r[0, 0] [1, 512] [1, 1] : memref<9x512xf32, #nki.mem<sbuf>> to memref<1x512xf32, strided<[512, 1]>, #nki.mem<sbuf>>
  %b0 = nki.alloc "b0" : memref<8x512xf32, #nki.mem<sbuf>>
  nki.partition_broadcast %r0 : memref<1x512xf32, strided<[512, 1]>, #nki.mem<sbuf>> into %b0 : memref<8x512xf32, #nki.mem<sbuf>>
  %r1 = memref.subview %r[1, 0] [1, 512] [1, 1] : memref<9x512xf32, #nki.mem<sbuf>> to memref<1x512xf32, strided<[512, 1], offset: 512>, #nki.mem<sbuf>>
  %b1 = nki.alloc "b1" : memref<8x512xf32, #nki.mem<sbuf>>
  nki.partition_broadcast %r1 : memref<1x512xf32, strided<[512, 1], offset: 512>, #nki.mem<sbuf>> into %b1 : memref<8x512xf32, #nki.mem<sbuf>>
  %r2 = memref.subview %r[2, 0] [1, 512] [1, 1] : memref<9x512xf32, #nki.mem<sbuf>> to memref<1x512xf32, strided<[512, 1], offset: 1024>, #nki.mem<sbuf>>
  %b2 = nki.alloc "b2" : memref<8x512xf32, #nki.mem<sbuf>>
  nki.partition_broadcast %r2 : memref<1x512xf32, strided<[512, 1], offset: 1024>, #nki.mem<sbuf>> into %b2 : memref<8x512xf32, #nki.mem<sbuf>>
  %r3 = memref.subview %r[3, 0] [1, 512] [1, 1] : memref<9x512xf32, #nki.mem<sbuf>> to memref<1x512xf32, strided<[512, 1], offset: 1536>, #nki.mem<sbuf>>
  %b3 = nki.alloc "b3" : memref<8x512xf32, #nki.mem<sbuf>>
  nki.partition_broadcast %r3 : memref<1x512xf32, strided<[512, 1], offset: 1536>, #nki.mem<sbuf>> into %b3 : memref<8x512xf32, #nki.mem<sbuf>>
  %r4 = memref.subview %r[4, 0] [1, 512] [1, 1] : memref<9x512xf32, #nki.mem<sbuf>> to memref<1x512xf32, strided<[512, 1], offset: 2048>, #nki.mem<sbuf>>
  %b4 = nki.alloc "b4" : memref<8x512xf32, #nki.mem<sbuf>>
  nki.partition_broadcast %r4 : memref<1x512xf32, strided<[512, 1], offset: 2048>, #nki.mem<sbuf>> into %b4 : memref<8x512xf32, #nki.mem<sbuf>>
  %r5 = memref.subview %r[5, 0] [1, 512] [1, 1] : memref<9x512xf32, #nki.mem<sbuf>> to memref<1x512xf32, strided<[512, 1], offset: 2560>, #nki.mem<sbuf>>
  %b5 = nki.alloc "b5" : memref<8x512xf32, #nki.mem<sbuf>>
  nki.partition_broadcast %r5 : memref<1x512xf32, strided<[512, 1], offset: 2560>, #nki.mem<sbuf>> into %b5 : memref<8x512xf32, #nki.mem<sbuf>>
  %r6 = memref.subview %r[6, 0] [1, 512] [1, 1] : memref<9x512xf32, #nki.mem<sbuf>> to memref<1x512xf32, strided<[512, 1], offset: 3072>, #nki.mem<sbuf>>
  %b6 = nki.alloc "b6" : memref<8x512xf32, #nki.mem<sbuf>>
  nki.partition_broadcast %r6 : memref<1x512xf32, strided<[512, 1], offset: 3072>, #nki.mem<sbuf>> into %b6 : memref<8x512xf32, #nki.mem<sbuf>>
  %r7 = memref.subview %r[7, 0] [1, 512] [1, 1] : memref<9x512xf32, #nki.mem<sbuf>> to memref<1x512xf32, strided<[512, 1], offset: 3584>, #nki.mem<sbuf>>
  // expected-remark @+1 {{keeps 'b7' in SBUF: moving it too would need 9 of the 8 PSUM banks at once (at 'nki.partition_broadcast')}}
  %b7 = nki.alloc "b7" : memref<8x512xf32, #nki.mem<sbuf>>
  nki.partition_broadcast %r7 : memref<1x512xf32, strided<[512, 1], offset: 3584>, #nki.mem<sbuf>> into %b7 : memref<8x512xf32, #nki.mem<sbuf>>
  %r8 = memref.subview %r[8, 0] [1, 512] [1, 1] : memref<9x512xf32, #nki.mem<sbuf>> to memref<1x512xf32, strided<[512, 1], offset: 4096>, #nki.mem<sbuf>>
  %b8 = nki.alloc "b8" : memref<8x512xf32, #nki.mem<sbuf>>
  nki.partition_broadcast %r8 : memref<1x512xf32, strided<[512, 1], offset: 4096>, #nki.mem<sbuf>> into %b8 : memref<8x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor multiply(%xs : memref<8x512xf32, #nki.mem<sbuf>>, %b0 : memref<8x512xf32, #nki.mem<sbuf>>) into %xs : memref<8x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor multiply(%xs : memref<8x512xf32, #nki.mem<sbuf>>, %b1 : memref<8x512xf32, #nki.mem<sbuf>>) into %xs : memref<8x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor multiply(%xs : memref<8x512xf32, #nki.mem<sbuf>>, %b2 : memref<8x512xf32, #nki.mem<sbuf>>) into %xs : memref<8x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor multiply(%xs : memref<8x512xf32, #nki.mem<sbuf>>, %b3 : memref<8x512xf32, #nki.mem<sbuf>>) into %xs : memref<8x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor multiply(%xs : memref<8x512xf32, #nki.mem<sbuf>>, %b4 : memref<8x512xf32, #nki.mem<sbuf>>) into %xs : memref<8x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor multiply(%xs : memref<8x512xf32, #nki.mem<sbuf>>, %b5 : memref<8x512xf32, #nki.mem<sbuf>>) into %xs : memref<8x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor multiply(%xs : memref<8x512xf32, #nki.mem<sbuf>>, %b6 : memref<8x512xf32, #nki.mem<sbuf>>) into %xs : memref<8x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor multiply(%xs : memref<8x512xf32, #nki.mem<sbuf>>, %b7 : memref<8x512xf32, #nki.mem<sbuf>>) into %xs : memref<8x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor multiply(%xs : memref<8x512xf32, #nki.mem<sbuf>>, %b8 : memref<8x512xf32, #nki.mem<sbuf>>) into %xs : memref<8x512xf32, #nki.mem<sbuf>>
  nki.store %xs : memref<8x512xf32, #nki.mem<sbuf>> into %y : memref<8x512xf32>
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %moved = transform.nki.place_buffers %root
    transform.yield
  }
}
