// Spills move windows, not whole buffers. At seq_len 16384, v3's delta_i,
// u_i and scanC_accum ([128, 16384] f32: 64 KiB per partition each) fill
// SBUF by themselves, so the per-step temporaries force spills. Allocated
// whole, each spill moves 8 MiB and the stream thrashes; the backend instead
// re-allocates the buffers that spilled (here scanC_accum and u_i) in
// 512-element windows (2 KiB per partition; every engine access to them
// stays within one), splitting their memset, load and store at window
// boundaries. delta_i did not spill and stays whole.
//
// RUN: %python %mamba_src_root/scripts/make-kernel.py --seq-len 16384 --channels 128 --state 2 | mamba-opt --mamba-v3 -o %t.mlir
// RUN: mamba-translate --nki-to-nisa %t.mlir -o %t.nisa 2> %t.remarks
// RUN: FileCheck %s --check-prefix=REMARK < %t.remarks
// RUN: mamba-translate --nki-to-nisa --nisa-window-spills=false %t.mlir -o %t.whole.nisa
// RUN: mamba-translate --nisa-stats %t.nisa | FileCheck %s --check-prefix=WINDOWS
// RUN: mamba-translate --nisa-stats %t.whole.nisa | FileCheck %s --check-prefix=WHOLE
// RUN: FileCheck %s --check-prefix=STREAM < %t.nisa
// RUN: FileCheck %s --check-prefix=LOADS < %t.nisa
// The same numbers either way, and both correct.
// RUN: nki-run %t.nisa --random-inputs=1 --check --output=out=%t.windows.npy | FileCheck %s --check-prefix=EXEC
// RUN: nki-run %t.whole.nisa --random-inputs=1 --check --output=out=%t.whole.npy | FileCheck %s --check-prefix=EXEC
// RUN: cmp %t.windows.npy %t.whole.npy

// REMARK: remark: 'scanC_accum' spilled, so it is allocated in windows of 512 elements (2048 bytes) per partition and its DMAs and memsets are split at window boundaries (1 instance; --nisa-window-spills=false keeps it whole)
// REMARK: remark: 'u_i' spilled, so it is allocated in windows of 512 elements (2048 bytes) per partition
// REMARK-NOT: remark: 'delta_i'

// WINDOWS: instructions: 890
// WINDOWS: qSyncSpillReload0 20
// WINDOWS: spill save bytes: 2359296
// WINDOWS: spill reload bytes: 2883584

// WHOLE: instructions: 1158
// WHOLE: qSyncSpillReload0 381
// WHOLE: spill save bytes: 561545728
// WHOLE: spill reload bytes: 821638656

// The accumulator's memset, one per window; the spill slots are windows.
// STREAM:      ctx 1 batch=0 channel_tile=0
// STREAM-NEXT: 0 dve memset dst=sbuf[0+128]@0x0{512}.f32 value=0 sig=1 ctx=1 loc="scanC_accum@
// STREAM-NEXT: 1 dve memset dst=sbuf[0+128]@0x800{512}.f32 value=0 sig=2 ctx=1 loc="scanC_accum@
// STREAM:      31 dve memset dst=sbuf[0+128]@0xf800{512}.f32 value=0 sig=32 ctx=1 loc="scanC_accum@
// STREAM-NOT:  dve memset dst=sbuf[0+128]@{{.*}}{16384}
// A spill DMA is in the context of the instruction it makes room for, and
// names the buffer it moves.
// STREAM:      ctx 2 batch=0 channel_tile=0 state=0
// STREAM:      qSyncSpillReload0 dma dst=scratch[128*512]@0{512}.f32 src=sbuf[0+128]@0x{{[0-9a-f]+}}{512}.f32 {{.*}}ctx=2 loc="scanC_accum@{{[^"]*}}:11:24"
// The store, window by window, ends at the last window of the row.
// STREAM:      qSyncIO{{[0-3]}} dma dst=hbm.out[128*16384]@0{512}.f32 src=sbuf[0+128]@0x{{[0-9a-f]+}}{512}.f32
// STREAM-NEXT: qSyncIO{{[0-3]}} dma dst=hbm.out[128*16384]@512{512}.f32
// STREAM:      qSyncIO{{[0-3]}} dma dst=hbm.out[128*16384]@15872{512}.f32
// STREAM-NEXT: end

// LOADS-COUNT-1:  src=hbm.delta[128*16384]@0{16384}.f32
// LOADS-NOT:      src=hbm.delta
// LOADS:          src=hbm.u[128*16384]@0{512}.f32
// LOADS-COUNT-31: src=hbm.u[128*16384]@{{[1-9][0-9]*}}{512}.f32
// LOADS-NOT:      src=hbm.u

// EXEC: ran {{[0-9]+}} instructions
// EXEC: check: PASS (|err| <= atol + rtol*|ref| for all {{[0-9]+}} elements; rtol 0.0006, atol 0.002; max_abs_err={{[^,]+}}, worst ratio err/(atol+rtol*|ref|)={{(0|0\.[0-9]+|[0-9.]+e-[0-9]+|1)}})

// The same on a hand-written kernel: a, b and c fill SBUF, the loop's
// temporary p forces a spill. All three are windowed: the loads split into
// 32 DMAs each, keeping their stride-2 HBM side; the memset and the store
// split too; then a single window of c is spilled and reloaded.
// RUN: mamba-translate --nki-to-nisa %s -verify-diagnostics -o %t.k.nisa
// RUN: mamba-translate --nki-to-nisa --nisa-window-spills=false %s -o %t.k.whole.nisa
// RUN: FileCheck %s --check-prefix=KERNEL < %t.k.nisa
// RUN: mamba-translate --nisa-stats %t.k.nisa | FileCheck %s --check-prefix=KSTATS
// RUN: nki-run %t.k.nisa --random-inputs=3 --output=y=%t.k.npy
// RUN: nki-run %t.k.whole.nisa --random-inputs=3 --output=y=%t.k.whole.npy
// RUN: cmp %t.k.npy %t.k.whole.npy

// KERNEL:      0 qSyncIO0 dma dst=sbuf[0+128]@0x0{512}.f32 src=hbm.x[128*32768]@0{512:2}.f32 sig=1 loc="a@
// KERNEL-NEXT: 1 qSyncIO0 dma dst=sbuf[0+128]@0x800{512}.f32 src=hbm.x[128*32768]@1024{512:2}.f32 sig=2 loc="a@
// KERNEL:      31 qSyncIO0 dma dst=sbuf[0+128]@0xf800{512}.f32 src=hbm.x[128*32768]@31744{512:2}.f32 sig=32 loc="a@
// KERNEL-NEXT: 32 qSyncIO1 dma dst=sbuf[0+128]@0x10000{512}.f32 src=hbm.x[128*32768]@1{512:2}.f32 sig=1 loc="b@
// KERNEL:      63 qSyncIO1 dma dst=sbuf[0+128]@0x1f800{512}.f32 src=hbm.x[128*32768]@31745{512:2}.f32 sig=32 loc="b@
// KERNEL-NEXT: 64 dve memset dst=sbuf[0+128]@0x20000{512}.f32 value=0 sig=1 loc="c@
// KERNEL:      qSyncSpillReload0 dma dst=scratch[128*512]@0{512}.f32 src=sbuf[0+128]@0x2f800{512}.f32
// KERNEL:      qSyncSpillReload0 dma dst=sbuf[0+128]@0x{{[0-9a-f]+}}{512}.f32 src=scratch[128*512]@0{512}.f32
// KERNEL:      qSyncIO2 dma dst=hbm.y[128*16384]@15872{512}.f32
// KERNEL-NEXT: end

// KSTATS: instructions: 194
// KSTATS: qSyncSpillReload0 2
// KSTATS: spill save bytes: 262144
// KSTATS: spill reload bytes: 262144

#sbuf = #nki.mem<sbuf>
func.func @windows(%x: memref<128x32768xf32> {nki.name = "x"},
                   %y: memref<128x16384xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c512 = arith.constant 512 : index
  // expected-remark @+1 {{'a' spilled, so it is allocated in windows of 512 elements (2048 bytes) per partition and its DMAs and memsets are split at window boundaries (1 instance; --nisa-window-spills=false keeps it whole)}}
  %a = nki.alloc "a" : memref<128x16384xf32, #sbuf>
  // expected-remark @+1 {{'b' spilled, so it is allocated in windows of 512 elements}}
  %b = nki.alloc "b" : memref<128x16384xf32, #sbuf>
  // expected-remark @+1 {{'c' spilled, so it is allocated in windows of 512 elements}}
  %c = nki.alloc "c" : memref<128x16384xf32, #sbuf>
  %xe = memref.subview %x[0, 0] [128, 16384] [1, 2]
      : memref<128x32768xf32> to memref<128x16384xf32, strided<[32768, 2]>>
  nki.load %xe : memref<128x16384xf32, strided<[32768, 2]>>
      into %a : memref<128x16384xf32, #sbuf>
  %xo = memref.subview %x[0, 1] [128, 16384] [1, 2]
      : memref<128x32768xf32> to memref<128x16384xf32, strided<[32768, 2], offset: 1>>
  nki.load %xo : memref<128x16384xf32, strided<[32768, 2], offset: 1>>
      into %b : memref<128x16384xf32, #sbuf>
  nki.memset 0.0 into %c : memref<128x16384xf32, #sbuf>
  scf.for %t = %c0 to %c32 step %c1 {
    %o = arith.muli %t, %c512 : index
    %at = memref.subview %a[0, %o] [128, 512] [1, 1]
        : memref<128x16384xf32, #sbuf> to memref<128x512xf32, strided<[16384, 1], offset: ?>, #sbuf>
    %bt = memref.subview %b[0, %o] [128, 512] [1, 1]
        : memref<128x16384xf32, #sbuf> to memref<128x512xf32, strided<[16384, 1], offset: ?>, #sbuf>
    %ct = memref.subview %c[0, %o] [128, 512] [1, 1]
        : memref<128x16384xf32, #sbuf> to memref<128x512xf32, strided<[16384, 1], offset: ?>, #sbuf>
    %p = nki.alloc "p" : memref<128x512xf32, #sbuf>
    nki.tensor_tensor multiply(%at : memref<128x512xf32, strided<[16384, 1], offset: ?>, #sbuf>,
                               %bt : memref<128x512xf32, strided<[16384, 1], offset: ?>, #sbuf>)
        into %p : memref<128x512xf32, #sbuf>
    nki.tensor_tensor add(%ct : memref<128x512xf32, strided<[16384, 1], offset: ?>, #sbuf>,
                          %p : memref<128x512xf32, #sbuf>)
        into %ct : memref<128x512xf32, strided<[16384, 1], offset: ?>, #sbuf>
  } {nki.kind = "affine", nki.loop = "tile"}
  nki.store %c : memref<128x16384xf32, #sbuf> into %y : memref<128x16384xf32>
  return
}
