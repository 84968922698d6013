// transform.nki.assign_engines: nki::assignEngines on the handle's payload.
// RUN: mamba-opt %s --transform-interpreter -split-input-file -verify-diagnostics | FileCheck %s

// The first multiply (both inputs in SBUF) moves to GpSimdE: the handle
// holds it. The explicit `on vector` stays.
// CHECK-LABEL: func.func @off_vector
// CHECK: into %[[A:.*]] : memref<128x512xf32, #nki.mem<sbuf>> on gpsimd
// CHECK-NOT: on gpsimd
// CHECK: into %{{.*}} : memref<128x512xf32, #nki.mem<sbuf>> on vector
// CHECK-NOT: on gpsimd
func.func @off_vector(%x: memref<128x512xf32> {nki.name = "x"}, %row: memref<1x512xf32> {nki.name = "row"}, %y: memref<128x512xf32> {nki.name = "y"}) {
  %xs = nki.alloc "xs" : memref<128x512xf32, #nki.mem<sbuf>>
  nki.load %x : memref<128x512xf32> into %xs : memref<128x512xf32, #nki.mem<sbuf>>
  %a = nki.alloc "a" : memref<128x512xf32, #nki.mem<sbuf>>
  // expected-remark @+1 {{moved}}
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

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %moved = transform.nki.assign_engines %root
    transform.debug.emit_remark_at %moved, "moved" : !transform.any_op
    transform.yield
  }
}
