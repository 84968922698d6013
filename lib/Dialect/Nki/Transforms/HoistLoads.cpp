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

LogicalResult mlir::nki::hoistLoad(RewriterBase &rewriter, scf::ForOp loop,
                                   LoadOp load, Declined *declined) {
  return hoistInvariantOp(rewriter, loop, load, declined);
}

namespace {
struct NkiHoistLoadsPass
    : public nki::impl::NkiHoistLoadsBase<NkiHoistLoadsPass> {
  using Base::Base;
  void runOnOperation() override {
    if (!loop.empty() && failed(requireLoopNamed(
                             getOperation(), "nki-hoist-loads", "loop", loop)))
      return signalPassFailure();
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
