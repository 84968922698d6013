// Past the tutorial: --mamba-v4 after the lowering, as a script
// (docs/schedules.md):
//
//   mamba-opt --convert-mamba-to-nki \
//     --transform-preload-library=transform-library-paths=examples/schedules/v4.mlir \
//     --transform-interpreter --cse examples/mamba_b1_l2048_c512_n16.mlir
//
// The passes after the tiling apply where they can; here each of those
// steps sits in its own `failures(suppress)` sequence, so that one that
// declines (a kernel with no store to delay, say) is skipped and the next
// one runs, as in the pipeline.
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
    // nki-hoist-invariant: deltaU = delta * u out of the state loop.
    transform.sequence %root : !transform.any_op failures(suppress) {
    ^bb0(%r: !transform.any_op):
      %invariant = transform.nki.hoist_invariant %r
    }
    // nki-tile-free-dim{loop=channel_tile}: seq_len tiles outside the state
    // loop.
    %seq_tile = transform.nki.tile_free_dim %v2 {tile_size = 512}
    // nki-place-buffers: intermediates in PSUM, within its banks.
    transform.sequence %root : !transform.any_op failures(suppress) {
    ^bb0(%r: !transform.any_op):
      %psum = transform.nki.place_buffers %r
    }
    // nki-hoist-invariant{expand=true}: A as one load per channel tile.
    transform.sequence %root : !transform.any_op failures(suppress) {
    ^bb0(%r: !transform.any_op):
      %a = transform.nki.hoist_invariant %r {expand}
    }
    // nki-peel-reduction: state 0 writes the accumulator.
    transform.sequence %root : !transform.any_op failures(suppress) {
    ^bb0(%r: !transform.any_op):
      %states = transform.nki.match_loop "state" in %r
      %rest = transform.nki.peel_reduction %states
    }
    // nki-delay-stores: each tile's store one tile later.
    transform.sequence %root : !transform.any_op failures(suppress) {
    ^bb0(%r: !transform.any_op):
      %tiles = transform.nki.match_loop "seq_tile" in %r
      %delayed = transform.nki.delay_stores %tiles
    }
    // nki-assign-engines: deltaU to GpSimdE.
    %engines = transform.nki.assign_engines %root
    transform.yield
  }
}
