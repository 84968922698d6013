// Shapes the lowering cannot handle give a located error naming the limit.
// RUN: mamba-opt %s --convert-mamba-to-nki -split-input-file -verify-diagnostics

func.func @dynamic(%delta: memref<1x?x512xf32>, %u: memref<1x256x512xf32>,
                   %A: memref<256x16xf32>, %B: memref<1x16x512xf32>,
                   %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op cannot be lowered to nki: operand 'delta' has dynamic shape 'memref<1x?x512xf32>'; the NeuronCore instruction stream is fully unrolled and needs static shapes}}
  mamba.selective_scan delta(%delta : memref<1x?x512xf32>)
      u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %out : memref<1x256x512xf32>
  return
}

// -----

// 49153 fp32 per partition = 196612 bytes: 4 over trn1's 192 KiB.
func.func @seq_len_too_long(%delta: memref<1x128x49153xf32>, %u: memref<1x128x49153xf32>,
                            %A: memref<128x16xf32>, %B: memref<1x16x49153xf32>,
                            %C: memref<1x16x49153xf32>, %out: memref<1x128x49153xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op cannot be lowered to nki: a [128, 49153] f32 tile needs 196612 bytes per partition but SBUF has 196608 on trn1 (over by 4); the v1 kernel keeps a whole sequence in one tile, so seq_len must be at most 49152}}
  mamba.selective_scan delta(%delta : memref<1x128x49153xf32>)
      u(%u : memref<1x128x49153xf32>) A(%A : memref<128x16xf32>)
      B(%B : memref<1x16x49153xf32>) C(%C : memref<1x16x49153xf32>)
      into %out : memref<1x128x49153xf32>
  return
}

// -----

// trn2 has 224 KiB per partition: the limit moves with the target.
module attributes {nki.target = #nki.target<trn2>} {
  func.func @seq_len_trn2(%delta: memref<1x64x57345xf32>, %u: memref<1x64x57345xf32>,
                          %A: memref<64x1xf32>, %B: memref<1x1x57345xf32>,
                          %C: memref<1x1x57345xf32>, %out: memref<1x64x57345xf32>) {
    // expected-error @+1 {{a [64, 57345] f32 tile needs 229380 bytes per partition but SBUF has 229376 on trn2 (over by 4); the v1 kernel keeps a whole sequence in one tile, so seq_len must be at most 57344}}
    mamba.selective_scan delta(%delta : memref<1x64x57345xf32>)
        u(%u : memref<1x64x57345xf32>) A(%A : memref<64x1xf32>)
        B(%B : memref<1x1x57345xf32>) C(%C : memref<1x1x57345xf32>)
        into %out : memref<1x64x57345xf32>
    return
  }
}

// -----

// An absurd length is rejected by arithmetic that does not overflow.
func.func @seq_len_absurd(%delta: memref<1x128x1099511627776xf32>, %u: memref<1x128x1099511627776xf32>,
                          %A: memref<128x16xf32>, %B: memref<1x16x1099511627776xf32>,
                          %C: memref<1x16x1099511627776xf32>, %out: memref<1x128x1099511627776xf32>) {
  // expected-error @+1 {{a [128, 1099511627776] f32 tile needs 4398046511104 bytes per partition}}
  mamba.selective_scan delta(%delta : memref<1x128x1099511627776xf32>)
      u(%u : memref<1x128x1099511627776xf32>) A(%A : memref<128x16xf32>)
      B(%B : memref<1x16x1099511627776xf32>) C(%C : memref<1x16x1099511627776xf32>)
      into %out : memref<1x128x1099511627776xf32>
  return
}
