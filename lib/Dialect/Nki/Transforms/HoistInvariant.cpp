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
#include "mamba-nki/Dialect/Nki/IR/NkiTarget.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallBitVector.h"

namespace mlir {
namespace nki {
#define GEN_PASS_DEF_NKIHOISTINVARIANT
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h.inc"
} // namespace nki
} // namespace mlir

using namespace mlir;
using namespace mlir::nki;

/// The pure ops in `loop` that `value` depends on; fails if it varies in
/// the loop.
static LogicalResult invariantSlice(Value value, scf::ForOp loop,
                                    llvm::SetVector<Operation *> &slice) {
  return collectPureSlice(value, loop, slice, /*allowInductionVar=*/false);
}

LogicalResult mlir::nki::hoistInvariantOp(RewriterBase &rewriter,
                                          scf::ForOp loop, Operation *op,
                                          Declined *declined) {
  if (op->getBlock() != loop.getBody() || !isa<NkiDialect>(op->getDialect()) ||
      isa<AllocOp>(op) || !isa<MemoryEffectOpInterface>(op))
    return failure();
  // Only out of a loop that runs: else the op would run once instead of
  // never.
  auto bounds = getConstantBounds(loop);
  if (!bounds || std::get<1>(*bounds) <= std::get<0>(*bounds))
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
  // What it writes must be a buffer of the iteration (a store to HBM, or
  // into a buffer from outside, is not a computation to hoist).
  if (!alloc || alloc->getBlock() != loop.getBody())
    return failure();
  // A PSUM buffer would stay live for the whole loop instead of part of
  // each iteration: PSUM (8 banks) is too small to take that on trust.
  if (getMemorySpace(alloc.getType()) == MemorySpace::psum)
    return fail("its buffer " + describeView(alloc.getResult()).rootName() +
                " is in PSUM, which has too few banks to keep it for the "
                "whole loop");

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

/// The one view dim of `access` whose root offset moves with `iv`, when
/// exactly one does, it has size 1, and the move is `coeff * iv` with a
/// constant `coeff`.
static std::optional<std::pair<unsigned, int64_t>>
movingDim(const Access &access, Value iv) {
  if (!access.exact)
    return std::nullopt;
  std::optional<std::pair<unsigned, int64_t>> found;
  for (auto [viewDim, rootDim] : llvm::enumerate(access.viewDims)) {
    int64_t coeff = access.offsets[rootDim].coefficient(iv);
    if (coeff == 0)
      continue;
    if (found || access.sizes[rootDim] != 1)
      return std::nullopt;
    found = std::make_pair(unsigned(viewDim), coeff);
  }
  // A dropped (rank-reduced) dim that moves cannot be expanded here.
  for (auto [rootDim, offset] : llvm::enumerate(access.offsets))
    if (offset.coefficient(iv) != 0 &&
        !llvm::is_contained(access.viewDims, unsigned(rootDim)))
      return std::nullopt;
  return found;
}

FailureOr<AllocOp> mlir::nki::hoistLoadExpanded(RewriterBase &rewriter,
                                                scf::ForOp loop, LoadOp load,
                                                Declined *declined) {
  if (load->getBlock() != loop.getBody())
    return failure();
  auto bounds = getConstantBounds(loop);
  auto alloc = load.getDst().getDefiningOp<AllocOp>();
  auto subview = load.getSrc().getDefiningOp<memref::SubViewOp>();
  if (!bounds || !alloc || alloc->getBlock() != loop.getBody() || !subview ||
      subview->getBlock() != loop.getBody())
    return failure();
  auto [lb, ub, step] = *bounds;
  int64_t trips = ub > lb ? (ub - lb + step - 1) / step : 0;
  Value iv = loop.getInductionVar();
  Access source = describeView(load.getSrc());
  std::optional<std::pair<unsigned, int64_t>> moving = movingDim(source, iv);
  if (moving && moving->second <= 0)
    return failure(); // slices that move backwards: not handled
  MemRefType bufferType = alloc.getType();
  if (!moving || trips < 2 || moving->first == 0 ||
      bufferType.getShape() != cast<MemRefType>(subview.getType()).getShape())
    return failure(); // not a candidate
  // The source view's own operands, but for the moving offset, must not
  // vary in the loop; nothing in the loop may write the source; the buffer
  // is only read besides the load, and not before it.
  unsigned dim = moving->first;
  llvm::SmallBitVector dropped = subview.getDroppedDims();
  unsigned sourceDim = 0;
  for (unsigned d = 0, k = 0; d < dropped.size(); ++d) {
    if (dropped.test(d))
      continue;
    if (k++ == dim)
      sourceDim = d;
  }
  SmallVector<OpFoldResult> offsets = subview.getMixedOffsets();
  SmallVector<OpFoldResult> sizes = subview.getMixedSizes();
  SmallVector<OpFoldResult> strides = subview.getMixedStrides();
  if (!llvm::all_of(strides,
                    [](OpFoldResult s) { return isConstantIntValue(s, 1); }))
    return failure();
  LinearExpr moved = offsets[sourceDim].is<Value>()
                         ? LinearExpr::get(offsets[sourceDim].get<Value>())
                         : LinearExpr::get(0);
  if (moved.coefficient(iv) == 0)
    return failure(); // the move is in a parent view: not handled
  std::string where = quotedLoopName(loop, "the loop");
  auto fail = [&](const Twine &reason) {
    return decline(declined, load,
                   "cannot hoist " + describeOp(load) + " out of " + where +
                       " with one slice per iteration: " + reason);
  };
  SmallVector<Access> accesses;
  collectAccesses(loop, accesses);
  for (const Access &access : accesses) {
    if (access.op == load)
      continue;
    if (access.isWrite && (!access.root || access.root == source.root))
      return fail(describeOp(access.op) + " in the loop writes " +
                  source.rootName() + ", which the load reads");
    if (access.root == alloc.getResult()) {
      Operation *ancestor = loop.getBody()->findAncestorOpInBlock(*access.op);
      if (access.isWrite || (ancestor && ancestor->isBeforeInBlock(load)))
        return fail(describeOp(access.op) + " also " +
                    (access.isWrite ? "writes" : "reads") + " its buffer " +
                    access.rootName() + " in the loop");
    }
  }
  for (Operation *user : alloc->getUsers())
    if (user != load && !isa<NkiDialect>(user->getDialect()))
      return fail("its buffer " + describeView(alloc.getResult()).rootName() +
                  " is used through a view");
  // The offset at the first iteration: the moving offset with iv = lb.
  // Everything else the view needs must be invariant.
  llvm::SetVector<Operation *> slice;
  for (auto [d, ofr] : llvm::enumerate(offsets)) {
    if (d == sourceDim || !ofr.is<Value>())
      continue;
    if (isDefinedInside(ofr.get<Value>(), loop))
      return failure();
  }
  if (isDefinedInside(subview.getSource(), loop))
    return failure();
  LinearExpr rest = moved;
  int64_t coeff = rest.coefficient(iv);
  rest.terms.erase(iv);
  for (auto [value, c] : rest.terms)
    if (isDefinedInside(value, loop))
      return failure();

  // Build, before the loop: the expanded buffer, the source view of every
  // iteration's slice (stride coeff * step in the moving dim), the load.
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(loop);
  Location loc = load.getLoc();
  auto index = [&](int64_t v) -> Value {
    return rewriter.create<arith::ConstantIndexOp>(loc, v);
  };
  OpFoldResult first = rewriter.getIndexAttr(rest.constant + coeff * lb);
  for (auto [value, c] : rest.terms) {
    Value term =
        c == 1
            ? value
            : rewriter.create<arith::MulIOp>(loc, value, index(c)).getResult();
    Value sum =
        isConstantIntValue(first, 0)
            ? term
            : rewriter
                  .create<arith::AddIOp>(
                      loc, term,
                      getValueOrCreateConstantIndexOp(rewriter, loc, first))
                  .getResult();
    first = sum;
  }
  SmallVector<OpFoldResult> newOffsets = offsets, newSizes = sizes,
                            newStrides = strides;
  newOffsets[sourceDim] = first;
  newSizes[sourceDim] = rewriter.getIndexAttr(trips);
  newStrides[sourceDim] = rewriter.getIndexAttr(coeff * step);
  SmallVector<int64_t> shape(bufferType.getShape());
  shape[dim] = trips;
  auto srcType = cast<MemRefType>(memref::SubViewOp::inferRankReducedResultType(
      shape, subview.getSourceType(), newOffsets, newSizes, newStrides));
  Value src = rewriter.create<memref::SubViewOp>(
      subview.getLoc(), srcType, subview.getSource(), newOffsets, newSizes,
      newStrides);
  auto expandedType =
      MemRefType::get(shape, bufferType.getElementType(),
                      MemRefLayoutAttrInterface(), bufferType.getMemorySpace());
  auto expanded = rewriter.create<AllocOp>(alloc.getLoc(), expandedType,
                                           alloc.getNameAttr());
  rewriter.create<LoadOp>(loc, src, expanded);

  // In the loop, each iteration's slice of it replaces the old buffer.
  rewriter.setInsertionPoint(load);
  Value position = iv;
  if (lb != 0)
    position = rewriter.create<arith::SubIOp>(loc, position, index(lb));
  if (step != 1)
    position = rewriter.create<arith::DivUIOp>(loc, position, index(step));
  SmallVector<OpFoldResult> sliceOffsets(shape.size(),
                                         rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> sliceSizes;
  for (int64_t d : bufferType.getShape())
    sliceSizes.push_back(rewriter.getIndexAttr(d));
  sliceOffsets[dim] = position;
  SmallVector<OpFoldResult> sliceStrides(shape.size(),
                                         rewriter.getIndexAttr(1));
  auto sliceType = cast<MemRefType>(memref::SubViewOp::inferResultType(
      expandedType, sliceOffsets, sliceSizes, sliceStrides));
  Value sliceView = rewriter.create<memref::SubViewOp>(
      loc, sliceType, expanded, sliceOffsets, sliceSizes, sliceStrides);
  rewriter.eraseOp(load);
  rewriter.replaceAllUsesWith(alloc.getResult(), sliceView);
  rewriter.eraseOp(alloc);
  if (subview->use_empty())
    rewriter.eraseOp(subview);
  return expanded;
}

SmallVector<Operation *> mlir::nki::hoistToFixedPoint(
    RewriterBase &rewriter, Operation *root, const HoistOptions &options,
    llvm::function_ref<bool(scf::ForOp)> select, Blocked *blocked) {
  // To a fixed point, so that ops travel as far out as is legal; each
  // blocked op is reported once, where it finally stays.
  Blocked reasons;
  llvm::SetVector<Operation *> moved;
  bool changed = true;
  while (changed) {
    changed = false;
    SmallVector<std::pair<scf::ForOp, Operation *>> candidates;
    root->walk([&](scf::ForOp forOp) {
      if (select && !select(forOp))
        return;
      for (Operation &op : forOp.getBody()->without_terminator())
        if (options.anyOp && !options.expandedOnly
                ? isa<NkiDialect>(op.getDialect()) && !isa<AllocOp>(op)
                : isa<LoadOp>(op))
          candidates.emplace_back(forOp, &op);
    });
    for (auto [forOp, op] : candidates) {
      Declined declined;
      if (!options.expandedOnly) {
        LogicalResult hoisted =
            options.anyOp
                ? hoistInvariantOp(rewriter, forOp, op, &declined)
                : hoistLoad(rewriter, forOp, cast<LoadOp>(op), &declined);
        if (succeeded(hoisted)) {
          reasons.erase(op);
          moved.insert(op);
          changed = true;
          continue;
        }
        if (declined.op) {
          reasons[op] = declined.reason;
          continue;
        }
      }
      auto loadOp = dyn_cast<LoadOp>(op);
      if (!(options.expand || options.expandedOnly) || !loadOp)
        continue;
      FailureOr<AllocOp> expanded =
          hoistLoadExpanded(rewriter, forOp, loadOp, &declined);
      if (succeeded(expanded)) {
        // The load is gone; the new one fills the expanded buffer.
        reasons.erase(op);
        moved.remove(op);
        for (Operation *user : expanded->getResult().getUsers())
          if (isa<LoadOp>(user))
            moved.insert(user);
        changed = true;
      } else if (declined.op) {
        reasons[op] = declined.reason;
      }
    }
  }
  if (blocked)
    for (auto &[op, reason] : reasons)
      (*blocked)[op] = reason;
  return SmallVector<Operation *>(moved.begin(), moved.end());
}

void mlir::nki::hoistInLoopsNamed(RewriterBase &rewriter, Operation *root,
                                  const HoistOptions &options,
                                  StringRef loopName) {
  Blocked blocked;
  hoistToFixedPoint(
      rewriter, root, options,
      [&](scf::ForOp forOp) {
        return loopName.empty() || getLoopName(forOp) == loopName;
      },
      &blocked);
  remarkDeclined(blocked);
}

namespace {
struct NkiHoistInvariantPass
    : public nki::impl::NkiHoistInvariantBase<NkiHoistInvariantPass> {
  using Base::Base;
  void runOnOperation() override {
    if (!loop.empty() &&
        failed(requireLoopNamed(getOperation(), "nki-hoist-invariant", "loop",
                                loop)))
      return signalPassFailure();
    IRRewriter rewriter(&getContext());
    HoistOptions options;
    options.anyOp = true;
    options.expand = expand;
    hoistInLoopsNamed(rewriter, getOperation(), options, loop);
  }
};
} // namespace
