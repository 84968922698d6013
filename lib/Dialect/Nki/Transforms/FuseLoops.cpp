//===- FuseLoops.cpp - fuse sibling loops and contract buffers ------------===//

#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir {
namespace nki {
#define GEN_PASS_DEF_NKIFUSELOOPS
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h.inc"
} // namespace nki
} // namespace mlir

using namespace mlir;
using namespace mlir::nki;

static std::string label(scf::ForOp loop) {
  return quotedLoopName(loop, "a loop");
}

static bool containsLoop(scf::ForOp loop) {
  bool found = false;
  loop.getBody()->walk([&](scf::ForOp) { found = true; });
  return found;
}

FailureOr<scf::ForOp> mlir::nki::fuseSiblingLoops(RewriterBase &rewriter,
                                                  scf::ForOp first,
                                                  scf::ForOp second,
                                                  StringRef name,
                                                  Declined *declined) {
  auto fail = [&](const Twine &reason) {
    return decline(declined, second, reason);
  };
  if (first->getBlock() != second->getBlock() ||
      !first->isBeforeInBlock(second))
    return fail("cannot fuse: the loops are not siblings in order");
  // Only pure ops may sit between the two loops; they move before `first`.
  SmallVector<Operation *> between;
  for (Operation *op = first->getNextNode(); op != second;
       op = op->getNextNode()) {
    if (!isPure(op) || op->getNumRegions() != 0)
      return fail("cannot fuse " + label(first) + " and " + label(second) +
                  ": " + describeOp(op) + " sits between them");
    between.push_back(op);
  }
  auto firstBounds = getConstantBounds(first);
  auto secondBounds = getConstantBounds(second);
  if (!firstBounds || firstBounds != secondBounds)
    return fail("cannot fuse " + label(first) + " and " + label(second) +
                ": their bounds differ or are not constant");
  if (first.getNumRegionIterArgs() || second.getNumRegionIterArgs())
    return fail("cannot fuse loops that carry values (iter_args)");

  // Legality: iteration i of `second` may only touch what iteration i of
  // `first` touched (for every conflicting pair of accesses).
  SmallVector<Access> firstAccesses, secondAccesses;
  collectAccesses(first, firstAccesses);
  collectAccesses(second, secondAccesses);
  Value iv1 = first.getInductionVar(), iv2 = second.getInductionVar();
  for (const Access &a : firstAccesses) {
    for (const Access &b : secondAccesses) {
      if (!mayConflictInAnyIterations(a, b))
        continue;
      if (a.root && (isAllocatedInside(a.root, first) ||
                     isAllocatedInside(a.root, second)))
        continue;
      if (disjointAcrossIterations(a, iv1, b, iv2, {first, second}))
        continue;
      return fail("cannot fuse " + label(first) + " and " + label(second) +
                  ": " + describeOp(b.op) +
                  (b.isWrite ? " writes " : " reads ") + b.rootName() +
                  " where a different iteration of " + label(first) + " " +
                  (a.isWrite ? "writes" : "reads") + " it (" +
                  describeOp(a.op) + ")");
    }
  }

  std::string fusedName = name.str();
  if (fusedName.empty()) {
    if (containsLoop(first) || !containsLoop(second))
      fusedName = getLoopName(first).str();
    else
      fusedName = getLoopName(second).str();
  }
  bool sequential = first->getAttrOfType<StringAttr>("nki.kind") ==
                        rewriter.getStringAttr("sequential") ||
                    second->getAttrOfType<StringAttr>("nki.kind") ==
                        rewriter.getStringAttr("sequential");
  Location loc = rewriter.getFusedLoc({first.getLoc(), second.getLoc()});
  for (Operation *op : between)
    rewriter.moveOpBefore(op, first);
  scf::ForOp fused = fuseIndependentSiblingForLoops(first, second, rewriter);
  fused->setLoc(loc);
  if (!fusedName.empty())
    fused->setAttr("nki.loop", rewriter.getStringAttr(fusedName));
  fused->setAttr("nki.kind",
                 rewriter.getStringAttr(sequential ? "sequential" : "affine"));
  return fused;
}

FailureOr<AllocOp> mlir::nki::contractBuffer(RewriterBase &rewriter,
                                             AllocOp buffer, scf::ForOp loop,
                                             Declined *declined) {
  auto fail = [&](const Twine &reason) {
    return decline(declined, buffer, reason);
  };
  MemRefType type = buffer.getType();
  Value iv = loop.getInductionVar();
  std::optional<unsigned> dim;
  SmallVector<memref::SubViewOp> views;
  for (Operation *user : buffer->getUsers()) {
    auto view = dyn_cast<memref::SubViewOp>(user);
    if (!view || !loop->isProperAncestor(view))
      return fail("cannot contract: the buffer is used outside the loop or "
                  "not through a view");
    Access access = describeView(view.getResult());
    if (!access.exact)
      return fail("cannot contract: a view of the buffer is not a plain slice");
    for (unsigned d = 0; d < type.getRank(); ++d) {
      const LinearExpr &offset = access.offsets[d];
      bool isIv = offset.constant == 0 && offset.terms.size() == 1 &&
                  offset.coefficient(iv) == 1 && access.sizes[d] == 1;
      if (isIv) {
        if (dim && *dim != d)
          return fail("cannot contract: the buffer is indexed by the loop in "
                      "more than one dim");
        dim = d;
        continue;
      }
      if (!offset.isConstant() || offset.constant != 0 ||
          access.sizes[d] != type.getDimSize(d))
        return fail("cannot contract: a view takes part of dim " +
                    std::to_string(d));
    }
    if (!dim)
      return fail("cannot contract: a view is not indexed by the loop");
    if (view.getType().getRank() != type.getRank() - 1)
      return fail("cannot contract: a view keeps the loop's dim");
    for (Operation *viewUser : view->getUsers())
      if (!isa<NkiDialect>(viewUser->getDialect()))
        return fail("cannot contract: a view is used by " +
                    describeOp(viewUser));
    views.push_back(view);
  }
  if (!dim || *dim == 0)
    return fail("cannot contract: the buffer is not indexed by the loop in a "
                "free dim");

  SmallVector<int64_t> shape;
  for (unsigned d = 0; d < type.getRank(); ++d)
    if (d != *dim)
      shape.push_back(type.getDimSize(d));
  auto newType =
      MemRefType::get(shape, type.getElementType(), MemRefLayoutAttrInterface(),
                      type.getMemorySpace());
  rewriter.setInsertionPointToStart(loop.getBody());
  auto contracted =
      rewriter.create<AllocOp>(buffer.getLoc(), newType, buffer.getNameAttr());
  for (memref::SubViewOp view : views)
    rewriter.replaceOp(view, contracted.getResult());
  rewriter.eraseOp(buffer);
  return contracted;
}

SmallVector<std::pair<Operation *, scf::ForOp>>
mlir::nki::contractionCandidates(Operation *root) {
  SmallVector<std::pair<Operation *, scf::ForOp>> candidates;
  root->walk([&](AllocOp alloc) {
    // The innermost loop that contains every use.
    scf::ForOp common;
    for (Operation *user : alloc->getUsers()) {
      auto loop = user->getParentOfType<scf::ForOp>();
      while (loop && !(loop->getBlock() == alloc->getBlock()))
        loop = loop->getParentOfType<scf::ForOp>();
      if (!loop || (common && common != loop))
        return;
      common = loop;
    }
    if (common)
      candidates.emplace_back(alloc, common);
  });
  return candidates;
}

bool mlir::nki::visitFusionCandidates(
    Operation *root, llvm::function_ref<bool(scf::ForOp, scf::ForOp)> visit,
    llvm::function_ref<bool(scf::ForOp)> select) {
  return root
      ->walk([&](Block *block) {
        scf::ForOp previous;
        for (Operation &op : *block) {
          auto loop = dyn_cast<scf::ForOp>(op);
          if (!loop) {
            if (!isPure(&op))
              previous = nullptr;
            continue;
          }
          if (previous && (!select || (select(previous) && select(loop))) &&
              getConstantBounds(previous) &&
              getConstantBounds(previous) == getConstantBounds(loop) &&
              visit(previous, loop))
            return WalkResult::interrupt();
          previous = loop;
        }
        return WalkResult::advance();
      })
      .wasInterrupted();
}

namespace {
struct NkiFuseLoopsPass : public nki::impl::NkiFuseLoopsBase<NkiFuseLoopsPass> {
  using Base::Base;

  bool selected(scf::ForOp loop) {
    return loops.empty() || llvm::is_contained(loops, getLoopName(loop).str());
  }

  /// Fuses the first fusable adjacent pair found; reports pairs with equal
  /// bounds that cannot be fused (once each).
  bool fuseOnePair(IRRewriter &rewriter,
                   llvm::DenseSet<std::pair<Operation *, Operation *>> &seen) {
    return visitFusionCandidates(
        getOperation(),
        [&](scf::ForOp first, scf::ForOp second) {
          Declined declined;
          if (succeeded(fuseSiblingLoops(rewriter, first, second, fusedName,
                                         &declined)))
            return true;
          if (seen.insert({first, second}).second)
            remarkDeclined(declined);
          return false;
        },
        [&](scf::ForOp loop) { return selected(loop); });
  }

  void runOnOperation() override {
    std::string written = llvm::join(loops, ",");
    for (const std::string &name : loops)
      if (failed(requireLoopNamed(getOperation(), "nki-fuse-loops", "loops",
                                  name, written)))
        return signalPassFailure();
    IRRewriter rewriter(&getContext());
    llvm::DenseSet<std::pair<Operation *, Operation *>> seen;
    while (fuseOnePair(rewriter, seen)) {
    }
    if (!contract)
      return;
    // Contract buffers that are now indexed only by a loop around them.
    SmallVector<std::pair<Operation *, scf::ForOp>> candidates =
        contractionCandidates(getOperation());
    for (auto [alloc, loop] : candidates)
      (void)contractBuffer(rewriter, cast<AllocOp>(alloc), loop);
  }
};
} // namespace
