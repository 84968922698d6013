//===- NkiTransformOps.cpp - the nki Transform-dialect extension ----------===//
//
// Each op drives a function of Transforms.h (and, where a pass picks its
// candidates, the pass's driver there), never a copy of it:
//
// * ops on loops (reorder_loops, fuse_loops, tile_free_dim, peel_reduction,
//   delay_stores) consume their handles and return the loops they produce;
// * ops on a scope (hoist_*, assign_engines, place_buffers, and
//   contract_buffers on a loop) apply the pass's rule to every candidate
//   in it and return what moved;
// * a decline carries the reason the pass's remark gives, at the payload op
//   that declined: when nothing changed it is a silenceable failure (the
//   first reason the message, the others notes, and a note at the transform
//   op); when something changed, each reason is a remark, as the pass gives
//   it;
// * an empty handle, or a payload op of the wrong kind, is a definite error
//   (a bug in the script, not a transformation that declined).
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Dialect/Nki/TransformOps/NkiTransformOps.h"
#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiDialect.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Dialect/Nki/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Transform/DebugExtension/DebugExtension.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Transform/Transforms/Passes.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::nki;
using namespace mlir::transform;

#define GET_OP_CLASSES
#include "mamba-nki/Dialect/Nki/TransformOps/NkiTransformOps.cpp.inc"

namespace {
/// A definite error for a handle that holds no payload op.
DiagnosedSilenceableFailure
emptyHandle(Operation *transformOp, TransformState &state, StringRef operand) {
  return emitDefiniteFailure(transformOp)
         << "'" << transformOp->getName() << "': the handle " << operand
         << " matches no payload op; " << loopNamesHint(state.getTopLevel());
}

/// The payload ops of `handle`; a definite error when there is none.
DiagnosedSilenceableFailure getPayload(Operation *transformOp,
                                       TransformState &state, Value handle,
                                       StringRef operand,
                                       SmallVectorImpl<Operation *> &ops) {
  llvm::append_range(ops, state.getPayloadOps(handle));
  if (ops.empty())
    return emptyHandle(transformOp, state, operand);
  return DiagnosedSilenceableFailure::success();
}

/// The payload ops of `handle` as loops; a definite error when there is
/// none or one is not an scf.for.
DiagnosedSilenceableFailure getLoops(Operation *transformOp,
                                     TransformState &state, Value handle,
                                     StringRef operand,
                                     SmallVectorImpl<scf::ForOp> &loops) {
  SmallVector<Operation *> ops;
  DiagnosedSilenceableFailure status =
      getPayload(transformOp, state, handle, operand, ops);
  if (!status.succeeded())
    return status;
  for (Operation *op : ops) {
    auto loop = dyn_cast<scf::ForOp>(op);
    if (!loop) {
      DiagnosedDefiniteFailure diag =
          emitDefiniteFailure(transformOp)
          << "'" << transformOp->getName() << "' expects " << operand
          << " to hold scf.for loops, but it holds a '" << op->getName() << "'";
      diag.attachNote(op->getLoc()) << "this payload op";
      return diag;
    }
    loops.push_back(loop);
  }
  return DiagnosedSilenceableFailure::success();
}

/// Where and why a transformation declined.
using Declines = SmallVector<std::pair<Location, std::string>>;

/// Adds `declined` (or, without a reason, `fallback` at `target`).
void addDecline(Declines &declines, const Declined &declined, Operation *target,
                const Twine &fallback) {
  if (declined.op)
    declines.emplace_back(declined.op->getLoc(), declined.reason);
  else
    declines.emplace_back(target->getLoc(), fallback.str());
}

/// When nothing changed and something declined, a silenceable failure with
/// every reason (the first as the message, the others as notes); when
/// something changed, each reason as a remark, as the pass gives it.
DiagnosedSilenceableFailure
reportDeclines(Operation *transformOp, bool changedAny,
               ArrayRef<std::pair<Location, std::string>> declines) {
  if (declines.empty())
    return DiagnosedSilenceableFailure::success();
  if (changedAny) {
    remarkDeclined(declines);
    return DiagnosedSilenceableFailure::success();
  }
  DiagnosedSilenceableFailure diag =
      emitSilenceableFailure(declines.front().first, declines.front().second);
  for (auto &[loc, reason] : declines.drop_front())
    diag.attachNote(loc) << reason;
  diag.attachNote(transformOp->getLoc())
      << "declined by '" << transformOp->getName() << "'";
  return diag;
}

SmallVector<std::pair<Location, std::string>> locate(const Blocked &blocked) {
  SmallVector<std::pair<Location, std::string>> located;
  for (auto &[op, reason] : blocked)
    located.emplace_back(op->getLoc(), reason);
  return located;
}

/// Where a transformation of `loop` that gives no reason declines.
Operation *declineSite(scf::ForOp loop) { return loop; }
/// Where a fusion of two loops that gives no reason declines: the second.
Operation *declineSite(const std::pair<scf::ForOp, scf::ForOp> &loops) {
  return loops.second;
}

/// The shared driver of the ops that transform each loop (or pair of loops)
/// of their handles on its own: `transform(item, &declined)` calls the
/// Transforms.h function, returning the loop it produced or a failure, which
/// declines where and why `declined` says (when it says nothing: with
/// `fallback(item)` at declineSite(item)). `produced` gets the loops
/// produced; the declines are reported by reportDeclines.
template <typename Item, typename TransformFn, typename FallbackFn>
DiagnosedSilenceableFailure
transformEach(Operation *transformOp, ArrayRef<Item> items, OpResult produced,
              TransformResults &results, TransformFn transform,
              FallbackFn fallback) {
  SmallVector<Operation *> loops;
  Declines declines;
  for (const Item &item : items) {
    Declined declined;
    FailureOr<scf::ForOp> loop = transform(item, &declined);
    if (failed(loop)) {
      addDecline(declines, declined, declineSite(item), fallback(item));
      continue;
    }
    loops.push_back(*loop);
  }
  results.set(produced, loops);
  return reportDeclines(transformOp, !loops.empty(), declines);
}

/// transformEach on the loops of `target` (a definite error when it holds
/// none, or anything but loops).
template <typename TransformFn, typename FallbackFn>
DiagnosedSilenceableFailure
transformEachLoop(Operation *transformOp, TransformState &state, Value target,
                  OpResult produced, TransformResults &results,
                  TransformFn transform, FallbackFn fallback) {
  SmallVector<scf::ForOp> loops;
  DiagnosedSilenceableFailure status =
      getLoops(transformOp, state, target, "target", loops);
  if (!status.succeeded())
    return status;
  return transformEach(transformOp, ArrayRef(loops), produced, results,
                       transform, fallback);
}

/// The shared driver of the ops on a scope: `apply(scope, moved, blocked,
/// notes)` applies the pass's rule to the candidates in one payload op of
/// `target`, appending what moved to `moved` and the candidates kept in
/// place to `blocked` (or where and why to `notes`). `movedResult` gets what
/// moved in every scope; the declines (`notes`, then `blocked`) are
/// reported by reportDeclines.
template <typename ApplyFn>
DiagnosedSilenceableFailure
transformEachScope(Operation *transformOp, TransformState &state, Value target,
                   OpResult movedResult, TransformResults &results,
                   ApplyFn apply) {
  SmallVector<Operation *> scopes;
  DiagnosedSilenceableFailure status =
      getPayload(transformOp, state, target, "target", scopes);
  if (!status.succeeded())
    return status;
  SmallVector<Operation *> moved;
  Blocked blocked;
  Notes notes;
  for (Operation *scope : scopes)
    apply(scope, moved, blocked, notes);
  results.set(movedResult, moved);
  llvm::append_range(notes, locate(blocked));
  return reportDeclines(transformOp, !moved.empty(), notes);
}

/// hoist_loads, hoist_invariant and hoist_expanded: the shared driver.
DiagnosedSilenceableFailure hoist(Operation *transformOp, Value target,
                                  OpResult moved, const HoistOptions &options,
                                  TransformRewriter &rewriter,
                                  TransformResults &results,
                                  TransformState &state) {
  return transformEachScope(
      transformOp, state, target, moved, results,
      [&](Operation *scope, SmallVectorImpl<Operation *> &hoisted,
          Blocked &blocked, Notes &) {
        llvm::append_range(hoisted, hoistToFixedPoint(rewriter, scope, options,
                                                      nullptr, &blocked));
      });
}
} // namespace

//===----------------------------------------------------------------------===//
// match_loop
//===----------------------------------------------------------------------===//

LogicalResult MatchLoopOp::verify() {
  if (getName().empty())
    return emitOpError("needs a loop name (the nki.loop attribute)");
  return success();
}

DiagnosedSilenceableFailure MatchLoopOp::apply(TransformRewriter &,
                                               TransformResults &results,
                                               TransformState &state) {
  SmallVector<Operation *> roots;
  DiagnosedSilenceableFailure status =
      getPayload(*this, state, getRoot(), "root", roots);
  if (!status.succeeded())
    return status;
  llvm::SetVector<Operation *> loops;
  for (Operation *root : roots)
    root->walk<WalkOrder::PreOrder>([&](scf::ForOp loop) {
      if (getLoopName(loop) == getName())
        loops.insert(loop);
    });
  if (loops.empty()) {
    llvm::SetVector<StringRef> names;
    for (Operation *root : roots)
      root->walk<WalkOrder::PreOrder>([&](scf::ForOp loop) {
        if (!getLoopName(loop).empty())
          names.insert(getLoopName(loop));
      });
    std::string list;
    for (StringRef name : names)
      list += (list.empty() ? "'" : ", '") + name.str() + "'";
    return emitDefiniteFailure()
           << "no loop is named '" << getName() << "'; "
           << (list.empty() ? std::string("no loop here has an nki.loop name")
                            : "the loops here are named " + list);
  }
  results.set(cast<OpResult>(getLoops()), loops.getArrayRef());
  return DiagnosedSilenceableFailure::success();
}

void MatchLoopOp::getEffects(
    SmallVectorImpl<MemoryEffects::EffectInstance> &effects) {
  onlyReadsHandle(getRootMutable(), effects);
  producesHandle(getOperation()->getOpResults(), effects);
  onlyReadsPayload(effects);
}

//===----------------------------------------------------------------------===//
// reorder_loops
//===----------------------------------------------------------------------===//

DiagnosedSilenceableFailure ReorderLoopsOp::apply(TransformRewriter &rewriter,
                                                  TransformResults &results,
                                                  TransformState &state) {
  SmallVector<Operation *> inners;
  DiagnosedSilenceableFailure reordered = transformEachLoop(
      *this, state, getTarget(), cast<OpResult>(getOuter()), results,
      [&](scf::ForOp loop, Declined *declined) {
        FailureOr<scf::ForOp> outer =
            reorderLoops(rewriter, loop, getAllowReassociation(), declined);
        if (succeeded(outer))
          for (Operation &op : outer->getBody()->without_terminator())
            if (isa<scf::ForOp>(op))
              inners.push_back(&op);
        return outer;
      },
      [](scf::ForOp) { return "cannot interchange"; });
  results.set(cast<OpResult>(getInner()), inners);
  return reordered;
}

//===----------------------------------------------------------------------===//
// hoist_loads, hoist_invariant, hoist_expanded
//===----------------------------------------------------------------------===//

DiagnosedSilenceableFailure HoistLoadsOp::apply(TransformRewriter &rewriter,
                                                TransformResults &results,
                                                TransformState &state) {
  return hoist(*this, getTarget(), cast<OpResult>(getMoved()), HoistOptions(),
               rewriter, results, state);
}

DiagnosedSilenceableFailure HoistInvariantOp::apply(TransformRewriter &rewriter,
                                                    TransformResults &results,
                                                    TransformState &state) {
  HoistOptions options;
  options.anyOp = true;
  options.expand = getExpand();
  return hoist(*this, getTarget(), cast<OpResult>(getMoved()), options,
               rewriter, results, state);
}

DiagnosedSilenceableFailure HoistExpandedOp::apply(TransformRewriter &rewriter,
                                                   TransformResults &results,
                                                   TransformState &state) {
  HoistOptions options;
  options.expandedOnly = true;
  return hoist(*this, getTarget(), cast<OpResult>(getMoved()), options,
               rewriter, results, state);
}

//===----------------------------------------------------------------------===//
// peel_reduction
//===----------------------------------------------------------------------===//

DiagnosedSilenceableFailure PeelReductionOp::apply(TransformRewriter &rewriter,
                                                   TransformResults &results,
                                                   TransformState &state) {
  SmallVector<scf::ForOp> loops;
  DiagnosedSilenceableFailure status =
      getLoops(*this, state, getTarget(), "target", loops);
  if (!status.succeeded())
    return status;
  SmallVector<Operation *> remaining;
  Declines declines;
  bool peeledAny = false;
  for (scf::ForOp loop : loops) {
    Operation *scope = loop->getParentOp();
    Notes blocked;
    PeelResult peeled = peelReductions(
        rewriter, scope, [&](scf::ForOp forOp) { return forOp == loop; },
        &blocked);
    if (peeled.candidates == 0)
      addDecline(declines, Declined(), loop,
                 "nothing to peel: no accumulator that an nki.memset zeroes "
                 "right before " +
                     quotedLoopName(loop, "the loop") +
                     " is accumulated by it (acc = acc + v)");
    llvm::append_range(declines, blocked);
    peeledAny |= peeled.peeled > 0;
    for (scf::ForOp rest : peeled.remaining)
      remaining.push_back(rest);
  }
  results.set(cast<OpResult>(getRemaining()), remaining);
  return reportDeclines(*this, peeledAny, declines);
}

//===----------------------------------------------------------------------===//
// delay_stores
//===----------------------------------------------------------------------===//

DiagnosedSilenceableFailure DelayStoresOp::apply(TransformRewriter &rewriter,
                                                 TransformResults &results,
                                                 TransformState &state) {
  return transformEachLoop(
      *this, state, getTarget(), cast<OpResult>(getLoop()), results,
      [&](scf::ForOp loop, Declined *declined) {
        return delayStores(rewriter, loop, declined);
      },
      [](scf::ForOp loop) {
        return "nothing to delay: no store in " +
               quotedLoopName(loop, "the loop") +
               " stores a buffer of the iteration as its last use";
      });
}

//===----------------------------------------------------------------------===//
// assign_engines, place_buffers
//===----------------------------------------------------------------------===//

DiagnosedSilenceableFailure AssignEnginesOp::apply(TransformRewriter &rewriter,
                                                   TransformResults &results,
                                                   TransformState &state) {
  return transformEachScope(
      *this, state, getTarget(), cast<OpResult>(getMoved()), results,
      [&](Operation *scope, SmallVectorImpl<Operation *> &moved, Blocked &,
          Notes &) { assignEngines(rewriter, scope, &moved); });
}

DiagnosedSilenceableFailure PlaceBuffersOp::apply(TransformRewriter &rewriter,
                                                  TransformResults &results,
                                                  TransformState &state) {
  return transformEachScope(
      *this, state, getTarget(), cast<OpResult>(getMoved()), results,
      [&](Operation *scope, SmallVectorImpl<Operation *> &moved, Blocked &,
          Notes &notes) { placeBuffers(rewriter, scope, &notes, &moved); });
}

//===----------------------------------------------------------------------===//
// fuse_loops, contract_buffers
//===----------------------------------------------------------------------===//

/// Contracts the buffers nki-fuse-loops would for `loop`; returns the new
/// allocations, and in `blocked` the candidates that declined.
static SmallVector<Operation *> contractFor(RewriterBase &rewriter,
                                            scf::ForOp loop, Blocked *blocked,
                                            int64_t *candidates = nullptr) {
  SmallVector<Operation *> contracted;
  for (auto [alloc, common] : contractionCandidates(loop->getParentOp())) {
    if (common != loop)
      continue;
    if (candidates)
      ++*candidates;
    Declined declined;
    FailureOr<AllocOp> buffer =
        contractBuffer(rewriter, cast<AllocOp>(alloc), loop, &declined);
    if (succeeded(buffer))
      contracted.push_back(*buffer);
    else if (blocked && declined.op)
      (*blocked)[declined.op] = declined.reason;
  }
  return contracted;
}

DiagnosedSilenceableFailure FuseLoopsOp::apply(TransformRewriter &rewriter,
                                               TransformResults &results,
                                               TransformState &state) {
  SmallVector<scf::ForOp> firsts, seconds;
  DiagnosedSilenceableFailure status =
      getLoops(*this, state, getFirst(), "first", firsts);
  if (!status.succeeded())
    return status;
  status = getLoops(*this, state, getSecond(), "second", seconds);
  if (!status.succeeded())
    return status;
  if (firsts.size() != seconds.size())
    return emitDefiniteFailure()
           << "'" << getOperationName() << "' pairs the loops of its two "
           << "handles, but first holds " << firsts.size()
           << " and second holds " << seconds.size();
  SmallVector<std::pair<scf::ForOp, scf::ForOp>> pairs;
  for (auto [first, second] : llvm::zip_equal(firsts, seconds))
    pairs.emplace_back(first, second);
  return transformEach(
      *this, ArrayRef(pairs), cast<OpResult>(getFused()), results,
      [&](const std::pair<scf::ForOp, scf::ForOp> &pair, Declined *declined) {
        FailureOr<scf::ForOp> loop =
            fuseSiblingLoops(rewriter, pair.first, pair.second,
                             getName().value_or(""), declined);
        // As the pass: the contraction is best effort, silently.
        if (succeeded(loop) && getContract())
          (void)contractFor(rewriter, *loop, nullptr);
        return loop;
      },
      [](const std::pair<scf::ForOp, scf::ForOp> &) { return "cannot fuse"; });
}

DiagnosedSilenceableFailure
ContractBuffersOp::apply(TransformRewriter &rewriter, TransformResults &results,
                         TransformState &state) {
  SmallVector<scf::ForOp> loops;
  DiagnosedSilenceableFailure status =
      getLoops(*this, state, getTarget(), "target", loops);
  if (!status.succeeded())
    return status;
  SmallVector<Operation *> buffers;
  Declines declines;
  for (scf::ForOp loop : loops) {
    Blocked blocked;
    int64_t candidates = 0;
    SmallVector<Operation *> contracted =
        contractFor(rewriter, loop, &blocked, &candidates);
    if (candidates == 0)
      addDecline(declines, Declined(), loop,
                 "nothing to contract: no buffer allocated beside " +
                     quotedLoopName(loop, "the loop") +
                     " is used only inside it");
    llvm::append_range(declines, locate(blocked));
    llvm::append_range(buffers, contracted);
  }
  results.set(cast<OpResult>(getBuffers()), buffers);
  return reportDeclines(*this, !buffers.empty(), declines);
}

//===----------------------------------------------------------------------===//
// tile_free_dim
//===----------------------------------------------------------------------===//

LogicalResult TileFreeDimOp::verify() {
  if (getTileSize() < 1)
    return emitOpError("tile_size must be at least 1, got ") << getTileSize();
  if (getName().empty())
    return emitOpError("name (of the tile loop) must not be empty");
  return success();
}

DiagnosedSilenceableFailure TileFreeDimOp::apply(TransformRewriter &rewriter,
                                                 TransformResults &results,
                                                 TransformState &state) {
  return transformEachLoop(
      *this, state, getTarget(), cast<OpResult>(getTileLoop()), results,
      [&](scf::ForOp loop, Declined *declined) {
        Notes notes;
        FailureOr<scf::ForOp> tile = tileFreeDim(rewriter, loop, getTileSize(),
                                                 getName(), declined, &notes);
        remarkDeclined(notes);
        return tile;
      },
      [](scf::ForOp) { return "cannot tile the free dim"; });
}

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

namespace {
class NkiTransformDialectExtension
    : public TransformDialectExtension<NkiTransformDialectExtension> {
public:
  using Base::Base;

  void init() {
    declareDependentDialect<NkiDialect>();
    declareDependentDialect<scf::SCFDialect>();
    declareGeneratedDialect<arith::ArithDialect>();
    declareGeneratedDialect<memref::MemRefDialect>();
    registerTransformOps<
#define GET_OP_LIST
#include "mamba-nki/Dialect/Nki/TransformOps/NkiTransformOps.cpp.inc"
        >();
  }
};
} // namespace

void mlir::nki::registerTransformDialectExtension(DialectRegistry &registry) {
  registry.addExtensions<NkiTransformDialectExtension>();
}

void mlir::nki::registerTransformSchedules(DialectRegistry &registry) {
  registry.insert<TransformDialect>();
  registerTransformDialectExtension(registry);
  registerDebugExtension(registry);
  registerInterpreterPass();
  registerPreloadLibraryPass();
}
