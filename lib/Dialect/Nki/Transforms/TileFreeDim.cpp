//===- TileFreeDim.cpp - tile the free dimension, carrying scans ----------===//
//
// The v3 step of the Fused Mamba tutorial as a general transformation: the
// ops of a loop body that work on a free dimension of length L are cloned
// into a loop over tiles of that dimension (plus a remainder tile), buffers
// local to the body shrink to one tile, other buffers are sliced, and scans
// carry their state from tile to tile through a [P, 1] column.
//
//===----------------------------------------------------------------------===//

#include "FreeDimTiler.h"

#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Dialect/Nki/IR/NkiUtils.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace mlir {
namespace nki {
#define GEN_PASS_DEF_NKITILEFREEDIM
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h.inc"
} // namespace nki
} // namespace mlir

using namespace mlir;
using namespace mlir::nki;

LogicalResult FreeDimTiler::findLength() {
  loop.getBody()->walk([&](TensorTensorScanOp scan) {
    if (scan->getBlock() == loop.getBody())
      scans.push_back(scan);
    else
      nestedScans.push_back({scan, {}, Value()});
  });
  auto scanLength = [](TensorTensorScanOp scan) {
    return scan.getData0().getType().getDimSize(1);
  };
  for (TensorTensorScanOp scan : scans)
    length = std::max(length, scanLength(scan));
  for (const NestedScan &nested : nestedScans)
    length = std::max(length, scanLength(nested.scan));
  for (TensorTensorScanOp scan : scans)
    if (scanLength(scan) != length)
      return fail(scan, "cannot tile the free dim: the loop's scans have "
                        "different lengths");
  for (const NestedScan &nested : nestedScans)
    if (scanLength(nested.scan) != length)
      return fail(nested.scan, "cannot tile the free dim: the loop's scans "
                               "have different lengths");
  if (!length) {
    loop.getBody()->walk([&](Operation *op) {
      if (!isa<NkiDialect>(op->getDialect()) || isa<AllocOp>(op))
        return;
      for (Value operand : op->getOperands())
        if (auto type = dyn_cast<MemRefType>(operand.getType()))
          if (type.getRank() >= 2)
            length = std::max(length, type.getDimSize(type.getRank() - 1));
    });
  }
  if (length <= 1)
    return fail(loop, "cannot tile the free dim: nothing in the loop body "
                      "has a free dim longer than 1");
  return success();
}

/// Whether `op` or an op nested in it has an operand of the tiled length.
static bool touches(Operation *op, llvm::function_ref<bool(Value)> isLong) {
  bool found = false;
  op->walk([&](Operation *inner) {
    for (Value operand : inner->getOperands())
      found |= isLong(operand);
  });
  return found;
}

/// A partition broadcast's row must stay one contiguous run of elements
/// (the backend's rule): a tile of a row with more than one free dim is
/// not, unless the row is a buffer of the body, which shrinks to the tile.
LogicalResult FreeDimTiler::checkBroadcastRow(Operation *op) {
  auto bcast = dyn_cast<PartitionBroadcastOp>(op);
  if (!bcast || !isLong(bcast.getSrc()))
    return success();
  auto type = cast<MemRefType>(bcast.getSrc().getType());
  Operation *def = bcast.getSrc().getDefiningOp();
  if (type.getRank() <= 2 ||
      (def && isa<AllocOp>(def) &&
       (tiledAllocs.count(def) || nestedAllocs.count(def))))
    return success();
  return fail(op, "cannot tile the free dim: a tile of the broadcast row " +
                      describeView(bcast.getSrc()).rootName() +
                      " would not be one contiguous run of elements");
}

bool FreeDimTiler::isLastColumnView(Operation *user, AllocOp alloc,
                                    Operation *scan) {
  auto view = dyn_cast<memref::SubViewOp>(user);
  MemRefType type = alloc.getType();
  if (!view || type.getRank() != 2 || view.getType().getRank() != 2 ||
      view->getBlock() != alloc->getBlock() ||
      scan->getBlock() != alloc->getBlock() || !scan->isBeforeInBlock(view))
    return false;
  auto is = [](OpFoldResult v, int64_t c) { return isConstantIntValue(v, c); };
  SmallVector<OpFoldResult> offsets = view.getMixedOffsets();
  SmallVector<OpFoldResult> sizes = view.getMixedSizes();
  SmallVector<OpFoldResult> strides = view.getMixedStrides();
  if (!is(offsets[0], 0) || !is(offsets[1], length - 1) ||
      !is(sizes[0], type.getDimSize(0)) || !is(sizes[1], 1) ||
      !is(strides[0], 1) || !is(strides[1], 1))
    return false;
  SmallVector<Operation *> stores;
  for (Operation *reader : view->getUsers()) {
    auto store = dyn_cast<StoreOp>(reader);
    if (!store || store.getSrc() != view.getResult() ||
        store->getBlock() != view->getBlock())
      return false;
    stores.push_back(store);
  }
  lastColumnViews.insert(view);
  lastTileOps.insert(stores.begin(), stores.end());
  return true;
}

LogicalResult FreeDimTiler::classify() {
  Block *body = loop.getBody();
  for (TensorTensorScanOp scan : scans) {
    auto alloc = scan.getDst().getDefiningOp<AllocOp>();
    if (!alloc || alloc->getBlock() != body)
      return fail(scan, "cannot tile the free dim: the scan's destination is "
                        "not a buffer allocated in the loop body, so it cannot "
                        "carry the scan's state between tiles");
    if (carriedAllocs.count(alloc))
      return fail(scan, "cannot tile the free dim: two scans write one buffer");
    carriedAllocs[alloc] = scan;
  }
  auto isLongValue = [&](Value v) { return isLong(v); };

  Operation *firstTiled = nullptr;
  for (Operation &op : body->without_terminator()) {
    if (auto alloc = dyn_cast<AllocOp>(op)) {
      if (!isLong(alloc.getResult())) {
        if (firstTiled)
          movedBefore.push_back(&op); // stays outside the tile loop
        continue;
      }
      for (Operation *user : alloc->getUsers()) {
        auto scan = carriedAllocs.lookup(alloc);
        if (scan && isLastColumnView(user, alloc, scan))
          continue;
        if (!loop->isProperAncestor(user) ||
            !isa<NkiDialect>(user->getDialect()) || isa<AllocOp>(user))
          return fail(user, "cannot tile the free dim: buffer " +
                                describeView(alloc.getResult()).rootName() +
                                " is used through a view or by an op "
                                "that is not in the loop body");
      }
      if (!carriedAllocs.count(alloc))
        tiledAllocs.insert(alloc);
      continue;
    }
    if (op.getNumRegions() != 0) {
      auto nested = dyn_cast<scf::ForOp>(op);
      bool hasScan = llvm::any_of(nestedScans, [&](const NestedScan &n) {
        return op.isAncestor(n.scan);
      });
      if (!touches(&op, isLongValue) && !hasScan) {
        if (firstTiled)
          movedBefore.push_back(&op);
        continue;
      }
      if (!nested)
        return fail(
            &op, "cannot tile the free dim of this loop: " + describeOp(&op) +
                     " in its body works on the free dim and is not "
                     "an scf.for");
      SmallVector<scf::ForOp> chain;
      if (failed(classifyNestedLoop(nested, chain)))
        return failure();
      tiledOps.insert(&op);
      if (!firstTiled)
        firstTiled = &op;
      continue;
    }
    if (lastColumnViews.count(&op))
      continue; // the last tile's column, made there
    if (isPure(&op)) {
      for (Value operand : op.getOperands())
        if (isPrivateBuffer(operand.getDefiningOp()))
          return fail(&op, "cannot tile the free dim: " + describeOp(&op) +
                               " takes a view of a buffer that is tiled");
      if (firstTiled)
        movedBefore.push_back(&op);
      continue;
    }
    if (lastTileOps.count(&op)) {
      tiledOps.insert(&op); // in the last tile only
      continue;
    }
    if (!isa<MemoryEffectOpInterface>(op))
      return fail(&op, "cannot tile the free dim: " + describeOp(&op) +
                           " has unknown effects");
    bool tiled =
        llvm::any_of(op.getOperands(), [&](Value v) { return isLong(v); });
    if (failed(checkBroadcastRow(&op)))
      return failure();
    if (tiled) {
      tiledOps.insert(&op);
      if (!firstTiled)
        firstTiled = &op;
    } else if (firstTiled) {
      movedBefore.push_back(&op);
    }
  }
  if (tiledOps.empty())
    return fail(loop, "cannot tile the free dim: no op in the loop body works "
                      "on a free dim of length " +
                          std::to_string(length));
  return checkDependences();
}

/// A loop in the body that works on the free dim is cloned into every tile
/// with its body tiled: its buffers become the (tile, iteration)'s, and a
/// scan in it carries its state in one column per iteration of the loops
/// around it. Ops in it that do not work on the free dim run once per tile
/// instead of once, so they may write only its own buffers.
LogicalResult FreeDimTiler::classifyNestedLoop(scf::ForOp nested,
                                               SmallVector<scf::ForOp> &chain) {
  if (nested.getNumRegionIterArgs())
    return fail(nested, "cannot tile the free dim: " + describeOp(nested) +
                            " carries values (iter_args)");
  auto bounds = getConstantBounds(nested);
  if (!bounds)
    return fail(nested, "cannot tile the free dim: " + describeOp(nested) +
                            " in the loop body has bounds that are not "
                            "constant");
  if (std::get<1>(*bounds) <= std::get<0>(*bounds))
    return fail(nested, "cannot tile the free dim: " + describeOp(nested) +
                            " in the loop body has no iteration");
  chain.push_back(nested);
  auto ownBuffer = [&](Value root) {
    Operation *def = root ? root.getDefiningOp() : nullptr;
    return def && isa<AllocOp>(def) && nested->isProperAncestor(def);
  };
  for (Operation &op : nested.getBody()->without_terminator()) {
    if (auto inner = dyn_cast<scf::ForOp>(op)) {
      if (failed(classifyNestedLoop(inner, chain)))
        return failure();
      continue;
    }
    if (op.getNumRegions() != 0)
      return fail(&op, "cannot tile the free dim: " + describeOp(&op) +
                           " in a nested loop is not an scf.for");
    if (auto alloc = dyn_cast<AllocOp>(op)) {
      if (isLong(alloc.getResult())) {
        // Shrinks to the tile: private to the (tile, iteration).
        Operation *scan = nullptr;
        for (NestedScan &n : nestedScans)
          if (n.scan.getDst().getDefiningOp() == alloc.getOperation())
            scan = n.scan;
        for (Operation *user : alloc->getUsers()) {
          if (scan && isLastColumnView(user, alloc, scan))
            continue;
          if (!nested->isProperAncestor(user) ||
              !isa<NkiDialect>(user->getDialect()) || isa<AllocOp>(user))
            return fail(user, "cannot tile the free dim: buffer " +
                                  describeView(alloc.getResult()).rootName() +
                                  " is used through a view");
        }
        nestedAllocs.insert(alloc);
        continue;
      }
      // Any other buffer is allocated again in every tile: private only if
      // no view of it spans the free dim (its contents would have to
      // survive from tile to tile).
      bool longViews = false;
      SmallVector<Value> views = {alloc.getResult()};
      while (!views.empty()) {
        Value v = views.pop_back_val();
        for (Operation *user : v.getUsers())
          if (auto view = dyn_cast<memref::SubViewOp>(user)) {
            longViews |= isLong(view.getResult());
            views.push_back(view.getResult());
          }
      }
      if (longViews)
        return fail(alloc, "cannot tile the free dim: buffer " +
                               describeView(alloc.getResult()).rootName() +
                               " of " + describeOp(nested) +
                               " is used through views of the tiled length, "
                               "and it would be allocated again in every tile");
      nestedAllocs.insert(alloc);
      continue;
    }
    if (lastColumnViews.count(&op))
      continue;
    if (isPure(&op)) {
      for (Value operand : op.getOperands())
        if (isPrivateBuffer(operand.getDefiningOp()) && isLong(operand))
          return fail(&op, "cannot tile the free dim: " + describeOp(&op) +
                               " takes a view of a buffer that is tiled");
      continue;
    }
    if (!isa<NkiDialect>(op.getDialect()) || !isa<MemoryEffectOpInterface>(op))
      return fail(&op, "cannot tile the free dim: " + describeOp(&op) +
                           " has unknown effects");
    if (auto scan = dyn_cast<TensorTensorScanOp>(op)) {
      auto alloc = scan.getDst().getDefiningOp<AllocOp>();
      if (!alloc || alloc->getBlock() != scan->getBlock())
        return fail(scan, "cannot tile the free dim: the scan's destination "
                          "is not a buffer allocated beside it, so it cannot "
                          "carry the scan's state between tiles");
      if (Value initial = scan.getInitial()) {
        // The first tile starts from it; it must mean the same there.
        Access from = describeView(initial);
        if (isLong(initial) || !from.root ||
            tiledAllocs.count(from.root.getDefiningOp()) ||
            carriedAllocs.count(from.root.getDefiningOp()))
          return fail(scan, "cannot tile the free dim: the initial state of "
                            "a scan in a nested loop must be a [P, 1] column "
                            "that is not tiled");
        nestedInitialValues = true;
      }
      for (NestedScan &n : nestedScans)
        if (n.scan == scan)
          n.loops = chain;
      continue;
    }
    if (failed(checkBroadcastRow(&op)))
      return failure();
    bool tiled =
        llvm::any_of(op.getOperands(), [&](Value v) { return isLong(v); });
    if (tiled || lastTileOps.count(&op))
      continue; // (a last-state store runs in the last tile only)
    // Runs once per tile: it may only write buffers of its iteration.
    SmallVector<Access> accesses;
    collectAccesses(&op, accesses);
    for (const Access &access : accesses)
      if (access.isWrite && !ownBuffer(access.root))
        return fail(&op, "cannot tile the free dim: " + describeOp(&op) +
                             " in " + describeOp(nested) +
                             " would run once "
                             "per tile, and it writes " +
                             access.rootName() +
                             ", which is not a buffer of the loop");
  }
  chain.pop_back();
  return success();
}

/// Tiling interleaves the ops tile by tile: op a's tile i then runs before
/// op b's tile j whenever i < j, even if b came first in the body; in a
/// nested loop every iteration of a tile runs before the next tile. Buffers
/// allocated per tile (or per iteration of a nested loop) are private. For
/// everything else (arguments, buffers from outside the body), every pair
/// of accesses with a write must keep its order: an unsliced write is a
/// dependence across tiles, an unsliced read must not see a tiled write,
/// and two sliced accesses must touch the same elements only in the same
/// tile, or in a later tile of the later op (then the tiles run in order).
LogicalResult FreeDimTiler::checkDependences() {
  struct Item {
    Access access;
    unsigned position; // of the body op that holds it
    /// The loops of the body around it, outermost first.
    SmallVector<scf::ForOp, 2> loops;
  };
  std::vector<Item> items;
  for (auto [position, op] : llvm::enumerate(tiledOps)) {
    SmallVector<Access> accesses;
    collectAccesses(op, accesses);
    for (Access &access : accesses) {
      Item item{access, unsigned(position), {}};
      for (Operation *p = access.op->getParentOp(); p && p != loop;
           p = p->getParentOp())
        if (auto l = dyn_cast<scf::ForOp>(p))
          item.loops.insert(item.loops.begin(), l);
      items.push_back(std::move(item));
    }
  }
  auto isPrivate = [&](const Access &access) {
    return access.root && isPrivateBuffer(access.root.getDefiningOp());
  };
  for (const Item &item : items) {
    const Access &access = item.access;
    if (isPrivate(access))
      continue;
    if (lastTileOps.count(access.op)) {
      // It runs after every other op of every tile but the last: nothing
      // else in the body may touch what it writes.
      for (const Item &other : items)
        if (other.access.op != access.op &&
            mayConflictInAnyIterations(access, other.access))
          return fail(access.op,
                      "cannot tile the free dim: " + describeOp(access.op) +
                          " stores the scan's last state, so it runs in the "
                          "last tile only, but " +
                          describeOp(other.access.op) + " also touches " +
                          access.rootName());
      continue;
    }
    if (access.isWrite && !isLong(access.view))
      return fail(access.op,
                  "cannot tile the free dim: " + describeOp(access.op) +
                      " writes " + access.rootName() +
                      " in a way that is not sliced by the tile "
                      "(a dependence across tiles)");
    if (!access.isWrite && !isLong(access.view))
      for (const Item &other : items)
        if (other.access.isWrite &&
            (!item.loops.empty() || !other.loops.empty()
                 ? mayConflictInAnyIterations(access, other.access)
                 : mayConflict(access, other.access)))
          return fail(access.op,
                      "cannot tile the free dim: " + describeOp(access.op) +
                          " reads part of " + access.rootName() +
                          " that a tiled op writes, across tiles");
  }
  auto verb = [](const Access &x) { return x.isWrite ? "writes" : "reads"; };
  // Whether `x`'s offsets use a value of a loop around it beyond the first
  // `common` ones (so it differs between instances the pair test compares).
  auto usesInnerValues = [&](const Item &x, size_t common) {
    if (x.loops.size() <= common)
      return false;
    for (const LinearExpr &offset : x.access.offsets)
      for (auto [value, coeff] : offset.terms)
        if (isDefinedInside(value, x.loops[common]))
          return true;
    return false;
  };
  for (size_t i = 0; i < items.size(); ++i) {
    const Item &a = items[i];
    if (isPrivate(a.access) || !isLong(a.access.view))
      continue;
    for (size_t j = i; j < items.size(); ++j) {
      const Item &b = items[j];
      if (isPrivate(b.access) || !isLong(b.access.view))
        continue;
      if (tileDependence(a.access, b.access) == TileDependence::none)
        continue;
      // Instances of the two in different iterations of a loop around both
      // keep their order after tiling only where they touch the same
      // elements in the same tile (each element's updates then still come
      // iteration by iteration). So either they never touch the same
      // elements across iterations, or every instance touches the same
      // places and only in the same tile.
      size_t common = 0;
      while (common < a.loops.size() && common < b.loops.size() &&
             a.loops[common] == b.loops[common])
        ++common;
      scf::ForOp overlapping;
      for (size_t k = 0; k < common && !overlapping; ++k) {
        scf::ForOp l = a.loops[k];
        Value iv = l.getInductionVar();
        if (!disjointAcrossIterations(a.access, iv, b.access, iv,
                                      {l.getOperation()}))
          overlapping = l;
      }
      if (overlapping) {
        if (!usesInnerValues(a, 0) && !usesInnerValues(b, 0) &&
            tileDependence(a.access, b.access) == TileDependence::sameTile)
          continue;
        return fail(b.access.op,
                    "cannot tile the free dim: " + describeOp(b.access.op) +
                        " " + verb(b.access) + " " + b.access.rootName() +
                        " where " +
                        (a.access.op == b.access.op ? std::string("it")
                                                    : describeOp(a.access.op)) +
                        " " + verb(a.access) + " it in another iteration of " +
                        describeOp(overlapping) +
                        ", and tiling interleaves those iterations");
      }
      TileDependence dependence = tileDependence(a.access, b.access);
      if (usesInnerValues(a, common) || usesInnerValues(b, common))
        dependence = TileDependence::unknown;
      if (dependence == TileDependence::sameTile)
        continue;
      if (dependence == TileDependence::forward) {
        orderedTiles = true;
        continue;
      }
      if (a.access.op == b.access.op)
        return fail(a.access.op,
                    "cannot tile the free dim: " + describeOp(a.access.op) +
                        " reads and writes " + a.access.rootName() +
                        " at overlapping but different elements, so "
                        "its tiles would see each other's results");
      return fail(b.access.op,
                  "cannot tile the free dim: " + describeOp(b.access.op) + " " +
                      verb(b.access) + " " + b.access.rootName() + " where " +
                      describeOp(a.access.op) + " before it " + verb(a.access) +
                      " it, and in tiles part of that would run in the "
                      "opposite order (a dependence across tiles)");
    }
  }
  // Ops that stay outside the tile loop but come after a tiled op move
  // before the tile loop, above the tiled ops that preceded them: they must
  // not depend on those.
  for (Operation *staying : movedBefore) {
    if (isPure(staying))
      continue;
    SmallVector<Access> stayingAccesses;
    collectAccesses(staying, stayingAccesses);
    for (const Item &item : items) {
      const Access &b = item.access;
      if (!tiledOps[item.position]->isBeforeInBlock(staying))
        continue;
      for (const Access &a : stayingAccesses)
        if (!item.loops.empty() ? mayConflictInAnyIterations(a, b)
                                : mayConflict(a, b))
          return fail(a.op, "cannot tile the free dim: " + describeOp(a.op) +
                                " stays outside the tile loop but depends on " +
                                describeOp(b.op) + ", which is tiled");
    }
  }
  return success();
}

FailureOr<scf::ForOp> FreeDimTiler::run() {
  if (requestedTileSize < 1)
    return fail(loop, "cannot tile the free dim: tile size must be at least 1");
  if (failed(findLength()))
    return failure();
  // One tile of the whole length would only add a carried state that no
  // later tile reads (a memset and a copy per scan): decline, so that the
  // loop stays as it is (at the toy shape, v3 with 512-wide tiles is v2).
  if (requestedTileSize >= length)
    return fail(loop, "nothing to tile: the free dim (" + Twine(length) +
                          ") fits in one tile of " +
                          Twine(int64_t(requestedTileSize)));
  if (failed(classify()))
    return failure();
  // With nested loops, buffer placement is nki-place-buffers' job (the live
  // ranges here are the body's ops only).
  bool hasNestedLoops =
      llvm::any_of(tiledOps, [](Operation *op) { return isa<scf::ForOp>(op); });
  if (!hasNestedLoops)
    choosePsumPromotions();
  int64_t tileSize = std::min(requestedTileSize, length);
  int64_t fullTiles = length / tileSize;
  int64_t remainder = length % tileSize;
  Location loc = loop.getLoc();

  // Everything that stays outside the tile loop goes before it.
  Operation *firstTiled = tiledOps.front();
  for (Operation *op : movedBefore)
    rw.moveOpBefore(op, firstTiled);
  rw.setInsertionPoint(firstTiled);
  createCarriedBuffers(tileSize);

  auto index = [&](int64_t v) { return getIndexConstant(rw, loop, v); };
  // Tile k covers [k * tileSize, +tileSize) (the last one: the remainder).
  // The loop runs the tiles in between; the first tile runs on its own when
  // a nested scan starts from a value, the last when it is a remainder or
  // the scan's last state is stored.
  int64_t tiles = fullTiles + (remainder > 0 ? 1 : 0);
  bool peelFirst = nestedInitialValues;
  bool peelLast = remainder > 0 || !lastTileOps.empty();
  int64_t loopBegin = peelFirst ? 1 : 0;
  int64_t loopEnd = std::max(loopBegin, peelLast ? tiles - 1 : tiles);
  if (peelFirst)
    emitTile(rw.getIndexAttr(0),
             tiles == 1 && remainder > 0 ? remainder : tileSize,
             /*first=*/true, /*last=*/tiles == 1);
  auto tileLoop =
      rw.create<scf::ForOp>(loc, index(loopBegin), index(loopEnd), index(1));
  tileLoop->setAttr("nki.loop", rw.getStringAttr(name));
  bool sequential = !scans.empty() || !nestedScans.empty() || orderedTiles;
  tileLoop->setAttr("nki.kind",
                    rw.getStringAttr(sequential ? "sequential" : "affine"));
  {
    OpBuilder::InsertionGuard guard(rw);
    rw.setInsertionPoint(tileLoop.getBody()->getTerminator());
    Value offset = rw.create<arith::MulIOp>(loc, tileLoop.getInductionVar(),
                                            index(tileSize));
    if (loopEnd > loopBegin)
      emitTile(offset, tileSize, /*first=*/false, /*last=*/false);
  }
  if (tiles - 1 >= loopEnd && tiles - 1 >= (peelFirst ? 1 : 0))
    emitTile(rw.getIndexAttr((tiles - 1) * tileSize),
             remainder > 0 ? remainder : tileSize,
             /*first=*/tiles == 1, /*last=*/true);

  // Views of a scan buffer's last column directly in the body go with it.
  SmallVector<Operation *> bodyViews;
  for (Operation *view : lastColumnViews)
    if (view->getBlock() == loop.getBody())
      bodyViews.push_back(view);
  SmallVector<Operation *> scanBuffers;
  for (TensorTensorScanOp scan : scans)
    scanBuffers.push_back(scan.getDst().getDefiningOp());
  for (Operation *op : llvm::reverse(tiledOps))
    rw.eraseOp(op);
  for (Operation *op : bodyViews)
    rw.eraseOp(op);
  for (Operation *op : tiledAllocs)
    rw.eraseOp(op);
  for (Operation *op : scanBuffers)
    rw.eraseOp(op);
  return tileLoop;
}

FailureOr<scf::ForOp> mlir::nki::tileFreeDim(RewriterBase &rewriter,
                                             scf::ForOp loop, int64_t tileSize,
                                             StringRef tileLoopName,
                                             Declined *declined, Notes *notes) {
  OpBuilder::InsertionGuard guard(rewriter);
  return FreeDimTiler(rewriter, loop, tileSize, tileLoopName, declined, notes)
      .run();
}

namespace {
struct NkiTileFreeDimPass
    : public nki::impl::NkiTileFreeDimBase<NkiTileFreeDimPass> {
  using Base::Base;
  void runOnOperation() override {
    if (tileSize < 1) {
      mlir::emitError(getOperation()->getLoc())
          << "nki-tile-free-dim: tile-size must be at least 1, got "
          << int64_t(tileSize);
      return signalPassFailure();
    }
    if (tileLoopName.empty()) {
      mlir::emitError(getOperation()->getLoc())
          << "nki-tile-free-dim: name (of the tile loop) must not be empty";
      return signalPassFailure();
    }
    llvm::SetVector<Operation *> targets;
    if (!loop.empty()) {
      getOperation()->walk([&](scf::ForOp forOp) {
        if (getLoopName(forOp) == loop)
          targets.insert(forOp);
      });
      if (targets.empty() &&
          failed(requireLoopNamed(getOperation(), "nki-tile-free-dim", "loop",
                                  loop)))
        return signalPassFailure();
    } else {
      getOperation()->walk([&](TensorTensorScanOp scan) {
        if (auto forOp = scan->getParentOfType<scf::ForOp>())
          targets.insert(forOp);
      });
    }
    // Outer targets first: tiling one tiles (and replaces) every loop in
    // it, so a target inside a tiled one is gone and skipped. Which target
    // holds which is decided before anything changes.
    auto depth = [](Operation *op) {
      int d = 0;
      for (Operation *p = op->getParentOp(); p; p = p->getParentOp())
        ++d;
      return d;
    };
    SmallVector<Operation *> order(targets.begin(), targets.end());
    if (loop.empty())
      llvm::stable_sort(order, [&](Operation *a, Operation *b) {
        return depth(a) < depth(b);
      });
    DenseMap<Operation *, SmallVector<Operation *>> holders;
    for (Operation *target : order)
      for (Operation *other : order)
        if (other != target && other->isProperAncestor(target))
          holders[target].push_back(other);
    llvm::SmallPtrSet<Operation *, 4> tiled;
    IRRewriter rewriter(&getContext());
    for (Operation *target : order) {
      if (llvm::any_of(holders[target],
                       [&](Operation *h) { return tiled.contains(h); }))
        continue;
      Declined declined;
      Notes notes;
      if (succeeded(tileFreeDim(rewriter, cast<scf::ForOp>(target), tileSize,
                                tileLoopName, &declined, &notes)))
        tiled.insert(target);
      else
        remarkDeclined(declined);
      remarkDeclined(notes);
    }
  }
};
} // namespace
