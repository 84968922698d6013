// What --nki-to-nisa rejects: located errors, exit code 1.
// RUN: mamba-translate --nki-to-nisa %s -split-input-file -verify-diagnostics
// RUN: mamba-opt --mamba-v1 %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | not mamba-translate --nki-to-nisa --nisa-max-instructions=100 2>&1 | FileCheck %s --check-prefix=LIMIT
// LIMIT: error: the unrolled instruction stream exceeds 100 instructions; raise the limit with --nisa-max-instructions
// RUN: mamba-opt --mamba-v1 %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | not mamba-translate --nki-to-nisa --nisa-target=trn3 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: error: --nisa-target must be trn1 or trn2, got 'trn3'

// expected-error @+1 {{the kernel still contains mamba.selective_scan; lower it first (mamba-opt --mamba-v1, --mamba-v2 or --mamba-v3)}}
func.func @not_lowered(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x2xf32>,
                       %B: memref<1x2x64xf32>, %C: memref<1x2x64xf32>, %y: memref<1x128x64xf32>) {
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x2xf32>) B(%B : memref<1x2x64xf32>) C(%C : memref<1x2x64xf32>) into %y : memref<1x128x64xf32>
  return
}

// -----

// expected-error @+1 {{argument #1 is not a memref; kernel arguments are HBM tensors}}
func.func @index_argument(%x: memref<128x4xf32>, %n: index) {
  return
}

// -----

// expected-error @+1 {{argument #0 must be a static, identity-layout f32/bf16 memref in HBM, got 'memref<128x?xf32>'}}
func.func @dynamic_argument(%x: memref<128x?xf32>) {
  return
}

// -----

func.func @unsupported_op(%x: memref<128x4xf32>) {
  // expected-error @+1 {{cannot translate 'memref.alloc' to the instruction stream (expected nki ops, scf.for, memref.subview, memref.expand_shape and index arithmetic)}}
  %a = memref.alloc() : memref<128x4xf32>
  return
}

// -----

// Found by fuzz_mlir: the strides of this tensor overflow 64 bits.
// expected-error @+1 {{argument #1 ('memref<2x127777777777777778x512xf32>') has more than 2^34 elements, the largest tensor a .nisa stream holds}}
func.func @huge_argument(%d: memref<2x128x512xf32>, %y: memref<2x127777777777777778x512xf32>) {
  return
}

// -----

// expected-error @+1 {{argument #0 is empty ('memref<0x4xf32>')}}
func.func @empty_argument(%x: memref<0x4xf32>) {
  return
}

// -----

// expected-error @+1 {{argument #0 has rank 7; the backend handles memrefs of rank up to 6}}
func.func @rank_seven(%x: memref<1x1x1x1x1x128x4xf32>) {
  return
}

// -----

func.func @iter_args(%x: memref<128x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{loops carrying values (iter_args) cannot be unrolled into the instruction stream}}
  %r = scf.for %i = %c0 to %c1 step %c1 iter_args(%a = %c0) -> (index) {
    scf.yield %a : index
  }
  return
}

// -----

// A step that is only known when the loop runs.
func.func @zero_step(%x: memref<128x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %step = arith.subi %c1, %c1 : index
  // expected-error @+1 {{loop step must be positive, got 0}}
  scf.for %i = %c0 to %c4 step %step {
  }
  return
}

// -----

func.func @division_by_zero(%x: memref<128x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.for %i = %c0 to %c2 step %c1 {
    // expected-error @+1 {{index arithmetic error (division by zero)}}
    %q = arith.divsi %c1, %i : index
  }
  return
}

// -----

// Loops that emit nothing still count: this nest would otherwise spin for
// 10^18 iterations.
func.func @runaway_loop(%x: memref<128x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %big = arith.constant 1000000000000000000 : index
  // expected-error @+1 {{the loops run more than 160001024 iterations in all (8 per allowed instruction); raise the limit with --nisa-max-instructions}}
  scf.for %i = %c0 to %big step %c1 {
  }
  return
}

// -----

func.func @view_stride_overflow(%x: memref<128x4xf32>) {
  %c1 = arith.constant 1 : index
  %huge = arith.constant 4611686018427387904 : index
  // expected-error @+1 {{view stride 4611686018427387904 in dim 0 overflows 64 bits}}
  %v = memref.subview %x[0, 0] [1, 4] [%huge, 1] : memref<128x4xf32> to memref<1x4xf32, strided<[?, 1]>>
  return
}

// -----

func.func @view_negative_stride(%x: memref<128x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m1 = arith.subi %c0, %c1 : index
  // expected-error @+1 {{view strides must be positive, got -1 in dim 0}}
  %v = memref.subview %x[0, 0] [1, 4] [%m1, 1] : memref<128x4xf32> to memref<1x4xf32, strided<[?, 1]>>
  return
}

// -----

// The fifth iteration's view starts past the end of dim 0.
func.func @view_out_of_bounds(%x: memref<4x128x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  scf.for %i = %c0 to %c5 step %c1 {
    // expected-error @+1 {{view [4, +1] is out of bounds of dim 0 (size 4)}}
    %v = memref.subview %x[%i, 0, 0] [1, 128, 64] [1, 1, 1] : memref<4x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
    %t = nki.alloc : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %v : memref<128x64xf32, strided<[64, 1], offset: ?>> into %t : memref<128x64xf32, #nki.mem<sbuf>>
  }
  return
}

// -----

// Nine PSUM tiles live at once: PSUM has eight banks.
func.func @psum_full() {
  %x = nki.alloc : memref<128x512xf32, #nki.mem<sbuf>>
  nki.memset 0.0 into %x : memref<128x512xf32, #nki.mem<sbuf>>
  %p0 = nki.alloc : memref<128x512xf32, #nki.mem<psum>>
  %p1 = nki.alloc : memref<128x512xf32, #nki.mem<psum>>
  %p2 = nki.alloc : memref<128x512xf32, #nki.mem<psum>>
  %p3 = nki.alloc : memref<128x512xf32, #nki.mem<psum>>
  %p4 = nki.alloc : memref<128x512xf32, #nki.mem<psum>>
  %p5 = nki.alloc : memref<128x512xf32, #nki.mem<psum>>
  %p6 = nki.alloc : memref<128x512xf32, #nki.mem<psum>>
  %p7 = nki.alloc : memref<128x512xf32, #nki.mem<psum>>
  %p8 = nki.alloc : memref<128x512xf32, #nki.mem<psum>>
  nki.memset 0.0 into %p0 : memref<128x512xf32, #nki.mem<psum>>
  nki.memset 0.0 into %p1 : memref<128x512xf32, #nki.mem<psum>>
  nki.memset 0.0 into %p2 : memref<128x512xf32, #nki.mem<psum>>
  nki.memset 0.0 into %p3 : memref<128x512xf32, #nki.mem<psum>>
  nki.memset 0.0 into %p4 : memref<128x512xf32, #nki.mem<psum>>
  nki.memset 0.0 into %p5 : memref<128x512xf32, #nki.mem<psum>>
  nki.memset 0.0 into %p6 : memref<128x512xf32, #nki.mem<psum>>
  nki.memset 0.0 into %p7 : memref<128x512xf32, #nki.mem<psum>>
  // expected-error @+1 {{PSUM is full: more than 8 banks of PSUM tiles are live at once here}}
  nki.memset 0.0 into %p8 : memref<128x512xf32, #nki.mem<psum>>
  nki.tensor_tensor add(%x : memref<128x512xf32, #nki.mem<sbuf>>, %p0 : memref<128x512xf32, #nki.mem<psum>>) into %x : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor add(%x : memref<128x512xf32, #nki.mem<sbuf>>, %p1 : memref<128x512xf32, #nki.mem<psum>>) into %x : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor add(%x : memref<128x512xf32, #nki.mem<sbuf>>, %p2 : memref<128x512xf32, #nki.mem<psum>>) into %x : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor add(%x : memref<128x512xf32, #nki.mem<sbuf>>, %p3 : memref<128x512xf32, #nki.mem<psum>>) into %x : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor add(%x : memref<128x512xf32, #nki.mem<sbuf>>, %p4 : memref<128x512xf32, #nki.mem<psum>>) into %x : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor add(%x : memref<128x512xf32, #nki.mem<sbuf>>, %p5 : memref<128x512xf32, #nki.mem<psum>>) into %x : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor add(%x : memref<128x512xf32, #nki.mem<sbuf>>, %p6 : memref<128x512xf32, #nki.mem<psum>>) into %x : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor add(%x : memref<128x512xf32, #nki.mem<sbuf>>, %p7 : memref<128x512xf32, #nki.mem<psum>>) into %x : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_tensor add(%x : memref<128x512xf32, #nki.mem<sbuf>>, %p8 : memref<128x512xf32, #nki.mem<psum>>) into %x : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

// Three 80 KB operands of one instruction: no spill can make room.
func.func @cannot_fit() {
  %a = nki.alloc "a" : memref<128x20000xf32, #nki.mem<sbuf>>
  %b = nki.alloc "b" : memref<128x20000xf32, #nki.mem<sbuf>>
  %c = nki.alloc "c" : memref<128x20000xf32, #nki.mem<sbuf>>
  nki.memset 1.0 into %a : memref<128x20000xf32, #nki.mem<sbuf>>
  nki.memset 2.0 into %b : memref<128x20000xf32, #nki.mem<sbuf>>
  // expected-error @+1 {{does not fit in SBUF even with spills: this instruction's operands need 240000 bytes per partition at once; SBUF has 196608}}
  nki.tensor_tensor add(%a : memref<128x20000xf32, #nki.mem<sbuf>>, %b : memref<128x20000xf32, #nki.mem<sbuf>>) into %c : memref<128x20000xf32, #nki.mem<sbuf>>
  return
}

// -----

// expected-error @+1 {{expected exactly one kernel function, found 2 (select one with --nisa-function)}}
module {
  func.func @f(%x: memref<128x4xf32>) {
    return
  }
  func.func @g(%x: memref<128x4xf32>) {
    return
  }
}
