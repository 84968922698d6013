// A scan's state after its last step (a store of the scan buffer's last
// column, what mamba.selective_scan's final_state lowers to) and a nested
// scan that starts from a value (initial_state under --mamba-v4): the last
// tile stores its own last column (the loop stops one tile early when there
// is no remainder tile), and the first tile of a nested scan starts from the
// scan's initial value (the loop starts one tile late).
// RUN: mamba-opt %s --nki-tile-free-dim="loop=body tile-size=16" -split-input-file -verify-diagnostics | FileCheck %s
// RUN: mamba-opt %s --nki-tile-free-dim="loop=body tile-size=24" -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=REM

// Every case runs before and after the pass through nki-run on the same
// inputs (a remainder tile with 24; none with 16 and 64; one tile with 64).
// RUN: %equiv %s --function=final_state --after='--nki-tile-free-dim="loop=body tile-size=16"' | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=final_state --after='--nki-tile-free-dim="loop=body tile-size=24"' | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=final_state --after='--nki-tile-free-dim="loop=body tile-size=64"' | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=nested_states --after='--nki-tile-free-dim="loop=body tile-size=16"' | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=nested_states --after='--nki-tile-free-dim="loop=body tile-size=24"' | FileCheck %s --check-prefix=EQ
// RUN: %equiv %s --function=nested_states --after='--nki-tile-free-dim="loop=body tile-size=64"' | FileCheck %s --check-prefix=EQ
// EQ-NOT: DIFFERENT
// EQ: bit-identical
// EQ-NOT: DIFFERENT

// CHECK-LABEL: func.func @final_state
// Tiles 0..2 in the loop, carrying the state in column 0 of 's'.
// CHECK: %[[S:.*]] = nki.alloc "s" : memref<128x17xf32, #nki.mem<sbuf>>
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK:   nki.tensor_tensor_scan
// CHECK-NOT: nki.store %{{[^ ]*}} : memref<128x1x
// CHECK: nki.loop = "seq_tile"
// The last tile, and its last column (16) stored.
// CHECK: nki.tensor_tensor_scan
// CHECK: %[[LAST:.*]] = memref.subview %[[S]][0, 16] [128, 1] [1, 1]
// CHECK: nki.store %[[LAST]] : {{.*}} into %{{.*}} : memref<128x1xf32>
// REM-LABEL: func.func @final_state
// REM: %[[S:.*]] = nki.alloc "s" : memref<128x25xf32, #nki.mem<sbuf>>
// REM: scf.for %{{.*}} = %c0 to %c2 step %c1
// REM: nki.loop = "seq_tile"
// The remainder tile has 64 - 48 = 16 columns: its last is column 16.
// REM: %[[LAST:.*]] = memref.subview %[[S]][0, 16] [128, 1] [1, 1]
// REM: nki.store %[[LAST]]
func.func @final_state(%x: memref<128x64xf32> {nki.name = "x"}, %h: memref<128x1xf32> {nki.name = "h"}, %y: memref<128x64xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    %a = nki.alloc "a" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %x : memref<128x64xf32> into %a : memref<128x64xf32, #nki.mem<sbuf>>
    %s = nki.alloc "s" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor_scan multiply, add(%a : memref<128x64xf32, #nki.mem<sbuf>>, %a : memref<128x64xf32, #nki.mem<sbuf>>) initial(0.5) into %s : memref<128x64xf32, #nki.mem<sbuf>>
    %last = memref.subview %s[0, 63] [128, 1] [1, 1] : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[64, 1], offset: 63>, #nki.mem<sbuf>>
    nki.store %last : memref<128x1xf32, strided<[64, 1], offset: 63>, #nki.mem<sbuf>> into %h : memref<128x1xf32>
    nki.store %s : memref<128x64xf32, #nki.mem<sbuf>> into %y : memref<128x64xf32>
  } {nki.loop = "body"}
  return
}

// -----

// A scan in a loop nested in the body, starting from a loaded column, its
// last state stored per iteration.
// CHECK-LABEL: func.func @nested_states
// The first tile on its own: the scan starts from the loaded column.
// CHECK: scf.for
// CHECK:   %[[H0:.*]] = nki.alloc "h0_i"
// CHECK:   nki.tensor_tensor_scan multiply, add(%{{.*}}, %{{.*}}) initial(%[[H0]] : {{.*}})
// CHECK-NOT: nki.store %{{[^ ]*}} : memref<128x1x
// CHECK: nki.loop = "inner"
// Tiles 1..2 in the loop, from the carry.
// CHECK: scf.for %{{.*}} = %c1 to %c3 step %c1
// CHECK:   nki.tensor_tensor_scan multiply, add(%{{.*}}, %{{.*}}) initial(%{{.*}} : memref<128x1xf32, strided<[2, 1], offset: ?>, #nki.mem<sbuf>>)
// CHECK-NOT: nki.store %{{[^ ]*}} : memref<128x1x
// CHECK: nki.loop = "seq_tile"
// The last tile stores each iteration's last column (15 of its 16).
// CHECK: nki.tensor_tensor_scan
// CHECK: memref.subview %{{.*}}[0, 15] [128, 1] [1, 1]
// CHECK: nki.store
func.func @nested_states(%x: memref<2x128x64xf32> {nki.name = "x"}, %h0: memref<2x128x1xf32> {nki.name = "h0"}, %h: memref<2x128x1xf32> {nki.name = "h"}, %y: memref<2x128x64xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.for %i = %c0 to %c1 step %c1 {
    scf.for %n = %c0 to %c2 step %c1 {
      %xv = memref.subview %x[%n, 0, 0] [1, 128, 64] [1, 1, 1] : memref<2x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
      %a = nki.alloc "a" : memref<128x64xf32, #nki.mem<sbuf>>
      nki.load %xv : memref<128x64xf32, strided<[64, 1], offset: ?>> into %a : memref<128x64xf32, #nki.mem<sbuf>>
      %h0v = memref.subview %h0[%n, 0, 0] [1, 128, 1] [1, 1, 1] : memref<2x128x1xf32> to memref<128x1xf32, strided<[1, 1], offset: ?>>
      %h0_i = nki.alloc "h0_i" : memref<128x1xf32, #nki.mem<sbuf>>
      nki.load %h0v : memref<128x1xf32, strided<[1, 1], offset: ?>> into %h0_i : memref<128x1xf32, #nki.mem<sbuf>>
      %s = nki.alloc "s" : memref<128x64xf32, #nki.mem<sbuf>>
      nki.tensor_tensor_scan multiply, add(%a : memref<128x64xf32, #nki.mem<sbuf>>, %a : memref<128x64xf32, #nki.mem<sbuf>>) initial(%h0_i : memref<128x1xf32, #nki.mem<sbuf>>) into %s : memref<128x64xf32, #nki.mem<sbuf>>
      %last = memref.subview %s[0, 63] [128, 1] [1, 1] : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[64, 1], offset: 63>, #nki.mem<sbuf>>
      %hv = memref.subview %h[%n, 0, 0] [1, 128, 1] [1, 1, 1] : memref<2x128x1xf32> to memref<128x1xf32, strided<[1, 1], offset: ?>>
      nki.store %last : memref<128x1xf32, strided<[64, 1], offset: 63>, #nki.mem<sbuf>> into %hv : memref<128x1xf32, strided<[1, 1], offset: ?>>
      %yv = memref.subview %y[%n, 0, 0] [1, 128, 64] [1, 1, 1] : memref<2x128x64xf32> to memref<128x64xf32, strided<[64, 1], offset: ?>>
      nki.store %s : memref<128x64xf32, #nki.mem<sbuf>> into %yv : memref<128x64xf32, strided<[64, 1], offset: ?>>
    } {nki.loop = "inner"}
  } {nki.loop = "body"}
  return
}

// -----

// The stored state is read back in the body: moving the store to the last
// tile would let the earlier tiles read it before it is written.
// CHECK-LABEL: func.func @state_read_back
// CHECK-NOT: seq_tile
// REM-LABEL: func.func @state_read_back
func.func @state_read_back(%x: memref<128x64xf32> {nki.name = "x"}, %h: memref<128x1xf32> {nki.name = "h"}, %y: memref<128x1xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    %a = nki.alloc "a" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %x : memref<128x64xf32> into %a : memref<128x64xf32, #nki.mem<sbuf>>
    %s = nki.alloc "s" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor_scan multiply, add(%a : memref<128x64xf32, #nki.mem<sbuf>>, %a : memref<128x64xf32, #nki.mem<sbuf>>) initial(0.0) into %s : memref<128x64xf32, #nki.mem<sbuf>>
    %last = memref.subview %s[0, 63] [128, 1] [1, 1] : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[64, 1], offset: 63>, #nki.mem<sbuf>>
    nki.store %last : memref<128x1xf32, strided<[64, 1], offset: 63>, #nki.mem<sbuf>> into %h : memref<128x1xf32>
    %t = nki.alloc "t" : memref<128x1xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{cannot tile the free dim: 'nki.load' into 't' stays outside the tile loop but depends on 'nki.store', which is tiled}}
    nki.load %h : memref<128x1xf32> into %t : memref<128x1xf32, #nki.mem<sbuf>>
    %w = nki.alloc "w" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%s : memref<128x64xf32, #nki.mem<sbuf>>, %a : memref<128x64xf32, #nki.mem<sbuf>>) into %w : memref<128x64xf32, #nki.mem<sbuf>>
    nki.store %t : memref<128x1xf32, #nki.mem<sbuf>> into %y : memref<128x1xf32>
  } {nki.loop = "body"}
  return
}

// -----

// A tiled op writes the tensor the last state goes to: in the original order
// the state is written before it, after tiling it would be written after.
// CHECK-LABEL: func.func @state_overwritten
// CHECK-NOT: seq_tile
// REM-LABEL: func.func @state_overwritten
func.func @state_overwritten(%x: memref<128x64xf32> {nki.name = "x"}, %h: memref<128x64xf32> {nki.name = "h"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    %a = nki.alloc "a" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.load %x : memref<128x64xf32> into %a : memref<128x64xf32, #nki.mem<sbuf>>
    %s = nki.alloc "s" : memref<128x64xf32, #nki.mem<sbuf>>
    nki.tensor_tensor_scan multiply, add(%a : memref<128x64xf32, #nki.mem<sbuf>>, %a : memref<128x64xf32, #nki.mem<sbuf>>) initial(0.0) into %s : memref<128x64xf32, #nki.mem<sbuf>>
    %last = memref.subview %s[0, 63] [128, 1] [1, 1] : memref<128x64xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[64, 1], offset: 63>, #nki.mem<sbuf>>
    %h0 = memref.subview %h[0, 0] [128, 1] [1, 1] : memref<128x64xf32> to memref<128x1xf32, strided<[64, 1]>>
    // expected-remark @+1 {{cannot tile the free dim: 'nki.store' stores the scan's last state, so it runs in the last tile only, but 'nki.store' also touches argument #1 ('h')}}
    nki.store %last : memref<128x1xf32, strided<[64, 1], offset: 63>, #nki.mem<sbuf>> into %h0 : memref<128x1xf32, strided<[64, 1]>>
    nki.store %a : memref<128x64xf32, #nki.mem<sbuf>> into %h : memref<128x64xf32>
  } {nki.loop = "body"}
  return
}
