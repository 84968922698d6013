// The toy kernel's instruction stream under each pipeline.
// (The ctx lines, which contexts.test checks, are left out here.)
// RUN: mamba-opt --mamba-v1 %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | mamba-translate --nki-to-nisa | grep -v '^ctx ' | FileCheck %s --check-prefixes=COMMON,V1
// RUN: mamba-opt --mamba-v2 %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | mamba-translate --nki-to-nisa | grep -v '^ctx ' | FileCheck %s --check-prefixes=COMMON,V2
// RUN: mamba-opt --mamba-v3 %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | mamba-translate --nki-to-nisa | grep -v '^ctx ' | FileCheck %s --check-prefixes=COMMON,V3
// RUN: mamba-opt --pass-pipeline="builtin.module(mamba-v3{tile-size=256})" %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | mamba-translate --nki-to-nisa | grep -v '^ctx ' | FileCheck %s --check-prefixes=COMMON,V3-256
// RUN: mamba-opt --mamba-v2 %mamba_src_root/examples/mamba_b1_l512_c256_n16.mlir | mamba-translate --nki-to-nisa --nisa-target=trn2 | grep -v '^ctx ' | FileCheck %s --check-prefix=TRN2

// The header: version, target, the kernel signature with roles.
// COMMON:      nisa 1
// COMMON-NEXT: target trn1
// COMMON-NEXT: kernel selective_scan delta_softplus=0
// COMMON-NEXT: tensor delta input f32 1x256x512
// COMMON-NEXT: tensor u input f32 1x256x512
// COMMON-NEXT: tensor A input f32 256x16
// COMMON-NEXT: tensor B input f32 1x16x512
// COMMON-NEXT: tensor C input f32 1x16x512
// COMMON-NEXT: tensor out output f32 1x256x512
// COMMON-NEXT: scratch 0
// COMMON-NEXT: sbuf_peak {{[0-9]+}}
// COMMON-NEXT: psum_peak {{4096|6144}}
// TRN2: target trn2

// v1: two memsets zero the accumulator's two blocks, then the first
// (state, tile) step: loads on the I/O queues, exp on ScalarE waiting for
// delta and A, the broadcast as a TensorE matmul of the ones row (set once
// on GpSimdE) into a PSUM bank, the scan on VectorE, and the accumulation.
// V1-NEXT: instructions 421
// V1-NEXT: 0 dve memset dst=sbuf[0+128]@0x0{512}.f32 value=0 sig=1 ctx={{[0-9]+}} loc="scanC_accum@
// V1-NEXT: 1 dve memset dst=sbuf[0+128]@0x800{512}.f32 value=0 sig=2
// V1-NEXT: 2 qSyncIO0 dma dst=sbuf[0+128]@0x[[DELTA:[0-9a-f]+]]{512}.f32 src=hbm.delta[128*512]@0{512}.f32 sig=1 ctx={{[0-9]+}} loc="delta_i@
// V1-NEXT: 3 qSyncIO1 dma dst=sbuf[0+128]@0x[[U:[0-9a-f]+]]{512}.f32 src=hbm.u[128*512]@0{512}.f32 sig=1
// V1-NEXT: 4 qSyncIO2 dma dst=sbuf[0+128]@0x[[A:[0-9a-f]+]]{1}.f32 src=hbm.A[128*16]@0{1}.f32 sig=1
// V1-NEXT: 5 act activation func=exp dst=sbuf[0+128]@0x[[DA:[0-9a-f]+]]{512}.f32 data=sbuf[0+128]@0x[[DELTA]]{512}.f32 scale=sbuf[0+128]@0x[[A]]{1}.f32 wait=qSyncIO0:1,qSyncIO2:1 sig=1 ctx={{[0-9]+}} loc="deltaA@
// V1-NEXT: 6 qSyncIO3 dma dst=sbuf[0+1]@0x[[B:[0-9a-f]+]]{512}.f32 src=hbm.B[1*8192]@0{512}.f32 sig=1
// V1-NEXT: 7 dve tensor_tensor op=multiply dst=sbuf[0+128]@0x[[DU:[0-9a-f]+]]{512}.f32 src0=sbuf[0+128]@0x[[DELTA]]{512}.f32 src1=sbuf[0+128]@0x[[U]]{512}.f32 wait=qSyncIO0:1,qSyncIO1:1 sig=3
// V1-NEXT: 8 pool memset dst=sbuf[0+1]@0x[[ONES:[0-9a-f]+]]{128}.f32 value=1 sig=1 ctx={{[0-9]+}} loc="ones@
// V1-NEXT: 9 pe matmul dst=psum[0+128]@0x0{512}.f32 stationary=sbuf[0+1]@0x[[ONES]]{128}.f32 moving=sbuf[0+1]@0x[[B]]{512}.f32 wait=pool:1,qSyncIO3:1 sig=1
// V1-NEXT: 10 dve tensor_tensor op=multiply dst=sbuf[0+128]@0x[[DBU:[0-9a-f]+]]{512}.f32 src0=sbuf[0+128]@0x[[DU]]{512}.f32 src1=psum[0+128]@0x0{512}.f32 wait=pe:1 sig=4
// V1-NEXT: 11 dve tensor_tensor_scan op0=multiply op1=add dst=sbuf[0+128]@0x[[SCAN:[0-9a-f]+]]{512}.f32 src0=sbuf[0+128]@0x[[DA]]{512}.f32 src1=sbuf[0+128]@0x[[DBU]]{512}.f32 init=0 wait=act:1 sig=5
// V1-NEXT: 12 qSyncIO0 dma dst=sbuf[0+1]@0x[[C:[0-9a-f]+]]{512}.f32 src=hbm.C[1*8192]@0{512}.f32 sig=2
// V1-NEXT: 13 pe matmul dst=psum[0+128]@0x800{512}.f32 stationary=sbuf[0+1]@0x[[ONES]]{128}.f32 moving=sbuf[0+1]@0x[[C]]{512}.f32 wait=qSyncIO0:2 sig=2
// scanC lands in PSUM, so the accumulation reads one PSUM input (N cycles).
// V1-NEXT: 14 dve tensor_tensor op=multiply dst=psum[0+128]@0x[[SC:[0-9a-f]+]]{512}.f32 src0=sbuf[0+128]@0x[[SCAN]]{512}.f32 src1=psum[0+128]@0x800{512}.f32 wait=pe:2 sig=6
// V1-NEXT: 15 dve tensor_tensor op=add dst=sbuf[0+128]@0x0{512}.f32 src0=sbuf[0+128]@0x0{512}.f32 src1=psum[0+128]@0x[[SC]]{512}.f32 sig=7
// The second tile reloads delta and u (v1 loads them in the innermost loop).
// V1-NEXT: 16 qSyncIO1 dma dst=sbuf[0+128]@0x{{[0-9a-f]+}}{512}.f32 src=hbm.delta[128*512]@65536{512}.f32
// V1: qSyncIO{{[0-3]}} dma dst=hbm.out[128*512]@0{512}.f32 src=sbuf[0+128]@0x0{512}.f32
// V1: qSyncIO{{[0-3]}} dma dst=hbm.out[128*512]@65536{512}.f32 src=sbuf[0+128]@0x800{512}.f32
// V1-NEXT: end

// v2: delta and u are loaded once per tile: 2 loads each, not 32.
// V2-NEXT: instructions 361
// V2-COUNT-2: src=hbm.delta[128*512]
// V2-NOT: src=hbm.delta
// V2: end

// v3 at seq_len 512: one 512-wide tile would be the whole seq_len, so
// nki-tile-free-dim declines and the stream is v2's (no carried state).
// V3-NEXT: instructions 361
// V3-NOT: init=sbuf
// V3: end

// With 256-wide tiles: two seq tiles; the scan reads its initial state from
// the zeroed first column of its [128, 257] buffer, and ScalarE carries the
// last column into it for the second tile.
// V3-256-NEXT: instructions
// V3-256: dve memset dst=sbuf[0+128]@0x[[COL:[0-9a-f]+]]{1}.f32 value=0
// V3-256: dve tensor_tensor_scan op0=multiply op1=add dst={{.*}} init=sbuf[0+128]@0x[[COL]]{1}.f32
// V3-256-NEXT: act tensor_copy dst=sbuf[0+128]@0x[[COL]]{1}.f32
// V3-256: dve tensor_tensor_scan op0=multiply op1=add dst={{.*}} init=sbuf[0+128]@0x[[COL]]{1}.f32
// V3-256: end
