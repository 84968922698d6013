// Moving tiled buffers to PSUM must not overflow PSUM's 8 banks: nine
// broadcast rows of [8, 1024] are live at once; tiled by 512, each would fit
// one bank, so the pass promotes them in order while the banks live at once
// (with the bank a broadcast into SBUF stages through) stay within 8, keeps
// the others in SBUF and says so. The input compiles, so must the output.
// RUN: mamba-opt %s --nki-tile-free-dim="loop=body tile-size=512" -verify-diagnostics | FileCheck %s
// RUN: mamba-opt %s --nki-tile-free-dim="loop=body tile-size=512" 2>/dev/null | mamba-translate --nki-to-nisa | FileCheck %s --check-prefix=NISA
// RUN: %equiv %s --after='--nki-tile-free-dim="loop=body tile-size=512"' | FileCheck %s --check-prefix=EQ

// CHECK-COUNT-7: nki.alloc "bcast{{[0-6]}}" : memref<8x512xf32, #nki.mem<psum>>
// CHECK: nki.alloc "bcast7" : memref<8x512xf32, #nki.mem<sbuf>>
// CHECK: nki.alloc "bcast8" : memref<8x512xf32, #nki.mem<psum>>
// CHECK: } {nki.kind = "affine", nki.loop = "seq_tile"}
// NISA: psum_peak 16384
// EQ: y: bit-identical
func.func @nine_broadcasts(%rows: memref<9x1024xf32> {nki.name = "rows"}, %x: memref<8x1024xf32> {nki.name = "x"}, %y: memref<8x1024xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    %xs = nki.alloc "x_i" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.load %x : memref<8x1024xf32> into %xs : memref<8x1024xf32, #nki.mem<sbuf>>
    %acc = nki.alloc "acc" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.memset 0.0 into %acc : memref<8x1024xf32, #nki.mem<sbuf>>
    %rv0 = memref.subview %rows[0, 0] [1, 1024] [1, 1] : memref<9x1024xf32> to memref<1x1024xf32, strided<[1024, 1], offset: 0>>
    %r0 = nki.alloc "row0" : memref<1x1024xf32, #nki.mem<sbuf>>
    nki.load %rv0 : memref<1x1024xf32, strided<[1024, 1], offset: 0>> into %r0 : memref<1x1024xf32, #nki.mem<sbuf>>
    %b0 = nki.alloc "bcast0" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.partition_broadcast %r0 : memref<1x1024xf32, #nki.mem<sbuf>> into %b0 : memref<8x1024xf32, #nki.mem<sbuf>>
    %rv1 = memref.subview %rows[1, 0] [1, 1024] [1, 1] : memref<9x1024xf32> to memref<1x1024xf32, strided<[1024, 1], offset: 1024>>
    %r1 = nki.alloc "row1" : memref<1x1024xf32, #nki.mem<sbuf>>
    nki.load %rv1 : memref<1x1024xf32, strided<[1024, 1], offset: 1024>> into %r1 : memref<1x1024xf32, #nki.mem<sbuf>>
    %b1 = nki.alloc "bcast1" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.partition_broadcast %r1 : memref<1x1024xf32, #nki.mem<sbuf>> into %b1 : memref<8x1024xf32, #nki.mem<sbuf>>
    %rv2 = memref.subview %rows[2, 0] [1, 1024] [1, 1] : memref<9x1024xf32> to memref<1x1024xf32, strided<[1024, 1], offset: 2048>>
    %r2 = nki.alloc "row2" : memref<1x1024xf32, #nki.mem<sbuf>>
    nki.load %rv2 : memref<1x1024xf32, strided<[1024, 1], offset: 2048>> into %r2 : memref<1x1024xf32, #nki.mem<sbuf>>
    %b2 = nki.alloc "bcast2" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.partition_broadcast %r2 : memref<1x1024xf32, #nki.mem<sbuf>> into %b2 : memref<8x1024xf32, #nki.mem<sbuf>>
    %rv3 = memref.subview %rows[3, 0] [1, 1024] [1, 1] : memref<9x1024xf32> to memref<1x1024xf32, strided<[1024, 1], offset: 3072>>
    %r3 = nki.alloc "row3" : memref<1x1024xf32, #nki.mem<sbuf>>
    nki.load %rv3 : memref<1x1024xf32, strided<[1024, 1], offset: 3072>> into %r3 : memref<1x1024xf32, #nki.mem<sbuf>>
    %b3 = nki.alloc "bcast3" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.partition_broadcast %r3 : memref<1x1024xf32, #nki.mem<sbuf>> into %b3 : memref<8x1024xf32, #nki.mem<sbuf>>
    %rv4 = memref.subview %rows[4, 0] [1, 1024] [1, 1] : memref<9x1024xf32> to memref<1x1024xf32, strided<[1024, 1], offset: 4096>>
    %r4 = nki.alloc "row4" : memref<1x1024xf32, #nki.mem<sbuf>>
    nki.load %rv4 : memref<1x1024xf32, strided<[1024, 1], offset: 4096>> into %r4 : memref<1x1024xf32, #nki.mem<sbuf>>
    %b4 = nki.alloc "bcast4" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.partition_broadcast %r4 : memref<1x1024xf32, #nki.mem<sbuf>> into %b4 : memref<8x1024xf32, #nki.mem<sbuf>>
    %rv5 = memref.subview %rows[5, 0] [1, 1024] [1, 1] : memref<9x1024xf32> to memref<1x1024xf32, strided<[1024, 1], offset: 5120>>
    %r5 = nki.alloc "row5" : memref<1x1024xf32, #nki.mem<sbuf>>
    nki.load %rv5 : memref<1x1024xf32, strided<[1024, 1], offset: 5120>> into %r5 : memref<1x1024xf32, #nki.mem<sbuf>>
    %b5 = nki.alloc "bcast5" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.partition_broadcast %r5 : memref<1x1024xf32, #nki.mem<sbuf>> into %b5 : memref<8x1024xf32, #nki.mem<sbuf>>
    %rv6 = memref.subview %rows[6, 0] [1, 1024] [1, 1] : memref<9x1024xf32> to memref<1x1024xf32, strided<[1024, 1], offset: 6144>>
    %r6 = nki.alloc "row6" : memref<1x1024xf32, #nki.mem<sbuf>>
    nki.load %rv6 : memref<1x1024xf32, strided<[1024, 1], offset: 6144>> into %r6 : memref<1x1024xf32, #nki.mem<sbuf>>
    %b6 = nki.alloc "bcast6" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.partition_broadcast %r6 : memref<1x1024xf32, #nki.mem<sbuf>> into %b6 : memref<8x1024xf32, #nki.mem<sbuf>>
    %rv7 = memref.subview %rows[7, 0] [1, 1024] [1, 1] : memref<9x1024xf32> to memref<1x1024xf32, strided<[1024, 1], offset: 7168>>
    %r7 = nki.alloc "row7" : memref<1x1024xf32, #nki.mem<sbuf>>
    nki.load %rv7 : memref<1x1024xf32, strided<[1024, 1], offset: 7168>> into %r7 : memref<1x1024xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{tiling keeps 'bcast7' in SBUF: moving it too would need 9 of the 8 PSUM banks at once (at 'nki.partition_broadcast')}}
    %b7 = nki.alloc "bcast7" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.partition_broadcast %r7 : memref<1x1024xf32, #nki.mem<sbuf>> into %b7 : memref<8x1024xf32, #nki.mem<sbuf>>
    %rv8 = memref.subview %rows[8, 0] [1, 1024] [1, 1] : memref<9x1024xf32> to memref<1x1024xf32, strided<[1024, 1], offset: 8192>>
    %r8 = nki.alloc "row8" : memref<1x1024xf32, #nki.mem<sbuf>>
    nki.load %rv8 : memref<1x1024xf32, strided<[1024, 1], offset: 8192>> into %r8 : memref<1x1024xf32, #nki.mem<sbuf>>
    %b8 = nki.alloc "bcast8" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.partition_broadcast %r8 : memref<1x1024xf32, #nki.mem<sbuf>> into %b8 : memref<8x1024xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{tiling keeps 'prod0' in SBUF: moving it too would need 9 of the 8 PSUM banks at once (at 'nki.tensor_tensor')}}
    %p0 = nki.alloc "prod0" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%xs : memref<8x1024xf32, #nki.mem<sbuf>>, %b0 : memref<8x1024xf32, #nki.mem<sbuf>>) into %p0 : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<8x1024xf32, #nki.mem<sbuf>>, %p0 : memref<8x1024xf32, #nki.mem<sbuf>>) into %acc : memref<8x1024xf32, #nki.mem<sbuf>>
    %p1 = nki.alloc "prod1" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%xs : memref<8x1024xf32, #nki.mem<sbuf>>, %b1 : memref<8x1024xf32, #nki.mem<sbuf>>) into %p1 : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<8x1024xf32, #nki.mem<sbuf>>, %p1 : memref<8x1024xf32, #nki.mem<sbuf>>) into %acc : memref<8x1024xf32, #nki.mem<sbuf>>
    %p2 = nki.alloc "prod2" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%xs : memref<8x1024xf32, #nki.mem<sbuf>>, %b2 : memref<8x1024xf32, #nki.mem<sbuf>>) into %p2 : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<8x1024xf32, #nki.mem<sbuf>>, %p2 : memref<8x1024xf32, #nki.mem<sbuf>>) into %acc : memref<8x1024xf32, #nki.mem<sbuf>>
    %p3 = nki.alloc "prod3" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%xs : memref<8x1024xf32, #nki.mem<sbuf>>, %b3 : memref<8x1024xf32, #nki.mem<sbuf>>) into %p3 : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<8x1024xf32, #nki.mem<sbuf>>, %p3 : memref<8x1024xf32, #nki.mem<sbuf>>) into %acc : memref<8x1024xf32, #nki.mem<sbuf>>
    %p4 = nki.alloc "prod4" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%xs : memref<8x1024xf32, #nki.mem<sbuf>>, %b4 : memref<8x1024xf32, #nki.mem<sbuf>>) into %p4 : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<8x1024xf32, #nki.mem<sbuf>>, %p4 : memref<8x1024xf32, #nki.mem<sbuf>>) into %acc : memref<8x1024xf32, #nki.mem<sbuf>>
    %p5 = nki.alloc "prod5" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%xs : memref<8x1024xf32, #nki.mem<sbuf>>, %b5 : memref<8x1024xf32, #nki.mem<sbuf>>) into %p5 : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<8x1024xf32, #nki.mem<sbuf>>, %p5 : memref<8x1024xf32, #nki.mem<sbuf>>) into %acc : memref<8x1024xf32, #nki.mem<sbuf>>
    %p6 = nki.alloc "prod6" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%xs : memref<8x1024xf32, #nki.mem<sbuf>>, %b6 : memref<8x1024xf32, #nki.mem<sbuf>>) into %p6 : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<8x1024xf32, #nki.mem<sbuf>>, %p6 : memref<8x1024xf32, #nki.mem<sbuf>>) into %acc : memref<8x1024xf32, #nki.mem<sbuf>>
    %p7 = nki.alloc "prod7" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%xs : memref<8x1024xf32, #nki.mem<sbuf>>, %b7 : memref<8x1024xf32, #nki.mem<sbuf>>) into %p7 : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<8x1024xf32, #nki.mem<sbuf>>, %p7 : memref<8x1024xf32, #nki.mem<sbuf>>) into %acc : memref<8x1024xf32, #nki.mem<sbuf>>
    %p8 = nki.alloc "prod8" : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%xs : memref<8x1024xf32, #nki.mem<sbuf>>, %b8 : memref<8x1024xf32, #nki.mem<sbuf>>) into %p8 : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<8x1024xf32, #nki.mem<sbuf>>, %p8 : memref<8x1024xf32, #nki.mem<sbuf>>) into %acc : memref<8x1024xf32, #nki.mem<sbuf>>
    nki.store %acc : memref<8x1024xf32, #nki.mem<sbuf>> into %y : memref<8x1024xf32>
  } {nki.loop = "body"}
  return
}
