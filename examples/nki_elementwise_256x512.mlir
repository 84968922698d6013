// An elementwise kernel written in the nki dialect:
//   out = max(x * 2 + 1, 0) * y
// on [256, 512] tensors, one 128-partition tile at a time: the affine step
// and the ReLU on VectorE (tensor_scalar, two pipelined ALU operations and
// one), the product with y on GpSimdE (tensor_tensor), loads and stores on
// the DMA queues. Run it (docs/dialects/nki.md, "Writing a kernel"):
//   mamba-translate --nki-to-nisa examples/nki_elementwise_256x512.mlir -o k.nisa
//   nki-run k.nisa --random-inputs=0 --output out=out.npy
// test/examples-nki.test checks the output against an fp32 reference.
func.func @elementwise(%x: memref<256x512xf32> {nki.name = "x"},
                       %y: memref<256x512xf32> {nki.name = "y"},
                       %out: memref<256x512xf32> {nki.name = "out"}) {
  %c0 = arith.constant 0 : index
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  scf.for %p = %c0 to %c256 step %c128 {
    %xv = memref.subview %x[%p, 0] [128, 512] [1, 1]
        : memref<256x512xf32> to memref<128x512xf32, strided<[512, 1], offset: ?>>
    %yv = memref.subview %y[%p, 0] [128, 512] [1, 1]
        : memref<256x512xf32> to memref<128x512xf32, strided<[512, 1], offset: ?>>
    %ov = memref.subview %out[%p, 0] [128, 512] [1, 1]
        : memref<256x512xf32> to memref<128x512xf32, strided<[512, 1], offset: ?>>
    %xt = nki.alloc "x_tile" : memref<128x512xf32, #nki.mem<sbuf>>
    nki.load %xv : memref<128x512xf32, strided<[512, 1], offset: ?>>
        into %xt : memref<128x512xf32, #nki.mem<sbuf>>
    %yt = nki.alloc "y_tile" : memref<128x512xf32, #nki.mem<sbuf>>
    nki.load %yv : memref<128x512xf32, strided<[512, 1], offset: ?>>
        into %yt : memref<128x512xf32, #nki.mem<sbuf>>
    %affine = nki.alloc "affine" : memref<128x512xf32, #nki.mem<sbuf>>
    nki.tensor_scalar(%xt : memref<128x512xf32, #nki.mem<sbuf>>)
        multiply(2.0), add(1.0)
        into %affine : memref<128x512xf32, #nki.mem<sbuf>>
    %relu = nki.alloc "relu" : memref<128x512xf32, #nki.mem<sbuf>>
    nki.tensor_scalar(%affine : memref<128x512xf32, #nki.mem<sbuf>>) max(0.0)
        into %relu : memref<128x512xf32, #nki.mem<sbuf>>
    %res = nki.alloc "res" : memref<128x512xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%relu : memref<128x512xf32, #nki.mem<sbuf>>,
                               %yt : memref<128x512xf32, #nki.mem<sbuf>>)
        into %res : memref<128x512xf32, #nki.mem<sbuf>> on gpsimd
    nki.store %res : memref<128x512xf32, #nki.mem<sbuf>>
        into %ov : memref<128x512xf32, strided<[512, 1], offset: ?>>
  } {nki.loop = "row_tile"}
  return
}
