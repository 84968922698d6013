// RUN: mamba-opt %s --nki-check-capacity -split-input-file -verify-diagnostics
// RUN: %python %mamba_src_root/scripts/make-kernel.py --batch 1 --seq-len 32768 --channels 128 --state 1 -o %t.mlir
// RUN: not mamba-opt %t.mlir --mamba-v1 -o /dev/null 2>&1 | FileCheck %s --check-prefix=V1
// RUN: mamba-opt %t.mlir --convert-mamba-to-nki -o /dev/null
// RUN: mamba-opt %s --split-input-file -o /dev/null

// The IR may hold buffers larger than SBUF (the verifiers check what one
// instruction addresses; later passes tile them): the capacity check, which
// every named pipeline ends with, says which instruction can never run.
// V1: error: 'nki.activation' needs 262148 bytes of SBUF per partition at once ('delta_i' 131072, 'A_i' 4, 'deltaA' 131072) but SBUF has 196608 on trn1; tile the free dim (nki-tile-free-dim, --mamba-v3, --mamba-v4) to shrink its buffers

// 49153 fp32 per partition = 196612 bytes, 4 more than trn1's 192 KiB.
func.func @one_operand() {
  %0 = nki.alloc "big" : memref<128x49153xf32, #nki.mem<sbuf>>
  // expected-error @+1 {{'nki.memset' needs 196612 bytes of SBUF per partition at once ('big' 196612) but SBUF has 196608 on trn1}}
  nki.memset 0.0 into %0 : memref<128x49153xf32, #nki.mem<sbuf>>
  return
}

// -----

// Exactly 192 KiB fits.
func.func @exactly_full() {
  %0 = nki.alloc "full" : memref<128x49152xf32, #nki.mem<sbuf>>
  nki.memset 0.0 into %0 : memref<128x49152xf32, #nki.mem<sbuf>>
  return
}

// -----

// trn2 has 224 KiB per partition: the limit moves with the target.
module attributes {nki.target = #nki.target<trn2>} {
  func.func @trn2() {
    %0 = nki.alloc "fits" : memref<128x57344xf32, #nki.mem<sbuf>>
    nki.memset 0.0 into %0 : memref<128x57344xf32, #nki.mem<sbuf>>
    %1 = nki.alloc "big" : memref<64x57345xf32, #nki.mem<sbuf>>
    // expected-error @+1 {{'nki.memset' needs 229380 bytes of SBUF per partition at once ('big' 229380) but SBUF has 229376 on trn2}}
    nki.memset 0.0 into %1 : memref<64x57345xf32, #nki.mem<sbuf>>
    return
  }
}

// -----

// Operands add up: two buffers of 100000 bytes each, read and written by
// one instruction. A view of a buffer counts the whole buffer (the backend
// allocates whole buffers), once however many operands use it.
func.func @operands_add_up() {
  %a = nki.alloc "a" : memref<128x25000xf32, #nki.mem<sbuf>>
  %b = nki.alloc "b" : memref<128x25000xf32, #nki.mem<sbuf>>
  nki.memset 1.0 into %a : memref<128x25000xf32, #nki.mem<sbuf>>
  // expected-error @+1 {{'nki.tensor_copy' needs 200000 bytes of SBUF per partition at once ('a' 100000, 'b' 100000) but SBUF has 196608 on trn1}}
  nki.tensor_copy %a : memref<128x25000xf32, #nki.mem<sbuf>> into %b : memref<128x25000xf32, #nki.mem<sbuf>>
  %v = memref.subview %a[0, 0] [128, 100] [1, 1] : memref<128x25000xf32, #nki.mem<sbuf>> to memref<128x100xf32, strided<[25000, 1]>, #nki.mem<sbuf>>
  %w = memref.subview %a[0, 100] [128, 100] [1, 1] : memref<128x25000xf32, #nki.mem<sbuf>> to memref<128x100xf32, strided<[25000, 1], offset: 100>, #nki.mem<sbuf>>
  nki.tensor_copy %v : memref<128x100xf32, strided<[25000, 1]>, #nki.mem<sbuf>> into %w : memref<128x100xf32, strided<[25000, 1], offset: 100>, #nki.mem<sbuf>>
  return
}

// -----

// A [P, blocks, F] buffer may exceed SBUF: an instruction that stays in one
// block needs only that block; one that spans blocks needs the whole buffer.
func.func @blocks() {
  %acc = nki.alloc "acc" : memref<128x8x40000xf32, #nki.mem<sbuf>>
  %c3 = arith.constant 3 : index
  %blk = memref.subview %acc[0, %c3, 0] [128, 1, 40000] [1, 1, 1] : memref<128x8x40000xf32, #nki.mem<sbuf>> to memref<128x40000xf32, strided<[320000, 1], offset: ?>, #nki.mem<sbuf>>
  nki.memset 0.0 into %blk : memref<128x40000xf32, strided<[320000, 1], offset: ?>, #nki.mem<sbuf>>
  %two = memref.subview %acc[0, 0, 0] [128, 2, 100] [1, 1, 1] : memref<128x8x40000xf32, #nki.mem<sbuf>> to memref<128x2x100xf32, strided<[320000, 40000, 1]>, #nki.mem<sbuf>>
  // expected-error @+1 {{'nki.memset' needs 1280000 bytes of SBUF per partition at once ('acc' 1280000) but SBUF has 196608 on trn1}}
  nki.memset 0.0 into %two : memref<128x2x100xf32, strided<[320000, 40000, 1]>, #nki.mem<sbuf>>
  return
}
