//===- Transforms.h - nki loop transformations as functions -----*- C++ -*-===//
//
// Each transformation checks its legality first and, when it declines, says
// why in `reason` (the passes turn that into a remark at `op`). Drivers other
// than the passes (a Transform-dialect op, a schedule search) call these.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_DIALECT_NKI_TRANSFORMS_TRANSFORMS_H
#define MAMBA_NKI_DIALECT_NKI_TRANSFORMS_TRANSFORMS_H

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>

namespace mlir {
namespace nki {

class AllocOp;
class LoadOp;
class MemsetOp;

/// Why a transformation declined, and where to report it.
struct Declined {
  Operation *op = nullptr;
  std::string reason;
};

/// What a transformation that succeeded wants the user to know (a choice it
/// made that costs something), and where: the drivers emit them as remarks.
using Notes = SmallVector<std::pair<Location, std::string>>;

/// The candidates a driver left in place, each with the reason (in the order
/// they were first declined); the passes emit them as remarks at the op.
using Blocked = llvm::MapVector<Operation *, std::string>;

/// Records in `declined` (if any) that the transformation declined at `op`,
/// and why; returns failure() for `return decline(...)`.
inline LogicalResult decline(Declined *declined, Operation *op,
                             const Twine &reason) {
  if (declined) {
    declined->op = op;
    declined->reason = reason.str();
  }
  return failure();
}

/// The remark a driver gives for a transformation that declined: `reason`
/// at `loc`, the location only (Operation::emitRemark would also attach a
/// note printing the whole op).
inline void remarkDeclined(Location loc, const Twine &reason) {
  emitRemark(loc, reason);
}

/// remarkDeclined at the op that declined (nothing when none is recorded).
inline void remarkDeclined(const Declined &declined) {
  if (declined.op)
    remarkDeclined(declined.op->getLoc(), declined.reason);
}

/// remarkDeclined at each candidate left in place, in order.
inline void remarkDeclined(const Blocked &blocked) {
  for (auto &[op, reason] : blocked)
    remarkDeclined(op->getLoc(), reason);
}

/// remarkDeclined for each (location, reason), in order.
inline void
remarkDeclined(ArrayRef<std::pair<Location, std::string>> declines) {
  for (auto &[loc, reason] : declines)
    remarkDeclined(loc, reason);
}

/// Interchanges `outer` with the single loop nested directly in it. Returns
/// the new outer loop (the former inner one's iteration space).
FailureOr<scf::ForOp> reorderLoops(RewriterBase &rewriter, scf::ForOp outer,
                                   bool allowReassociation,
                                   Declined *declined = nullptr);

/// Hoists `load` (with its buffer and source view) out of `loop`, its
/// immediately enclosing loop. Fails without a reason when the load is not a
/// candidate (its source depends on the loop).
LogicalResult hoistLoad(RewriterBase &rewriter, scf::ForOp loop, LoadOp load,
                        Declined *declined = nullptr);

/// Hoists `op` (an nki load or engine instruction directly in `loop`'s
/// body, with its buffer and the pure index/view ops its inputs need) out
/// of `loop` when its inputs do not vary in the loop, nothing else in the
/// loop writes them, and it writes the whole of a buffer allocated in the
/// loop that nothing else writes there, nor reads before it. Fails without
/// a reason when `op` is not a candidate (an input varies; it updates its
/// buffer in place or something else writes it; it writes more than one
/// thing).
LogicalResult hoistInvariantOp(RewriterBase &rewriter, scf::ForOp loop,
                               Operation *op, Declined *declined = nullptr);

/// Hoists `load`, whose source moves with `loop` by a constant stride in
/// one size-1 dim of its view (each iteration loads one slice), out of
/// `loop` as one load of every iteration's slice into a buffer with that
/// dim as long as the loop's trip count; in the loop, a view of the
/// iteration's slice replaces the old buffer (A_i [P, 1] per state becomes
/// one [P, n_state] load). The same conditions as hoistInvariantOp hold for
/// the buffer and the source. Returns the new buffer; fails without a
/// reason when `load` is not a candidate.
FailureOr<AllocOp> hoistLoadExpanded(RewriterBase &rewriter, scf::ForOp loop,
                                     LoadOp load, Declined *declined = nullptr);

/// Peels the first iteration of the reduction `acc = acc + v` in `loop`
/// whose accumulator `init` zeroes: that iteration writes the first term
/// into the accumulator (its producer writes it directly when the term is a
/// buffer of the iteration only the update reads), the memset goes, and a
/// `+0.0` start gets `acc = acc + 0.0` after the loop, which makes the
/// result bit-identical (see PeelReduction.cpp). Returns the loop of the
/// remaining iterations (null when none remain).
FailureOr<scf::ForOp> peelReduction(RewriterBase &rewriter, MemsetOp init,
                                    scf::ForOp loop,
                                    Declined *declined = nullptr);

/// Software-pipelines the stores of `loop`: each store of a buffer of the
/// iteration (its last use) moves to the end of the next iteration, the
/// buffer doubled ([P, 2, ...], the iteration's half chosen by parity) so
/// that the next iteration computes into the other half; the first
/// iteration is peeled (it stores nothing) and the last one's stores follow
/// the loop. DMA queues run in order, so the next tile's loads no longer
/// wait behind a store that waits for the end of the tile. Fails without a
/// reason when no store is a candidate.
FailureOr<scf::ForOp> delayStores(RewriterBase &rewriter, scf::ForOp loop,
                                  Declined *declined = nullptr);

/// Moves instructions in `root` whose engine is left to the compiler (no
/// `on <engine>`) to another engine that can run them when a static
/// estimate of each engine's and each shared port's work, over the whole
/// function, says the busiest of them gets less to do (see the
/// nki-assign-engines pass). Returns how many moved.
/// `moved` (if any) gets the instructions that moved.
int64_t assignEngines(RewriterBase &rewriter, Operation *root,
                      SmallVectorImpl<Operation *> *moved = nullptr);

/// Fuses `second` into `first` (adjacent siblings with equal bounds) and
/// returns the fused loop, named `name` (kept from the loops if empty).
FailureOr<scf::ForOp> fuseSiblingLoops(RewriterBase &rewriter, scf::ForOp first,
                                       scf::ForOp second, StringRef name = "",
                                       Declined *declined = nullptr);

/// The pairs nki-fuse-loops tries to fuse, in walk order: two sibling loops
/// in `root` with equal constant bounds and only pure ops between them, both
/// accepted by `select` (every loop when null). Calls `visit(first, second)`
/// on each until it returns true (it may then have changed the IR, e.g. fused
/// them; otherwise it must not have); returns whether one did.
bool visitFusionCandidates(
    Operation *root, llvm::function_ref<bool(scf::ForOp, scf::ForOp)> visit,
    llvm::function_ref<bool(scf::ForOp)> select = nullptr);

/// Replaces `buffer`, used only inside `loop` and indexed in one dim by
/// exactly its induction variable, with a per-iteration buffer allocated in
/// the loop. Returns the new buffer.
FailureOr<AllocOp> contractBuffer(RewriterBase &rewriter, AllocOp buffer,
                                  scf::ForOp loop,
                                  Declined *declined = nullptr);

/// Tiles the free dimension of the ops in `loop`'s body by `tileSize` in a
/// new loop named `tileLoopName` (see the nki-tile-free-dim pass). Returns the
/// tile loop. `notes` (if any) gets the buffers that could have moved to
/// PSUM but stay in SBUF to keep within PSUM's banks.
FailureOr<scf::ForOp> tileFreeDim(RewriterBase &rewriter, scf::ForOp loop,
                                  int64_t tileSize, StringRef tileLoopName,
                                  Declined *declined = nullptr,
                                  Notes *notes = nullptr);

/// Moves SBUF buffers in `root` to PSUM where VectorE then reads them
/// faster (see isPsumCandidate in the nki-place-buffers pass), in program
/// order, while the PSUM banks live at once stay within PSUM's 8. Returns
/// how many moved; `notes` gets those that could have moved but stay in
/// SBUF for lack of banks.
/// `moved` (if any) gets the allocations that moved, in program order.
int64_t placeBuffers(RewriterBase &rewriter, Operation *root,
                     Notes *notes = nullptr,
                     SmallVectorImpl<Operation *> *moved = nullptr);

//===----------------------------------------------------------------------===//
// The passes' drivers: which candidates a pass picks and in which order,
// shared by the passes and the transform ops (TransformOps/NkiTransformOps.td).
//===----------------------------------------------------------------------===//

/// What hoistToFixedPoint moves.
struct HoistOptions {
  /// Every nki op but allocations (hoistInvariantOp: nki-hoist-invariant),
  /// not only loads (hoistLoad: nki-hoist-loads).
  bool anyOp = false;
  /// Also a load that moves with the loop by a stride (hoistLoadExpanded)
  /// when the plain hoist finds it is not a candidate (expand=true).
  bool expand = false;
  /// Only hoistLoadExpanded, on loads (no plain hoist).
  bool expandedOnly = false;
};

/// The driver of nki-hoist-loads and nki-hoist-invariant: hoists the
/// candidates directly in the body of every loop in `root` (`root` included)
/// that `select` accepts (every loop when null), to a fixed point, so that ops
/// travel as far out as is legal. Returns the ops that moved, in the order
/// they first moved (for an expanded load, the new load of every slice);
/// `blocked` gets each candidate that a reason keeps in place, where it
/// finally stays.
SmallVector<Operation *>
hoistToFixedPoint(RewriterBase &rewriter, Operation *root,
                  const HoistOptions &options,
                  llvm::function_ref<bool(scf::ForOp)> select = nullptr,
                  Blocked *blocked = nullptr);

/// What nki-hoist-loads and nki-hoist-invariant run: hoistToFixedPoint in
/// the loops named `loopName` (every loop when empty), then a remark
/// (remarkDeclined) at each candidate it keeps in place.
void hoistInLoopsNamed(RewriterBase &rewriter, Operation *root,
                       const HoistOptions &options, StringRef loopName);

/// The buffers nki-fuse-loops contracts once it has fused: each allocation
/// in `root` whose uses all lie in one loop of the allocation's own block,
/// with that loop, in program order (contractBuffer decides the rest).
SmallVector<std::pair<Operation *, scf::ForOp>>
contractionCandidates(Operation *root);

/// What peelReductions did.
struct PeelResult {
  /// The (memset, loop) pairs found, and how many were peeled.
  int64_t candidates = 0, peeled = 0;
  /// The loops of the remaining iterations of those peeled (once each; a
  /// loop of one iteration is erased, and absent).
  SmallVector<scf::ForOp> remaining;
};

/// The driver of nki-peel-reduction: each memset in `root` whose buffer is
/// next touched by a loop that `select` accepts (every loop when null) and
/// that accumulates into it, peeled with peelReduction, innermost loops
/// first. `declines` gets where and why peelReduction declined (as
/// locations: a later peel may erase the op that declined).
PeelResult peelReductions(RewriterBase &rewriter, Operation *root,
                          llvm::function_ref<bool(scf::ForOp)> select = nullptr,
                          Notes *declines = nullptr);

} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_DIALECT_NKI_TRANSFORMS_TRANSFORMS_H
