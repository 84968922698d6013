// RUN: mamba-opt %s --nki-tile-free-dim -split-input-file -verify-diagnostics | FileCheck %s
// RUN: mamba-opt %s --nki-tile-free-dim="tile-size=300 name=chunk" -split-input-file 2>/dev/null | FileCheck %s --check-prefix=REM

// A v2-style state-loop body with L = 1024: the scan, its inputs and the
// accumulation are cut into tiles of 512 in a sequential loop. The scan's
// buffer becomes [128, 1 + 512]: column 0, zeroed first, carries the state
// into each tile; after each tile ScalarE copies the tile's last column
// there. Body-local buffers shrink to a tile; the broadcast buffer now fits a
// PSUM bank and moves there.

// CHECK-LABEL: func.func @scan_body
// CHECK-SAME: (%[[X:[^:]*]]: memref<128x1024xf32, #nki.mem<sbuf>>, %[[ROW:[^:]*]]: memref<1x1024xf32>, %[[ACC:[^:]*]]: memref<128x1024xf32, #nki.mem<sbuf>>, %[[A:[^:]*]]: memref<128x1xf32, #nki.mem<sbuf>>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C512:.*]] = arith.constant 512 : index
// CHECK: scf.for
// CHECK-NEXT: %[[SCAN:.*]] = nki.alloc "scan_res" : memref<128x513xf32, #nki.mem<sbuf>>
// CHECK-NEXT: %[[COL0:.*]] = memref.subview %[[SCAN]][0, 0] [128, 1] [1, 1]
// CHECK-NEXT: nki.memset 0.000000e+00 into %[[COL0]]
// CHECK-NEXT: scf.for %[[T:.*]] = %[[C0]] to %[[C2]] step %[[C1]] {
// CHECK-NEXT: %[[OFF:.*]] = arith.muli %[[T]], %[[C512]] : index
// CHECK-NEXT: %[[XT:.*]] = memref.subview %[[X]][0, %[[OFF]]] [128, 512] [1, 1]
// CHECK-NEXT: %[[DA:.*]] = nki.alloc "deltaA" : memref<128x512xf32, #nki.mem<sbuf>>
// CHECK-NEXT: nki.activation exp(%[[XT]] : {{.*}}) scale(%[[A]] : {{.*}}) into %[[DA]]
// CHECK-NEXT: %[[RT:.*]] = memref.subview %[[ROW]][0, %[[OFF]]] [1, 512] [1, 1]
// CHECK-NEXT: %[[B:.*]] = nki.alloc "B_i" : memref<1x512xf32, #nki.mem<sbuf>>
// CHECK-NEXT: nki.load %[[RT]] : {{.*}} into %[[B]]
// CHECK-NEXT: %[[BB:.*]] = nki.alloc "B_i_bcast" : memref<128x512xf32, #nki.mem<psum>>
// CHECK-NEXT: nki.partition_broadcast %[[B]] : {{.*}} into %[[BB]]
// CHECK-NEXT: %[[DBU:.*]] = nki.alloc "deltaBu" : memref<128x512xf32, #nki.mem<sbuf>>
// CHECK-NEXT: nki.tensor_tensor multiply(%[[XT]] : {{.*}}, %[[BB]] : {{.*}}) into %[[DBU]]
// CHECK-NEXT: %[[ST:.*]] = memref.subview %[[SCAN]][0, 1] [128, 512] [1, 1]
// CHECK-NEXT: %[[PREV:.*]] = memref.subview %[[SCAN]][0, 0] [128, 1] [1, 1]
// CHECK-NEXT: nki.tensor_tensor_scan multiply, add(%[[DA]] : {{.*}}, %[[DBU]] : {{.*}}) initial(%[[PREV]] : {{.*}}) into %[[ST]]
// CHECK-NEXT: %[[LAST:.*]] = memref.subview %[[SCAN]][0, 512] [128, 1] [1, 1]
// CHECK-NEXT: nki.tensor_copy %[[LAST]] : {{.*}} into %[[PREV]] : {{.*}} on scalar
// CHECK-NEXT: %[[AT:.*]] = memref.subview %[[ACC]][0, %[[OFF]]] [128, 512] [1, 1]
// CHECK-NEXT: nki.tensor_tensor add(%[[AT]] : {{.*}}, %[[ST]] : {{.*}}) into %[[AT]]
// CHECK-NEXT: } {nki.kind = "sequential", nki.loop = "seq_tile"}
// CHECK-NEXT: } {nki.loop = "state"}
// CHECK-NOT: memref<128x1024xf32, #nki.mem<psum>>

// With tile-size=300: three tiles of 300 in the loop, each carrying its
// state out, then a remainder tile of 124 that starts from the carried
// column and carries nothing further.
// REM-LABEL: func.func @scan_body
// REM-DAG: %[[C3:.*]] = arith.constant 3 : index
// REM-DAG: %[[C300:.*]] = arith.constant 300 : index
// REM: %[[SCAN:.*]] = nki.alloc "scan_res" : memref<128x301xf32
// REM: scf.for %[[T:.*]] = %{{.*}} to %[[C3]]
// REM: arith.muli %[[T]], %[[C300]]
// REM: nki.alloc "deltaA" : memref<128x300xf32, #nki.mem<sbuf>>
// REM: memref.subview %[[SCAN]][0, 300] [128, 1]
// REM-NEXT: nki.tensor_copy {{.*}} on scalar
// REM: nki.loop = "chunk"
// REM: nki.alloc "deltaA" : memref<128x124xf32, #nki.mem<sbuf>>
// REM: %[[DST:.*]] = memref.subview %[[SCAN]][0, 1] [128, 124]
// REM: %[[PREV:.*]] = memref.subview %[[SCAN]][0, 0] [128, 1]
// REM: nki.tensor_tensor_scan multiply, add({{.*}}) initial(%[[PREV]] : {{.*}}) into %[[DST]]
// REM-NOT: nki.tensor_copy
// REM: nki.loop = "state"
func.func @scan_body(%x: memref<128x1024xf32, #nki.mem<sbuf>>, %row: memref<1x1024xf32>,
                     %acc: memref<128x1024xf32, #nki.mem<sbuf>>, %a: memref<128x1xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %n = %c0 to %c4 step %c1 {
    %deltaA = nki.alloc "deltaA" : memref<128x1024xf32, #nki.mem<sbuf>>
    nki.activation exp(%x : memref<128x1024xf32, #nki.mem<sbuf>>) scale(%a : memref<128x1xf32, #nki.mem<sbuf>>) into %deltaA : memref<128x1024xf32, #nki.mem<sbuf>>
    %b = nki.alloc "B_i" : memref<1x1024xf32, #nki.mem<sbuf>>
    nki.load %row : memref<1x1024xf32> into %b : memref<1x1024xf32, #nki.mem<sbuf>>
    %bb = nki.alloc "B_i_bcast" : memref<128x1024xf32, #nki.mem<sbuf>>
    nki.partition_broadcast %b : memref<1x1024xf32, #nki.mem<sbuf>> into %bb : memref<128x1024xf32, #nki.mem<sbuf>>
    %dbu = nki.alloc "deltaBu" : memref<128x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%x : memref<128x1024xf32, #nki.mem<sbuf>>, %bb : memref<128x1024xf32, #nki.mem<sbuf>>) into %dbu : memref<128x1024xf32, #nki.mem<sbuf>>
    %scan = nki.alloc "scan_res" : memref<128x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor_scan multiply, add(%deltaA : memref<128x1024xf32, #nki.mem<sbuf>>, %dbu : memref<128x1024xf32, #nki.mem<sbuf>>) initial(0.0) into %scan : memref<128x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor add(%acc : memref<128x1024xf32, #nki.mem<sbuf>>, %scan : memref<128x1024xf32, #nki.mem<sbuf>>) into %acc : memref<128x1024xf32, #nki.mem<sbuf>>
  } {nki.loop = "state"}
  return
}

// -----

// A scan whose initial value is a [P, 1] view: it is copied into column 0.
// CHECK-LABEL: func.func @initial_view
// CHECK: %[[COL0:.*]] = memref.subview %{{.*}}[0, 0] [128, 1] [1, 1]
// CHECK-NEXT: nki.tensor_copy %{{.*}} : memref<128x1xf32, #nki.mem<sbuf>> into %[[COL0]]
// CHECK: nki.loop = "seq_tile"
func.func @initial_view(%x: memref<128x1024xf32, #nki.mem<sbuf>>, %init: memref<128x1xf32, #nki.mem<sbuf>>,
                        %out: memref<128x1024xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %n = %c0 to %c1 step %c1 {
    %s = nki.alloc "s" : memref<128x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor_scan multiply, add(%x : memref<128x1024xf32, #nki.mem<sbuf>>, %x : memref<128x1024xf32, #nki.mem<sbuf>>) initial(%init : memref<128x1xf32, #nki.mem<sbuf>>) into %s : memref<128x1024xf32, #nki.mem<sbuf>>
    nki.tensor_copy %s : memref<128x1024xf32, #nki.mem<sbuf>> into %out : memref<128x1024xf32, #nki.mem<sbuf>>
  } {nki.loop = "state"}
  return
}

// -----

// The scan writes a buffer from outside the loop: there is no per-iteration
// buffer to widen for the carried state.
// CHECK-LABEL: func.func @external_scan_destination
func.func @external_scan_destination(%x: memref<128x1024xf32, #nki.mem<sbuf>>, %s: memref<128x1024xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    // expected-remark @+1 {{cannot tile the free dim: the scan's destination is not a buffer allocated in the loop body, so it cannot carry the scan's state between tiles}}
    nki.tensor_tensor_scan multiply, add(%x : memref<128x1024xf32, #nki.mem<sbuf>>, %x : memref<128x1024xf32, #nki.mem<sbuf>>) initial(0.0) into %s : memref<128x1024xf32, #nki.mem<sbuf>>
  }
  return
}

// -----

// An op outside the tiles reads the last column of a tiled result: it would
// have to wait for the last tile.
// CHECK-LABEL: func.func @reads_tiled_result
func.func @reads_tiled_result(%x: memref<128x1024xf32, #nki.mem<sbuf>>, %col: memref<128x1xf32, #nki.mem<sbuf>>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %c1 step %c1 {
    %s = nki.alloc "s" : memref<128x1024xf32, #nki.mem<sbuf>>
    nki.tensor_tensor_scan multiply, add(%x : memref<128x1024xf32, #nki.mem<sbuf>>, %x : memref<128x1024xf32, #nki.mem<sbuf>>) initial(0.0) into %s : memref<128x1024xf32, #nki.mem<sbuf>>
    // expected-remark @+1 {{cannot tile the free dim: buffer 's' is used through a view or by an op that is not in the loop body}}
    %last = memref.subview %s[0, 1023] [128, 1] [1, 1] : memref<128x1024xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[1024, 1], offset: 1023>, #nki.mem<sbuf>>
    nki.tensor_copy %last : memref<128x1xf32, strided<[1024, 1], offset: 1023>, #nki.mem<sbuf>> into %col : memref<128x1xf32, #nki.mem<sbuf>>
  }
  return
}
