//===- NkiTransformOps.td - transform.nki ops ------------*- tablegen -*-===//
//
// One transform op per transformation of Transforms.h. Each drives the same
// C++ function as the pass of the same name (the passes' candidate choice is
// shared through Transforms.h's drivers), so a script and a pipeline give the
// same IR. docs/schedules.md is the tutorial; docs/generated/
// NkiTransformOps.md is generated from this file.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_DIALECT_NKI_TRANSFORMOPS_NKITRANSFORMOPS_TD
#define MAMBA_NKI_DIALECT_NKI_TRANSFORMOPS_NKITRANSFORMOPS_TD

include "mlir/Dialect/Transform/IR/TransformDialect.td"
include "mlir/Dialect/Transform/IR/TransformTypes.td"
include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Every handle of the extension is a !transform.any_op, so the ops print
// without types: `%l = transform.nki.match_loop "state" in %root`.
def Nki_Handle : Type<CPred<"::llvm::isa<::mlir::transform::AnyOpType>($_self)">,
                      "a handle to payload ops (`!transform.any_op`)",
                      "::mlir::transform::AnyOpType">,
                 BuildableType<"$_builder.getType<::mlir::transform::AnyOpType>()">;
// Reads its handles, produces its results, modifies the payload
// (nki::ScopeTransformOpTrait, NkiTransformOps.h).
def Nki_ScopeTransformOpTrait : NativeOpTrait<"ScopeTransformOpTrait"> {
  let cppNamespace = "::mlir::nki";
}

class Nki_TransformOp<string mnemonic, list<Trait> traits = []>
    : TransformDialectOp<"nki." # mnemonic,
        !listconcat([DeclareOpInterfaceMethods<TransformOpInterface>,
                     ReportTrackingListenerFailuresOpTrait], traits)>;

// Ops on loops (or pairs of loops) the handles name: they consume the
// handles and return handles to the loops they produce. A decline is a
// silenceable failure at the payload op, with the pass remark's reason.
class Nki_LoopTransformOp<string mnemonic, list<Trait> traits = []>
    : Nki_TransformOp<mnemonic,
        !listconcat([FunctionalStyleTransformOpTrait,
                     MemoryEffectsOpInterface], traits)>;

// Ops that apply a pass's rule to every candidate inside the payload ops of
// their handle (a function, a loop): they only read the handle and return
// handles to what moved. A candidate kept in place gets the pass's remark;
// when nothing moved and some candidate declined, the op fails silenceably
// with those reasons.
class Nki_ScopeTransformOp<string mnemonic, list<Trait> traits = []>
    : Nki_TransformOp<mnemonic,
        !listconcat([Nki_ScopeTransformOpTrait, MemoryEffectsOpInterface],
                    traits)> {
  let arguments = (ins Nki_Handle:$target);
  let results = (outs Nki_Handle:$moved);
  let assemblyFormat = "$target attr-dict";
}

def MatchLoopOp : Nki_TransformOp<"match_loop",
    [DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "Handles to the loops with a given `nki.loop` name";
  let description = [{
    Returns a handle to every `scf.for` named `name` (its `nki.loop`
    attribute, the names the lowering gives: `batch`, `acc_zero`, `state`,
    `channel_tile`, `acc_store`, and the passes' `seq_tile`) inside the
    payload ops of `root`, in program order. A name that matches no loop is
    a definite error that lists the names that do exist.

    ```mlir
    %state = transform.nki.match_loop "state" in %root
    ```
  }];
  let arguments = (ins Nki_Handle:$root, StrAttr:$name);
  let results = (outs Nki_Handle:$loops);
  let assemblyFormat = "$name `in` $root attr-dict";
  let hasVerifier = 1;
}

def ReorderLoopsOp : Nki_LoopTransformOp<"reorder_loops"> {
  let summary = "Interchange a loop with the loop nested directly in it";
  let description = [{
    `nki::reorderLoops` (the `nki-reorder-loops` pass) on each loop of
    `target`: swaps it with the single loop nested directly in it, when no
    dependence is reversed. `allow_reassociation` lets it reorder a
    floating-point accumulation (which changes the result bits). Returns
    the new outer loop (the former inner loop's iteration space and name)
    and the new inner loop.

    ```mlir
    %ct, %state2 = transform.nki.reorder_loops %state
    ```
  }];
  let arguments = (ins Nki_Handle:$target,
                   UnitAttr:$allow_reassociation);
  let results = (outs Nki_Handle:$outer,
                 Nki_Handle:$inner);
  let assemblyFormat = "$target attr-dict";
}

def HoistLoadsOp : Nki_ScopeTransformOp<"hoist_loads"> {
  let summary = "Move loop-invariant loads (with their buffers) out of loops";
  let description = [{
    The `nki-hoist-loads` pass inside the payload ops of `target`: every
    `nki.load` directly in a loop there (the target itself, when it is a
    loop, included) that `nki::hoistLoad` may move leaves it, to a fixed
    point, so that loads travel as far out as is legal. Returns the loads
    that moved.

    ```mlir
    %loads = transform.nki.hoist_loads %root
    ```
  }];
}

def HoistInvariantOp : Nki_ScopeTransformOp<"hoist_invariant"> {
  let summary = "Move loop-invariant nki ops (loads and compute) out of loops";
  let description = [{
    The `nki-hoist-invariant` pass inside the payload ops of `target`:
    `nki::hoistInvariantOp` on every nki op directly in a loop there, to a
    fixed point. With `expand`, a load that moves with the loop by a
    constant stride also leaves it as one load of every iteration's slice
    (`nki::hoistLoadExpanded`, `nki-hoist-invariant{expand=true}`). Returns
    the ops that moved (for an expanded load, the new load).

    ```mlir
    %moved = transform.nki.hoist_invariant %root
    %a = transform.nki.hoist_invariant %root {expand}
    ```
  }];
  let arguments = (ins Nki_Handle:$target, UnitAttr:$expand);
}

def HoistExpandedOp : Nki_ScopeTransformOp<"hoist_expanded"> {
  let summary = "Hoist strided loads out of loops as one load of every slice";
  let description = [{
    `nki::hoistLoadExpanded` alone on every `nki.load` directly in a loop
    inside the payload ops of `target`, to a fixed point: a load whose
    source moves with the loop by a constant stride in one size-1 dim (A's
    column per state) becomes one load of all the slices before the loop,
    and each iteration reads its slice of that buffer. Returns the new
    loads.

    ```mlir
    %a = transform.nki.hoist_expanded %state
    ```
  }];
}

def PeelReductionOp : Nki_LoopTransformOp<"peel_reduction"> {
  let summary = "Peel the first iteration of the reductions of a loop";
  let description = [{
    `nki::peelReduction` (the `nki-peel-reduction` pass) for each loop of
    `target` and each accumulator that a `nki.memset` zeroes right before
    the loop touches it: the first iteration writes the accumulator
    instead of adding to it, bit-identically. Returns the loops of the
    remaining iterations (none for a loop of one iteration, which is gone).

    ```mlir
    %rest = transform.nki.peel_reduction %state
    ```
  }];
  let arguments = (ins Nki_Handle:$target);
  let results = (outs Nki_Handle:$remaining);
  let assemblyFormat = "$target attr-dict";
}

def DelayStoresOp : Nki_LoopTransformOp<"delay_stores"> {
  let summary = "Store each iteration's result one iteration later";
  let description = [{
    `nki::delayStores` (the `nki-delay-stores` pass) on each loop of
    `target`: each store of a buffer of the iteration moves to the next
    iteration, the buffer doubled; the first iteration is peeled. Returns
    the loop (which now starts one step later).

    ```mlir
    %tiles2 = transform.nki.delay_stores %tiles
    ```
  }];
  let arguments = (ins Nki_Handle:$target);
  let results = (outs Nki_Handle:$loop);
  let assemblyFormat = "$target attr-dict";
}

def AssignEnginesOp : Nki_ScopeTransformOp<"assign_engines"> {
  let summary = "Move instructions to another engine when the busiest benefits";
  let description = [{
    `nki::assignEngines` (the `nki-assign-engines` pass) on each payload op
    of `target` (its cost estimate covers that op): instructions whose
    engine is left to the compiler move to another engine when that lowers
    the busiest engine's or port's estimate. Returns the instructions that
    moved (possibly none: that is the estimate's answer, not a decline).

    ```mlir
    %moved = transform.nki.assign_engines %root
    ```
  }];
}

def FuseLoopsOp : Nki_LoopTransformOp<"fuse_loops"> {
  let summary = "Fuse two adjacent sibling loops";
  let description = [{
    `nki::fuseSiblingLoops` (the `nki-fuse-loops` pass) on the i-th loops of
    `first` and `second` (the handles hold as many loops): `second` is
    fused into `first`, adjacent siblings with equal bounds, when iteration
    i of the second touches only what iteration i of the first did. The
    fused loop is named `name`, else as the pass names it. With `contract`,
    the buffers used only in the fused loop and indexed there by its
    induction variable then shrink to one iteration's
    (`transform.nki.contract_buffers`, which also returns them). Returns
    the fused loops.

    ```mlir
    %f1 = transform.nki.fuse_loops %zero, %ct
    %f2 = transform.nki.fuse_loops %f1, %store {contract}
    ```
  }];
  let arguments = (ins Nki_Handle:$first,
                   Nki_Handle:$second,
                   OptionalAttr<StrAttr>:$name,
                   UnitAttr:$contract);
  let results = (outs Nki_Handle:$fused);
  let assemblyFormat = "$first `,` $second attr-dict";
}

def ContractBuffersOp : Nki_TransformOp<"contract_buffers",
    [Nki_ScopeTransformOpTrait, MemoryEffectsOpInterface]> {
  let summary = "Shrink the buffers a loop indexes by its induction variable";
  let description = [{
    `nki::contractBuffer` on each buffer that `nki-fuse-loops` would
    contract for a loop of `target`: allocated in the loop's block, used
    only inside the loop, and indexed there in one dim by exactly its
    induction variable; it becomes a buffer of one iteration, allocated in
    the loop (v1's `[P, n_tiles, L]` accumulator becomes v2's `[P, L]`).
    Returns the new allocations. The loop handle stays valid.

    ```mlir
    %acc = transform.nki.contract_buffers %ct
    ```
  }];
  let arguments = (ins Nki_Handle:$target);
  let results = (outs Nki_Handle:$buffers);
  let assemblyFormat = "$target attr-dict";
}

def TileFreeDimOp : Nki_LoopTransformOp<"tile_free_dim"> {
  let summary = "Tile the free (seq_len) dimension of a loop body";
  let description = [{
    `nki::tileFreeDim` (the `nki-tile-free-dim` pass with `loop=` that
    loop) on each loop of `target`: the free dimension of the ops in its
    body is split into tiles of `tile_size` elements in a new loop named
    `name`, scans carrying their state from tile to tile. Returns the tile
    loops. Buffers that stay in SBUF to keep within PSUM's banks get the
    pass's remark.

    ```mlir
    %tiles = transform.nki.tile_free_dim %state {tile_size = 256}
    ```
  }];
  let arguments = (ins Nki_Handle:$target,
                   DefaultValuedAttr<I64Attr, "512">:$tile_size,
                   DefaultValuedStrAttr<StrAttr, "seq_tile">:$name);
  let results = (outs Nki_Handle:$tile_loop);
  let assemblyFormat = "$target attr-dict";
  let hasVerifier = 1;
}

def PlaceBuffersOp : Nki_ScopeTransformOp<"place_buffers"> {
  let summary = "Move intermediates to PSUM where VectorE reads them faster";
  let description = [{
    `nki::placeBuffers` (the `nki-place-buffers` pass) on each payload op
    of `target`: SBUF buffers move to PSUM where a `tensor_tensor` reader
    gets cheaper, in program order, while the PSUM banks live at once stay
    within 8. Returns the allocations that moved; those kept in SBUF for
    lack of banks get the pass's remark.

    ```mlir
    %psum = transform.nki.place_buffers %root
    ```
  }];
}

#endif // MAMBA_NKI_DIALECT_NKI_TRANSFORMOPS_NKITRANSFORMOPS_TD
