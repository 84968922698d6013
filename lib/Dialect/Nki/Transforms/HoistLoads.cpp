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
    hoistInLoopsNamed(rewriter, getOperation(), HoistOptions(), loop);
  }
};
} // namespace
