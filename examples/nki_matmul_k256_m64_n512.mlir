// A matmul written in the nki dialect: out = w^T @ x, with w [K=256, M=64]
// and x [K=256, N=512] in HBM. TensorE contracts over at most 128
// partitions, so the loop takes K in two tiles of 128 and accumulates them
// into one PSUM bank (`accumulate`, zeroed first); the result is copied to
// SBUF and stored. Run it (docs/dialects/nki.md, "Writing a kernel"):
//   mamba-translate --nki-to-nisa examples/nki_matmul_k256_m64_n512.mlir -o k.nisa
//   nki-run k.nisa --random-inputs=0 --output out=out.npy
// test/examples-nki.test checks the output against an fp32 reference.
func.func @matmul(%w: memref<256x64xf32> {nki.name = "w"},
                  %x: memref<256x512xf32> {nki.name = "x"},
                  %out: memref<64x512xf32> {nki.name = "out"}) {
  %c0 = arith.constant 0 : index
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  %acc = nki.alloc "acc" : memref<64x512xf32, #nki.mem<psum>>
  nki.memset 0.0 into %acc : memref<64x512xf32, #nki.mem<psum>>
  scf.for %k = %c0 to %c256 step %c128 {
    %wt = nki.alloc "w_tile" : memref<128x64xf32, #nki.mem<sbuf>>
    %wv = memref.subview %w[%k, 0] [128, 64] [1, 1]
        : memref<256x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    nki.load %wv : memref<128x64xf32, strided<[64, 1], offset: ?>>
        into %wt : memref<128x64xf32, #nki.mem<sbuf>>
    %xt = nki.alloc "x_tile" : memref<128x512xf32, #nki.mem<sbuf>>
    %xv = memref.subview %x[%k, 0] [128, 512] [1, 1]
        : memref<256x512xf32> to memref<128x512xf32, strided<[512, 1], offset: ?>>
    nki.load %xv : memref<128x512xf32, strided<[512, 1], offset: ?>>
        into %xt : memref<128x512xf32, #nki.mem<sbuf>>
    nki.matmul(%wt : memref<128x64xf32, #nki.mem<sbuf>>,
               %xt : memref<128x512xf32, #nki.mem<sbuf>>)
        into %acc : memref<64x512xf32, #nki.mem<psum>> accumulate
  } {nki.loop = "k_tile"}
  %res = nki.alloc "res" : memref<64x512xf32, #nki.mem<sbuf>>
  nki.tensor_copy %acc : memref<64x512xf32, #nki.mem<psum>>
      into %res : memref<64x512xf32, #nki.mem<sbuf>>
  nki.store %res : memref<64x512xf32, #nki.mem<sbuf>>
      into %out : memref<64x512xf32>
  return
}
