// Hand-written nki kernels covering every op and form --nki-to-python
// emits (test/NkiToPython/ops.test runs each through nki-run and the NumPy
// execution of the emitted NKI on the same random inputs).

!x = memref<128x64xf32>
!t = memref<128x64xf32, #nki.mem<sbuf>>
!pt = memref<128x64xf32, #nki.mem<psum>>
!c = memref<128x1xf32, #nki.mem<sbuf>>

// Every activation function, with a scale immediate, a scale view and a
// bias; exp also far outside [-87, 87] (the C library's expf there).
func.func @activations(%xh: !x {nki.name = "x"}, %sh: memref<128x1xf32> {nki.name = "s"},
                       %y0: !x {nki.name = "y_identity"}, %y1: !x {nki.name = "y_exp"},
                       %y2: !x {nki.name = "y_log"}, %y3: !x {nki.name = "y_relu"},
                       %y4: !x {nki.name = "y_sigmoid"}, %y5: !x {nki.name = "y_silu"},
                       %y6: !x {nki.name = "y_softplus"}, %y7: !x {nki.name = "y_tanh"},
                       %y8: !x {nki.name = "y_square"}, %y9: !x {nki.name = "y_sqrt"},
                       %y10: !x {nki.name = "y_exp_wide"}) {
  %x = nki.alloc "x_i" : !t
  nki.load %xh : !x into %x : !t
  %s = nki.alloc "s_i" : !c
  nki.load %sh : memref<128x1xf32> into %s : !c
  %r0 = nki.alloc "r0" : !t
  nki.activation identity(%x : !t) scale(-3.0) into %r0 : !t
  nki.store %r0 : !t into %y0 : !x
  %r1 = nki.alloc "r1" : !t
  nki.activation exp(%x : !t) scale(%s : !c) bias(%s : !c) into %r1 : !t
  nki.store %r1 : !t into %y1 : !x
  %r2 = nki.alloc "r2" : !t
  nki.activation log(%x : !t) into %r2 : !t
  nki.store %r2 : !t into %y2 : !x
  %r3 = nki.alloc "r3" : !t
  nki.activation relu(%x : !t) bias(%s : !c) into %r3 : !t
  nki.store %r3 : !t into %y3 : !x
  %r4 = nki.alloc "r4" : !t
  nki.activation sigmoid(%x : !t) scale(2.5) into %r4 : !t
  nki.store %r4 : !t into %y4 : !x
  %r5 = nki.alloc "r5" : !t
  nki.activation silu(%x : !t) into %r5 : !t
  nki.store %r5 : !t into %y5 : !x
  %r6 = nki.alloc "r6" : !t
  nki.activation softplus(%x : !t) scale(12.0) into %r6 : !t
  nki.store %r6 : !t into %y6 : !x
  %r7 = nki.alloc "r7" : !t
  nki.activation tanh(%x : !t) into %r7 : !t
  nki.store %r7 : !t into %y7 : !x
  %r8 = nki.alloc "r8" : !t
  nki.activation square(%x : !t) into %r8 : !t
  nki.store %r8 : !t into %y8 : !x
  %r9 = nki.alloc "r9" : !t
  nki.activation sqrt(%x : !t) into %r9 : !t
  nki.store %r9 : !t into %y9 : !x
  %r10 = nki.alloc "r10" : !t
  nki.activation exp(%x : !t) scale(40.0) into %r10 : !t
  nki.store %r10 : !t into %y10 : !x
  return
}

// tensor_scalar: every ALU operation, reversed, two operations, view
// operands, on each engine.
func.func @tensor_scalar(%xh: !x {nki.name = "x"}, %sh: memref<128x1xf32> {nki.name = "s"},
                         %y0: !x {nki.name = "y0"}, %y1: !x {nki.name = "y1"},
                         %y2: !x {nki.name = "y2"}, %y3: !x {nki.name = "y3"},
                         %y4: !x {nki.name = "y4"}) {
  %x = nki.alloc "x_i" : !t
  nki.load %xh : !x into %x : !t
  %s = nki.alloc "s_i" : !c
  nki.load %sh : memref<128x1xf32> into %s : !c
  %r = nki.alloc "r" : !t
  nki.tensor_scalar(%x : !t) multiply(%s : !c), add(1.5) into %r : !t
  nki.store %r : !t into %y0 : !x
  nki.tensor_scalar(%x : !t) reversed subtract(1.0), reversed divide(%s : !c) into %r : !t on scalar
  nki.store %r : !t into %y1 : !x
  nki.tensor_scalar(%x : !t) max(-0.5), min(%s : !c) into %r : !t on gpsimd
  nki.store %r : !t into %y2 : !x
  nki.tensor_scalar(%x : !t) divide(3.0), subtract(%s : !c) into %r : !t on vector
  nki.store %r : !t into %y3 : !x
  nki.tensor_scalar(%x : !t) bypass(%s : !c), add(2.0) into %r : !t
  nki.store %r : !t into %y4 : !x
  return
}

// tensor_tensor with one input in PSUM, every ALU operation; a scan with
// other operators and a carried initial view; a memset on GpSimd.
func.func @tensor_tensor(%ah: !x {nki.name = "a"}, %bh: !x {nki.name = "b"},
                         %y0: !x {nki.name = "y_add"}, %y1: !x {nki.name = "y_subtract"},
                         %y2: !x {nki.name = "y_divide"}, %y3: !x {nki.name = "y_max"},
                         %y4: !x {nki.name = "y_min"}, %y5: !x {nki.name = "y_scan"},
                         %y6: !x {nki.name = "y_bypass"}) {
  %a = nki.alloc "a_i" : !t
  nki.load %ah : !x into %a : !t
  %b = nki.alloc "b_i" : !t
  nki.load %bh : !x into %b : !t
  %p = nki.alloc "b_psum" : !pt
  nki.tensor_copy %b : !t into %p : !pt
  %r = nki.alloc "r" : !t
  nki.tensor_tensor add(%a : !t, %p : !pt) into %r : !t
  nki.store %r : !t into %y0 : !x
  nki.tensor_tensor subtract(%p : !pt, %a : !t) into %r : !t
  nki.store %r : !t into %y1 : !x
  nki.tensor_tensor divide(%a : !t, %b : !t) into %r : !t on gpsimd
  nki.store %r : !t into %y2 : !x
  nki.tensor_tensor max(%a : !t, %b : !t) into %r : !t
  nki.store %r : !t into %y3 : !x
  nki.tensor_tensor min(%a : !t, %p : !pt) into %r : !t
  nki.store %r : !t into %y4 : !x
  nki.tensor_tensor bypass(%p : !pt, %a : !t) into %r : !t
  nki.store %r : !t into %y6 : !x
  %init = nki.alloc "init" : !c
  nki.memset -0.25 into %init : !c on gpsimd
  %sc = nki.alloc "sc" : memref<128x128xf32, #nki.mem<sbuf>>
  %lo = memref.subview %sc[0, 0] [128, 64] [1, 1] : memref<128x128xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[128, 1]>, #nki.mem<sbuf>>
  %hi = memref.subview %sc[0, 64] [128, 64] [1, 1] : memref<128x128xf32, #nki.mem<sbuf>> to memref<128x64xf32, strided<[128, 1], offset: 64>, #nki.mem<sbuf>>
  nki.tensor_tensor_scan max, add(%a : !t, %p : !pt) initial(%init : !c) into %lo : memref<128x64xf32, strided<[128, 1]>, #nki.mem<sbuf>>
  %last = memref.subview %sc[0, 63] [128, 1] [1, 1] : memref<128x128xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[128, 1], offset: 63>, #nki.mem<sbuf>>
  nki.tensor_tensor_scan subtract, multiply(%b : !t, %a : !t) initial(%last : memref<128x1xf32, strided<[128, 1], offset: 63>, #nki.mem<sbuf>>) into %hi : memref<128x64xf32, strided<[128, 1], offset: 64>, #nki.mem<sbuf>>
  nki.tensor_tensor add(%lo : memref<128x64xf32, strided<[128, 1]>, #nki.mem<sbuf>>, %hi : memref<128x64xf32, strided<[128, 1], offset: 64>, #nki.mem<sbuf>>) into %r : !t
  nki.store %r : !t into %y5 : !x
  return
}

// bf16: loads and stores of bf16 tensors, copies converting both ways, an
// engine op writing bf16; a partition broadcast into SBUF over three PSUM
// banks (staged through PSUM bank by bank) and into fewer partitions.
func.func @convert_and_broadcast(%hh: memref<64x1000xbf16> {nki.name = "h"},
                                 %rowh: memref<1x1100xf32> {nki.name = "row"},
                                 %y0: memref<64x1000xbf16> {nki.name = "y_bf16"},
                                 %y1: memref<64x1000xf32> {nki.name = "y_f32"},
                                 %y2: memref<96x1100xf32> {nki.name = "y_bcast"}) {
  %h = nki.alloc "h_i" : memref<64x1000xbf16, #nki.mem<sbuf>>
  nki.load %hh : memref<64x1000xbf16> into %h : memref<64x1000xbf16, #nki.mem<sbuf>>
  %f = nki.alloc "f" : memref<64x1000xf32, #nki.mem<sbuf>>
  nki.tensor_copy %h : memref<64x1000xbf16, #nki.mem<sbuf>> into %f : memref<64x1000xf32, #nki.mem<sbuf>> on gpsimd
  %g = nki.alloc "g" : memref<64x1000xbf16, #nki.mem<sbuf>>
  nki.tensor_scalar(%f : memref<64x1000xf32, #nki.mem<sbuf>>) multiply(1.001) into %g : memref<64x1000xbf16, #nki.mem<sbuf>>
  nki.store %g : memref<64x1000xbf16, #nki.mem<sbuf>> into %y0 : memref<64x1000xbf16>
  %f2 = nki.alloc "f2" : memref<64x1000xf32, #nki.mem<sbuf>>
  nki.tensor_copy %g : memref<64x1000xbf16, #nki.mem<sbuf>> into %f2 : memref<64x1000xf32, #nki.mem<sbuf>> on scalar
  nki.store %f2 : memref<64x1000xf32, #nki.mem<sbuf>> into %y1 : memref<64x1000xf32>
  %row = nki.alloc "row_i" : memref<1x1100xf32, #nki.mem<sbuf>>
  nki.load %rowh : memref<1x1100xf32> into %row : memref<1x1100xf32, #nki.mem<sbuf>>
  %b = nki.alloc "bcast" : memref<96x1100xf32, #nki.mem<sbuf>>
  nki.partition_broadcast %row : memref<1x1100xf32, #nki.mem<sbuf>> into %b : memref<96x1100xf32, #nki.mem<sbuf>>
  nki.store %b : memref<96x1100xf32, #nki.mem<sbuf>> into %y2 : memref<96x1100xf32>
  return
}

// Loops the input names itself, unnamed ones, a non-zero lower bound and
// a step, index arithmetic (divui, remui), a loop without nki.kind, and
// block dims of an SBUF buffer.
func.func @loops(%xh: memref<4x128x96xf32> {nki.name = "x"},
                 %yh: memref<4x128x96xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  %buf = nki.alloc "blocks" : memref<128x4x96xf32, #nki.mem<sbuf>>
  scf.for %i = %c0 to %c4 step %c1 {
    %src = memref.subview %xh[%i, 0, 0] [1, 128, 96] [1, 1, 1] : memref<4x128x96xf32> to memref<128x96xf32, strided<[96, 1], offset: ?>>
    %dst = memref.subview %buf[0, %i, 0] [128, 1, 96] [1, 1, 1] : memref<128x4x96xf32, #nki.mem<sbuf>> to memref<128x96xf32, strided<[384, 1], offset: ?>, #nki.mem<sbuf>>
    nki.load %src : memref<128x96xf32, strided<[96, 1], offset: ?>> into %dst : memref<128x96xf32, strided<[384, 1], offset: ?>, #nki.mem<sbuf>>
  } {nki.loop = "blocks_in", nki.kind = "affine"}
  scf.for %j = %c1 to %c4 step %c2 {
    scf.for %k = %c0 to %c3 step %c1 {
      %q = arith.divui %k, %c2 : index
      %m = arith.remui %k, %c2 : index
      %off = arith.muli %k, %c32 : index
      %blk = arith.addi %q, %m : index
      %v = memref.subview %buf[0, %j, %off] [128, 1, 32] [1, 1, 1] : memref<128x4x96xf32, #nki.mem<sbuf>> to memref<128x32xf32, strided<[384, 1], offset: ?>, #nki.mem<sbuf>>
      %w = memref.subview %buf[0, %blk, %off] [128, 1, 32] [1, 1, 1] : memref<128x4x96xf32, #nki.mem<sbuf>> to memref<128x32xf32, strided<[384, 1], offset: ?>, #nki.mem<sbuf>>
      nki.tensor_tensor add(%v : memref<128x32xf32, strided<[384, 1], offset: ?>, #nki.mem<sbuf>>, %w : memref<128x32xf32, strided<[384, 1], offset: ?>, #nki.mem<sbuf>>) into %v : memref<128x32xf32, strided<[384, 1], offset: ?>, #nki.mem<sbuf>>
    }
  } {nki.loop = "odd_blocks"}
  scf.for %i = %c0 to %c4 step %c1 {
    %src = memref.subview %buf[0, %i, 0] [128, 1, 96] [1, 1, 1] : memref<128x4x96xf32, #nki.mem<sbuf>> to memref<128x96xf32, strided<[384, 1], offset: ?>, #nki.mem<sbuf>>
    %dst = memref.subview %yh[%i, 0, 0] [1, 128, 96] [1, 1, 1] : memref<4x128x96xf32> to memref<128x96xf32, strided<[96, 1], offset: ?>>
    nki.store %src : memref<128x96xf32, strided<[384, 1], offset: ?>, #nki.mem<sbuf>> into %dst : memref<128x96xf32, strided<[96, 1], offset: ?>>
  } {nki.kind = "affine"}
  return
}

// nki.matmul: bf16 operands, M = 40, N = 300; a matmul over K = 96 into a
// new PSUM buffer, then two over K = 48 (partitions 0..47 and 48..95 of
// the same tiles) accumulating into a view of a PSUM buffer that held 0.5.
func.func @matmul(%wh: memref<96x40xbf16> {nki.name = "w"},
                  %xh: memref<96x300xbf16> {nki.name = "x"},
                  %y0: memref<40x300xf32> {nki.name = "y_first"},
                  %y1: memref<40x512xf32> {nki.name = "y_acc"}) {
  %w = nki.alloc "w_i" : memref<96x40xbf16, #nki.mem<sbuf>>
  nki.load %wh : memref<96x40xbf16> into %w : memref<96x40xbf16, #nki.mem<sbuf>>
  %x = nki.alloc "x_i" : memref<96x300xbf16, #nki.mem<sbuf>>
  nki.load %xh : memref<96x300xbf16> into %x : memref<96x300xbf16, #nki.mem<sbuf>>
  %p = nki.alloc "p" : memref<40x300xf32, #nki.mem<psum>>
  nki.matmul(%w : memref<96x40xbf16, #nki.mem<sbuf>>,
             %x : memref<96x300xbf16, #nki.mem<sbuf>>)
      into %p : memref<40x300xf32, #nki.mem<psum>>
  %r0 = nki.alloc "r0" : memref<40x300xf32, #nki.mem<sbuf>>
  nki.tensor_copy %p : memref<40x300xf32, #nki.mem<psum>> into %r0 : memref<40x300xf32, #nki.mem<sbuf>>
  nki.store %r0 : memref<40x300xf32, #nki.mem<sbuf>> into %y0 : memref<40x300xf32>
  %q = nki.alloc "q" : memref<40x512xf32, #nki.mem<psum>>
  nki.memset 0.5 into %q : memref<40x512xf32, #nki.mem<psum>>
  %qv = memref.subview %q[0, 100] [40, 300] [1, 1]
      : memref<40x512xf32, #nki.mem<psum>> to memref<40x300xf32, strided<[512, 1], offset: 100>, #nki.mem<psum>>
  %wa = memref.subview %w[0, 0] [48, 40] [1, 1]
      : memref<96x40xbf16, #nki.mem<sbuf>> to memref<48x40xbf16, strided<[40, 1]>, #nki.mem<sbuf>>
  %xa = memref.subview %x[0, 0] [48, 300] [1, 1]
      : memref<96x300xbf16, #nki.mem<sbuf>> to memref<48x300xbf16, strided<[300, 1]>, #nki.mem<sbuf>>
  %wb = memref.subview %w[48, 0] [48, 40] [1, 1]
      : memref<96x40xbf16, #nki.mem<sbuf>> to memref<48x40xbf16, strided<[40, 1], offset: 1920>, #nki.mem<sbuf>>
  %xb = memref.subview %x[48, 0] [48, 300] [1, 1]
      : memref<96x300xbf16, #nki.mem<sbuf>> to memref<48x300xbf16, strided<[300, 1], offset: 14400>, #nki.mem<sbuf>>
  nki.matmul(%wa : memref<48x40xbf16, strided<[40, 1]>, #nki.mem<sbuf>>,
             %xa : memref<48x300xbf16, strided<[300, 1]>, #nki.mem<sbuf>>)
      into %qv : memref<40x300xf32, strided<[512, 1], offset: 100>, #nki.mem<psum>> accumulate
  nki.matmul(%wb : memref<48x40xbf16, strided<[40, 1], offset: 1920>, #nki.mem<sbuf>>,
             %xb : memref<48x300xbf16, strided<[300, 1], offset: 14400>, #nki.mem<sbuf>>)
      into %qv : memref<40x300xf32, strided<[512, 1], offset: 100>, #nki.mem<psum>> accumulate
  %r1 = nki.alloc "r1" : memref<40x512xf32, #nki.mem<sbuf>>
  nki.tensor_copy %q : memref<40x512xf32, #nki.mem<psum>> into %r1 : memref<40x512xf32, #nki.mem<sbuf>>
  nki.store %r1 : memref<40x512xf32, #nki.mem<sbuf>> into %y1 : memref<40x512xf32>
  return
}
