//===- ReorderLoops.cpp - interchange two nested loops --------------------===//

#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace mlir {
namespace nki {
#define GEN_PASS_DEF_NKIREORDERLOOPS
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h.inc"
} // namespace nki
} // namespace mlir

using namespace mlir;
using namespace mlir::nki;

static std::string loopLabel(scf::ForOp loop) {
  return quotedLoopName(loop, "the loop");
}

FailureOr<scf::ForOp> mlir::nki::reorderLoops(RewriterBase &rewriter,
                                              scf::ForOp outer,
                                              bool allowReassociation,
                                              Declined *declined) {
  // The nest must be perfect: one inner loop, plus pure index ops that can be
  // sunk into it.
  scf::ForOp inner;
  SmallVector<Operation *> sunk;
  for (Operation &op : outer.getBody()->without_terminator()) {
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      if (inner)
        return decline(declined, outer,
                       "cannot interchange: " + loopLabel(outer) +
                           " contains more than one loop");
      inner = loop;
      continue;
    }
    if (!isPure(&op) || op.getNumRegions() != 0)
      return decline(declined, outer,
                     "cannot interchange: " + loopLabel(outer) +
                         " is not perfectly nested (its body also holds " +
                         describeOp(&op) + ")");
    sunk.push_back(&op);
  }
  if (!inner)
    return decline(declined, outer,
                   "cannot interchange: " + loopLabel(outer) +
                       " contains no loop");
  if (outer.getNumRegionIterArgs() || inner.getNumRegionIterArgs())
    return decline(declined, outer,
                   "cannot interchange loops that carry values (iter_args)");
  for (Value bound :
       {inner.getLowerBound(), inner.getUpperBound(), inner.getStep()})
    if (isDefinedInside(bound, outer))
      return decline(declined, outer,
                     "cannot interchange: the bounds of " + loopLabel(inner) +
                         " depend on " + loopLabel(outer));
  if (!getConstantBounds(outer) || !getConstantBounds(inner))
    return decline(declined, outer,
                   "cannot interchange: loop bounds are not constant");
  for (Operation *op : sunk)
    for (Operation *user : op->getUsers())
      if (!inner->isAncestor(user))
        return decline(declined, outer,
                       "cannot interchange: " + describeOp(op) +
                           " is used outside " + loopLabel(inner));

  // Legality: no dependence may be reversed.
  SmallVector<Access> accesses;
  collectAccesses(inner, accesses);
  Value outerIv = outer.getInductionVar();
  Value innerIv = inner.getInductionVar();
  for (unsigned i = 0; i < accesses.size(); ++i) {
    for (unsigned j = i; j < accesses.size(); ++j) {
      const Access &a = accesses[i];
      const Access &b = accesses[j];
      if (!mayConflictInAnyIterations(a, b))
        continue;
      if (a.root && a.root == b.root && isAllocatedInside(a.root, inner))
        continue; // a fresh buffer in every iteration
      if (disjointAcrossIterations(a, outerIv, b, outerIv, {outer}) ||
          disjointAcrossIterations(a, innerIv, b, innerIv, {outer}))
        continue;
      bool reduction = isAccumulation(a.op) && isAccumulation(b.op);
      if (reduction && allowReassociation)
        continue;
      std::string what =
          "cannot interchange " + loopLabel(outer) + " and " +
          loopLabel(inner) + ": " + describeOp(a.op) +
          (a.isWrite ? " writes " : " reads ") + a.rootName() + " and " +
          describeOp(b.op) + (b.isWrite ? " writes" : " reads") +
          " it in different iterations of both loops, so the interchange "
          "could reverse that dependence";
      if (reduction)
        what += " (it is a floating-point accumulation: reordering it "
                "changes the result bits; pass allow-reassociation=true to "
                "allow it)";
      return decline(declined, outer, what);
    }
  }

  // Sink the index ops, then swap bounds, induction variables and names.
  Block *innerBody = inner.getBody();
  for (Operation *op : llvm::reverse(sunk))
    rewriter.moveOpBefore(op, innerBody, innerBody->begin());

  Value outerLb = outer.getLowerBound(), outerUb = outer.getUpperBound(),
        outerStep = outer.getStep();
  rewriter.modifyOpInPlace(outer, [&] {
    outer.setLowerBound(inner.getLowerBound());
    outer.setUpperBound(inner.getUpperBound());
    outer.setStep(inner.getStep());
  });
  rewriter.modifyOpInPlace(inner, [&] {
    inner.setLowerBound(outerLb);
    inner.setUpperBound(outerUb);
    inner.setStep(outerStep);
  });
  for (StringRef attr : {"nki.loop", "nki.kind"}) {
    Attribute outerAttr = outer->getAttr(attr);
    Attribute innerAttr = inner->getAttr(attr);
    auto set = [&](Operation *op, Attribute value) {
      if (value)
        op->setAttr(attr, value);
      else
        op->removeAttr(attr);
    };
    set(outer, innerAttr);
    set(inner, outerAttr);
  }
  SmallVector<OpOperand *> outerUses, innerUses;
  for (OpOperand &use : outerIv.getUses())
    outerUses.push_back(&use);
  for (OpOperand &use : innerIv.getUses())
    innerUses.push_back(&use);
  for (OpOperand *use : outerUses)
    rewriter.modifyOpInPlace(use->getOwner(), [&] { use->set(innerIv); });
  for (OpOperand *use : innerUses)
    rewriter.modifyOpInPlace(use->getOwner(), [&] { use->set(outerIv); });
  return outer;
}

namespace {
struct NkiReorderLoopsPass
    : public nki::impl::NkiReorderLoopsBase<NkiReorderLoopsPass> {
  using Base::Base;
  void runOnOperation() override {
    Operation *root = getOperation();
    auto fail = [&](const Twine &message) {
      mlir::emitError(root->getLoc()) << "nki-reorder-loops: " << message;
      signalPassFailure();
    };
    if (outer == inner)
      return fail("outer and inner name the same loop ('" + outer + "')");
    SmallVector<scf::ForOp> candidates;
    root->walk([&](scf::ForOp loop) {
      if (getLoopName(loop) != outer)
        return;
      scf::ForOp nested;
      for (Operation &op : loop.getBody()->without_terminator())
        if (auto l = dyn_cast<scf::ForOp>(op))
          if (getLoopName(l) == inner)
            nested = l;
      if (nested)
        candidates.push_back(loop);
    });
    if (failed(requireLoopNamed(root, "nki-reorder-loops", "outer", outer)) ||
        failed(requireLoopNamed(root, "nki-reorder-loops", "inner", inner)))
      return signalPassFailure();
    if (candidates.empty())
      return fail("no loop named '" + inner +
                  "' is nested directly in a loop named '" + outer + "'");
    IRRewriter rewriter(&getContext());
    for (scf::ForOp loop : candidates) {
      Declined declined;
      if (failed(reorderLoops(rewriter, loop, allowReassociation, &declined)))
        remarkDeclined(declined);
    }
  }
};
} // namespace
