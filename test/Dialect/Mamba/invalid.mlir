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
  "mamba.selective_scan"(%d, %u, %A, %B, %C, %y) : (tensor<1x128x512xf32>, memref<1x128x512xf32>, memref<128x16xf32>, memref<1x16x512xf32>, memref<1x16x512xf32>, memref<1x128x512xf32>) -> ()
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
