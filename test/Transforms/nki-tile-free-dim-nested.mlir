// Tiling a loop whose body holds loops that work on the free dim: the
// seq_len loop pulled outward past the state loop. Each tile runs the whole
// nested loop on its slice; buffers of the nested loop become the (tile,
// iteration)'s; a scan in it carries its state in one column per iteration
// ([P, n_state]), so no buffer of length seq_len is left.
// RUN: mamba-opt %s -split-input-file --nki-tile-free-dim="loop=outer tile-size=256" -verify-diagnostics | FileCheck %s

// The Mamba kernel, v2 then tiled at the channel-tile level, against v1 on
// the same inputs, on a shape with a partial channel tile and a remainder
// tile (seq_len 1000 = 3 x 256 + 232):
// RUN: %python %mamba_src_root/scripts/make-kernel.py --batch 2 --seq-len 1000 --channels 200 --state 4 -o %t.mlir
// RUN: mamba-opt %t.mlir --mamba-v2 --nki-tile-free-dim="loop=channel_tile tile-size=256" | FileCheck %s --check-prefix=MAMBA
// RUN: %equiv %t.mlir --before=--mamba-v1 --after='--mamba-v2 --nki-tile-free-dim="loop=channel_tile tile-size=256"' | FileCheck %s --check-prefix=EQ
// RUN: %equiv %t.mlir --before=--mamba-v1 --after='--mamba-v2 --nki-tile-free-dim="loop=channel_tile tile-size=7"' | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=two_levels --after='--nki-tile-free-dim="loop=outer tile-size=100"' | FileCheck %s --check-prefix=EQ
// EQ: out: bit-identical

// MAMBA: scf.for
// MAMBA: %[[CARRY:.*]] = nki.alloc "scan_res_carry" : memref<128x4xf32, #nki.mem<sbuf>>
// MAMBA-NEXT: nki.memset 0.000000e+00 into %[[CARRY]]
// MAMBA-NEXT: scf.for %{{.*}} = %c0 to %c3 step %c1 {
// MAMBA: nki.alloc "scanC_accum" : memref<128x256xf32, #nki.mem<sbuf>>
// MAMBA: nki.alloc "delta_i" : memref<128x256xf32, #nki.mem<sbuf>>
// MAMBA: scf.for %[[N:.*]] = %c0 to %c4 step %c1 {
// MAMBA: nki.alloc "scan_res" : memref<128x256xf32, #nki.mem<sbuf>>
// MAMBA: memref.subview %[[CARRY]][0, %[[N]]] [128, 1] [1, 1]
// MAMBA: } {nki.kind = "affine", nki.loop = "state"}
// MAMBA: nki.store
// MAMBA: } {nki.kind = "sequential", nki.loop = "seq_tile"}
// MAMBA: nki.alloc "scanC_accum" : memref<128x232xf32, #nki.mem<sbuf>>
// MAMBA-NOT: 1000xf32, #nki.mem<sbuf>
// MAMBA: } {nki.kind = "affine", nki.loop = "channel_tile"}

// Two nested levels around the scan: its state has a column per (i, j),
// at (i - 1) * 3 + j for i in [1, 3), j in [0, 3).
// CHECK-LABEL: func.func @two_levels
// CHECK: %[[CARRY:.*]] = nki.alloc "s_carry" : memref<128x6xf32, #nki.mem<sbuf>>
// CHECK: scf.for
// CHECK: scf.for %[[I:.*]] = %c1 to %c3
// CHECK: scf.for %[[J:.*]] = %c0 to %c3
// CHECK: %[[I0:.*]] = arith.subi %[[I]], %c1
// CHECK: %[[IS:.*]] = arith.muli %[[I0]], %c3
// CHECK: %[[COL:.*]] = arith.addi %[[J]], %[[IS]]
// CHECK: memref.subview %[[CARRY]][0, %[[COL]]] [128, 1] [1, 1]
func.func @two_levels(%x: memref<128x300xf32> {nki.name = "x"}, %out: memref<3x3x128x300xf32> {nki.name = "out"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %b = %c0 to %c1 step %c1 {
    %xs = nki.alloc "xs" : memref<128x300xf32, #nki.mem<sbuf>>
    nki.load %x : memref<128x300xf32> into %xs : memref<128x300xf32, #nki.mem<sbuf>>
    scf.for %i = %c1 to %c3 step %c1 {
      scf.for %j = %c0 to %c3 step %c1 {
        %s = nki.alloc "s" : memref<128x300xf32, #nki.mem<sbuf>>
        nki.tensor_tensor_scan multiply, add(%xs : memref<128x300xf32, #nki.mem<sbuf>>, %xs : memref<128x300xf32, #nki.mem<sbuf>>) initial(0.5) into %s : memref<128x300xf32, #nki.mem<sbuf>>
        %o = memref.subview %out[%i, %j, 0, 0] [1, 1, 128, 300] [1, 1, 1, 1] : memref<3x3x128x300xf32> to memref<128x300xf32, strided<[300, 1], offset: ?>>
        nki.store %s : memref<128x300xf32, #nki.mem<sbuf>> into %o : memref<128x300xf32, strided<[300, 1], offset: ?>>
      } {nki.loop = "j"}
    } {nki.loop = "i"}
  } {nki.loop = "outer"}
  return
}

// -----

// An op in a nested loop that does not work on the free dim runs once per
// tile after tiling: it may only write buffers of its loop.
// CHECK-LABEL: func.func @runs_per_tile
func.func @runs_per_tile(%x: memref<128x1024xf32, #nki.mem<sbuf>>, %count: memref<128x1xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c1 step %c1 {
    scf.for %n = %c0 to %c4 step %c1 {
      nki.activation exp(%x : memref<128x1024xf32, #nki.mem<sbuf>>) into %x : memref<128x1024xf32, #nki.mem<sbuf>>
      // expected-remark @+1 {{cannot tile the free dim: 'nki.tensor_scalar' in loop 'n' would run once per tile, and it writes argument #1, which is not a buffer of the loop}}
      nki.tensor_scalar(%count : memref<128x1xf32, #nki.mem<sbuf>>) add(1.0) into %count : memref<128x1xf32, #nki.mem<sbuf>>
    } {nki.loop = "n"}
  } {nki.loop = "outer"}
  return
}

// -----

// A write whose place depends on the nested loop's variable: the analysis
// cannot order its instances across tiles.
// CHECK-LABEL: func.func @nested_offsets
func.func @nested_offsets(%x: memref<128x1024xf32> {nki.name = "x"}, %y: memref<128x2048xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c512 = arith.constant 512 : index
  scf.for %i = %c0 to %c1 step %c1 {
    %xs = nki.alloc "xs" : memref<128x1024xf32, #nki.mem<sbuf>>
    nki.load %x : memref<128x1024xf32> into %xs : memref<128x1024xf32, #nki.mem<sbuf>>
    scf.for %n = %c0 to %c2 step %c1 {
      %off = arith.muli %n, %c512 : index
      %v = memref.subview %y[0, %off] [128, 1024] [1, 1] : memref<128x2048xf32> to memref<128x1024xf32, strided<[2048, 1], offset: ?>>
      // expected-remark @+1 {{cannot tile the free dim: 'nki.store' writes argument #1 ('y') where it writes it in another iteration of loop 'n', and tiling interleaves those iterations}}
      nki.store %xs : memref<128x1024xf32, #nki.mem<sbuf>> into %v : memref<128x1024xf32, strided<[2048, 1], offset: ?>>
    } {nki.loop = "n"}
  } {nki.loop = "outer"}
  return
}

// -----

// A scan in a nested loop that starts from a view: the first tile (on its
// own, before the tile loop) starts from it, the others from the carry
// (test/Transforms/nki-tile-free-dim-states.mlir runs such a kernel).
// CHECK-LABEL: func.func @nested_initial_view
// CHECK-SAME: %[[INIT:[^:]*]]: memref<128x1xf32, #nki.mem<sbuf>>
// CHECK: nki.tensor_tensor_scan multiply, add(%{{.*}}, %{{.*}}) initial(%[[INIT]] : memref<128x1xf32, #nki.mem<sbuf>>)
// CHECK: scf.for %{{.*}} = %c1 to %c4 step %c1
// CHECK: nki.tensor_tensor_scan multiply, add(%{{.*}}, %{{.*}}) initial(%{{.*}} : memref<128x1xf32, strided<[1, 1], offset: ?>, #nki.mem<sbuf>>)
// CHECK: nki.loop = "seq_tile"
func.func @nested_initial_view(%x: memref<128x1024xf32, #nki.mem<sbuf>>, %init: memref<128x1xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    scf.for %n = %c0 to %c1 step %c1 {
      %s = nki.alloc "s" : memref<128x1024xf32, #nki.mem<sbuf>>
      nki.tensor_tensor_scan multiply, add(%x : memref<128x1024xf32, #nki.mem<sbuf>>, %x : memref<128x1024xf32, #nki.mem<sbuf>>) initial(%init : memref<128x1xf32, #nki.mem<sbuf>>) into %s : memref<128x1024xf32, #nki.mem<sbuf>>
    } {nki.loop = "n"}
  } {nki.loop = "outer"}
  return
}
