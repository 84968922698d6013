// Every nki op and attribute: printed, re-parsed, and re-parsed from the
// generic form, with the same result.
// RUN: mamba-opt %s | mamba-opt | FileCheck %s
// RUN: mamba-opt %s --mlir-print-op-generic | mamba-opt | FileCheck %s

!hbm   = memref<1x256x512xf32>
!tile  = memref<128x512xf32, #nki.mem<sbuf>>
!col   = memref<128x1xf32, #nki.mem<sbuf>>
!row   = memref<1x512xf32, #nki.mem<sbuf>>
!ptile = memref<128x512xf32, #nki.mem<psum>>

// CHECK-LABEL: func.func @alloc
func.func @alloc() {
  // CHECK: nki.alloc "delta_i" : memref<128x512xf32, #nki.mem<sbuf>>
  %0 = nki.alloc "delta_i" : !tile
  // CHECK: nki.alloc : memref<128x2x512xf32, #nki.mem<sbuf>>
  %1 = nki.alloc : memref<128x2x512xf32, #nki.mem<sbuf>>
  // 8 PSUM banks of 512 fp32: the whole of PSUM.
  // CHECK: nki.alloc "bcast" : memref<128x8x512xf32, #nki.mem<psum>>
  %2 = nki.alloc "bcast" : memref<128x8x512xf32, #nki.mem<psum>>
  // A bf16 buffer, fewer partitions, the full 192 KiB of a trn1 partition.
  // CHECK: nki.alloc : memref<64x98304xbf16, #nki.mem<sbuf>>
  %3 = nki.alloc : memref<64x98304xbf16, #nki.mem<sbuf>>
  // The v1 accumulator at (channels 4096, seq_len 8192): 1 MiB per partition
  // in 32 blocks of 32 KiB. Larger than SBUF; the backend spills blocks.
  // CHECK: nki.alloc "scanC_accum" : memref<128x32x8192xf32, #nki.mem<sbuf>>
  %4 = nki.alloc "scanC_accum" : memref<128x32x8192xf32, #nki.mem<sbuf>>
  return
}

// CHECK-LABEL: func.func @dma
func.func @dma(%delta: !hbm, %y: memref<1x256x512xf32, #nki.mem<hbm>>,
               %i: index) {
  %t = nki.alloc : !tile
  %v = memref.subview %delta[0, %i, 0] [1, 128, 512] [1, 1, 1]
      : !hbm to memref<128x512xf32, strided<[512, 1], offset: ?>>
  // CHECK: nki.load %{{.*}} : memref<128x512xf32, strided<[512, 1], offset: ?>> into %{{.*}} : memref<128x512xf32, #nki.mem<sbuf>>
  nki.load %v : memref<128x512xf32, strided<[512, 1], offset: ?>> into %t : !tile
  %w = memref.subview %y[0, %i, 0] [1, 128, 512] [1, 1, 1]
      : memref<1x256x512xf32, #nki.mem<hbm>>
        to memref<128x512xf32, strided<[512, 1], offset: ?>, #nki.mem<hbm>>
  // CHECK: nki.store %{{.*}} : memref<128x512xf32, #nki.mem<sbuf>> into %{{.*}} : memref<128x512xf32, strided<[512, 1], offset: ?>, #nki.mem<hbm>>
  nki.store %t : !tile into %w : memref<128x512xf32, strided<[512, 1], offset: ?>, #nki.mem<hbm>>
  return
}

// CHECK-LABEL: func.func @memset
func.func @memset(%t: !tile) {
  // CHECK: nki.memset 0.000000e+00 into %{{.*}} : memref<128x512xf32, #nki.mem<sbuf>>{{$}}
  nki.memset 0.0 into %t : !tile
  // CHECK: nki.memset -2.500000e+00 into %{{.*}} : memref<128x512xf32, #nki.mem<sbuf>> on gpsimd
  nki.memset -2.5 into %t : !tile on gpsimd
  return
}

// CHECK-LABEL: func.func @activation
// CHECK-SAME: (%[[X:.*]]: memref<128x512xf32, #nki.mem<sbuf>>, %[[A:.*]]: memref<128x1xf32, #nki.mem<sbuf>>, %[[Y:.*]]: memref<128x512xf32, #nki.mem<sbuf>>, %[[P:.*]]: memref<128x512xf32, #nki.mem<psum>>)
func.func @activation(%x: !tile, %a: !col, %y: !tile, %p: !ptile) {
  // CHECK: nki.activation exp(%[[X]] : memref<128x512xf32, #nki.mem<sbuf>>) scale(%[[A]] : memref<128x1xf32, #nki.mem<sbuf>>) into %[[Y]]
  nki.activation exp(%x : !tile) scale(%a : !col) into %y : !tile
  // CHECK: nki.activation identity(%[[X]] : memref<128x512xf32, #nki.mem<sbuf>>) into %[[Y]]
  nki.activation identity(%x : !tile) into %y : !tile
  // CHECK: nki.activation softplus(%[[X]] : memref<128x512xf32, #nki.mem<sbuf>>) scale(-1.000000e+00) bias(%[[A]] : memref<128x1xf32, #nki.mem<sbuf>>) into %[[Y]]
  nki.activation softplus(%x : !tile) scale(-1.0) bias(%a : !col) into %y : !tile
  // ScalarE may read PSUM; explicit engine.
  // CHECK: nki.activation silu(%[[P]] : memref<128x512xf32, #nki.mem<psum>>) into %[[Y]] : memref<128x512xf32, #nki.mem<sbuf>> on scalar
  nki.activation silu(%p : !ptile) into %y : !tile on scalar
  // CHECK: nki.activation log
  nki.activation log(%x : !tile) into %y : !tile
  // CHECK: nki.activation relu
  nki.activation relu(%x : !tile) into %y : !tile
  // CHECK: nki.activation sigmoid
  nki.activation sigmoid(%x : !tile) into %y : !tile
  // CHECK: nki.activation tanh
  nki.activation tanh(%x : !tile) into %y : !tile
  // CHECK: nki.activation square
  nki.activation square(%x : !tile) into %y : !tile
  // CHECK: nki.activation sqrt
  nki.activation sqrt(%x : !tile) into %y : !tile
  return
}

// CHECK-LABEL: func.func @tensor_scalar
// CHECK-SAME: (%[[X:.*]]: memref<128x512xf32, #nki.mem<sbuf>>, %[[S:.*]]: memref<128x1xf32, #nki.mem<sbuf>>, %[[Y:.*]]: memref<128x512xf32, #nki.mem<sbuf>>)
func.func @tensor_scalar(%x: !tile, %s: !col, %y: !tile) {
  // CHECK: nki.tensor_scalar(%[[X]] : memref<128x512xf32, #nki.mem<sbuf>>) multiply(2.000000e+00) into %[[Y]] : memref<128x512xf32, #nki.mem<sbuf>>{{$}}
  nki.tensor_scalar(%x : !tile) multiply(2.0) into %y : !tile
  // CHECK: nki.tensor_scalar(%[[X]] : memref<128x512xf32, #nki.mem<sbuf>>) multiply(%[[S]] : memref<128x1xf32, #nki.mem<sbuf>>), add(1.000000e+00) into %[[Y]]
  nki.tensor_scalar(%x : !tile) multiply(%s : !col), add(1.0) into %y : !tile
  // CHECK: nki.tensor_scalar(%[[X]] : memref<128x512xf32, #nki.mem<sbuf>>) reversed subtract(1.000000e+00), reversed divide(%[[S]] : memref<128x1xf32, #nki.mem<sbuf>>) into %[[Y]] : memref<128x512xf32, #nki.mem<sbuf>> on scalar
  nki.tensor_scalar(%x : !tile) reversed subtract(1.0), reversed divide(%s : !col) into %y : !tile on scalar
  // CHECK: nki.tensor_scalar(%[[X]] : memref<128x512xf32, #nki.mem<sbuf>>) max(0.000000e+00), min(6.000000e+00) into %[[Y]] : memref<128x512xf32, #nki.mem<sbuf>> on gpsimd
  nki.tensor_scalar(%x : !tile) max(0.0), min(6.0) into %y : !tile on gpsimd
  // CHECK: nki.tensor_scalar(%[[X]] : memref<128x512xf32, #nki.mem<sbuf>>) bypass(0.000000e+00) into %[[Y]]
  nki.tensor_scalar(%x : !tile) bypass(0.0) into %y : !tile
  return
}

// CHECK-LABEL: func.func @tensor_tensor
// CHECK-SAME: (%[[X:.*]]: memref<128x512xf32, #nki.mem<sbuf>>, %[[P:.*]]: memref<128x512xf32, #nki.mem<psum>>, %[[Y:.*]]: memref<128x512xf32, #nki.mem<sbuf>>)
func.func @tensor_tensor(%x: !tile, %p: !ptile, %y: !tile) {
  // CHECK: nki.tensor_tensor multiply(%[[X]] : memref<128x512xf32, #nki.mem<sbuf>>, %[[P]] : memref<128x512xf32, #nki.mem<psum>>) into %[[Y]] : memref<128x512xf32, #nki.mem<sbuf>>{{$}}
  nki.tensor_tensor multiply(%x : !tile, %p : !ptile) into %y : !tile
  // CHECK: nki.tensor_tensor add(%[[Y]] : memref<128x512xf32, #nki.mem<sbuf>>, %[[X]] : memref<128x512xf32, #nki.mem<sbuf>>) into %[[Y]] : memref<128x512xf32, #nki.mem<sbuf>> on gpsimd
  nki.tensor_tensor add(%y : !tile, %x : !tile) into %y : !tile on gpsimd
  // CHECK: nki.tensor_tensor subtract
  nki.tensor_tensor subtract(%x : !tile, %x : !tile) into %y : !tile on vector
  return
}

// CHECK-LABEL: func.func @scan
// CHECK-SAME: (%[[A:.*]]: memref<128x512xf32, #nki.mem<sbuf>>, %[[B:.*]]: memref<128x512xf32, #nki.mem<sbuf>>, %[[X:.*]]: memref<128x512xf32, #nki.mem<sbuf>>)
func.func @scan(%a: !tile, %b: !tile, %x: !tile) {
  // CHECK: nki.tensor_tensor_scan multiply, add(%[[A]] : memref<128x512xf32, #nki.mem<sbuf>>, %[[B]] : memref<128x512xf32, #nki.mem<sbuf>>) initial(0.000000e+00) into %[[X]]
  nki.tensor_tensor_scan multiply, add(%a : !tile, %b : !tile) initial(0.0) into %x : !tile
  // The carried state of a previous tile: its last column, a [P, 1] view.
  // CHECK: %[[LAST:.*]] = memref.subview %[[X]][0, 511] [128, 1] [1, 1]
  %last = memref.subview %x[0, 511] [128, 1] [1, 1]
      : !tile to memref<128x1xf32, strided<[512, 1], offset: 511>, #nki.mem<sbuf>>
  // CHECK: nki.tensor_tensor_scan multiply, add(%[[A]] : {{.*}}, %[[B]] : {{.*}}) initial(%[[LAST]] : memref<128x1xf32, strided<[512, 1], offset: 511>, #nki.mem<sbuf>>) into %[[X]] : memref<128x512xf32, #nki.mem<sbuf>> on vector
  nki.tensor_tensor_scan multiply, add(%a : !tile, %b : !tile)
      initial(%last : memref<128x1xf32, strided<[512, 1], offset: 511>, #nki.mem<sbuf>>)
      into %x : !tile on vector
  return
}

// CHECK-LABEL: func.func @copy_and_broadcast
// CHECK-SAME: (%[[R:.*]]: memref<1x512xf32, #nki.mem<sbuf>>, %[[P:.*]]: memref<128x512xf32, #nki.mem<psum>>, %[[X:.*]]: memref<128x512xf32, #nki.mem<sbuf>>, %[[H:.*]]: memref<128x512xbf16, #nki.mem<sbuf>>)
func.func @copy_and_broadcast(%row: !row, %p: !ptile, %x: !tile,
                              %h: memref<128x512xbf16, #nki.mem<sbuf>>) {
  // CHECK: nki.partition_broadcast %[[R]] : memref<1x512xf32, #nki.mem<sbuf>> into %[[P]] : memref<128x512xf32, #nki.mem<psum>>{{$}}
  nki.partition_broadcast %row : !row into %p : !ptile
  // An SBUF destination longer than a PSUM bank: staged by the backend.
  %long = nki.alloc : memref<128x2048xf32, #nki.mem<sbuf>>
  %lrow = nki.alloc : memref<1x2048xf32, #nki.mem<sbuf>>
  // CHECK: nki.partition_broadcast %{{.*}} : memref<1x2048xf32, #nki.mem<sbuf>> into %{{.*}} : memref<128x2048xf32, #nki.mem<sbuf>> on tensor
  nki.partition_broadcast %lrow : memref<1x2048xf32, #nki.mem<sbuf>>
      into %long : memref<128x2048xf32, #nki.mem<sbuf>> on tensor
  // CHECK: nki.tensor_copy %[[P]] : memref<128x512xf32, #nki.mem<psum>> into %[[X]] : memref<128x512xf32, #nki.mem<sbuf>>{{$}}
  nki.tensor_copy %p : !ptile into %x : !tile
  // CHECK: nki.tensor_copy %[[X]] : memref<128x512xf32, #nki.mem<sbuf>> into %[[H]] : memref<128x512xbf16, #nki.mem<sbuf>> on scalar
  nki.tensor_copy %x : !tile into %h : memref<128x512xbf16, #nki.mem<sbuf>> on scalar
  // CHECK: nki.tensor_copy %[[H]] : {{.*}} into %[[X]] : {{.*}} on gpsimd
  nki.tensor_copy %h : memref<128x512xbf16, #nki.mem<sbuf>> into %x : !tile on gpsimd
  return
}

// Loop annotations and the target attribute of the nki namespace.
// CHECK-LABEL: module @trn2 attributes {nki.target = #nki.target<trn2>}
module @trn2 attributes {nki.target = #nki.target<trn2>} {
  // CHECK-LABEL: func.func @loops
  func.func @loops() {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    scf.for %i = %c0 to %c4 step %c1 {
      // 224 KiB per partition fits SBUF on trn2 (192 KiB on trn1).
      // CHECK: nki.alloc : memref<128x57344xf32, #nki.mem<sbuf>>
      %t = nki.alloc : memref<128x57344xf32, #nki.mem<sbuf>>
    } {nki.loop = "state", nki.kind = "sequential"}
    // CHECK: {nki.kind = "sequential", nki.loop = "state"}
    return
  }
}

// Kernel arguments may name their HBM tensors.
// CHECK-LABEL: func.func @named_args
// CHECK-SAME: {nki.name = "delta"}
func.func @named_args(%d: memref<1x4xf32> {nki.name = "delta"}) {
  return
}

// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[S:.*]]: memref<128x64xf32, #nki.mem<sbuf>>, %[[M:.*]]: memref<128x512xf32, #nki.mem<sbuf>>, %[[D:.*]]: memref<64x512xf32, #nki.mem<psum>>)
func.func @matmul(%s: memref<128x64xf32, #nki.mem<sbuf>>,
                  %m: memref<128x512xf32, #nki.mem<sbuf>>,
                  %d: memref<64x512xf32, #nki.mem<psum>>) {
  // CHECK: nki.matmul(%[[S]] : memref<128x64xf32, #nki.mem<sbuf>>, %[[M]] : memref<128x512xf32, #nki.mem<sbuf>>) into %[[D]] : memref<64x512xf32, #nki.mem<psum>>{{$}}
  nki.matmul(%s : memref<128x64xf32, #nki.mem<sbuf>>, %m : memref<128x512xf32, #nki.mem<sbuf>>)
      into %d : memref<64x512xf32, #nki.mem<psum>>
  // CHECK: nki.matmul(%{{.*}}) into %[[D]] : memref<64x512xf32, #nki.mem<psum>> accumulate on tensor{{$}}
  nki.matmul(%s : memref<128x64xf32, #nki.mem<sbuf>>, %m : memref<128x512xf32, #nki.mem<sbuf>>)
      into %d : memref<64x512xf32, #nki.mem<psum>> accumulate on tensor
  // bf16 operands, a strided view of the moving tile.
  %hs = nki.alloc : memref<32x16xbf16, #nki.mem<sbuf>>
  %hm = nki.alloc : memref<32x256xbf16, #nki.mem<sbuf>>
  %hv = memref.subview %hm[0, 0] [32, 128] [1, 2] : memref<32x256xbf16, #nki.mem<sbuf>> to memref<32x128xbf16, strided<[256, 2]>, #nki.mem<sbuf>>
  %hd = nki.alloc : memref<16x128xf32, #nki.mem<psum>>
  // CHECK: nki.matmul(%{{.*}} : memref<32x16xbf16, #nki.mem<sbuf>>, %{{.*}} : memref<32x128xbf16, strided<[256, 2]>, #nki.mem<sbuf>>) into %{{.*}} : memref<16x128xf32, #nki.mem<psum>>{{$}}
  nki.matmul(%hs : memref<32x16xbf16, #nki.mem<sbuf>>, %hv : memref<32x128xbf16, strided<[256, 2]>, #nki.mem<sbuf>>)
      into %hd : memref<16x128xf32, #nki.mem<psum>>
  return
}
