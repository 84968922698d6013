//===- HoistLoads.cpp - move loop-invariant loads out of loops ------------===//

#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace mlir {
namespace nki {
#define GEN_PASS_DEF_NKIHOISTLOADS
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h.inc"
} // namespace nki
} // namespace mlir

using namespace mlir;
using namespace mlir::nki;

/// Collects into `slice` (in program order) the ops inside `loop` that
/// `value` depends on. Fails if one of them is not pure or the value depends
/// on something that varies inside the loop (its induction variable, a block
/// argument of a nested region).
static LogicalResult invariantSlice(Value value, scf::ForOp loop,
                                    llvm::SetVector<Operation *> &slice) {
  if (!isDefinedInside(value, loop))
    return success();
  Operation *def = value.getDefiningOp();
  if (!def || def->getBlock() != loop.getBody() || !isPure(def) ||
      def->getNumRegions() != 0)
    return failure();
  for (Value operand : def->getOperands())
    if (failed(invariantSlice(operand, loop, slice)))
      return failure();
  slice.insert(def);
  return success();
}

LogicalResult mlir::nki::hoistLoad(RewriterBase &rewriter, scf::ForOp loop,
                                   LoadOp load, Declined *declined) {
  auto fail = [&](const Twine &reason) {
    return decline(declined, load, reason);
  };
  if (load->getBlock() != loop.getBody())
    return failure();
  llvm::SetVector<Operation *> slice;
  if (failed(invariantSlice(load.getSrc(), loop, slice)))
    return failure(); // not a candidate: the source varies with the loop

  std::string loopName = getLoopName(loop).str();
  std::string where = loopName.empty() ? "the loop" : "'" + loopName + "'";
  auto alloc = load.getDst().getDefiningOp<AllocOp>();
  if (!alloc || alloc->getBlock() != loop.getBody())
    return fail("cannot hoist " + describeOp(load) + " out of " + where +
                ": its destination is not a buffer allocated in the loop");

  // Nothing in the loop may write the HBM buffer the load reads.
  Access source = describeView(load.getSrc());
  if (!source.root)
    return fail("cannot hoist " + describeOp(load) + " out of " + where +
                ": the source view's buffer is unknown");
  SmallVector<Access> accesses;
  collectAccesses(loop, accesses);
  for (const Access &access : accesses) {
    if (!access.isWrite)
      continue;
    if (!access.root || access.root == source.root)
      return fail("cannot hoist " + describeOp(load) + " out of " + where +
                  ": " + describeOp(access.op) + " in the loop writes " +
                  (access.root ? source.rootName() : access.rootName()) +
                  ", which the load reads");
    if (access.root == alloc.getResult() && access.op != load)
      return fail("cannot hoist " + describeOp(load) + " out of " + where +
                  ": " + describeOp(access.op) + " also writes its buffer " +
                  access.rootName() + " in the loop");
  }

  // Move the index/view slice, the buffer and the load before the loop.
  for (Operation *op : slice)
    rewriter.moveOpBefore(op, loop);
  rewriter.moveOpBefore(alloc, loop);
  rewriter.moveOpBefore(load, loop);
  return success();
}

namespace {
struct NkiHoistLoadsPass
    : public nki::impl::NkiHoistLoadsBase<NkiHoistLoadsPass> {
  using Base::Base;
  void runOnOperation() override {
    if (!loop.empty()) {
      bool found = false;
      getOperation()->walk(
          [&](scf::ForOp forOp) { found |= getLoopName(forOp) == loop; });
      if (!found) {
        getOperation()->emitError()
            << "nki-hoist-loads: no loop is named '" << loop
            << "' (option loop=" << loop << "); the loops here are named "
            << listLoopNames(getOperation());
        return signalPassFailure();
      }
    }
    IRRewriter rewriter(&getContext());
    // Iterate to a fixed point so that loads travel as far out as is legal;
    // report each blocked load once, where it finally stays.
    llvm::MapVector<Operation *, std::string> blocked;
    bool changed = true;
    while (changed) {
      changed = false;
      SmallVector<std::pair<scf::ForOp, LoadOp>> candidates;
      getOperation()->walk([&](scf::ForOp forOp) {
        if (!loop.empty() && getLoopName(forOp) != loop)
          return;
        for (Operation &op : forOp.getBody()->without_terminator())
          if (auto loadOp = dyn_cast<LoadOp>(op))
            candidates.emplace_back(forOp, loadOp);
      });
      for (auto [forOp, loadOp] : candidates) {
        Declined declined;
        if (succeeded(hoistLoad(rewriter, forOp, loadOp, &declined))) {
          blocked.erase(loadOp);
          changed = true;
        } else if (declined.op) {
          blocked[loadOp] = declined.reason;
        }
      }
    }
    for (auto &[op, reason] : blocked)
      op->emitRemark() << reason;
  }
};
} // namespace
