// One case per verifier rule of mamba.selective_scan.
// RUN: mamba-opt %s -split-input-file -verify-diagnostics

func.func @delta_in_sbuf(%d: memref<1x128x512xf32, #nki.mem<sbuf>>, %u: memref<1x128x512xf32>,
                         %A: memref<128x16xf32>, %B: memref<1x16x512xf32>,
                         %C: memref<1x16x512xf32>, %y: memref<1x128x512xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'delta' must be in HBM (no memory space or #nki.mem<hbm>), got #nki.mem<sbuf>}}
  mamba.selective_scan delta(%d : memref<1x128x512xf32, #nki.mem<sbuf>>) u(%u : memref<1x128x512xf32>) A(%A : memref<128x16xf32>) B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>) into %y : memref<1x128x512xf32>
  return
}

// -----

func.func @foreign_space(%d: memref<1x128x512xf32>, %u: memref<1x128x512xf32>,
                         %A: memref<128x16xf32>, %B: memref<1x16x512xf32>,
                         %C: memref<1x16x512xf32>, %y: memref<1x128x512xf32, 2>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'out' must be in HBM (no memory space or #nki.mem<hbm>), got 2 : i64}}
  mamba.selective_scan delta(%d : memref<1x128x512xf32>) u(%u : memref<1x128x512xf32>) A(%A : memref<128x16xf32>) B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>) into %y : memref<1x128x512xf32, 2>
  return
}

// -----

func.func @a_bf16(%d: memref<1x128x512xf32>, %u: memref<1x128x512xf32>,
                  %A: memref<128x16xbf16>, %B: memref<1x16x512xf32>,
                  %C: memref<1x16x512xf32>, %y: memref<1x128x512xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'A' must be f32, got 'bf16'}}
  mamba.selective_scan delta(%d : memref<1x128x512xf32>) u(%u : memref<1x128x512xf32>) A(%A : memref<128x16xbf16>) B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>) into %y : memref<1x128x512xf32>
  return
}

// -----

func.func @u_rank(%d: memref<1x128x512xf32>, %u: memref<128x512xf32>,
                  %A: memref<128x16xf32>, %B: memref<1x16x512xf32>,
                  %C: memref<1x16x512xf32>, %y: memref<1x128x512xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'u' must have rank 3 [batch, channels, seq_len], got rank 2}}
  mamba.selective_scan delta(%d : memref<1x128x512xf32>) u(%u : memref<128x512xf32>) A(%A : memref<128x16xf32>) B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>) into %y : memref<1x128x512xf32>
  return
}

// -----

func.func @a_rank(%d: memref<1x128x512xf32>, %u: memref<1x128x512xf32>,
                  %A: memref<1x128x16xf32>, %B: memref<1x16x512xf32>,
                  %C: memref<1x16x512xf32>, %y: memref<1x128x512xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'A' must have rank 2 [channels, state], got rank 3}}
  mamba.selective_scan delta(%d : memref<1x128x512xf32>) u(%u : memref<1x128x512xf32>) A(%A : memref<1x128x16xf32>) B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>) into %y : memref<1x128x512xf32>
  return
}

// -----

func.func @empty(%d: memref<1x128x0xf32>, %u: memref<1x128x0xf32>,
                 %A: memref<128x16xf32>, %B: memref<1x16x0xf32>,
                 %C: memref<1x16x0xf32>, %y: memref<1x128x0xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'delta' dim 2 (seq_len) is empty}}
  mamba.selective_scan delta(%d : memref<1x128x0xf32>) u(%u : memref<1x128x0xf32>) A(%A : memref<128x16xf32>) B(%B : memref<1x16x0xf32>) C(%C : memref<1x16x0xf32>) into %y : memref<1x128x0xf32>
  return
}

// -----

func.func @u_channels(%d: memref<1x256x512xf32>, %u: memref<1x128x512xf32>,
                      %A: memref<256x16xf32>, %B: memref<1x16x512xf32>,
                      %C: memref<1x16x512xf32>, %y: memref<1x256x512xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'u' dim 1 (channels) is 128 but 'delta' dim 1 (channels) is 256}}
  mamba.selective_scan delta(%d : memref<1x256x512xf32>) u(%u : memref<1x128x512xf32>) A(%A : memref<256x16xf32>) B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>) into %y : memref<1x256x512xf32>
  return
}

// -----

func.func @out_seq_len(%d: memref<1x128x512xf32>, %u: memref<1x128x512xf32>,
                       %A: memref<128x16xf32>, %B: memref<1x16x512xf32>,
                       %C: memref<1x16x512xf32>, %y: memref<1x128x256xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'out' dim 2 (seq_len) is 256 but 'delta' dim 2 (seq_len) is 512}}
  mamba.selective_scan delta(%d : memref<1x128x512xf32>) u(%u : memref<1x128x512xf32>) A(%A : memref<128x16xf32>) B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>) into %y : memref<1x128x256xf32>
  return
}

// -----

func.func @a_channels(%d: memref<1x128x512xf32>, %u: memref<1x128x512xf32>,
                      %A: memref<64x16xf32>, %B: memref<1x16x512xf32>,
                      %C: memref<1x16x512xf32>, %y: memref<1x128x512xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'A' dim 0 (channels) is 64 but 'delta' dim 1 (channels) is 128}}
  mamba.selective_scan delta(%d : memref<1x128x512xf32>) u(%u : memref<1x128x512xf32>) A(%A : memref<64x16xf32>) B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>) into %y : memref<1x128x512xf32>
  return
}

// -----

func.func @b_batch(%d: memref<2x128x512xf32>, %u: memref<2x128x512xf32>,
                   %A: memref<128x16xf32>, %B: memref<1x16x512xf32>,
                   %C: memref<2x16x512xf32>, %y: memref<2x128x512xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'B' dim 0 (batch) is 1 but 'delta' dim 0 (batch) is 2}}
  mamba.selective_scan delta(%d : memref<2x128x512xf32>) u(%u : memref<2x128x512xf32>) A(%A : memref<128x16xf32>) B(%B : memref<1x16x512xf32>) C(%C : memref<2x16x512xf32>) into %y : memref<2x128x512xf32>
  return
}

// -----

func.func @c_state(%d: memref<1x128x512xf32>, %u: memref<1x128x512xf32>,
                   %A: memref<128x16xf32>, %B: memref<1x16x512xf32>,
                   %C: memref<1x8x512xf32>, %y: memref<1x128x512xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'C' dim 1 (state) is 8 but 'A' dim 1 (state) is 16}}
  mamba.selective_scan delta(%d : memref<1x128x512xf32>) u(%u : memref<1x128x512xf32>) A(%A : memref<128x16xf32>) B(%B : memref<1x16x512xf32>) C(%C : memref<1x8x512xf32>) into %y : memref<1x128x512xf32>
  return
}

// -----

func.func @b_seq_len(%d: memref<1x128x512xf32>, %u: memref<1x128x512xf32>,
                     %A: memref<128x16xf32>, %B: memref<1x16x1024xf32>,
                     %C: memref<1x16x512xf32>, %y: memref<1x128x512xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'B' dim 2 (seq_len) is 1024 but 'delta' dim 2 (seq_len) is 512}}
  mamba.selective_scan delta(%d : memref<1x128x512xf32>) u(%u : memref<1x128x512xf32>) A(%A : memref<128x16xf32>) B(%B : memref<1x16x1024xf32>) C(%C : memref<1x16x512xf32>) into %y : memref<1x128x512xf32>
  return
}

// -----

func.func @not_a_memref(%d: tensor<1x128x512xf32>, %u: memref<1x128x512xf32>,
                        %A: memref<128x16xf32>, %B: memref<1x16x512xf32>,
                        %C: memref<1x16x512xf32>, %y: memref<1x128x512xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand #0 must be memref of any type values, but got 'tensor<1x128x512xf32>'}}
  "mamba.selective_scan"(%d, %u, %A, %B, %C, %y) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0>}> : (tensor<1x128x512xf32>, memref<1x128x512xf32>, memref<128x16xf32>, memref<1x16x512xf32>, memref<1x16x512xf32>, memref<1x128x512xf32>) -> ()
  return
}

// -----

func.func @missing_operand(%d: memref<1x128x512xf32>, %A: memref<128x16xf32>,
                           %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>,
                           %y: memref<1x128x512xf32>) {
  // expected-error @+1 {{custom op 'mamba.selective_scan' expected 'u'}}
  mamba.selective_scan delta(%d : memref<1x128x512xf32>) A(%A : memref<128x16xf32>) B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>) into %y : memref<1x128x512xf32>
  return
}

// -----

func.func @unknown_attr(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<1x4x64xf32>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op has unknown attribute 'D' (the only attribute is 'delta_softplus'; D, z, delta_bias, initial_state and final_state are operands)}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x4x64xf32>) into %y : memref<1x128x64xf32> {D = 1 : i64}
  return
}

// -----

func.func @misspelled_flag(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<1x4x64xf32>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op has unknown attribute 'delta_softpuls' (the only attribute is 'delta_softplus'; D, z, delta_bias, initial_state and final_state are operands)}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x4x64xf32>) into %y : memref<1x128x64xf32> {delta_softpuls}
  return
}

// -----

func.func @b_rank(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<4x64xf32>, %C: memref<1x4x64xf32>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'B' dim 0 (channels) is 4 but 'delta' dim 1 (channels) is 128}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<4x64xf32>) C(%C : memref<1x4x64xf32>) into %y : memref<1x128x64xf32>
  return
}

// -----

func.func @c_rank5(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<1x1x1x4x64xf32>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'C' must have rank 3 [batch, state, seq_len] (variable), 4 [batch, groups, state, seq_len] (grouped) or 2 [channels, state] (constant), got rank 5}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x1x1x4x64xf32>) into %y : memref<1x128x64xf32>
  return
}

// -----

func.func @groups_divide(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x3x4x64xf32>, %C: memref<1x4x64xf32>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'B' has 3 groups, which does not divide the 128 channels of 'delta'}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x3x4x64xf32>) C(%C : memref<1x4x64xf32>) into %y : memref<1x128x64xf32>
  return
}

// -----

func.func @grouped_state(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x2x8x64xf32>, %C: memref<1x4x64xf32>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'B' dim 2 (state) is 8 but 'A' dim 1 (state) is 4}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x2x8x64xf32>) C(%C : memref<1x4x64xf32>) into %y : memref<1x128x64xf32>
  return
}

// -----

func.func @constant_state(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<128x8xf32>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'C' dim 1 (state) is 8 but 'A' dim 1 (state) is 4}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<128x8xf32>) into %y : memref<1x128x64xf32>
  return
}

// -----

func.func @d_shape(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<1x4x64xf32>, %D: memref<64xf32>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'D' dim 0 (channels) is 64 but 'delta' dim 1 (channels) is 128}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x4x64xf32>) D(%D : memref<64xf32>) into %y : memref<1x128x64xf32>
  return
}

// -----

func.func @d_rank(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<1x4x64xf32>, %D: memref<128x1xf32>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'D' must have rank 1 [channels], got rank 2}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x4x64xf32>) D(%D : memref<128x1xf32>) into %y : memref<1x128x64xf32>
  return
}

// -----

func.func @d_bf16(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<1x4x64xf32>, %D: memref<128xbf16>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'D' must be f32, got 'bf16'}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x4x64xf32>) D(%D : memref<128xbf16>) into %y : memref<1x128x64xf32>
  return
}

// -----

func.func @bias_shape(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<1x4x64xf32>, %bias: memref<256xf32>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'delta_bias' dim 0 (channels) is 256 but 'delta' dim 1 (channels) is 128}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x4x64xf32>) delta_bias(%bias : memref<256xf32>) into %y : memref<1x128x64xf32>
  return
}

// -----

func.func @z_shape(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<1x4x64xf32>, %z: memref<1x128x32xf32>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'z' dim 2 (seq_len) is 32 but 'delta' dim 2 (seq_len) is 64}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x4x64xf32>) z(%z : memref<1x128x32xf32>) into %y : memref<1x128x64xf32>
  return
}

// -----

func.func @z_sbuf(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<1x4x64xf32>, %z: memref<1x128x64xf32, #nki.mem<sbuf>>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'z' must be in HBM (no memory space or #nki.mem<hbm>), got #nki.mem<sbuf>}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x4x64xf32>) z(%z : memref<1x128x64xf32, #nki.mem<sbuf>>) into %y : memref<1x128x64xf32>
  return
}

// -----

func.func @z_f16(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<1x4x64xf32>, %z: memref<1x128x64xf16>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'z' must be f32 or bf16, got 'f16'}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x4x64xf32>) z(%z : memref<1x128x64xf16>) into %y : memref<1x128x64xf32>
  return
}

// -----

func.func @initial_state_shape(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<1x4x64xf32>, %h0: memref<1x128x8xf32>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'initial_state' dim 2 (state) is 8 but 'A' dim 1 (state) is 4}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x4x64xf32>) initial_state(%h0 : memref<1x128x8xf32>) into %y : memref<1x128x64xf32>
  return
}

// -----

func.func @final_state_bf16(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<1x4x64xf32>, %y: memref<1x128x64xf32>, %h: memref<1x128x4xbf16>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'final_state' must be f32, got 'bf16'}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x4x64xf32>) into %y : memref<1x128x64xf32> final_state(%h : memref<1x128x4xbf16>)
  return
}

// -----

func.func @final_state_batch(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<1x4x64xf32>, %y: memref<1x128x64xf32>, %h: memref<2x128x4xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'final_state' dim 0 (batch) is 2 but 'delta' dim 0 (batch) is 1}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x4x64xf32>) into %y : memref<1x128x64xf32> final_state(%h : memref<2x128x4xf32>)
  return
}

// -----

func.func @out_is_input(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<1x4x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op 'out' is also the input 'u'; the results must be tensors of their own}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x4x64xf32>) into %u : memref<1x128x64xf32>
  return
}

// -----

func.func @final_is_initial(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xf32>, %B: memref<1x4x64xf32>, %C: memref<1x4x64xf32>, %h0: memref<1x128x4xf32>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op 'final_state' is also the input 'initial_state'; the results must be tensors of their own}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xf32>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x4x64xf32>) initial_state(%h0 : memref<1x128x4xf32>) into %y : memref<1x128x64xf32> final_state(%h0 : memref<1x128x4xf32>)
  return
}

// -----

func.func @a_bf16_full(%d: memref<1x128x64xf32>, %u: memref<1x128x64xf32>, %A: memref<128x4xbf16>, %B: memref<1x4x64xf32>, %C: memref<1x4x64xf32>, %y: memref<1x128x64xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op operand 'A' must be f32, got 'bf16'}}
  mamba.selective_scan delta(%d : memref<1x128x64xf32>) u(%u : memref<1x128x64xf32>) A(%A : memref<128x4xbf16>) B(%B : memref<1x4x64xf32>) C(%C : memref<1x4x64xf32>) into %y : memref<1x128x64xf32>
  return
}
