// transform.nki.match_loop: handles by nki.loop name; an unknown name is a
// definite error that lists the names there are.
// RUN: mamba-opt %s --convert-mamba-to-nki --transform-interpreter -split-input-file -verify-diagnostics
// RUN: not mamba-opt %s --convert-mamba-to-nki --transform-interpreter -split-input-file 2>&1 | FileCheck %s --check-prefix=ERR

// Each matched loop gets the remark (all the lowered ops carry the
// selective_scan's location).
func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>, %A: memref<256x16xf32>,
               %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  // expected-remark @below {{state loop}}
  // expected-remark @below {{channel_tile loop}}
  mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
      u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %out : memref<1x256x512xf32>
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %state = transform.nki.match_loop "state" in %root
    transform.debug.emit_remark_at %state, "state loop" : !transform.any_op
    // Matching inside a matched loop.
    %tile = transform.nki.match_loop "channel_tile" in %state
    transform.debug.emit_remark_at %tile, "channel_tile loop" : !transform.any_op
    transform.yield
  }
}

// -----

func.func @toy(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>, %A: memref<256x16xf32>,
               %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>, %out: memref<1x256x512xf32>) {
  mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
      u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %out : memref<1x256x512xf32>
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    // expected-error @below {{no loop is named 'sate'; the loops here are named 'batch', 'acc_zero', 'state', 'channel_tile', 'acc_store'}}
    %state = transform.nki.match_loop "sate" in %root
    transform.yield
  }
}
// ERR: error: no loop is named 'sate'; the loops here are named 'batch', 'acc_zero', 'state', 'channel_tile', 'acc_store'

// -----

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    // expected-error @below {{needs a loop name}}
    %state = transform.nki.match_loop "" in %root
    transform.yield
  }
}
