// Every op or form --nki-to-python has no NKI spelling for is a located
// error, never a different kernel; nothing is written and the exit status
// is 1.
// RUN: mamba-translate --nki-to-python -split-input-file -verify-diagnostics %s
// RUN: mamba-translate --nki-to-python -split-input-file %s -o %t.py 2>/dev/null; test $? -eq 1
// RUN: test ! -s %t.py

// An scf.for carrying values.
func.func @iter_args(%x: memref<128x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  // expected-error@+1 {{an scf.for with iter_args has no NKI equivalent: NKI loops carry values through buffers}}
  %r = scf.for %i = %c0 to %c4 step %c1 iter_args(%a = %c0) -> (index) {
    scf.yield %a : index
  }
  return
}

// -----

func.func @bypass(%x: memref<128x64xf32>, %y: memref<128x64xf32>) {
  %t = nki.alloc : memref<128x64xf32, #nki.mem<sbuf>>
  nki.load %x : memref<128x64xf32> into %t : memref<128x64xf32, #nki.mem<sbuf>>
  // expected-error@+1 {{a reversed 'bypass' (the scalar operand, not the data) has no NKI equivalent: nl.bypass passes the data through}}
  nki.tensor_scalar(%t : memref<128x64xf32, #nki.mem<sbuf>>) reversed bypass(0.0) into %t : memref<128x64xf32, #nki.mem<sbuf>>
  nki.store %t : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  return
}

// -----

// expected-error@+1 {{argument 'x' is both loaded and stored: an @nki.jit kernel returns its outputs}}
func.func @inout(%x: memref<128x64xf32> {nki.name = "x"}) {
  %t = nki.alloc : memref<128x64xf32, #nki.mem<sbuf>>
  nki.load %x : memref<128x64xf32> into %t : memref<128x64xf32, #nki.mem<sbuf>>
  nki.store %t : memref<128x64xf32, #nki.mem<sbuf>> into %x : memref<128x64xf32>
  return
}

// -----

// expected-error@+1 {{argument #0 is an on-chip buffer: NKI kernel arguments are HBM tensors}}
func.func @onchip_argument(%t: memref<128x64xf32, #nki.mem<sbuf>>) {
  return
}

// -----

// expected-error@+1 {{argument #1 has no NKI equivalent: a kernel argument must be a statically shaped memref with the identity layout, got 'index'}}
func.func @index_argument(%x: memref<128x64xf32>, %i: index) {
  return
}

// -----

func.func @i32_arithmetic(%x: memref<128x64xf32>) {
  %a = arith.constant 3 : i32
  // expected-error@+1 {{'arith.addi' on 'i32' has no NKI equivalent here (index arithmetic only)}}
  %b = arith.addi %a, %a : i32
  return
}

// -----

func.func @scf_if(%x: memref<128x64xf32>, %y: memref<128x64xf32>) {
  %true = arith.constant true
  // expected-error@+1 {{'scf.if' has no NKI equivalent in --nki-to-python}}
  scf.if %true {
    %t = nki.alloc : memref<128x64xf32, #nki.mem<sbuf>>
  }
  return
}

// -----

func.func @not_lowered(%delta: memref<1x128x64xf32>, %u: memref<1x128x64xf32>,
                       %A: memref<128x16xf32>, %B: memref<1x16x64xf32>,
                       %C: memref<1x16x64xf32>, %out: memref<1x128x64xf32>) {
  // expected-error@+1 {{the kernel still contains mamba.selective_scan; lower it first (mamba-opt --mamba-v1 ... --mamba-v4)}}
  mamba.selective_scan delta(%delta : memref<1x128x64xf32>)
      u(%u : memref<1x128x64xf32>) A(%A : memref<128x16xf32>)
      B(%B : memref<1x16x64xf32>) C(%C : memref<1x16x64xf32>)
      into %out : memref<1x128x64xf32>
  return
}

// -----

func.func @reshape_of_a_view(%x: memref<2x128x64xf32>, %y: memref<128x64xf32>) {
  %v = memref.subview %x[1, 0, 0] [1, 128, 64] [1, 1, 1] : memref<2x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: 8192>>
  // expected-error@+1 {{a reshape of anything but a whole HBM kernel argument has no NKI equivalent here}}
  %r = memref.expand_shape %v [[0], [1, 2]] output_shape [128, 1, 64] : memref<128x64xf32, strided<[64, 1], offset: 8192>> into memref<128x1x64xf32, strided<[64, 64, 1], offset: 8192>>
  %s = memref.subview %r[0, 0, 0] [128, 1, 64] [1, 1, 1] : memref<128x1x64xf32, strided<[64, 64, 1], offset: 8192>> to memref<128x64xf32, strided<[64, 1], offset: 8192>>
  %t = nki.alloc : memref<128x64xf32, #nki.mem<sbuf>>
  nki.load %s : memref<128x64xf32, strided<[64, 1], offset: 8192>> into %t : memref<128x64xf32, #nki.mem<sbuf>>
  nki.store %t : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  return
}

// -----

func.func @partition_indexed_away(%x: memref<4x96xf32>, %y: memref<4x96xf32>) {
  %buf = nki.alloc : memref<128x4x96xf32, #nki.mem<sbuf>>
  %v = memref.subview %buf[5, 0, 0] [1, 4, 96] [1, 1, 1] : memref<128x4x96xf32, #nki.mem<sbuf>> to memref<4x96xf32, strided<[96, 1], offset: 1920>, #nki.mem<sbuf>>
  // expected-error@+1 {{a view of an on-chip buffer that indexes away the partition dimension has no NKI equivalent}}
  nki.load %x : memref<4x96xf32> into %v : memref<4x96xf32, strided<[96, 1], offset: 1920>, #nki.mem<sbuf>>
  return
}

// -----

func.func @partition_stride(%x: memref<64x64xf32>, %y: memref<64x64xf32>) {
  %t = nki.alloc : memref<128x64xf32, #nki.mem<sbuf>>
  %v = memref.subview %t[0, 0] [64, 64] [2, 1] : memref<128x64xf32, #nki.mem<sbuf>> to memref<64x64xf32, strided<[128, 1]>, #nki.mem<sbuf>>
  // expected-error@+1 {{a view of an on-chip buffer that strides the partition dimension has no NKI equivalent}}
  nki.load %x : memref<64x64xf32> into %v : memref<64x64xf32, strided<[128, 1]>, #nki.mem<sbuf>>
  return
}

// -----

func.func @cast(%x: memref<128x64xf32>, %y: memref<128x64xf32>) {
  // expected-error@+1 {{'memref.cast' uses HBM tensor 'arg0'; in NKI only nl.load and nl.store reach HBM}}
  %c = memref.cast %x : memref<128x64xf32> to memref<?x64xf32>
  return
}

// -----

func.func @index_from_memory(%x: memref<128x64xf32>, %y: memref<128x64xf32>) {
  %c0 = arith.constant 0 : index
  %t = nki.alloc : memref<128x64xf32, #nki.mem<sbuf>>
  // expected-error@+1 {{'memref.dim' uses HBM tensor 'arg0'; in NKI only nl.load and nl.store reach HBM}}
  %n = memref.dim %x, %c0 : memref<128x64xf32>
  return
}

// -----

// expected-error@+1 {{a kernel with results has no NKI equivalent here: outputs are stored tensors}}
func.func @results(%x: memref<128x64xf32>) -> index {
  %c0 = arith.constant 0 : index
  return %c0 : index
}

// -----

func.func @a_b(%x: memref<128x64xf32>) {
  return
}
// expected-error@+1 {{two kernels would be named 'a_b' in Python}}
func.func @"a-b"(%x: memref<128x64xf32>) {
  return
}
