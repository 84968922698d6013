// A kernel on which every transformation of the search declines: no loops
// to interchange, fuse or tile, nothing invariant to hoist, nothing
// VectorE would read faster from PSUM, no reduction, no store in a tile
// loop, and its one instruction's engine named. Every candidate but the
// kernel as given is dropped, with the transformation's reason, and the
// kernel comes out unchanged.
// RUN: mamba-opt %s --nki-auto-schedule="report=%t.report" 2>%t.remark | FileCheck %s --check-prefix=IR
// RUN: FileCheck %s --input-file=%t.report
// RUN: FileCheck %s --check-prefix=REMARK --input-file=%t.remark
// RUN: %equiv %s --after='--nki-auto-schedule' | FileCheck %s --check-prefix=EQ

// IR-LABEL: func.func @single
// IR: nki.load
// IR-NEXT: nki.alloc "y"
// IR-NEXT: nki.activation exp({{.*}} on scalar
// IR-NEXT: nki.store
// IR-NEXT: return

// CHECK: auto-schedule report: @single, target trn1
// CHECK-NEXT: candidates: {{[0-9]+}} built, 1 priced,
// CHECK: rank    id   latency us
// CHECK-NEXT: {{^}}   1     1 {{ *}}[[LAT:[0-9.]+]]  sim {{.*}} v1     (as given)
// CHECK-EMPTY:
// CHECK-NEXT: dropped (id, schedule: reason)
// CHECK-NEXT: {{^}}    2 v2: nki-reorder-loops: no loop is named 'state'
// CHECK-NEXT: {{^}}    3 v2 tile(default,512): nki-reorder-loops: no loop is named 'state'
// CHECK-NEXT: {{^}}    4 v2 hoist-inv tile(channel_tile,512) place expand peel delay assign: nki-reorder-loops: no loop is named 'state'
// CHECK: hoist-loads fuse: hoist-loads fuse declines: it changes nothing
// CHECK: hoist-inv: hoist-inv declines: it changes nothing
// CHECK: place: place declines: it changes nothing
// CHECK: expand: expand declines: it changes nothing
// CHECK: peel: peel declines: it changes nothing
// CHECK: delay: delay declines: it changes nothing
// CHECK: assign: assign declines: it changes nothing
// CHECK: chosen: #1 (as given), predicted [[LAT]] us
// CHECK-NEXT: rerun it: mamba-opt KERNEL.mlir --pass-pipeline='builtin.module(cse,nki-check-capacity)'

// REMARK: remark: nki-auto-schedule: @single: chose #1 '(as given)' (= v1)

// EQ: y: bit-identical (65536 elements)
func.func @single(%x: memref<128x512xf32> {nki.name = "x"}, %y: memref<128x512xf32> {nki.name = "y"}) {
  %xs = nki.alloc "xs" : memref<128x512xf32, #nki.mem<sbuf>>
  nki.load %x : memref<128x512xf32> into %xs : memref<128x512xf32, #nki.mem<sbuf>>
  %ys = nki.alloc "y" : memref<128x512xf32, #nki.mem<sbuf>>
  nki.activation exp(%xs : memref<128x512xf32, #nki.mem<sbuf>>) into %ys : memref<128x512xf32, #nki.mem<sbuf>> on scalar
  nki.store %ys : memref<128x512xf32, #nki.mem<sbuf>> into %y : memref<128x512xf32>
  return
}
