// RUN: mamba-opt %s --convert-mamba-to-nki -split-input-file | FileCheck %s

// The tutorial's toy shape (batch 1, seq_len 512, channels 256, state 16):
// the whole v1 kernel, op by op, with its operand wiring.

// CHECK-LABEL: func.func @toy
// The kernel's HBM tensors are named after their roles.
// CHECK-SAME: (%[[DELTA:[^:]*]]: memref<1x256x512xf32> {nki.name = "delta"}, %[[U:[^:]*]]: memref<1x256x512xf32> {nki.name = "u"}, %[[A:[^:]*]]: memref<256x16xf32> {nki.name = "A"}, %[[B:[^:]*]]: memref<1x16x512xf32> {nki.name = "B"}, %[[C:[^:]*]]: memref<1x16x512xf32> {nki.name = "C"}, %[[OUT:[^:]*]]: memref<1x256x512xf32> {nki.name = "out"})
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: scf.for %[[BATCH:.*]] = %[[C0]] to %[[C1]] step %[[C1]] {
// CHECK:   %[[ACC:.*]] = nki.alloc "scanC_accum" : memref<128x2x512xf32, #nki.mem<sbuf>>
// CHECK:   scf.for %[[ZT:.*]] = %[[C0]] to %[[C2]] step %[[C1]] {
// CHECK:     %[[ZV:.*]] = memref.subview %[[ACC]][0, %[[ZT]], 0] [128, 1, 512] [1, 1, 1]
// CHECK:     nki.memset 0.000000e+00 into %[[ZV]]
// CHECK:   } {nki.kind = "affine", nki.loop = "acc_zero"}
// CHECK:   scf.for %[[N:.*]] = %[[C0]] to %[[C16]] step %[[C1]] {
// CHECK:     scf.for %[[T:.*]] = %[[C0]] to %[[C2]] step %[[C1]] {
// CHECK:       %[[CH:.*]] = arith.muli %[[T]], %[[C128]] : index
// CHECK:       %[[DI:.*]] = nki.alloc "delta_i" : memref<128x512xf32, #nki.mem<sbuf>>
// CHECK:       %[[DV:.*]] = memref.subview %[[DELTA]][%[[BATCH]], %[[CH]], 0] [1, 128, 512] [1, 1, 1] : memref<1x256x512xf32> to memref<128x512xf32, strided<[512, 1], offset: ?>>
// CHECK:       nki.load %[[DV]] : {{.*}} into %[[DI]]
// CHECK:       %[[UI:.*]] = nki.alloc "u_i" : memref<128x512xf32, #nki.mem<sbuf>>
// CHECK:       %[[UV:.*]] = memref.subview %[[U]][%[[BATCH]], %[[CH]], 0] [1, 128, 512]
// CHECK:       nki.load %[[UV]] : {{.*}} into %[[UI]]
// CHECK:       %[[AI:.*]] = nki.alloc "A_i" : memref<128x1xf32, #nki.mem<sbuf>>
// CHECK:       %[[AV:.*]] = memref.subview %[[A]][%[[CH]], %[[N]]] [128, 1] [1, 1] : memref<256x16xf32> to memref<128x1xf32, strided<[16, 1], offset: ?>>
// CHECK:       nki.load %[[AV]] : {{.*}} into %[[AI]]
// CHECK:       %[[DA:.*]] = nki.alloc "deltaA" : memref<128x512xf32, #nki.mem<sbuf>>
// CHECK:       nki.activation exp(%[[DI]] : {{.*}}) scale(%[[AI]] : {{.*}}) into %[[DA]] : memref<128x512xf32, #nki.mem<sbuf>>{{$}}
// CHECK:       %[[BI:.*]] = nki.alloc "B_i" : memref<1x512xf32, #nki.mem<sbuf>>
// CHECK:       %[[BV:.*]] = memref.subview %[[B]][%[[BATCH]], %[[N]], 0] [1, 1, 512]
// CHECK:       nki.load %[[BV]] : {{.*}} into %[[BI]]
// CHECK:       %[[DU:.*]] = nki.alloc "deltaU" : memref<128x512xf32, #nki.mem<sbuf>>
// CHECK:       nki.tensor_tensor multiply(%[[DI]] : {{.*}}, %[[UI]] : {{.*}}) into %[[DU]]
// CHECK:       %[[BB:.*]] = nki.alloc "B_i_bcast" : memref<128x512xf32, #nki.mem<psum>>
// CHECK:       nki.partition_broadcast %[[BI]] : memref<1x512xf32, #nki.mem<sbuf>> into %[[BB]] : memref<128x512xf32, #nki.mem<psum>>
// CHECK:       %[[DBU:.*]] = nki.alloc "deltaBu" : memref<128x512xf32, #nki.mem<sbuf>>
// CHECK:       nki.tensor_tensor multiply(%[[DU]] : {{.*}}, %[[BB]] : {{.*}}) into %[[DBU]]
// CHECK:       %[[SCAN:.*]] = nki.alloc "scan_res" : memref<128x512xf32, #nki.mem<sbuf>>
// CHECK:       nki.tensor_tensor_scan multiply, add(%[[DA]] : {{.*}}, %[[DBU]] : {{.*}}) initial(0.000000e+00) into %[[SCAN]]
// CHECK:       %[[CI:.*]] = nki.alloc "C_i" : memref<1x512xf32, #nki.mem<sbuf>>
// CHECK:       %[[CV:.*]] = memref.subview %[[C]][%[[BATCH]], %[[N]], 0] [1, 1, 512]
// CHECK:       nki.load %[[CV]] : {{.*}} into %[[CI]]
// CHECK:       %[[CB:.*]] = nki.alloc "C_i_bcast" : memref<128x512xf32, #nki.mem<psum>>
// CHECK:       nki.partition_broadcast %[[CI]] : {{.*}} into %[[CB]]
// CHECK:       %[[SC:.*]] = nki.alloc "scanC" : memref<128x512xf32, #nki.mem<psum>>
// CHECK:       nki.tensor_tensor multiply(%[[SCAN]] : {{.*}}, %[[CB]] : {{.*}}) into %[[SC]]
// CHECK:       %[[AT:.*]] = memref.subview %[[ACC]][0, %[[T]], 0] [128, 1, 512] [1, 1, 1] : memref<128x2x512xf32, #nki.mem<sbuf>> to memref<128x512xf32, strided<[1024, 1], offset: ?>, #nki.mem<sbuf>>
// CHECK:       nki.tensor_tensor add(%[[AT]] : {{.*}}, %[[SC]] : {{.*}}) into %[[AT]]
// CHECK-NEXT: } {nki.kind = "affine", nki.loop = "channel_tile"}
// CHECK-NEXT: } {nki.kind = "affine", nki.loop = "state"}
// CHECK:   scf.for %[[ST:.*]] = %[[C0]] to %[[C2]] step %[[C1]] {
// CHECK:     %[[SCH:.*]] = arith.muli %[[ST]], %[[C128]] : index
// CHECK:     %[[OV:.*]] = memref.subview %[[OUT]][%[[BATCH]], %[[SCH]], 0] [1, 128, 512]
// CHECK:     %[[SV:.*]] = memref.subview %[[ACC]][0, %[[ST]], 0] [128, 1, 512]
// CHECK:     nki.store %[[SV]] : {{.*}} into %[[OV]]
// CHECK:   } {nki.kind = "affine", nki.loop = "acc_store"}
// CHECK: } {nki.kind = "affine", nki.loop = "batch"}
// CHECK-NOT: mamba.selective_scan
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>,
               %A: memref<256x16xf32>, %B: memref<1x16x512xf32>,
               %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
      u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %out : memref<1x256x512xf32>
  return
}

// -----

// channels = 200: one full tile of 128 partitions, then a partial tile of 72
// partitions starting at channel 128, each in a loop nest of its own with its
// own accumulator. No padding.

// CHECK-LABEL: func.func @partial_tile
// CHECK-DAG: %[[C72:.*]] = arith.constant 72 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: scf.for %[[BATCH:.*]] =
// CHECK:   nki.alloc "scanC_accum" : memref<128x1x512xf32, #nki.mem<sbuf>>
// CHECK:   nki.loop = "acc_zero"
// CHECK:   scf.for
// CHECK:     scf.for %[[T:.*]] =
// CHECK:       %[[CH:.*]] = arith.muli %[[T]], %[[C128]] : index
// CHECK:       nki.alloc "delta_i" : memref<128x512xf32, #nki.mem<sbuf>>
// CHECK:       memref.subview %{{.*}}[%[[BATCH]], %[[CH]], 0] [1, 128, 512]
// CHECK:     nki.loop = "channel_tile"
// CHECK:   nki.loop = "state"
// CHECK:   nki.loop = "acc_store"
// CHECK:   %[[RACC:.*]] = nki.alloc "scanC_accum" : memref<72x1x512xf32, #nki.mem<sbuf>>
// CHECK:   nki.loop = "acc_zero"
// CHECK:   scf.for %[[N:.*]] =
// CHECK:     scf.for %[[RT:.*]] =
// CHECK:       %[[M:.*]] = arith.muli %[[RT]], %[[C72]] : index
// CHECK:       %[[RCH:.*]] = arith.addi %[[M]], %[[C128]] : index
// CHECK:       %[[RD:.*]] = nki.alloc "delta_i" : memref<72x512xf32, #nki.mem<sbuf>>
// CHECK:       memref.subview %{{.*}}[%[[BATCH]], %[[RCH]], 0] [1, 72, 512] [1, 1, 1] : memref<1x200x512xf32> to memref<72x512xf32, strided<[512, 1], offset: ?>>
// CHECK:       nki.alloc "A_i" : memref<72x1xf32, #nki.mem<sbuf>>
// CHECK:       memref.subview %{{.*}}[%[[RCH]], %[[N]]] [72, 1] [1, 1] : memref<200x16xf32> to memref<72x1xf32, strided<[16, 1], offset: ?>>
// CHECK:       nki.alloc "B_i_bcast" : memref<72x512xf32, #nki.mem<psum>>
// CHECK:       nki.partition_broadcast %{{.*}} : memref<1x512xf32, #nki.mem<sbuf>> into %{{.*}} : memref<72x512xf32, #nki.mem<psum>>
// CHECK:       memref.subview %[[RACC]][0, %[[RT]], 0] [72, 1, 512]
// CHECK:     nki.loop = "channel_tile"
// CHECK:   nki.loop = "state"
// CHECK:   scf.for %[[ST:.*]] =
// CHECK:     %[[SM:.*]] = arith.muli %[[ST]], %[[C72]] : index
// CHECK:     %[[SCH:.*]] = arith.addi %[[SM]], %[[C128]] : index
// CHECK:     %[[OV:.*]] = memref.subview %{{.*}}[%[[BATCH]], %[[SCH]], 0] [1, 72, 512]
// CHECK:     nki.store %{{.*}} : memref<72x512xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>> into %[[OV]]
// CHECK:   nki.loop = "acc_store"
// CHECK: nki.loop = "batch"
func.func @partial_tile(%delta: memref<1x200x512xf32>, %u: memref<1x200x512xf32>,
                        %A: memref<200x16xf32>, %B: memref<1x16x512xf32>,
                        %C: memref<1x16x512xf32>, %out: memref<1x200x512xf32>) {
  mamba.selective_scan delta(%delta : memref<1x200x512xf32>)
      u(%u : memref<1x200x512xf32>) A(%A : memref<200x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %out : memref<1x200x512xf32>
  return
}

// -----

// Fewer than 128 channels: only a partial tile.

// CHECK-LABEL: func.func @narrow
// CHECK: nki.alloc "scanC_accum" : memref<64x1x256xf32, #nki.mem<sbuf>>
// CHECK: nki.alloc "delta_i" : memref<64x256xf32, #nki.mem<sbuf>>
// CHECK-NOT: memref<128x
// CHECK: nki.loop = "batch"
func.func @narrow(%delta: memref<1x64x256xf32>, %u: memref<1x64x256xf32>,
                  %A: memref<64x16xf32>, %B: memref<1x16x256xf32>,
                  %C: memref<1x16x256xf32>, %out: memref<1x64x256xf32>) {
  mamba.selective_scan delta(%delta : memref<1x64x256xf32>)
      u(%u : memref<1x64x256xf32>) A(%A : memref<64x16xf32>)
      B(%B : memref<1x16x256xf32>) C(%C : memref<1x16x256xf32>)
      into %out : memref<1x64x256xf32>
  return
}

// -----

// batch 2 and state 1: the batch loop runs twice and indexes every HBM view;
// the state loop runs once and indexes A, B and C.

// CHECK-LABEL: func.func @batch2_state1
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK: scf.for %[[BATCH:.*]] = %[[C0]] to %[[C2]] step %[[C1]] {
// CHECK:   scf.for %[[N:.*]] = %[[C0]] to %[[C1]] step %[[C1]] {
// CHECK:     scf.for %[[T:.*]] = %[[C0]] to %[[C1]] step %[[C1]] {
// CHECK:       memref.subview %{{.*}}[%[[BATCH]], %{{.*}}, 0] [1, 128, 64] [1, 1, 1] : memref<2x128x64xf32>
// CHECK:       memref.subview %{{.*}}[%{{.*}}, %[[N]]] [128, 1] [1, 1] : memref<128x1xf32>
// CHECK:       memref.subview %{{.*}}[%[[BATCH]], %[[N]], 0] [1, 1, 64] [1, 1, 1] : memref<2x1x64xf32>
// CHECK:     } {nki.kind = "affine", nki.loop = "channel_tile"}
// CHECK:   } {nki.kind = "affine", nki.loop = "state"}
// CHECK: } {nki.kind = "affine", nki.loop = "batch"}
func.func @batch2_state1(%delta: memref<2x128x64xf32>, %u: memref<2x128x64xf32>,
                         %A: memref<128x1xf32>, %B: memref<2x1x64xf32>,
                         %C: memref<2x1x64xf32>, %out: memref<2x128x64xf32>) {
  mamba.selective_scan delta(%delta : memref<2x128x64xf32>)
      u(%u : memref<2x128x64xf32>) A(%A : memref<128x1xf32>)
      B(%B : memref<2x1x64xf32>) C(%C : memref<2x1x64xf32>)
      into %out : memref<2x128x64xf32>
  return
}

// -----

// seq_len 1000 > 512: a broadcast row no longer fits one PSUM bank and goes
// to SBUF (the backend stages it through PSUM); seq_len need not be a
// multiple of anything.

// CHECK-LABEL: func.func @long_rows
// CHECK: %[[BB:.*]] = nki.alloc "B_i_bcast" : memref<128x1000xf32, #nki.mem<sbuf>>
// CHECK: nki.partition_broadcast %{{.*}} : memref<1x1000xf32, #nki.mem<sbuf>> into %[[BB]] : memref<128x1000xf32, #nki.mem<sbuf>>
// CHECK: nki.alloc "C_i_bcast" : memref<128x1000xf32, #nki.mem<sbuf>>
// CHECK-NOT: #nki.mem<psum>
// CHECK: nki.loop = "batch"
func.func @long_rows(%delta: memref<1x128x1000xf32>, %u: memref<1x128x1000xf32>,
                     %A: memref<128x4xf32>, %B: memref<1x4x1000xf32>,
                     %C: memref<1x4x1000xf32>, %out: memref<1x128x1000xf32>) {
  mamba.selective_scan delta(%delta : memref<1x128x1000xf32>)
      u(%u : memref<1x128x1000xf32>) A(%A : memref<128x4xf32>)
      B(%B : memref<1x4x1000xf32>) C(%C : memref<1x4x1000xf32>)
      into %out : memref<1x128x1000xf32>
  return
}

// -----

// The tutorial's largest v1 case (channels 4096, seq_len 8192): 32 channel
// tiles, an accumulator of 32 blocks of 32 KiB (1 MiB per partition, spilled
// by the backend), state 16. Op locations name the tutorial's variables.

// CHECK-LABEL: func.func @huge
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK: nki.alloc "scanC_accum" : memref<128x32x8192xf32, #nki.mem<sbuf>>
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C32]]
// CHECK: nki.alloc "delta_i" : memref<128x8192xf32, #nki.mem<sbuf>>
func.func @huge(%delta: memref<1x4096x8192xf32>, %u: memref<1x4096x8192xf32>,
                %A: memref<4096x16xf32>, %B: memref<1x16x8192xf32>,
                %C: memref<1x16x8192xf32>, %out: memref<1x4096x8192xf32>) {
  mamba.selective_scan delta(%delta : memref<1x4096x8192xf32>)
      u(%u : memref<1x4096x8192xf32>) A(%A : memref<4096x16xf32>)
      B(%B : memref<1x16x8192xf32>) C(%C : memref<1x16x8192xf32>)
      into %out : memref<1x4096x8192xf32>
  return
}

// -----

// Up to 224 KiB per partition on trn2: seq_len 50000 lowers there (and the
// whole result verifies, which mamba-opt checks after the pass).

// CHECK-LABEL: func.func @trn2_long
// CHECK: nki.alloc "delta_i" : memref<128x50000xf32, #nki.mem<sbuf>>
module attributes {nki.target = #nki.target<trn2>} {
  func.func @trn2_long(%delta: memref<1x128x50000xf32>, %u: memref<1x128x50000xf32>,
                       %A: memref<128x1xf32>, %B: memref<1x1x50000xf32>,
                       %C: memref<1x1x50000xf32>, %out: memref<1x128x50000xf32>) {
    mamba.selective_scan delta(%delta : memref<1x128x50000xf32>)
        u(%u : memref<1x128x50000xf32>) A(%A : memref<128x1xf32>)
        B(%B : memref<1x1x50000xf32>) C(%C : memref<1x1x50000xf32>)
        into %out : memref<1x128x50000xf32>
    return
  }
}

// -----

// Names the user gave are kept; a role whose name is taken is left unnamed.
// CHECK-LABEL: func.func @user_names
// CHECK-SAME: (%{{.*}}: memref<1x128x64xf32> {nki.name = "dt"}, %{{.*}}: memref<1x128x64xf32> {nki.name = "delta"}, %{{.*}}: memref<128x2xf32> {nki.name = "A"}
func.func @user_names(%delta: memref<1x128x64xf32> {nki.name = "dt"}, %u: memref<1x128x64xf32> {nki.name = "delta"},
                      %A: memref<128x2xf32>, %B: memref<1x2x64xf32>,
                      %C: memref<1x2x64xf32>, %out: memref<1x128x64xf32>) {
  mamba.selective_scan delta(%delta : memref<1x128x64xf32>)
      u(%u : memref<1x128x64xf32>) A(%A : memref<128x2xf32>)
      B(%B : memref<1x2x64xf32>) C(%C : memref<1x2x64xf32>)
      into %out : memref<1x128x64xf32>
  return
}
