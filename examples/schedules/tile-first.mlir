// A schedule no named pipeline offers: seq_len tiles of 256 first (in the
// channel-tile loop, v1's innermost loop with the scan), then the
// interchange of state and channel_tile, then the loads out of the loops
// they do not depend on (docs/schedules.md):
//
//   mamba-opt --convert-mamba-to-nki \
//     --transform-preload-library=transform-library-paths=examples/schedules/tile-first.mlir \
//     --transform-interpreter --cse --nki-check-capacity examples/mamba_b1_l512_c256_n16.mlir
//
// The result is channel_tile { state { seq_tile { ... } } }: every state
// walks the whole sequence in tiles, its scan carried from tile to tile.
// test/TransformOps/tile-first.test runs it through nki-run against v1.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %channel_tile = transform.nki.match_loop "channel_tile" in %root
    %seq_tile = transform.nki.tile_free_dim %channel_tile {tile_size = 256}
    %state = transform.nki.match_loop "state" in %root
    %outer, %inner = transform.nki.reorder_loops %state
    %loads = transform.nki.hoist_loads %root
    transform.yield
  }
}
