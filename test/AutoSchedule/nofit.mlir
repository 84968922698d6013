// A kernel that no schedule makes fit SBUF (two [128, 65536] f32 buffers
// at once, 512 KiB per partition, no loop to tile): every candidate is
// dropped, and the pass fails with a located error that says why the
// kernel as given was.
// RUN: not mamba-opt %s --nki-auto-schedule 2>&1 | FileCheck %s
// CHECK: nofit.mlir:[[@LINE+2]]:1: error: nki-auto-schedule: no schedule of 'big' can be compiled and priced (the kernel as given: does not fit: 'nki.load' needs 262144 bytes of SBUF per partition at once
// CHECK-NOT: remark
func.func @big(%x: memref<128x65536xf32> {nki.name = "x"}, %y: memref<128x65536xf32> {nki.name = "y"}) {
  %xs = nki.alloc "xs" : memref<128x65536xf32, #nki.mem<sbuf>>
  nki.load %x : memref<128x65536xf32> into %xs : memref<128x65536xf32, #nki.mem<sbuf>>
  %ys = nki.alloc "ys" : memref<128x65536xf32, #nki.mem<sbuf>>
  nki.activation exp(%xs : memref<128x65536xf32, #nki.mem<sbuf>>) into %ys : memref<128x65536xf32, #nki.mem<sbuf>> on scalar
  nki.store %ys : memref<128x65536xf32, #nki.mem<sbuf>> into %y : memref<128x65536xf32>
  return
}
