//===- Passes.td - nki loop transformations -----------------*- tablegen -*-===//

#ifndef MAMBA_NKI_DIALECT_NKI_TRANSFORMS_PASSES_TD
#define MAMBA_NKI_DIALECT_NKI_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NkiReorderLoops : Pass<"nki-reorder-loops"> {
  let summary = "Interchange a named loop with the loop nested directly in it";
  let description = [{
    For every `scf.for` named `outer` (`nki.loop`) whose body is exactly one
    `scf.for` named `inner` (pure index ops aside, which are sunk into the
    inner body), swaps the two loops: bounds, induction variables, names and
    kinds. The C++ entry point is `nki::reorderLoops`.

    Legal only when no dependence is reversed. For every pair of accesses in
    the nest to the same buffer, at least one a write, the pass requires one
    of: the buffer is allocated inside the nest (private to an iteration);
    the accesses are disjoint across iterations of the outer loop; or they
    are disjoint across iterations of the inner loop. A floating-point
    accumulation (`nki.tensor_tensor add(x, y) into x`) carried by both loops
    is accepted only with `allow-reassociation=true`, since reordering it
    changes the result bits. When it declines, it emits a remark at the outer
    loop naming the buffer and the two accesses.

    Before (`--nki-reorder-loops="outer=state inner=channel_tile"`):
    ```mlir
    scf.for %n = %c0 to %c16 step %c1 {
      scf.for %t = %c0 to %c2 step %c1 {
        ... uses %n and %t ...
      } {nki.kind = "affine", nki.loop = "channel_tile"}
    } {nki.kind = "affine", nki.loop = "state"}
    ```
    After:
    ```mlir
    scf.for %t = %c0 to %c2 step %c1 {
      scf.for %n = %c0 to %c16 step %c1 {
        ... uses %n and %t ...
      } {nki.kind = "affine", nki.loop = "state"}
    } {nki.kind = "affine", nki.loop = "channel_tile"}
    ```
  }];
  let options = [
    Option<"outer", "outer", "std::string", /*default=*/"\"state\"",
           "name (nki.loop) of the outer loop of the pair (default: state)">,
    Option<"inner", "inner", "std::string", /*default=*/"\"channel_tile\"",
           "name of the loop nested directly in it (default: channel_tile)">,
    Option<"allowReassociation", "allow-reassociation", "bool",
           /*default=*/"false",
           "allow reordering floating-point accumulations (changes result bits; default: false)">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def NkiHoistLoads : Pass<"nki-hoist-loads"> {
  let summary = "Move loop-invariant loads (with their buffers) out of loops";
  let description = [{
    Moves an `nki.load` out of its enclosing `scf.for`, together with the
    `nki.alloc` it fills and the pure index/view ops its source needs, when:

    * its source view does not depend on the loop's induction variable (or on
      anything else computed in the loop that is not a pure function of
      values from outside it);
    * nothing in the loop writes the HBM buffer it reads;
    * the buffer it fills is allocated in the loop body and only read there
      otherwise.

    Loads are hoisted as far out as stays legal (the pass iterates to a fixed
    point). Aliasing assumption: distinct function arguments do not alias
    (as in NKI, where each kernel argument is its own HBM tensor). A load
    whose source depends on the loop is not a candidate and is left silently;
    a candidate that is blocked gets a remark saying why. The C++ entry point
    is `nki::hoistLoad`.

    Before:
    ```mlir
    scf.for %n = %c0 to %c16 step %c1 {
      %delta_i = nki.alloc "delta_i" : memref<128x512xf32, #nki.mem<sbuf>>
      %v = memref.subview %delta[%b, %c0_ch, 0] [1, 128, 512] [1, 1, 1] : ...
      nki.load %v : ... into %delta_i : ...
      ... reads %delta_i ...
    } {nki.loop = "state"}
    ```
    After:
    ```mlir
    %delta_i = nki.alloc "delta_i" : memref<128x512xf32, #nki.mem<sbuf>>
    %v = memref.subview %delta[%b, %c0_ch, 0] [1, 128, 512] [1, 1, 1] : ...
    nki.load %v : ... into %delta_i : ...
    scf.for %n = %c0 to %c16 step %c1 {
      ... reads %delta_i ...
    } {nki.loop = "state"}
    ```
  }];
  let options = [
    Option<"loop", "loop", "std::string", /*default=*/"\"\"",
           "only hoist out of loops with this name (default: every loop)">
  ];
}

def NkiHoistInvariant : Pass<"nki-hoist-invariant"> {
  let summary = "Move loop-invariant nki ops (loads and compute) out of loops";
  let description = [{
    The generalisation of `nki-hoist-loads` to every nki op: a load or an
    engine instruction moves out of its enclosing `scf.for`, together with
    the `nki.alloc` it writes and the pure index/view ops its inputs need,
    when:

    * every input (every operand but its destination) is the same in every
      iteration: defined outside the loop, or by pure ops of such values;
    * nothing else in the loop writes a buffer it reads;
    * it writes the whole of one buffer, allocated in the loop body, that
      nothing else in the loop writes, nor reads before it.

    The op then computes the same values in every iteration, so computing
    them once before the loop gives the same results bit for bit. Ops travel
    as far out as is legal (the pass iterates to a fixed point); a candidate
    that is blocked gets a remark saying why. In the Mamba kernel this moves
    `deltaU = delta * u` out of the state loop, which v1 to v3 recompute for
    every state. The C++ entry point is `nki::hoistInvariantOp`.

    With `expand=true`, a load whose source moves with the loop by a
    constant stride in one size-1 dim of its view (one slice per iteration,
    e.g. `A[c0:c0+128, n]` in the state loop) also leaves the loop, as one
    load of all the slices into a buffer whose dim is as long as the loop's
    trip count (`[128, n_state]`); each iteration reads a view of its slice
    (`nki::hoistLoadExpanded`). That buffer may then leave outer loops too.

    Before:
    ```mlir
    scf.for %n = %c0 to %c16 step %c1 {
      %du = nki.alloc "deltaU" : memref<128x512xf32, #nki.mem<sbuf>>
      nki.tensor_tensor multiply(%delta_i : ..., %u_i : ...) into %du : ...
      ... reads %du ...
    } {nki.loop = "state"}
    ```
    After:
    ```mlir
    %du = nki.alloc "deltaU" : memref<128x512xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%delta_i : ..., %u_i : ...) into %du : ...
    scf.for %n = %c0 to %c16 step %c1 {
      ... reads %du ...
    } {nki.loop = "state"}
    ```
  }];
  let options = [
    Option<"loop", "loop", "std::string", /*default=*/"\"\"",
           "only hoist out of loops with this name (default: every loop)">,
    Option<"expand", "expand", "bool", /*default=*/"false",
           "also hoist a load whose source moves with the loop in one size-1 "
           "dim, as one load of every iteration's slice (default: false)">
  ];
}

def NkiFuseLoops : Pass<"nki-fuse-loops"> {
  let summary = "Fuse adjacent sibling loops, then contract per-iteration buffers";
  let description = [{
    Fuses two adjacent sibling `scf.for` loops with equal constant bounds and
    step when every iteration of the second reads and writes only what the
    same iteration of the first touched: for every pair of accesses to the
    same buffer (one in each loop, at least one a write) the pass proves them
    disjoint for different iterations. It fuses to a fixed point, so three
    siblings become one loop. When two siblings with equal bounds cannot be
    fused, a remark names the buffer and the accesses.

    Then it contracts: a buffer allocated outside a fused loop, used only
    inside it, and indexed in one dim by exactly the loop's induction variable
    (size 1, every other dim whole) becomes a buffer of one iteration's size
    allocated inside the loop. This turns the v1 accumulator
    `[P, n_tiles, L]` into v2's `[P, L]`.

    The fused loop is named by `fused-name` if given, else after the first
    of the fused loops that contains a nested loop (the one doing the work),
    else after the first. The C++ entry points are `nki::fuseSiblingLoops`
    and `nki::contractBuffer`.

    Before:
    ```mlir
    %acc = nki.alloc "scanC_accum" : memref<128x2x512xf32, #nki.mem<sbuf>>
    scf.for %t = %c0 to %c2 step %c1 { memset 0 into %acc[0, %t, 0] }   {nki.loop = "acc_zero"}
    scf.for %t = %c0 to %c2 step %c1 { ... += into %acc[0, %t, 0] }     {nki.loop = "channel_tile"}
    scf.for %t = %c0 to %c2 step %c1 { store %acc[0, %t, 0] }           {nki.loop = "acc_store"}
    ```
    After:
    ```mlir
    scf.for %t = %c0 to %c2 step %c1 {
      %acc = nki.alloc "scanC_accum" : memref<128x512xf32, #nki.mem<sbuf>>
      memset 0 into %acc;  ... += into %acc;  store %acc
    } {nki.loop = "channel_tile"}
    ```
  }];
  let options = [
    ListOption<"loops", "loops", "std::string",
               "only fuse loops with these names (default: any loops)">,
    Option<"fusedName", "fused-name", "std::string", /*default=*/"\"\"",
           "name of the fused loop (default: see description)">,
    Option<"contract", "contract", "bool", /*default=*/"true",
           "contract buffers indexed only by a fused loop (default: true)">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def NkiTileFreeDim : Pass<"nki-tile-free-dim"> {
  let summary = "Tile the free (seq_len) dimension of a loop body, carrying scans";
  let description = [{
    Splits the free dimension of length `L` (the length of the body's scans,
    or the longest free dim when there is none) of the ops in a loop body
    into tiles of `tile-size` elements, in a new loop placed inside that loop
    around those ops: by default the innermost loop containing a
    `nki.tensor_tensor_scan`, or the loop named by `loop`.

    * Buffers allocated in the body with free length `L` shrink to one tile
      and are allocated per tile; views of other buffers and HBM are sliced
      per tile.
    * A scan carries its state from tile to tile, as the tutorial's v3 does:
      its buffer becomes `[P, 1 + T]`, allocated once before the tile loop;
      column 0 holds the state carried into a tile (first the scan's initial
      value) and is the scan's `initial`, columns `1 .. T` the tile's scan;
      after each tile a ScalarE `tensor_copy` moves the tile's last column
      (its final state) into column 0. The tile loop is then
      `nki.kind = "sequential"`.
    * When `L` is not a multiple of the tile size, a remainder tile follows
      the loop. When `L <= tile-size` there would be one tile, and its
      carried state (a memset and a copy per scan, on the critical path of
      each state) would be read by no later tile: the pass declines with a
      remark ("nothing to tile") and the loop stays as it is.
    * Buffers whose tile now fits a PSUM bank move to PSUM when that makes a
      `tensor_tensor` reader cheaper (its other input in SBUF: N cycles
      instead of 2N), e.g. broadcast rows and `scanC`; each must be written
      once and every reader must accept a PSUM operand. They are promoted in
      program order while the PSUM banks live at once stay within 8; the
      others stay in SBUF, with a remark.

    Loops in the body that work on the free dim are cloned into every tile
    with their bodies tiled: buffers allocated in them become the (tile,
    iteration)'s, and a scan in them carries its state in one column per
    iteration of the loops around it (a `[P, n]` buffer for a loop of n
    iterations, set to the scan's initial value). Tiling the channel-tile
    loop of the Mamba kernel this way puts the seq_len loop outside the
    state loop, with no buffer of length seq_len left. Ops in such a loop
    that do not work on the free dim run once per tile, so they may write
    only the loop's own buffers. Buffer placement is then left to
    `nki-place-buffers`.

    Legality: buffers allocated per tile are private to it; for every other
    buffer (HBM arguments, buffers from outside the body) each pair of
    accesses with a write must touch the same elements only in the same tile
    (tiles are then independent: `affine`) or only in a later tile of the
    later op (the tile loop is then `sequential`); accesses in different
    iterations of a nested loop must never touch the same elements, or touch
    the same places in every iteration and only within a tile. It declines, with a remark
    naming the buffer, on any other dependence across tiles, when an op that
    stays outside the tile loop depends on a tiled one, or when a scan sits
    in a nested loop (its state would need one column per iteration of that
    loop). A `loop` that names no loop is an error listing the loop names.
    The C++ entry point is `nki::tileFreeDim`.
  }];
  let options = [
    Option<"tileSize", "tile-size", "int64_t", /*default=*/"512",
           "tile size along the free dimension, in elements (default: 512)">,
    Option<"loop", "loop", "std::string", /*default=*/"\"\"",
           "loop whose body is tiled (default: each loop with a scan directly in its body)">,
    Option<"tileLoopName", "name", "std::string", /*default=*/"\"seq_tile\"",
           "nki.loop name of the new tile loop (default: seq_tile)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def NkiPeelReduction : Pass<"nki-peel-reduction"> {
  let summary = "Peel the first iteration of a reduction: it writes the accumulator instead of memset + add";
  let description = [{
    For an accumulator zeroed by `nki.memset 0.0` and then accumulated by
    `nki.tensor_tensor add(acc, v) into acc` in the next loop that touches
    it (the only op there that touches it, directly in the loop's body):
    the loop's first iteration is cloned before it with the induction
    variable set to the lower bound, and in that copy the term is written
    into the accumulator instead of added to it — by the op that produces
    the term when the term is a buffer of the iteration that only the update
    reads (the Mamba kernel's state 0 writes `scan * C` straight into the
    accumulator), else by a `tensor_copy`. The memset goes, and the loop
    starts one step later. That saves two VectorE instructions (memset and
    add) per accumulator.

    Exactness: sums that start from the first term differ from sums that
    start from +0.0 only where the result is -0.0 instead of +0.0 (x + 0.0
    is x for every x but -0.0). So a `+0.0` start gets `acc = acc + 0.0`
    (a `tensor_scalar` on ScalarE, off VectorE) after the loop, and the
    result is bit-identical, NaN payloads included; a `-0.0` start needs
    nothing. Any other start declines with a remark.

    Before:
    ```mlir
    nki.memset 0.0 into %acc : ...
    scf.for %n = %c0 to %c16 step %c1 {
      %t = nki.alloc "scanC" : ...
      nki.tensor_tensor multiply(%s : ..., %c : ...) into %t : ...
      nki.tensor_tensor add(%acc : ..., %t : ...) into %acc : ...
    } {nki.loop = "state"}
    ```
    After:
    ```mlir
    nki.tensor_tensor multiply(%s0 : ..., %c0 : ...) into %acc : ...
    scf.for %n = %c1 to %c16 step %c1 {
      ... as before ...
    } {nki.loop = "state"}
    nki.tensor_scalar(%acc : ...) add(0.0) into %acc : ... on scalar
    ```
    The C++ entry point is `nki::peelReduction`.
  }];
  let options = [
    Option<"loop", "loop", "std::string", /*default=*/"\"\"",
           "only peel loops with this name (default: every loop)">
  ];
}

def NkiDelayStores : Pass<"nki-delay-stores"> {
  let summary = "Software-pipeline the output DMA: store each iteration's result one iteration later";
  let description = [{
    DMA queues run their transfers in order. A store waits for the end of
    its tile's compute, so every load queued behind it — including the next
    tile's — waits too, and the engines stall at each tile boundary. In the
    loop named `loop` (default `seq_tile`), every store of a buffer of the
    iteration that is that buffer's last use moves to the end of the next
    iteration: the buffer becomes a double buffer `[P, 2, ...]` allocated
    before the loop, iteration i computing into half `i mod 2` while
    iteration i + 1 stores it. The first iteration is peeled (it stores
    nothing) and the last iteration's stores follow the loop.

    Legal when nothing else in the loop touches the stores' destinations,
    and different iterations store to disjoint places (so the order of the
    stores does not matter); each store's destination view is computed by
    pure ops of the body, which are cloned for the previous iteration. A
    store that is not a candidate (its buffer is used after it or through a
    view, its destination is shared) is left in place, with a remark. The
    C++ entry point is `nki::delayStores`.

    Before:
    ```mlir
    scf.for %s = %c0 to %c16 step %c1 {
      %acc = nki.alloc "acc" : memref<128x512xf32, #nki.mem<sbuf>>
      ... computes %acc ...
      nki.store %acc : ... into %out_s : ...
    } {nki.loop = "seq_tile"}
    ```
    After:
    ```mlir
    %acc2 = nki.alloc "acc" : memref<128x2x512xf32, #nki.mem<sbuf>>
    ... iteration 0 computes %acc2[:, 0] ...
    scf.for %s = %c1 to %c16 step %c1 {
      ... computes %acc2[:, s mod 2] ...
      nki.store %acc2[:, (s-1) mod 2] : ... into %out_(s-1) : ...
    } {nki.loop = "seq_tile"}
    nki.store %acc2[:, 1] : ... into %out_15 : ...
    ```
  }];
  let options = [
    Option<"loop", "loop", "std::string", /*default=*/"\"seq_tile\"",
           "name of the loop whose stores are delayed (default: seq_tile)">
  ];
}

def NkiAssignEngines : Pass<"nki-assign-engines"> {
  let summary = "Move instructions to another engine that can run them when the busiest engine or port benefits";
  let description = [{
    Estimates, over the whole function, how long each engine is busy and
    how long each shared port is held: VectorE and GpSimdE take turns on
    SBUF, VectorE and ScalarE on PSUM (docs/hardware.md §4). Each
    instruction counts once per execution (the product of its loops' trip
    counts) with the cost rules of docs/hardware.md §3: N cycles, 2N for an
    fp32 `tensor_tensor` with both inputs in SBUF and for a scan, at least
    64, at the engine's clock. Then, most expensive first, an instruction
    whose engine was left to the compiler (no `on <engine>`; an explicit
    engine is never changed) moves to another engine that can run it, and
    can reach its operands (GpSimdE cannot access PSUM), when that lowers
    the largest of those totals by more than 0.1%. In the Mamba kernel this
    moves deltaU (`delta * u`, both in SBUF) to GpSimdE: VectorE gets it
    off its queue, and the SBUF port is held for 2N cycles at 1.4 GHz
    instead of 1.12. The costs are the timing model's for every engine
    (the ISA documents VectorE's; that GpSimdE and ScalarE take as many
    cycles per element is the model's assumption, docs/interpreter.md). The
    C++ entry point is `nki::assignEngines`; it returns how many
    instructions moved.

    Before / after:
    ```mlir
    nki.tensor_tensor multiply(%d : ..., %u : ...) into %du : ...
    nki.tensor_tensor multiply(%d : ..., %u : ...) into %du : ... on gpsimd
    ```
  }];
}

def NkiPlaceBuffers : Pass<"nki-place-buffers"> {
  let summary = "Move intermediates to PSUM where VectorE reads them faster, within PSUM's banks";
  let description = [{
    A `tensor_tensor` on VectorE costs N cycles when one input is in PSUM
    and 2N when both are in SBUF (fp32). This pass moves an SBUF buffer to
    PSUM when that makes such a reader cheaper and nothing forbids it: the
    buffer is 2-D fp32 and fits one PSUM bank (2 KiB per partition), one op
    writes it, every user is an engine op on an engine that can access PSUM
    (not GpSimdE, not a DMA, not a scan) and uses the buffer itself, and no
    `tensor_tensor` ends up with two PSUM inputs. Candidates are taken in
    program order, those a partition broadcast writes first (one left in
    SBUF is staged through PSUM by the backend and copied out on ScalarE),
    and kept only while the PSUM banks live at once stay within 8, counted as the backend allocates them: an instance from its
    first to its last use in the block that allocates it, plus one bank
    while a broadcast into SBUF stages a chunk through PSUM. A candidate
    that does not fit stays in SBUF, with a remark. The C++ entry point is
    `nki::placeBuffers`.

    Before (a broadcast row read by a multiply whose other input is SBUF):
    ```mlir
    %bb = nki.alloc "B_i_bcast" : memref<128x512xf32, #nki.mem<sbuf>>
    nki.partition_broadcast %b : ... into %bb : memref<128x512xf32, #nki.mem<sbuf>>
    nki.tensor_tensor multiply(%du : ..., %bb : ...) into %dbu : ...
    ```
    After:
    ```mlir
    %bb = nki.alloc "B_i_bcast" : memref<128x512xf32, #nki.mem<psum>>
    ```
  }];
}

def NkiCheckCapacity : Pass<"nki-check-capacity"> {
  let summary = "Check that every instruction's SBUF operands fit SBUF at once";
  let description = [{
    The nki verifiers check what one instruction can address (at most 64 Ki
    elements per partition of an SBUF tile, one PSUM bank); whether the
    buffers fit SBUF depends on the whole program, and is checked here and
    by the backend, which allocates SBUF and spills what does not fit. This
    pass reports every op whose distinct SBUF buffers (each whole, or the
    one block of a `[P, blocks, ...]` buffer it touches) need more bytes per
    partition at once than the target's SBUF holds: such an op can never
    run, spills or not. The named pipelines (`--mamba-v1` ...) end with it,
    so that a kernel that cannot fit fails in `mamba-opt`, at the op, rather
    than in the backend.

    ```
    error: 'nki.activation' needs 524288 bytes of SBUF per partition at once
    ('delta_i' 262144, 'deltaA' 262144) but SBUF has 196608 on trn1; tile the
    free dim (nki-tile-free-dim, --mamba-v3, --mamba-v4) to shrink its buffers
    ```
  }];
}

#endif // MAMBA_NKI_DIALECT_NKI_TRANSFORMS_PASSES_TD
