// The tutorial's finding, from the allocator: at seq_len 8192 and 4096
// channels, v2's [128, 8192] temporaries do not fit SBUF together and spill;
// v3's seq_len tiles do not.
// RUN: mamba-opt --mamba-v2 %mamba_src_root/examples/mamba_b1_l8192_c4096_n16.mlir | mamba-translate --nki-to-nisa | mamba-translate --nisa-stats | FileCheck %s --check-prefix=V2
// RUN: mamba-opt --mamba-v3 %mamba_src_root/examples/mamba_b1_l8192_c4096_n16.mlir | mamba-translate --nki-to-nisa | mamba-translate --nisa-stats | FileCheck %s --check-prefix=V3

// V2: qSyncSpillReload0 {{[1-9][0-9]*}}
// V2: sbuf peak: {{1[0-9][0-9][0-9][0-9][0-9]}} bytes per partition
// V2: spill save bytes: {{[1-9][0-9]*}}
// V2: spill reload bytes: {{[1-9][0-9]*}}

// V3: qSyncSpillReload0 0
// V3: spill save bytes: 0
// V3: spill reload bytes: 0
// V3: scratch bytes: 0
