// Every op the lowering creates is located at the selective_scan, named after
// the tutorial's variable it computes, so that listings and profiles can point
// back to both.
// RUN: mamba-opt %s --convert-mamba-to-nki --mlir-print-debuginfo | FileCheck %s

// CHECK: nki.activation exp{{.*}} loc(#[[DA:[a-z0-9]+]])
// CHECK: nki.tensor_tensor_scan {{.*}} loc(#[[SCAN:[a-z0-9]+]])
// CHECK-DAG: #[[KERNEL:[a-z0-9]+]] = loc("{{.*}}locations.mlir":[[@LINE+6]]:3)
// CHECK-DAG: #[[DA]] = loc("deltaA"(#[[KERNEL]]))
// CHECK-DAG: #[[SCAN]] = loc("scan_res"(#[[KERNEL]]))
func.func @toy(%delta: memref<1x128x64xf32>, %u: memref<1x128x64xf32>,
               %A: memref<128x2xf32>, %B: memref<1x2x64xf32>,
               %C: memref<1x2x64xf32>, %out: memref<1x128x64xf32>) {
  mamba.selective_scan delta(%delta : memref<1x128x64xf32>)
      u(%u : memref<1x128x64xf32>) A(%A : memref<128x2xf32>)
      B(%B : memref<1x2x64xf32>) C(%C : memref<1x2x64xf32>)
      into %out : memref<1x128x64xf32>
  return
}
