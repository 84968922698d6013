//===- DelayStores.cpp - store each tile one iteration later --------------===//
//
// Software pipelining of the output DMA. DMA queues run in order, so a
// store that waits for the end of a tile's compute holds back every load
// behind it on its queue, including the next tile's: the engines then wait
// for DMA at every tile boundary. Storing iteration i's result at the end
// of iteration i + 1 (its buffer doubled, so that iteration i + 1 computes
// into the other half) puts the next tile's loads ahead of it.
//
//   for i { %acc = alloc ; ... ; store %acc -> out[i] }
//     ->  %acc2 = alloc [P, 2, ...]
//         (i = lb)       ... into %acc2[0]
//         for i = lb+1.. { ... into %acc2[i%2] ; store %acc2[(i-1)%2] ->
//         out[i-1] } store %acc2[last%2] -> out[last]
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Dialect/Nki/IR/NkiUtils.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace mlir {
namespace nki {
#define GEN_PASS_DEF_NKIDELAYSTORES
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h.inc"
} // namespace nki
} // namespace mlir

using namespace mlir;
using namespace mlir::nki;

namespace {
/// A store of a buffer of the iteration, and the pure ops in the loop body
/// that compute its destination view.
struct DelayedStore {
  StoreOp store; // erased once its delayed copy is in place
  Value dst;     // its destination view (defined in the loop body)
  Location storeLoc;
  AllocOp buffer; // erased once its uses are rewritten
  MemRefType bufferType;
  llvm::SetVector<Operation *> dstSlice;
  Value doubled; // [P, 2, ...]
};
} // namespace

/// Whether `store` can be delayed by one iteration of `loop`.
static LogicalResult checkCandidate(scf::ForOp loop, DelayedStore &candidate,
                                    ArrayRef<Access> loopAccesses,
                                    Declined *declined) {
  StoreOp store = candidate.store;
  auto fail = [&](const Twine &reason) {
    return decline(declined, store,
                   "cannot delay " + describeOp(store) + " by one iteration " +
                       "of " + quotedLoopName(loop, "the loop") + ": " +
                       reason);
  };
  auto alloc = store.getSrc().getDefiningOp<AllocOp>();
  if (!alloc || alloc->getBlock() != loop.getBody())
    return failure(); // not a candidate: not a buffer of the iteration
  candidate.buffer = alloc;
  candidate.bufferType = alloc.getType();
  for (Operation *user : alloc->getUsers()) {
    Operation *ancestor = loop.getBody()->findAncestorOpInBlock(*user);
    if (!ancestor || store->isBeforeInBlock(ancestor))
      return fail("its buffer " + describeView(alloc.getResult()).rootName() +
                  " is used after it");
    if (isa<memref::SubViewOp>(user))
      return fail("its buffer " + describeView(alloc.getResult()).rootName() +
                  " is used through a view");
  }
  if (failed(collectPureSlice(store.getDst(), loop, candidate.dstSlice,
                              /*allowInductionVar=*/true)))
    return fail("its destination view is not computed by pure ops of the "
                "loop body");
  // Its destination is touched only by it, and by each iteration elsewhere.
  Access dst = describeView(store.getDst());
  if (!dst.root)
    return fail("its destination is not a known buffer");
  for (const Access &access : loopAccesses)
    if (access.op != store.getOperation() &&
        (!access.root || access.root == dst.root))
      return fail(describeOp(access.op) + " in the loop also touches " +
                  dst.rootName());
  Value iv = loop.getInductionVar();
  if (!disjointAcrossIterations(dst, iv, dst, iv, {loop.getOperation()}))
    return fail("different iterations may store to the same place");
  return success();
}

FailureOr<scf::ForOp> mlir::nki::delayStores(RewriterBase &rewriter,
                                             scf::ForOp loop,
                                             Declined *declined) {
  auto bounds = getConstantBounds(loop);
  if (!bounds || loop.getNumRegionIterArgs())
    return failure();
  auto [lb, ub, step] = *bounds;
  int64_t trips = ub > lb ? (ub - lb + step - 1) / step : 0;
  if (trips < 2)
    return failure(); // nothing to overlap
  SmallVector<Access> accesses;
  collectAccesses(loop, accesses);
  SmallVector<DelayedStore> stores;
  for (Operation &op : loop.getBody()->without_terminator())
    if (auto store = dyn_cast<StoreOp>(op)) {
      DelayedStore candidate{store,     store.getDst(), store.getLoc(),
                             AllocOp(), MemRefType(),   {},
                             Value()};
      Declined why;
      if (succeeded(checkCandidate(loop, candidate, accesses, &why)))
        stores.push_back(std::move(candidate));
      else if (why.op && declined && !declined->op)
        *declined = why;
    }
  if (stores.empty())
    return failure();

  OpBuilder::InsertionGuard guard(rewriter);
  Location loc = loop.getLoc();
  auto index = [&](int64_t v) { return getIndexConstant(rewriter, loop, v); };
  // The doubled buffers, before the loop.
  rewriter.setInsertionPoint(loop);
  for (DelayedStore &d : stores) {
    MemRefType type = d.bufferType;
    SmallVector<int64_t> shape(type.getShape());
    shape.insert(shape.begin() + 1, 2);
    d.doubled = rewriter.create<AllocOp>(
        d.buffer.getLoc(),
        MemRefType::get(shape, type.getElementType(),
                        MemRefLayoutAttrInterface(), type.getMemorySpace()),
        d.buffer.getNameAttr());
  }
  // Half `slot` of a doubled buffer, shaped as the original.
  auto half = [&](DelayedStore &d, Value slot, Location at) -> Value {
    auto doubledType = cast<MemRefType>(d.doubled.getType());
    MemRefType type = d.bufferType;
    SmallVector<OpFoldResult> offsets(doubledType.getRank(),
                                      rewriter.getIndexAttr(0));
    offsets[1] = slot;
    SmallVector<OpFoldResult> sizes;
    for (int64_t size : doubledType.getShape())
      sizes.push_back(rewriter.getIndexAttr(size));
    sizes[1] = rewriter.getIndexAttr(1);
    SmallVector<OpFoldResult> strides(doubledType.getRank(),
                                      rewriter.getIndexAttr(1));
    auto viewType =
        cast<MemRefType>(memref::SubViewOp::inferRankReducedResultType(
            type.getShape(), doubledType, offsets, sizes, strides));
    return rewriter.create<memref::SubViewOp>(at, viewType, d.doubled, offsets,
                                              sizes, strides);
  };
  // The slot of iteration `iv`: ((iv - lb) / step) mod 2.
  auto slotOf = [&](Value iv) -> Value {
    Value k = iv;
    if (lb != 0)
      k = rewriter.create<arith::SubIOp>(loc, k, index(lb));
    if (step != 1)
      k = rewriter.create<arith::DivUIOp>(loc, k, index(step));
    return rewriter.create<arith::RemUIOp>(loc, k, index(2));
  };

  // In the body: each buffer becomes the iteration's half of its double.
  {
    rewriter.setInsertionPointToStart(loop.getBody());
    Value slot = slotOf(loop.getInductionVar());
    for (DelayedStore &d : stores) {
      rewriter.setInsertionPoint(d.buffer);
      Value view = half(d, slot, d.buffer.getLoc());
      rewriter.replaceAllUsesWith(d.buffer.getResult(), view);
      rewriter.eraseOp(d.buffer);
      d.buffer = AllocOp();
    }
  }
  // A store of the previous iteration at `before`, or of iteration `iv`
  // after the loop.
  auto storeOf = [&](DelayedStore &d, Value iv, Value slot) {
    IRMapping mapping;
    mapping.map(loop.getInductionVar(), iv);
    for (Operation *op : d.dstSlice)
      rewriter.clone(*op, mapping);
    Value src = half(d, slot, d.storeLoc);
    rewriter.create<StoreOp>(d.storeLoc, src, mapping.lookupOrDefault(d.dst));
  };

  // The first iteration, before the loop, without its stores.
  rewriter.setInsertionPoint(loop);
  IRMapping first;
  first.map(loop.getInductionVar(), index(lb));
  llvm::SmallPtrSet<Operation *, 4> storeOps;
  for (DelayedStore &d : stores)
    storeOps.insert(d.store);
  SmallVector<Operation *> cloned;
  for (Operation &op : loop.getBody()->without_terminator())
    if (!storeOps.count(&op))
      cloned.push_back(rewriter.clone(op, first));
  // The stores' destination views are dead there.
  for (Operation *op : llvm::reverse(cloned))
    if (isPure(op) && op->use_empty())
      rewriter.eraseOp(op);

  // The other iterations store the previous one's result.
  for (DelayedStore &d : stores) {
    rewriter.setInsertionPoint(d.store);
    Value previous = rewriter.create<arith::SubIOp>(loc, loop.getInductionVar(),
                                                    index(step));
    storeOf(d, previous, slotOf(previous));
    rewriter.eraseOp(d.store);
    d.store = StoreOp();
  }
  rewriter.modifyOpInPlace(loop, [&] { loop.setLowerBound(index(lb + step)); });

  // The last iteration's stores, after the loop.
  rewriter.setInsertionPointAfter(loop);
  int64_t last = lb + (trips - 1) * step;
  for (DelayedStore &d : stores)
    storeOf(d, index(last), index(((last - lb) / step) % 2));
  return loop;
}

namespace {
struct NkiDelayStoresPass
    : public nki::impl::NkiDelayStoresBase<NkiDelayStoresPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation()->walk([&](scf::ForOp forOp) {
      if (getLoopName(forOp) == loop)
        loops.push_back(forOp);
    });
    // The default name may match nothing (a kernel that was not tiled);
    // a name the user gave must match.
    if (loops.empty() && loop.getNumOccurrences() > 0 &&
        failed(
            requireLoopNamed(getOperation(), "nki-delay-stores", "loop", loop)))
      return signalPassFailure();
    IRRewriter rewriter(&getContext());
    for (scf::ForOp forOp : loops) {
      Declined declined;
      if (failed(delayStores(rewriter, forOp, &declined)))
        remarkDeclined(declined);
    }
  }
};
} // namespace
