// One case per verifier rule of the nki dialect.
// RUN: mamba-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// nki.alloc
//===----------------------------------------------------------------------===//

func.func @alloc_hbm() {
  // expected-error @+1 {{'nki.alloc' op must allocate in SBUF or PSUM (#nki.mem<sbuf|psum>), got HBM}}
  %0 = nki.alloc : memref<128x512xf32>
  return
}

// -----

func.func @alloc_foreign_space() {
  // expected-error @+1 {{'nki.alloc' op must allocate in SBUF or PSUM (#nki.mem<sbuf|psum>), got memory space 1 : i64}}
  %0 = nki.alloc : memref<128x512xf32, 1>
  return
}

// -----

func.func @alloc_layout() {
  // expected-error @+1 {{'nki.alloc' op buffer must have an identity layout, got strided<[1024, 1]>}}
  %0 = nki.alloc : memref<128x512xf32, strided<[1024, 1]>, #nki.mem<sbuf>>
  return
}

// -----

func.func @alloc_dynamic(%n: index) {
  // expected-error @+1 {{'nki.alloc' op buffer must have a static shape, got 'memref<128x?xf32, #nki.mem<sbuf>>'}}
  %0 = nki.alloc : memref<128x?xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @alloc_rank1() {
  // expected-error @+1 {{'nki.alloc' op buffer must have rank >= 2 (partition dim, then free dims), got rank 1}}
  %0 = nki.alloc : memref<128xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @alloc_empty() {
  // expected-error @+1 {{'nki.alloc' op buffer is empty (shape 128x0)}}
  %0 = nki.alloc : memref<128x0xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @alloc_partitions() {
  // expected-error @+1 {{'nki.alloc' op buffer spans 256 partitions; a tile spans at most 128}}
  %0 = nki.alloc : memref<256x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @alloc_dtype() {
  // expected-error @+1 {{'nki.alloc' op buffer has element type 'f16'; engines compute on f32 or bf16}}
  %0 = nki.alloc : memref<128x512xf16, #nki.mem<sbuf>>
  return
}

// -----

func.func @alloc_psum_capacity() {
  // expected-error @+1 {{'nki.alloc' op buffer needs 32768 bytes per partition but PSUM has 16384 (over by 16384)}}
  %0 = nki.alloc : memref<128x16x512xf32, #nki.mem<psum>>
  return
}

// -----

// Sizes that would overflow 64-bit arithmetic are reported, not wrapped.
func.func @alloc_absurd() {
  // expected-error @+1 {{'nki.alloc' op buffer needs 4611686018427387900 bytes per partition, beyond any on-chip memory (at most 1099511627776)}}
  %0 = nki.alloc : memref<128x1099511627776x1099511627776xf32, #nki.mem<sbuf>>
  return
}

//===----------------------------------------------------------------------===//
// nki.load / nki.store
//===----------------------------------------------------------------------===//

// -----

func.func @load_from_sbuf(%a: memref<128x512xf32, #nki.mem<sbuf>>,
                          %b: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.load' op operand 'src' must be in HBM, but is in SBUF}}
  nki.load %a : memref<128x512xf32, #nki.mem<sbuf>> into %b : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @load_into_psum(%a: memref<128x512xf32>,
                          %b: memref<128x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.load' op operand 'dst' must be in SBUF, but is in PSUM}}
  nki.load %a : memref<128x512xf32> into %b : memref<128x512xf32, #nki.mem<psum>>
  return
}

// -----

func.func @load_shape(%a: memref<128x256xf32>,
                      %b: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.load' op operand 'src' has shape 128x256 but 'dst' has shape 128x512; the shapes must match}}
  nki.load %a : memref<128x256xf32> into %b : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @load_dtype(%a: memref<128x512xf32>,
                      %b: memref<128x512xbf16, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.load' op DMA does not convert element types: 'src' is 'f32', 'dst' is 'bf16'}}
  nki.load %a : memref<128x512xf32> into %b : memref<128x512xbf16, #nki.mem<sbuf>>
  return
}

// -----

func.func @load_dynamic(%a: memref<128x?xf32>,
                        %b: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.load' op operand 'src' must have a static shape, got 'memref<128x?xf32>'}}
  nki.load %a : memref<128x?xf32> into %b : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @load_too_many_partitions(%a: memref<256x512xf32>,
                                    %b: memref<256x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.load' op operand 'dst' spans 256 partitions; a tile spans at most 128}}
  nki.load %a : memref<256x512xf32> into %b : memref<256x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @store_to_sbuf(%a: memref<128x512xf32, #nki.mem<sbuf>>,
                         %b: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.store' op operand 'dst' must be in HBM, but is in SBUF}}
  nki.store %a : memref<128x512xf32, #nki.mem<sbuf>> into %b : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @store_from_psum(%a: memref<128x512xf32, #nki.mem<psum>>,
                           %b: memref<128x512xf32>) {
  // expected-error @+1 {{'nki.store' op operand 'src' must be in SBUF, but is in PSUM}}
  nki.store %a : memref<128x512xf32, #nki.mem<psum>> into %b : memref<128x512xf32>
  return
}

//===----------------------------------------------------------------------===//
// Tile operands (shared by every engine instruction)
//===----------------------------------------------------------------------===//

// -----

func.func @tile_in_hbm(%a: memref<128x512xf32>) {
  // expected-error @+1 {{'nki.memset' op operand 'dst' must be in SBUF or PSUM, but is in HBM}}
  nki.memset 0.0 into %a : memref<128x512xf32>
  return
}

// -----

func.func @tile_foreign_space(%a: memref<128x512xf32, 3>) {
  // expected-error @+1 {{'nki.memset' op operand 'dst' has memory space 3 : i64, which is not an nki memory space (#nki.mem<hbm|sbuf|psum>)}}
  nki.memset 0.0 into %a : memref<128x512xf32, 3>
  return
}

// -----

func.func @tile_dynamic(%a: memref<128x?xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.memset' op operand 'dst' must have a static shape}}
  nki.memset 0.0 into %a : memref<128x?xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @tile_rank1(%a: memref<128xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.memset' op operand 'dst' must have rank >= 2 (partition dim, then free dims), got rank 1}}
  nki.memset 0.0 into %a : memref<128xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @tile_partitions(%a: memref<129x512xf32, #nki.mem<sbuf>>,
                           %b: memref<129x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_copy' op operand 'src' spans 129 partitions; a tile spans at most 128}}
  nki.tensor_copy %a : memref<129x512xf32, #nki.mem<sbuf>> into %b : memref<129x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @tile_dtype(%a: memref<128x512xi32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.memset' op operand 'dst' has element type 'i32'; engines compute on f32 or bf16}}
  nki.memset 0.0 into %a : memref<128x512xi32, #nki.mem<sbuf>>
  return
}

// -----

func.func @tile_sbuf_free_size(%a: memref<128x65537xbf16, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.memset' op operand 'dst' has 65537 elements per partition; an SBUF tile holds at most 65536}}
  nki.memset 0.0 into %a : memref<128x65537xbf16, #nki.mem<sbuf>>
  return
}

// -----

func.func @tile_psum_bank(%a: memref<128x1024xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.memset' op operand 'dst' uses 4096 bytes per partition of PSUM; a PSUM tile must fit one 2048-byte bank}}
  nki.memset 0.0 into %a : memref<128x1024xf32, #nki.mem<psum>>
  return
}

// -----

func.func @gpsimd_psum(%a: memref<128x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.memset' op operand 'dst' is in PSUM, which GpSimdE cannot access}}
  nki.memset 0.0 into %a : memref<128x512xf32, #nki.mem<psum>> on gpsimd
  return
}

// -----

func.func @memset_engine(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.memset' op cannot run on scalar; supported engines: vector, gpsimd}}
  nki.memset 0.0 into %a : memref<128x512xf32, #nki.mem<sbuf>> on scalar
  return
}

//===----------------------------------------------------------------------===//
// nki.activation
//===----------------------------------------------------------------------===//

// -----

func.func @activation_engine(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.activation' op cannot run on vector; supported engines: scalar}}
  nki.activation exp(%a : memref<128x512xf32, #nki.mem<sbuf>>) into %a : memref<128x512xf32, #nki.mem<sbuf>> on vector
  return
}

// -----

func.func @activation_shape(%a: memref<128x512xf32, #nki.mem<sbuf>>,
                            %b: memref<64x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.activation' op operand 'data' has shape 128x512 but 'dst' has shape 64x512; the shapes must match}}
  nki.activation exp(%a : memref<128x512xf32, #nki.mem<sbuf>>) into %b : memref<64x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @activation_scale_shape(%a: memref<128x512xf32, #nki.mem<sbuf>>,
                                  %s: memref<128x2xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.activation' op operand 'scale' must be a [128, 1] view (one value per partition of 'data'), got 128x2}}
  nki.activation exp(%a : memref<128x512xf32, #nki.mem<sbuf>>) scale(%s : memref<128x2xf32, #nki.mem<sbuf>>) into %a : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @activation_scale_partitions(%a: memref<128x512xf32, #nki.mem<sbuf>>,
                                       %s: memref<64x1xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.activation' op operand 'scale' must be a [128, 1] view (one value per partition of 'data'), got 64x1}}
  nki.activation exp(%a : memref<128x512xf32, #nki.mem<sbuf>>) scale(%s : memref<64x1xf32, #nki.mem<sbuf>>) into %a : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @activation_bias_dtype(%a: memref<128x512xf32, #nki.mem<sbuf>>,
                                 %b: memref<128x1xbf16, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.activation' op operand 'bias' must be f32, got 'bf16'}}
  nki.activation exp(%a : memref<128x512xf32, #nki.mem<sbuf>>) bias(%b : memref<128x1xbf16, #nki.mem<sbuf>>) into %a : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @activation_two_scales(%a: memref<128x512xf32, #nki.mem<sbuf>>,
                                 %s: memref<128x1xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.activation' op 'scale' is given both as a view and as an immediate}}
  "nki.activation"(%a, %s, %a) <{func = 1 : i32, operandSegmentSizes = array<i32: 1, 1, 0, 1>, scale_imm = 2.0 : f32}> : (memref<128x512xf32, #nki.mem<sbuf>>, memref<128x1xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>>) -> ()
  return
}

// -----

func.func @activation_unknown_function(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'func' [identity, exp, log, relu, sigmoid, silu, softplus, tanh, square, sqrt]}}
  nki.activation gelu(%a : memref<128x512xf32, #nki.mem<sbuf>>) into %a : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

//===----------------------------------------------------------------------===//
// nki.tensor_scalar
//===----------------------------------------------------------------------===//

// -----

func.func @tensor_scalar_no_operand(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_scalar' op 'operand0' needs a view or an immediate}}
  "nki.tensor_scalar"(%a, %a) <{op0 = 3 : i32, operandSegmentSizes = array<i32: 1, 0, 0, 1>}> : (memref<128x512xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>>) -> ()
  return
}

// -----

func.func @tensor_scalar_orphan_operand(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_scalar' op has a second scalar operand but no 'op1'}}
  "nki.tensor_scalar"(%a, %a) <{op0 = 3 : i32, imm0 = 1.0 : f32, imm1 = 2.0 : f32, operandSegmentSizes = array<i32: 1, 0, 0, 1>}> : (memref<128x512xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>>) -> ()
  return
}

// -----

func.func @tensor_scalar_second_missing(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_scalar' op 'operand1' needs a view or an immediate}}
  "nki.tensor_scalar"(%a, %a) <{op0 = 3 : i32, imm0 = 1.0 : f32, op1 = 1 : i32, operandSegmentSizes = array<i32: 1, 0, 0, 1>}> : (memref<128x512xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>>) -> ()
  return
}

// -----

func.func @tensor_scalar_operand_shape(%a: memref<128x512xf32, #nki.mem<sbuf>>,
                                       %s: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_scalar' op operand 'operand1' must be a [128, 1] view (one value per partition of 'data'), got 128x512}}
  nki.tensor_scalar(%a : memref<128x512xf32, #nki.mem<sbuf>>) add(1.0), multiply(%s : memref<128x512xf32, #nki.mem<sbuf>>) into %a : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @tensor_scalar_engine(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_scalar' op cannot run on tensor; supported engines: scalar, vector, gpsimd}}
  nki.tensor_scalar(%a : memref<128x512xf32, #nki.mem<sbuf>>) add(1.0) into %a : memref<128x512xf32, #nki.mem<sbuf>> on tensor
  return
}

// -----

func.func @tensor_scalar_unknown_op(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{unknown ALU operation 'pow'}}
  nki.tensor_scalar(%a : memref<128x512xf32, #nki.mem<sbuf>>) pow(2.0) into %a : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @tensor_scalar_bad_immediate(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{expected floating point literal}}
  nki.tensor_scalar(%a : memref<128x512xf32, #nki.mem<sbuf>>) add(two) into %a : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

//===----------------------------------------------------------------------===//
// nki.tensor_tensor
//===----------------------------------------------------------------------===//

// -----

func.func @tensor_tensor_two_psum(%p: memref<128x512xf32, #nki.mem<psum>>,
                                  %q: memref<128x512xf32, #nki.mem<psum>>,
                                  %d: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_tensor' op inputs 'lhs' and 'rhs' are both in PSUM; at most one input of tensor_tensor may be in PSUM}}
  nki.tensor_tensor add(%p : memref<128x512xf32, #nki.mem<psum>>, %q : memref<128x512xf32, #nki.mem<psum>>) into %d : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @tensor_tensor_shape(%a: memref<128x512xf32, #nki.mem<sbuf>>,
                               %b: memref<128x256xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_tensor' op operand 'lhs' has shape 128x512 but 'rhs' has shape 128x256; the shapes must match}}
  nki.tensor_tensor add(%a : memref<128x512xf32, #nki.mem<sbuf>>, %b : memref<128x256xf32, #nki.mem<sbuf>>) into %a : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

// A [P, 1] operand is not broadcast by tensor_tensor: use tensor_scalar.
func.func @tensor_tensor_no_broadcast(%a: memref<128x512xf32, #nki.mem<sbuf>>,
                                      %s: memref<128x1xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_tensor' op operand 'lhs' has shape 128x512 but 'rhs' has shape 128x1; the shapes must match}}
  nki.tensor_tensor multiply(%a : memref<128x512xf32, #nki.mem<sbuf>>, %s : memref<128x1xf32, #nki.mem<sbuf>>) into %a : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @tensor_tensor_gpsimd_psum(%a: memref<128x512xf32, #nki.mem<sbuf>>,
                                     %p: memref<128x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.tensor_tensor' op operand 'rhs' is in PSUM, which GpSimdE cannot access}}
  nki.tensor_tensor add(%a : memref<128x512xf32, #nki.mem<sbuf>>, %p : memref<128x512xf32, #nki.mem<psum>>) into %a : memref<128x512xf32, #nki.mem<sbuf>> on gpsimd
  return
}

// -----

func.func @tensor_tensor_engine(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_tensor' op cannot run on scalar; supported engines: vector, gpsimd}}
  nki.tensor_tensor add(%a : memref<128x512xf32, #nki.mem<sbuf>>, %a : memref<128x512xf32, #nki.mem<sbuf>>) into %a : memref<128x512xf32, #nki.mem<sbuf>> on scalar
  return
}

// -----

func.func @tensor_tensor_unknown_engine(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'engine' [scalar, vector, gpsimd, tensor]}}
  nki.tensor_tensor add(%a : memref<128x512xf32, #nki.mem<sbuf>>, %a : memref<128x512xf32, #nki.mem<sbuf>>) into %a : memref<128x512xf32, #nki.mem<sbuf>> on sync
  return
}

//===----------------------------------------------------------------------===//
// nki.tensor_tensor_scan
//===----------------------------------------------------------------------===//

// -----

func.func @scan_rank(%a: memref<128x2x256xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_tensor_scan' op scans one free dimension: operands must have rank 2 ([partitions, length]), got rank 3}}
  nki.tensor_tensor_scan multiply, add(%a : memref<128x2x256xf32, #nki.mem<sbuf>>, %a : memref<128x2x256xf32, #nki.mem<sbuf>>) initial(0.0) into %a : memref<128x2x256xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @scan_initial_shape(%a: memref<128x512xf32, #nki.mem<sbuf>>,
                              %i: memref<128x2xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_tensor_scan' op operand 'initial' must be a [128, 1] view (one value per partition of 'data0'), got 128x2}}
  nki.tensor_tensor_scan multiply, add(%a : memref<128x512xf32, #nki.mem<sbuf>>, %a : memref<128x512xf32, #nki.mem<sbuf>>) initial(%i : memref<128x2xf32, #nki.mem<sbuf>>) into %a : memref<128x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @scan_two_initials(%a: memref<128x512xf32, #nki.mem<sbuf>>,
                             %i: memref<128x1xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_tensor_scan' op 'initial' is given both as a view and as an immediate}}
  "nki.tensor_tensor_scan"(%a, %a, %i, %a) <{op0 = 3 : i32, op1 = 1 : i32, initial_imm = 0.0 : f32}> : (memref<128x512xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>>, memref<128x1xf32, #nki.mem<sbuf>>, memref<128x512xf32, #nki.mem<sbuf>>) -> ()
  return
}

// -----

func.func @scan_engine(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_tensor_scan' op cannot run on gpsimd; supported engines: vector}}
  nki.tensor_tensor_scan multiply, add(%a : memref<128x512xf32, #nki.mem<sbuf>>, %a : memref<128x512xf32, #nki.mem<sbuf>>) initial(0.0) into %a : memref<128x512xf32, #nki.mem<sbuf>> on gpsimd
  return
}

// -----

func.func @scan_shape(%a: memref<128x512xf32, #nki.mem<sbuf>>,
                      %b: memref<128x511xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_tensor_scan' op operand 'data0' has shape 128x512 but 'dst' has shape 128x511; the shapes must match}}
  nki.tensor_tensor_scan multiply, add(%a : memref<128x512xf32, #nki.mem<sbuf>>, %a : memref<128x512xf32, #nki.mem<sbuf>>) initial(0.0) into %b : memref<128x511xf32, #nki.mem<sbuf>>
  return
}

//===----------------------------------------------------------------------===//
// nki.tensor_copy
//===----------------------------------------------------------------------===//

// -----

func.func @copy_shape(%a: memref<128x512xf32, #nki.mem<sbuf>>,
                      %b: memref<128x2x256xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_copy' op operand 'src' has shape 128x512 but 'dst' has shape 128x2x256; the shapes must match}}
  nki.tensor_copy %a : memref<128x512xf32, #nki.mem<sbuf>> into %b : memref<128x2x256xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @copy_gpsimd_psum(%p: memref<128x512xf32, #nki.mem<psum>>,
                            %b: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.tensor_copy' op operand 'src' is in PSUM, which GpSimdE cannot access}}
  nki.tensor_copy %p : memref<128x512xf32, #nki.mem<psum>> into %b : memref<128x512xf32, #nki.mem<sbuf>> on gpsimd
  return
}

//===----------------------------------------------------------------------===//
// nki.partition_broadcast
//===----------------------------------------------------------------------===//

// -----

func.func @broadcast_source_partitions(%a: memref<2x512xf32, #nki.mem<sbuf>>,
                                       %p: memref<128x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.partition_broadcast' op operand 'src' must span 1 partition, got 2}}
  nki.partition_broadcast %a : memref<2x512xf32, #nki.mem<sbuf>> into %p : memref<128x512xf32, #nki.mem<psum>>
  return
}

// -----

func.func @broadcast_source_psum(%a: memref<1x512xf32, #nki.mem<psum>>,
                                 %p: memref<128x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.partition_broadcast' op operand 'src' must be in SBUF (TensorE reads SBUF), but is in PSUM}}
  nki.partition_broadcast %a : memref<1x512xf32, #nki.mem<psum>> into %p : memref<128x512xf32, #nki.mem<psum>>
  return
}

// -----

func.func @broadcast_free_dims(%a: memref<1x256xf32, #nki.mem<sbuf>>,
                               %p: memref<128x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.partition_broadcast' op free dims of 'src' (1x256) and 'dst' (128x512) must match}}
  nki.partition_broadcast %a : memref<1x256xf32, #nki.mem<sbuf>> into %p : memref<128x512xf32, #nki.mem<psum>>
  return
}

// -----

func.func @broadcast_psum_bf16(%a: memref<1x512xbf16, #nki.mem<sbuf>>,
                               %p: memref<128x512xbf16, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.partition_broadcast' op a PSUM destination must be f32 (TensorE accumulates in fp32), got 'bf16'}}
  nki.partition_broadcast %a : memref<1x512xbf16, #nki.mem<sbuf>> into %p : memref<128x512xbf16, #nki.mem<psum>>
  return
}

// -----

func.func @broadcast_psum_bank(%a: memref<1x1024xf32, #nki.mem<sbuf>>,
                               %p: memref<128x1024xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.partition_broadcast' op operand 'dst' uses 4096 bytes per partition of PSUM; a PSUM tile must fit one 2048-byte bank}}
  nki.partition_broadcast %a : memref<1x1024xf32, #nki.mem<sbuf>> into %p : memref<128x1024xf32, #nki.mem<psum>>
  return
}

// -----

func.func @broadcast_engine(%a: memref<1x512xf32, #nki.mem<sbuf>>,
                            %p: memref<128x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.partition_broadcast' op cannot run on vector; supported engines: tensor}}
  nki.partition_broadcast %a : memref<1x512xf32, #nki.mem<sbuf>> into %p : memref<128x512xf32, #nki.mem<psum>> on vector
  return
}

//===----------------------------------------------------------------------===//
// Discardable attributes of the nki namespace
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{'nki.target' must be a #nki.target<...> attribute, got "trn3"}}
module attributes {nki.target = "trn3"} {}

// -----

// expected-error @+2 {{expected ::mlir::nki::Target to be one of: trn1, trn2}}
// expected-error @+1 {{failed to parse Nki_TargetAttr parameter 'value'}}
module attributes {nki.target = #nki.target<trn3>} {}

// -----

func.func @loop_kind() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{'nki.kind' must be "affine" or "sequential", got "parallel"}}
  scf.for %i = %c0 to %c1 step %c1 {
  } {nki.kind = "parallel"}
  return
}

// -----

func.func @loop_name() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{'nki.loop' must be a non-empty string, got 3 : i64}}
  scf.for %i = %c0 to %c1 step %c1 {
  } {nki.loop = 3}
  return
}

// -----

// expected-error @+1 {{unknown nki attribute 'nki.frob' (expected nki.target, nki.loop, nki.kind or nki.kernel)}}
func.func @unknown_attr() attributes {nki.frob} {
  return
}

// -----

// expected-error @+2 {{expected ::mlir::nki::MemorySpace to be one of: hbm, sbuf, psum}}
// expected-error @+1 {{failed to parse Nki_MemorySpaceAttr parameter 'value'}}
func.func @unknown_space(%a: memref<4x4xf32, #nki.mem<dram>>) {
  return
}

// -----

// expected-error @+1 {{'nki.name' of argument #0 must be a non-empty string of letters, digits, '_' and '-', got "two words"}}
func.func @bad_arg_name(%a: memref<4xf32> {nki.name = "two words"}) {
  return
}

// -----

// expected-error @+1 {{unknown nki argument attribute 'nki.label' (expected nki.name)}}
func.func @unknown_arg_attr(%a: memref<4xf32> {nki.label = "x"}) {
  return
}

// -----

// An attribute that is not the op's own is an error, not silently dropped.
func.func @unknown_attribute(%a: memref<128x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.memset' op has unknown attribute 'fill' (its attributes: engine, value)}}
  nki.memset 0.0 into %a : memref<128x512xf32, #nki.mem<sbuf>> {fill = 1.0 : f32}
  return
}

// -----

func.func @unknown_attribute_alloc() {
  // expected-error @+1 {{'nki.alloc' op has unknown attribute 'label' (its attributes: name)}}
  %a = nki.alloc {label = "x"} : memref<128x4xf32, #nki.mem<sbuf>>
  return
}

//===----------------------------------------------------------------------===//
// nki.matmul
//===----------------------------------------------------------------------===//

// -----

func.func @matmul_partitions(%s: memref<128x64xf32, #nki.mem<sbuf>>, %m: memref<64x512xf32, #nki.mem<sbuf>>, %d: memref<64x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op operands 'stationary' (128x64) and 'moving' (64x512) must span the same partitions (the contraction dim), got 128 and 64}}
  nki.matmul(%s : memref<128x64xf32, #nki.mem<sbuf>>, %m : memref<64x512xf32, #nki.mem<sbuf>>) into %d : memref<64x512xf32, #nki.mem<psum>>
  return
}

// -----

func.func @matmul_contraction(%s: memref<256x64xf32, #nki.mem<sbuf>>, %m: memref<256x512xf32, #nki.mem<sbuf>>, %d: memref<64x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op operand 'stationary' spans 256 partitions; a tile spans at most 128}}
  nki.matmul(%s : memref<256x64xf32, #nki.mem<sbuf>>, %m : memref<256x512xf32, #nki.mem<sbuf>>) into %d : memref<64x512xf32, #nki.mem<psum>>
  return
}

// -----

func.func @matmul_stationary_free_limit(%s: memref<128x129xf32, #nki.mem<sbuf>>, %m: memref<128x512xf32, #nki.mem<sbuf>>, %d: memref<128x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op operand 'stationary' has free size 129; TensorE takes at most 128}}
  nki.matmul(%s : memref<128x129xf32, #nki.mem<sbuf>>, %m : memref<128x512xf32, #nki.mem<sbuf>>) into %d : memref<128x512xf32, #nki.mem<psum>>
  return
}

// -----

func.func @matmul_moving_free(%s: memref<128x64xbf16, #nki.mem<sbuf>>, %m: memref<128x1024xbf16, #nki.mem<sbuf>>, %d: memref<64x256xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op operand 'moving' has free size 1024; TensorE takes at most 512}}
  nki.matmul(%s : memref<128x64xbf16, #nki.mem<sbuf>>, %m : memref<128x1024xbf16, #nki.mem<sbuf>>) into %d : memref<64x256xf32, #nki.mem<psum>>
  return
}

// -----

func.func @matmul_bank(%s: memref<128x64xf32, #nki.mem<sbuf>>, %m: memref<128x512xf32, #nki.mem<sbuf>>, %d: memref<64x1024xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op operand 'dst' uses 4096 bytes per partition of PSUM; a PSUM tile must fit one 2048-byte bank}}
  nki.matmul(%s : memref<128x64xf32, #nki.mem<sbuf>>, %m : memref<128x512xf32, #nki.mem<sbuf>>) into %d : memref<64x1024xf32, #nki.mem<psum>>
  return
}

// -----

func.func @matmul_dst_shape(%s: memref<128x64xf32, #nki.mem<sbuf>>, %m: memref<128x512xf32, #nki.mem<sbuf>>, %d: memref<64x256xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op operand 'dst' must have shape 64x512 (stationary's free size x moving's), got 64x256}}
  nki.matmul(%s : memref<128x64xf32, #nki.mem<sbuf>>, %m : memref<128x512xf32, #nki.mem<sbuf>>) into %d : memref<64x256xf32, #nki.mem<psum>>
  return
}

// -----

func.func @matmul_dst_sbuf(%s: memref<128x64xf32, #nki.mem<sbuf>>, %m: memref<128x512xf32, #nki.mem<sbuf>>, %d: memref<64x512xf32, #nki.mem<sbuf>>) {
  // expected-error @+1 {{'nki.matmul' op operand 'dst' must be in PSUM (TensorE writes PSUM), but is in SBUF}}
  nki.matmul(%s : memref<128x64xf32, #nki.mem<sbuf>>, %m : memref<128x512xf32, #nki.mem<sbuf>>) into %d : memref<64x512xf32, #nki.mem<sbuf>>
  return
}

// -----

func.func @matmul_operand_psum(%s: memref<128x64xf32, #nki.mem<psum>>, %m: memref<128x512xf32, #nki.mem<sbuf>>, %d: memref<64x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op operand 'stationary' must be in SBUF (TensorE reads SBUF), but is in PSUM}}
  nki.matmul(%s : memref<128x64xf32, #nki.mem<psum>>, %m : memref<128x512xf32, #nki.mem<sbuf>>) into %d : memref<64x512xf32, #nki.mem<psum>>
  return
}

// -----

func.func @matmul_dst_bf16(%s: memref<128x64xbf16, #nki.mem<sbuf>>, %m: memref<128x512xbf16, #nki.mem<sbuf>>, %d: memref<64x512xbf16, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op operand 'dst' must be f32 (TensorE accumulates in fp32), got 'bf16'}}
  nki.matmul(%s : memref<128x64xbf16, #nki.mem<sbuf>>, %m : memref<128x512xbf16, #nki.mem<sbuf>>) into %d : memref<64x512xbf16, #nki.mem<psum>>
  return
}

// -----

func.func @matmul_mixed(%s: memref<128x64xbf16, #nki.mem<sbuf>>, %m: memref<128x512xf32, #nki.mem<sbuf>>, %d: memref<64x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op operands 'stationary' and 'moving' must have the same element type, got 'bf16' and 'f32'}}
  nki.matmul(%s : memref<128x64xbf16, #nki.mem<sbuf>>, %m : memref<128x512xf32, #nki.mem<sbuf>>) into %d : memref<64x512xf32, #nki.mem<psum>>
  return
}

// -----

func.func @matmul_rank(%s: memref<128x8x8xf32, #nki.mem<sbuf>>, %m: memref<128x512xf32, #nki.mem<sbuf>>, %d: memref<64x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op operand 'stationary' must have rank 2 (partitions, then one free dim), got shape 128x8x8}}
  nki.matmul(%s : memref<128x8x8xf32, #nki.mem<sbuf>>, %m : memref<128x512xf32, #nki.mem<sbuf>>) into %d : memref<64x512xf32, #nki.mem<psum>>
  return
}

// -----

func.func @matmul_engine(%s: memref<128x64xf32, #nki.mem<sbuf>>, %m: memref<128x512xf32, #nki.mem<sbuf>>, %d: memref<64x512xf32, #nki.mem<psum>>) {
  // expected-error @+1 {{'nki.matmul' op cannot run on vector; supported engines: tensor}}
  nki.matmul(%s : memref<128x64xf32, #nki.mem<sbuf>>, %m : memref<128x512xf32, #nki.mem<sbuf>>) into %d : memref<64x512xf32, #nki.mem<psum>> on vector
  return
}
