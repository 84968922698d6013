//===- HoistInvariant.cpp - move loop-invariant nki ops out of loops ------===//
//
// A load or an engine instruction whose inputs do not change in a loop and
// whose destination is a buffer of one iteration computes the same thing in
// every iteration: it moves before the loop with its buffer (deltaU out of
// the state loop, the loads of v2 out of it). nki-hoist-loads applies this
// to loads only; nki-hoist-invariant to every nki op.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

namespace mlir {
namespace nki {
#define GEN_PASS_DEF_NKIHOISTINVARIANT
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

LogicalResult mlir::nki::hoistInvariantOp(RewriterBase &rewriter,
                                          scf::ForOp loop, Operation *op,
                                          Declined *declined) {
  if (op->getBlock() != loop.getBody() || !isa<NkiDialect>(op->getDialect()) ||
      isa<AllocOp>(op) || !isa<MemoryEffectOpInterface>(op))
    return failure();
  // What it writes: one operand, the whole of a buffer.
  SmallVector<Access> own;
  collectAccesses(op, own);
  Value dst;
  for (const Access &access : own)
    if (access.isWrite) {
      if (dst)
        return failure();
      dst = access.view;
    }
  if (!dst)
    return failure();
  // Every input must be the same in every iteration (else: not a
  // candidate, and no remark).
  llvm::SetVector<Operation *> slice;
  for (Value operand : op->getOperands())
    if (operand != dst && failed(invariantSlice(operand, loop, slice)))
      return failure();
  Value dstRoot = describeView(dst).root;
  for (const Access &access : own)
    if (!access.isWrite && (!access.root || access.root == dstRoot))
      return failure(); // an update in place of its own buffer
  auto alloc = dst.getDefiningOp<AllocOp>();

  std::string where = quotedLoopName(loop, "the loop");
  std::string what = describeOp(op);
  auto fail = [&](const Twine &reason) {
    return decline(declined, op,
                   "cannot hoist " + what + " out of " + where + ": " + reason);
  };
  if (!alloc || alloc->getBlock() != loop.getBody())
    return fail("its destination is not a buffer allocated in the loop");

  // Nothing else in the loop may write what it reads or its buffer, and
  // nothing may read its buffer before it is written.
  SmallVector<Access> accesses;
  collectAccesses(loop, accesses);
  std::string reader = isa<LoadOp>(op) ? "the load" : "it";
  for (const Access &access : accesses) {
    if (access.op == op)
      continue;
    if (!access.root && access.isWrite)
      return fail(describeOp(access.op) +
                  " in the loop writes a buffer the analysis cannot name");
    if (access.root == alloc.getResult()) {
      // Another write makes the buffer an accumulator or a staging area,
      // not the op's result: not a candidate.
      if (access.isWrite)
        return failure();
      Operation *ancestor = loop.getBody()->findAncestorOpInBlock(*access.op);
      if (ancestor && ancestor->isBeforeInBlock(op))
        return fail(describeOp(access.op) + " reads its buffer " +
                    access.rootName() + " before it is written");
      continue;
    }
    if (!access.isWrite)
      continue;
    for (const Access &input : own)
      if (!input.isWrite && (!input.root || input.root == access.root))
        return fail(describeOp(access.op) + " in the loop writes " +
                    (input.root ? input.rootName() : access.rootName()) +
                    ", which " + reader + " reads");
  }

  // Move the index/view slice, the buffer and the op before the loop.
  for (Operation *sliceOp : slice)
    rewriter.moveOpBefore(sliceOp, loop);
  rewriter.moveOpBefore(alloc, loop);
  rewriter.moveOpBefore(op, loop);
  return success();
}

namespace {
struct NkiHoistInvariantPass
    : public nki::impl::NkiHoistInvariantBase<NkiHoistInvariantPass> {
  using Base::Base;
  void runOnOperation() override {
    if (!loop.empty()) {
      bool found = false;
      getOperation()->walk(
          [&](scf::ForOp forOp) { found |= getLoopName(forOp) == loop; });
      if (!found) {
        getOperation()->emitError() << "nki-hoist-invariant: no loop is named '"
                                    << loop << "' (option loop=" << loop
                                    << "); " << loopNamesHint(getOperation());
        return signalPassFailure();
      }
    }
    IRRewriter rewriter(&getContext());
    // To a fixed point, so that ops travel as far out as is legal; each
    // blocked op is reported once, where it finally stays.
    llvm::MapVector<Operation *, std::string> blocked;
    bool changed = true;
    while (changed) {
      changed = false;
      SmallVector<std::pair<scf::ForOp, Operation *>> candidates;
      getOperation()->walk([&](scf::ForOp forOp) {
        if (!loop.empty() && getLoopName(forOp) != loop)
          return;
        for (Operation &op : forOp.getBody()->without_terminator())
          if (isa<NkiDialect>(op.getDialect()) && !isa<AllocOp>(op))
            candidates.emplace_back(forOp, &op);
      });
      for (auto [forOp, op] : candidates) {
        Declined declined;
        if (succeeded(hoistInvariantOp(rewriter, forOp, op, &declined))) {
          blocked.erase(op);
          changed = true;
        } else if (declined.op) {
          blocked[op] = declined.reason;
        }
      }
    }
    for (auto &[op, reason] : blocked)
      op->emitRemark() << reason;
  }
};
} // namespace
