// nki.kernel: what a function computes, {name = "selective_scan",
// delta_softplus = BOOL}; the backend writes it as the .nisa kernel line.
// RUN: mamba-opt %s -split-input-file -verify-diagnostics
// RUN: mamba-translate --nki-to-nisa --nisa-function=scan %S/Inputs/kernel-attr-ok.mlir | FileCheck %s
// CHECK: target trn1
// CHECK-NEXT: kernel selective_scan delta_softplus=1
// CHECK-NEXT: tensor y inout f32 128x4
// RUN: mamba-translate --nki-to-nisa --nisa-function=plain %S/Inputs/kernel-attr-ok.mlir | FileCheck %s --check-prefix=PLAIN
// PLAIN: target trn1
// PLAIN-NEXT: tensor y inout f32 128x4

// expected-error @+1 {{'nki.kernel' belongs on a function, not on 'builtin.module'}}
module attributes {nki.kernel = {name = "selective_scan", delta_softplus = false}} {}

// -----

// expected-error @+1 {{'nki.kernel' must be a dictionary {name = "selective_scan", delta_softplus = true|false}, got "selective_scan"}}
func.func @not_dict() attributes {nki.kernel = "selective_scan"} {
  return
}

// -----

// expected-error @+1 {{'nki.kernel' has unknown key 'softplus' (expected name and delta_softplus)}}
func.func @unknown_key() attributes {nki.kernel = {name = "selective_scan", softplus = true}} {
  return
}

// -----

// expected-error @+1 {{'nki.kernel' needs name = "selective_scan" (the one kernel known), got "conv1d"}}
func.func @unknown_kernel() attributes {nki.kernel = {name = "conv1d", delta_softplus = true}} {
  return
}

// -----

// expected-error @+1 {{'nki.kernel' needs name = "selective_scan" (the one kernel known), which is missing}}
func.func @no_name() attributes {nki.kernel = {delta_softplus = true}} {
  return
}

// -----

// expected-error @+1 {{'nki.kernel' needs delta_softplus = true or false, got 1 : i64}}
func.func @int_softplus() attributes {nki.kernel = {name = "selective_scan", delta_softplus = 1}} {
  return
}

// -----

// expected-error @+1 {{'nki.kernel' needs delta_softplus = true or false, which is missing}}
func.func @no_softplus() attributes {nki.kernel = {name = "selective_scan"}} {
  return
}

// -----

func.func @ok() attributes {nki.kernel = {name = "selective_scan", delta_softplus = false}} {
  return
}
