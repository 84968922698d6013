// A pass asked by name for a loop that is not there fails with an error
// that lists the loop names that are; options that make no sense fail too.
// A pass with nothing to do on its default options stays silent.
// RUN: mamba-opt %s --convert-mamba-to-nki -o %t.mlir
// RUN: not mamba-opt %t.mlir --nki-reorder-loops="outer=stat" 2>&1 | FileCheck %s --check-prefix=OUTER
// RUN: not mamba-opt %t.mlir --nki-reorder-loops="inner=chanel_tile" 2>&1 | FileCheck %s --check-prefix=INNER
// RUN: not mamba-opt %t.mlir --nki-reorder-loops="outer=channel_tile inner=state" 2>&1 | FileCheck %s --check-prefix=NESTED
// RUN: not mamba-opt %t.mlir --nki-reorder-loops="outer=state inner=state" 2>&1 | FileCheck %s --check-prefix=SAME
// RUN: not mamba-opt %t.mlir --nki-hoist-loads="loop=stat" 2>&1 | FileCheck %s --check-prefix=HOIST
// RUN: not mamba-opt %t.mlir --nki-fuse-loops="loops=acc_zero,acc_stor" 2>&1 | FileCheck %s --check-prefix=FUSE
// RUN: not mamba-opt %t.mlir --nki-tile-free-dim="loop=chanel_tile" 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: not mamba-opt %t.mlir --nki-tile-free-dim="tile-size=0" 2>&1 | FileCheck %s --check-prefix=SIZE
// RUN: not mamba-opt %t.mlir --nki-tile-free-dim="name=" 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: echo 'func.func @no_scan() { return }' | mamba-opt --nki-tile-free-dim --nki-hoist-loads --nki-fuse-loops 2>&1 >/dev/null | count 0
// RUN: mamba-opt --help | FileCheck %s --check-prefix=HELP
// RUN: echo 'func.func @f() { return }' | not mamba-opt --nki-hoist-loads=loop=x 2>&1 | FileCheck %s --check-prefix=NONE

// OUTER: error: nki-reorder-loops: no loop is named 'stat' (option outer=stat); the loops here are named 'batch', 'acc_zero', 'state', 'channel_tile', 'acc_store'
// INNER: error: nki-reorder-loops: no loop is named 'chanel_tile' (option inner=chanel_tile); the loops here are named 'batch', 'acc_zero', 'state', 'channel_tile', 'acc_store'
// NESTED: error: nki-reorder-loops: no loop named 'state' is nested directly in a loop named 'channel_tile'
// SAME: error: nki-reorder-loops: outer and inner name the same loop ('state')
// HOIST: error: nki-hoist-loads: no loop is named 'stat' (option loop=stat); the loops here are named 'batch', 'acc_zero', 'state', 'channel_tile', 'acc_store'
// FUSE: error: nki-fuse-loops: no loop is named 'acc_stor' (option loops=acc_zero,acc_stor); the loops here are named 'batch', 'acc_zero', 'state', 'channel_tile', 'acc_store'
// TILE: error: nki-tile-free-dim: no loop is named 'chanel_tile' (option loop=chanel_tile); the loops here are named 'batch', 'acc_zero', 'state', 'channel_tile', 'acc_store'
// SIZE: error: nki-tile-free-dim: tile-size must be at least 1, got 0
// NAME: error: nki-tile-free-dim: name (of the tile loop) must not be empty

// NONE: error: nki-hoist-loads: no loop is named 'x' (option loop=x); no loop here has an nki.loop name

// HELP: --nki-reorder-loops
// HELP: --allow-reassociation {{.*}}default: false)
// HELP: --inner=<string> {{.*}}default: channel_tile)
// HELP: --outer=<string> {{.*}}default: state)
// HELP: --nki-tile-free-dim
// HELP: --tile-size=<long> {{.*}}default: 512)

func.func @mamba_layer(%delta: memref<1x256x512xf32>, %u: memref<1x256x512xf32>, %A: memref<256x16xf32>,
                       %B: memref<1x16x512xf32>, %C: memref<1x16x512xf32>,
                       %out: memref<1x256x512xf32>) {
  mamba.selective_scan delta(%delta : memref<1x256x512xf32>)
      u(%u : memref<1x256x512xf32>) A(%A : memref<256x16xf32>)
      B(%B : memref<1x16x512xf32>) C(%C : memref<1x16x512xf32>)
      into %out : memref<1x256x512xf32>
  return
}
