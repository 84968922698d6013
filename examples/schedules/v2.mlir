// The tutorial's v2 kernel as a schedule: what --mamba-v2 does after the
// lowering, as a script (docs/schedules.md). Run it on the v1 kernel:
//
//   mamba-opt --convert-mamba-to-nki \
//     --transform-preload-library=transform-library-paths=examples/schedules/v2.mlir \
//     --transform-interpreter --cse examples/mamba_b1_l512_c256_n16.mlir
//
// and the output is --mamba-v2's (test/TransformOps/schedules.test).
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    // nki-reorder-loops: the state loop inside the channel-tile loop.
    %state = transform.nki.match_loop "state" in %root
    %channel_tile, %state_inner = transform.nki.reorder_loops %state
    // nki-hoist-loads: delta and u leave the state loop.
    %loads = transform.nki.hoist_loads %root
    // nki-fuse-loops: the accumulator's zeroing, the work and the store
    // become one channel-tile loop; the accumulator shrinks to one tile.
    %zero = transform.nki.match_loop "acc_zero" in %root
    %store = transform.nki.match_loop "acc_store" in %root
    %fused = transform.nki.fuse_loops %zero, %channel_tile
    %v2 = transform.nki.fuse_loops %fused, %store {contract}
    transform.yield
  }
}
