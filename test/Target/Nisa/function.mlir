// --nisa-function picks the kernel when a module holds several functions.
// RUN: mamba-translate --nki-to-nisa --nisa-function=second %s | FileCheck %s
// RUN: not mamba-translate --nki-to-nisa --nisa-function=third %s 2>&1 | FileCheck %s --check-prefix=MISSING
// CHECK: tensor y inout f32 128x4
// CHECK: instructions 2
// CHECK: 0 qSyncIO0 dma dst=sbuf[0+128]@0x0{4}.f32 src=hbm.y[128*4]@0{4}.f32 sig=1
// CHECK: 1 qSyncIO1 dma dst=hbm.y[128*4]@0{4}.f32 src=sbuf[0+128]@0x0{4}.f32 wait=qSyncIO0:1 sig=1
// MISSING: error: expected exactly one kernel function named 'third', found 0
module {
  func.func @first(%x: memref<128x4xf32> {nki.name = "x"}) {
    return
  }
  func.func @second(%y: memref<128x4xf32> {nki.name = "y"}) {
    %t = nki.alloc "t" : memref<128x4xf32, #nki.mem<sbuf>>
    nki.load %y : memref<128x4xf32> into %t : memref<128x4xf32, #nki.mem<sbuf>>
    nki.store %t : memref<128x4xf32, #nki.mem<sbuf>> into %y : memref<128x4xf32>
    return
  }
}
