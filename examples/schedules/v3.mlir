// The tutorial's v3 kernel as a schedule: --mamba-v3 after the lowering
// (v2's steps, then seq_len tiles of 512 carrying the scan state), as a
// script (docs/schedules.md):
//
//   mamba-opt --convert-mamba-to-nki \
//     --transform-preload-library=transform-library-paths=examples/schedules/v3.mlir \
//     --transform-interpreter --cse examples/mamba_b1_l2048_c512_n16.mlir
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    // v2 (examples/schedules/v2.mlir).
    %state = transform.nki.match_loop "state" in %root
    %channel_tile, %state_inner = transform.nki.reorder_loops %state
    %loads = transform.nki.hoist_loads %root
    %zero = transform.nki.match_loop "acc_zero" in %root
    %store = transform.nki.match_loop "acc_store" in %root
    %fused = transform.nki.fuse_loops %zero, %channel_tile
    %v2 = transform.nki.fuse_loops %fused, %store {contract}
    // nki-tile-free-dim: the state loop's body in seq_len tiles of 512.
    %scan_loop = transform.nki.match_loop "state" in %root
    %seq_tile = transform.nki.tile_free_dim %scan_loop {tile_size = 512}
    transform.yield
  }
}
