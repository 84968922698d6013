//===- PeelReduction.cpp - the first iteration of a reduction writes it ---===//
//
//   memset 0 into %acc ; for n { %v = ... ; %acc = %acc + %v }
//     ->  (n = lb) %acc = ...          (its producer writes %acc directly)
//         for n = lb + step.. { %v = ... ; %acc = %acc + %v }
//         %acc = %acc + 0.0           (only for +0.0, see below)
//
// Exactness: with p the sums starting from +0 and q those starting from
// the first term, p and q are equal except that q may be -0 where p is +0
// (+0 + x == x for every x but -0, and -0 + x == x for every x). p is never
// -0, so q + 0.0 == p bit for bit, NaN payloads included (an addition with
// one NaN operand returns that NaN). Starting from -0.0 needs no fix-up.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Dialect/Nki/IR/NkiUtils.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/SetVector.h"

#include <cmath>

namespace mlir {
namespace nki {
#define GEN_PASS_DEF_NKIPEELREDUCTION
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h.inc"
} // namespace nki
} // namespace mlir

using namespace mlir;
using namespace mlir::nki;

/// The accumulation `acc = acc + v` of `acc` directly in `loop`'s body, if
/// it is the only op in the loop that touches `acc`.
static TensorTensorOp findAccumulation(scf::ForOp loop, Value acc) {
  SmallVector<Access> accesses;
  collectAccesses(loop, accesses);
  TensorTensorOp found;
  for (const Access &access : accesses) {
    if (access.root && access.root != acc)
      continue;
    auto tt = dyn_cast<TensorTensorOp>(access.op);
    if (!access.root || !tt || !isAccumulation(tt) || tt.getDst() != acc ||
        tt->getBlock() != loop.getBody() || (found && found != tt))
      return TensorTensorOp();
    found = tt;
  }
  return found;
}

FailureOr<scf::ForOp> mlir::nki::peelReduction(RewriterBase &rewriter,
                                               MemsetOp init, scf::ForOp loop,
                                               Declined *declined) {
  auto alloc = init.getDst().getDefiningOp<AllocOp>();
  if (!alloc || init->getBlock() != loop->getBlock() ||
      !init->isBeforeInBlock(loop))
    return failure();
  Value acc = alloc.getResult();
  TensorTensorOp update = findAccumulation(loop, acc);
  if (!update)
    return failure(); // not a reduction of this buffer in this loop
  std::string what =
      "cannot peel the first iteration of " + quotedLoopName(loop, "the loop");
  auto fail = [&](const Twine &reason) {
    return decline(declined, update, what + ": " + reason);
  };
  float start = init.getValue().convertToFloat();
  if (start != 0.0f)
    return fail("the accumulator starts at " + std::to_string(start) +
                ", not 0 (the first term would need an add)");
  auto bounds = getConstantBounds(loop);
  if (!bounds)
    return fail("its bounds are not constant");
  auto [lb, ub, step] = *bounds;
  if (ub <= lb)
    return fail("it has no iteration");
  // Nothing between the memset and the loop touches the accumulator.
  for (Operation *op = init->getNextNode(); op != loop;
       op = op->getNextNode()) {
    SmallVector<Access> accesses;
    collectAccesses(op, accesses);
    for (const Access &access : accesses)
      if (!access.root || access.root == acc)
        return fail(describeOp(op) + " touches the accumulator between its "
                                     "memset and the loop");
  }

  // The term: when a buffer of the iteration that one op before the update
  // writes and only the update reads, that op writes the accumulator
  // directly in the peeled iteration.
  Value term = update.getLhs() == acc ? update.getRhs() : update.getLhs();
  if (describeView(term).root == acc || !describeView(term).root)
    return failure(); // acc + acc (or a view of it): not a reduction
  // The term's producer writes the accumulator itself when the term is a
  // buffer of the iteration of the accumulator's shape and element type,
  // written whole by one op before the update and read only by the update
  // (no views), and the producer is valid writing the accumulator.
  Operation *producer = nullptr;
  if (auto termAlloc = term.getDefiningOp<AllocOp>();
      termAlloc && termAlloc->getBlock() == loop.getBody() &&
      termAlloc.getType().getShape() == alloc.getType().getShape() &&
      termAlloc.getType().getElementType() ==
          alloc.getType().getElementType()) {
    SmallVector<Operation *> writers;
    bool onlyUpdateReads = true;
    for (Operation *user : term.getUsers()) {
      if (!isa<NkiDialect>(user->getDialect()) || isa<AllocOp>(user)) {
        onlyUpdateReads = false; // a view, or something unknown
        continue;
      }
      SmallVector<Access> accesses;
      collectAccesses(user, accesses);
      for (const Access &access : accesses) {
        if (access.view != term)
          continue;
        if (access.isWrite)
          writers.push_back(user);
        else if (user != update)
          onlyUpdateReads = false;
      }
    }
    if (writers.size() == 1 && onlyUpdateReads &&
        writers.front()->getBlock() == loop.getBody() &&
        writers.front()->isBeforeInBlock(update) &&
        llvm::count(writers.front()->getOperands(), term) == 1)
      producer = writers.front();
    // Would it verify writing the accumulator (its memory space may
    // differ)? Try on the op itself, and put the term back.
    if (producer) {
      OpOperand *dst = nullptr;
      for (OpOperand &operand : producer->getOpOperands())
        if (operand.get() == term)
          dst = &operand;
      dst->set(acc);
      // A trial: its diagnostics are not the user's.
      ScopedDiagnosticHandler quiet(producer->getContext(),
                                    [](Diagnostic &) { return success(); });
      bool valid = succeeded(verify(producer, /*verifyRecursively=*/false));
      dst->set(term);
      if (!valid)
        producer = nullptr;
    }
  }

  // The peeled iteration, before the loop.
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(loop);
  IRMapping mapping;
  mapping.map(loop.getInductionVar(), getIndexConstant(rewriter, loop, lb));
  for (Operation &op : loop.getBody()->without_terminator()) {
    if (&op == update.getOperation()) {
      if (!producer)
        rewriter.create<TensorCopyOp>(update.getLoc(),
                                      mapping.lookupOrDefault(term), acc,
                                      update.getEngineAttr());
      continue;
    }
    if (producer && &op == term.getDefiningOp())
      continue; // the term's buffer: the peeled iteration writes acc
    // (The producer's destination is the term's buffer, of acc's type:
    // writing acc instead keeps it valid.)
    Operation *clone = rewriter.clone(op, mapping);
    if (&op == producer)
      for (OpOperand &operand : clone->getOpOperands())
        if (operand.get() == mapping.lookupOrDefault(term))
          operand.set(acc);
  }

  // The rest of the iterations, and the fix-up of a +0.0 start.
  rewriter.setInsertionPointAfter(loop);
  if (!std::signbit(start))
    rewriter.create<TensorScalarOp>(
        init.getLoc(), acc, AluOp::add, Value(), rewriter.getF32FloatAttr(0.0f),
        /*reverse0=*/false, AluOpAttr(), Value(), FloatAttr(),
        /*reverse1=*/false, acc,
        EngineAttr::get(rewriter.getContext(), Engine::scalar));
  rewriter.eraseOp(init);
  if (lb + step >= ub) {
    rewriter.eraseOp(loop);
    return scf::ForOp();
  }
  rewriter.modifyOpInPlace(loop, [&] {
    loop.setLowerBound(getIndexConstant(rewriter, loop, lb + step));
  });
  return loop;
}

PeelResult
mlir::nki::peelReductions(RewriterBase &rewriter, Operation *root,
                          llvm::function_ref<bool(scf::ForOp)> select,
                          Notes *declines) {
  // Each memset with a later sibling loop (one `select` accepts) that
  // accumulates into its buffer.
  SmallVector<std::pair<MemsetOp, scf::ForOp>> candidates;
  root->walk([&](MemsetOp init) {
    // The first later op that touches the buffer must be that loop.
    for (Operation *op = init->getNextNode(); op; op = op->getNextNode()) {
      SmallVector<Access> accesses;
      collectAccesses(op, accesses);
      if (llvm::none_of(accesses, [&](const Access &access) {
            return !access.root || access.root == init.getDst();
          }))
        continue;
      auto forOp = dyn_cast<scf::ForOp>(op);
      if (forOp && (!select || select(forOp)) &&
          findAccumulation(forOp, init.getDst()))
        candidates.emplace_back(init, forOp);
      break;
    }
  });
  // Innermost loops first: peeling a loop of one iteration erases it and
  // everything in it, so the pairs of loops inside it go first, and a
  // second pair of the same loop is skipped once the loop is gone.
  auto depth = [](Operation *op) {
    int d = 0;
    for (Operation *p = op->getParentOp(); p; p = p->getParentOp())
      ++d;
    return d;
  };
  llvm::stable_sort(candidates, [&](auto &a, auto &b) {
    return depth(a.second) > depth(b.second);
  });
  PeelResult result;
  result.candidates = candidates.size();
  llvm::SmallPtrSet<Operation *, 4> erased;
  llvm::SetVector<Operation *> remaining;
  for (auto [init, forOp] : candidates) {
    if (erased.contains(forOp))
      continue;
    Declined declined;
    FailureOr<scf::ForOp> rest =
        peelReduction(rewriter, init, forOp, &declined);
    if (succeeded(rest)) {
      ++result.peeled;
      if (*rest) {
        remaining.insert(*rest);
      } else {
        erased.insert(forOp);
        remaining.remove(forOp);
      }
    } else if (declined.op && declines) {
      declines->emplace_back(declined.op->getLoc(), declined.reason);
    }
  }
  for (Operation *op : remaining)
    result.remaining.push_back(cast<scf::ForOp>(op));
  return result;
}

namespace {
struct NkiPeelReductionPass
    : public nki::impl::NkiPeelReductionBase<NkiPeelReductionPass> {
  using Base::Base;
  void runOnOperation() override {
    if (!loop.empty() &&
        failed(requireLoopNamed(getOperation(), "nki-peel-reduction", "loop",
                                loop)))
      return signalPassFailure();
    IRRewriter rewriter(&getContext());
    Notes declines;
    peelReductions(
        rewriter, getOperation(),
        [&](scf::ForOp forOp) {
          return loop.empty() || getLoopName(forOp) == loop;
        },
        &declines);
    remarkDeclined(declines);
  }
};
} // namespace
