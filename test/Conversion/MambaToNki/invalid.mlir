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

// 65537 elements per partition: one more than an SBUF tile holds. (Whether
// the buffers of a kernel fit SBUF is nki-check-capacity's question; see
// test/Transforms/nki-check-capacity.mlir.)
func.func @seq_len_too_long(%delta: memref<1x128x65537xf32>, %u: memref<1x128x65537xf32>,
                            %A: memref<128x16xf32>, %B: memref<1x16x65537xf32>,
                            %C: memref<1x16x65537xf32>, %out: memref<1x128x65537xf32>) {
  // expected-error @+1 {{'mamba.selective_scan' op cannot be lowered to nki: a [128, 65537] tile has 65537 elements per partition, more than an SBUF tile's 65536; the v1 kernel keeps a whole sequence in one tile, so seq_len must be at most 65536}}
  mamba.selective_scan delta(%delta : memref<1x128x65537xf32>)
      u(%u : memref<1x128x65537xf32>) A(%A : memref<128x16xf32>)
      B(%B : memref<1x16x65537xf32>) C(%C : memref<1x16x65537xf32>)
      into %out : memref<1x128x65537xf32>
  return
}

// -----

// An absurd length is rejected by arithmetic that does not overflow.
func.func @seq_len_absurd(%delta: memref<1x128x1099511627776xf32>, %u: memref<1x128x1099511627776xf32>,
                          %A: memref<128x16xf32>, %B: memref<1x16x1099511627776xf32>,
                          %C: memref<1x16x1099511627776xf32>, %out: memref<1x128x1099511627776xf32>) {
  // expected-error @+1 {{a [128, 1099511627776] tile has 1099511627776 elements per partition, more than an SBUF tile's 65536}}
  mamba.selective_scan delta(%delta : memref<1x128x1099511627776xf32>)
      u(%u : memref<1x128x1099511627776xf32>) A(%A : memref<128x16xf32>)
      B(%B : memref<1x16x1099511627776xf32>) C(%C : memref<1x16x1099511627776xf32>)
      into %out : memref<1x128x1099511627776xf32>
  return
}

