// print -> parse -> print is the identity, for every pipeline and for a
// stream with spills.
// RUN: mamba-opt --mamba-v1 %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | mamba-translate --nki-to-nisa -o %t.v1.nisa
// RUN: mamba-translate --nisa-roundtrip %t.v1.nisa | diff - %t.v1.nisa
// RUN: mamba-opt --mamba-v3 %mamba_src_root/examples/mamba_b1_l2048_c512_n16.mlir | mamba-translate --nki-to-nisa -o %t.v3.nisa
// RUN: mamba-translate --nisa-roundtrip %t.v3.nisa | diff - %t.v3.nisa
// RUN: mamba-opt --mamba-v1 %mamba_src_root/examples/mamba_b1_l512_c4096_n16.mlir | mamba-translate --nki-to-nisa --nisa-target=trn2 -o %t.trn2.nisa
// RUN: mamba-translate --nisa-roundtrip %t.trn2.nisa | diff - %t.trn2.nisa
// A stream with spill traffic, scratch operands and every opcode the
// backend emits (SBUF broadcasts become matmul + tensor_copy).
// RUN: %python %mamba_src_root/scripts/make-kernel.py --seq-len 8192 --channels 512 --state 4 | mamba-opt --mamba-v2 | mamba-translate --nki-to-nisa -o %t.spill.nisa
// RUN: mamba-translate --nisa-roundtrip %t.spill.nisa | diff - %t.spill.nisa
// RUN: FileCheck %s < %t.spill.nisa
// CHECK: scratch {{[1-9][0-9]*}}
// CHECK: qSyncSpillReload0 dma dst=scratch[
// CHECK: act tensor_copy dst=sbuf
// CHECK: qSyncSpillReload0 dma dst=sbuf{{.*}} src=scratch[
