//===- TileFreeDimEmit.cpp - build the tile loop of nki-tile-free-dim -----===//
//
// One tile is the body's tiled ops (and nested loops, cloned with their
// bodies) on a slice [offset, offset + size) of the free dim: buffers local
// to the body become per-tile buffers, other long operands are sliced, and
// scans carry their state in and out of the tile.
//
//===----------------------------------------------------------------------===//

#include "FreeDimTiler.h"

#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiTarget.h"
#include "mamba-nki/Dialect/Nki/IR/NkiUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mlir::nki;

Value FreeDimTiler::slice(Value value, OpFoldResult offset, int64_t size,
                          Location loc) {
  auto type = cast<MemRefType>(value.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, rw.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < rank - 1; ++d)
    sizes.push_back(rw.getIndexAttr(type.getDimSize(d)));
  offsets.back() = offset;
  sizes.push_back(rw.getIndexAttr(size));
  SmallVector<OpFoldResult> strides(rank, rw.getIndexAttr(1));
  auto resultType = cast<MemRefType>(
      memref::SubViewOp::inferResultType(type, offsets, sizes, strides));
  return rw.create<memref::SubViewOp>(loc, resultType, value, offsets, sizes,
                                      strides);
}

/// The [P, 1] column `index` of the [P, K] buffer `carried`.
Value FreeDimTiler::column(Value carried, OpFoldResult index, Location loc) {
  auto type = cast<MemRefType>(carried.getType());
  SmallVector<OpFoldResult> offsets = {rw.getIndexAttr(0), index};
  SmallVector<OpFoldResult> sizes = {rw.getIndexAttr(type.getDimSize(0)),
                                     rw.getIndexAttr(1)};
  SmallVector<OpFoldResult> strides(2, rw.getIndexAttr(1));
  auto viewType = cast<MemRefType>(
      memref::SubViewOp::inferResultType(type, offsets, sizes, strides));
  return rw.create<memref::SubViewOp>(loc, viewType, carried, offsets, sizes,
                                      strides);
}

/// The tile's instance of body buffer `alloc` (created at the insertion
/// point the first time it is needed in a tile).
Value FreeDimTiler::tileBuffer(AllocOp alloc, int64_t size,
                               IRMapping &mapping) {
  if (Value mapped = mapping.lookupOrNull(alloc.getResult()))
    return mapped;
  MemRefType type = alloc.getType();
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = size;
  Attribute space = type.getMemorySpace();
  if (promoted.count(alloc))
    space = MemorySpaceAttr::get(rw.getContext(), MemorySpace::psum);
  auto newType = MemRefType::get(shape, type.getElementType(),
                                 MemRefLayoutAttrInterface(), space);
  auto newAlloc =
      rw.create<AllocOp>(alloc.getLoc(), newType, alloc.getNameAttr());
  mapping.map(alloc.getResult(), newAlloc.getResult());
  return newAlloc;
}

/// What operand `original` of a tiled op becomes in the tile: a per-tile
/// buffer, a slice of a long value, or the (mapped) value itself.
Value FreeDimTiler::tiledOperand(Value original, IRMapping &mapping,
                                 OpFoldResult offset, int64_t size,
                                 Location loc, DenseMap<Value, Value> &slices) {
  Operation *def = original.getDefiningOp();
  if (def && tiledAllocs.count(def))
    return tileBuffer(cast<AllocOp>(def), size, mapping);
  Value mapped = mapping.lookupOrDefault(original);
  if (def && nestedAllocs.count(def))
    return mapped; // already the tile's (and iteration's) instance
  if (!isLong(original))
    return mapped;
  Value &cached = slices[mapped];
  if (cached)
    return cached;
  // A tile's scan writes columns 1 .. size of its carried buffer.
  if (def)
    if (Value carried = carriedBuffers.lookup(def))
      return cached = slice(carried, rw.getIndexAttr(1), size, loc);
  return cached = slice(mapped, offset, size, loc);
}

Value FreeDimTiler::lastColumnOfTile(memref::SubViewOp view, IRMapping &mapping,
                                     int64_t size) {
  Location loc = view.getLoc();
  // A scan directly in the body writes columns 1 .. size of its carried
  // buffer.
  if (Value carried = carriedBuffers.lookup(view.getSource().getDefiningOp()))
    return column(carried, rw.getIndexAttr(size), loc);
  // A scan in a nested loop writes the tile's [P, size] buffer.
  return column(mapping.lookup(view.getSource()), rw.getIndexAttr(size - 1),
                loc);
}

void FreeDimTiler::mapLastColumns(Operation *store, IRMapping &mapping,
                                  int64_t size) {
  for (Value operand : store->getOperands())
    if (auto view = operand.getDefiningOp<memref::SubViewOp>())
      if (lastColumnViews.count(view))
        mapping.map(operand, lastColumnOfTile(view, mapping, size));
}

void FreeDimTiler::emitTile(OpFoldResult offset, int64_t size, bool first,
                            bool last) {
  IRMapping mapping;
  // One slice per (value, tile) and one view per carried column, shared by
  // the ops of the tile.
  DenseMap<Value, Value> slices;
  DenseMap<std::pair<Value, int64_t>, Value> columns;
  auto constantColumn = [&](Value carried, int64_t index, Location loc) {
    Value &cached = columns[{carried, index}];
    if (!cached)
      cached = column(carried, rw.getIndexAttr(index), loc);
    return cached;
  };

  for (Operation *op : tiledOps) {
    if (auto nested = dyn_cast<scf::ForOp>(op)) {
      // The tile's buffers that the loop uses are the tile's, not the
      // iteration's: create them before it.
      nested.walk([&](Operation *inner) {
        for (Value operand : inner->getOperands())
          if (Operation *def = operand.getDefiningOp())
            if (tiledAllocs.count(def))
              tileBuffer(cast<AllocOp>(def), size, mapping);
      });
      emitNestedLoop(nested, mapping, offset, size, first, last);
      continue;
    }
    if (lastTileOps.count(op)) {
      if (!last)
        continue;
      mapLastColumns(op, mapping, size);
    }
    if (auto scan = dyn_cast<TensorTensorScanOp>(op)) {
      Value carried = carriedBuffers.lookup(scan.getDst().getDefiningOp());
      auto tiled = [&](Value v) {
        return tiledOperand(v, mapping, offset, size, scan.getLoc(), slices);
      };
      // In this order (destination first), as the IR has always been built.
      Value dst = tiled(scan.getDst());
      Value initial = constantColumn(carried, 0, scan.getLoc());
      Value data1 = tiled(scan.getData1());
      Value data0 = tiled(scan.getData0());
      rw.create<TensorTensorScanOp>(scan.getLoc(), scan.getOp0Attr(),
                                    scan.getOp1Attr(), data0, data1, initial,
                                    FloatAttr(), dst, scan.getEngineAttr());
      // Carry this tile's last state into column 0 for the next tile (on
      // ScalarE, off the busy VectorE).
      if (!last)
        rw.create<TensorCopyOp>(
            scan.getLoc(), constantColumn(carried, size, scan.getLoc()),
            initial, EngineAttr::get(rw.getContext(), Engine::scalar));
      continue;
    }
    SmallVector<Value> operands;
    for (Value operand : op->getOperands())
      operands.push_back(
          tiledOperand(operand, mapping, offset, size, op->getLoc(), slices));
    Operation *clone = rw.clone(*op);
    clone->setOperands(operands);
  }
}

void FreeDimTiler::emitNestedLoop(scf::ForOp nested, IRMapping &mapping,
                                  OpFoldResult offset, int64_t size, bool first,
                                  bool last) {
  auto newLoop = rw.create<scf::ForOp>(
      nested.getLoc(), mapping.lookupOrDefault(nested.getLowerBound()),
      mapping.lookupOrDefault(nested.getUpperBound()),
      mapping.lookupOrDefault(nested.getStep()));
  newLoop->setDiscardableAttrs(nested->getDiscardableAttrDictionary());
  mapping.map(nested.getInductionVar(), newLoop.getInductionVar());
  OpBuilder::InsertionGuard guard(rw);
  rw.setInsertionPoint(newLoop.getBody()->getTerminator());
  // Slices made in this body are valid in it only.
  DenseMap<Value, Value> slices;
  for (Operation &op : nested.getBody()->without_terminator()) {
    if (auto inner = dyn_cast<scf::ForOp>(op)) {
      emitNestedLoop(inner, mapping, offset, size, first, last);
      continue;
    }
    if (lastColumnViews.count(&op))
      continue; // made by the last tile's store
    if (lastTileOps.count(&op)) {
      if (!last)
        continue;
      mapLastColumns(&op, mapping, size);
    }
    if (auto alloc = dyn_cast<AllocOp>(op)) {
      if (!isLong(alloc.getResult())) {
        rw.clone(op, mapping);
        continue;
      }
      SmallVector<int64_t> shape(alloc.getType().getShape());
      shape.back() = size;
      auto type = MemRefType::get(shape, alloc.getType().getElementType(),
                                  MemRefLayoutAttrInterface(),
                                  alloc.getType().getMemorySpace());
      Value tileAlloc =
          rw.create<AllocOp>(alloc.getLoc(), type, alloc.getNameAttr());
      mapping.map(alloc.getResult(), tileAlloc);
      continue;
    }
    if (auto scan = dyn_cast<TensorTensorScanOp>(op)) {
      const NestedScan *found = nullptr;
      for (const NestedScan &n : nestedScans)
        if (n.scan == scan)
          found = &n;
      if (found) {
        emitNestedScan(*found, mapping, offset, size, first, last, slices);
        continue;
      }
    }
    if (!isa<NkiDialect>(op.getDialect())) {
      rw.clone(op, mapping); // index arithmetic and views
      continue;
    }
    SmallVector<Value> operands;
    for (Value operand : op.getOperands())
      operands.push_back(
          tiledOperand(operand, mapping, offset, size, op.getLoc(), slices));
    Operation *clone = rw.clone(op);
    clone->setOperands(operands);
  }
}

void FreeDimTiler::emitNestedScan(const NestedScan &nested, IRMapping &mapping,
                                  OpFoldResult offset, int64_t size, bool first,
                                  bool last, DenseMap<Value, Value> &slices) {
  TensorTensorScanOp scan = nested.scan;
  Location loc = scan.getLoc();
  // The column of this iteration of the loops around the scan: their
  // normalised induction variables, linearised (innermost fastest).
  Value index;
  int64_t stride = 1;
  for (scf::ForOp l : llvm::reverse(nested.loops)) {
    auto [lb, ub, step] = *getConstantBounds(l);
    Value iv = mapping.lookup(l.getInductionVar());
    Value normalised = iv;
    if (lb != 0)
      normalised = rw.create<arith::SubIOp>(loc, normalised,
                                            getIndexConstant(rw, loop, lb));
    if (step != 1)
      normalised = rw.create<arith::DivUIOp>(loc, normalised,
                                             getIndexConstant(rw, loop, step));
    if (stride != 1)
      normalised = rw.create<arith::MulIOp>(loc, normalised,
                                            getIndexConstant(rw, loop, stride));
    index = index ? rw.create<arith::AddIOp>(loc, index, normalised).getResult()
                  : normalised;
    stride *= (ub - lb + step - 1) / step;
  }
  auto tiled = [&](Value v) {
    return tiledOperand(v, mapping, offset, size, loc, slices);
  };
  Value state = column(nested.carry, index, loc);
  Value dst = tiled(scan.getDst());
  // The first tile starts from the scan's own initial state; the others
  // from the state the tile before left in the carry.
  Value initial = state;
  if (first && scan.getInitial())
    initial = mapping.lookupOrDefault(scan.getInitial());
  rw.create<TensorTensorScanOp>(
      loc, scan.getOp0Attr(), scan.getOp1Attr(), tiled(scan.getData0()),
      tiled(scan.getData1()), initial, FloatAttr(), dst, scan.getEngineAttr());
  if (last)
    return;
  // The tile's last state, for the same iteration of the next tile.
  auto dstType = cast<MemRefType>(dst.getType());
  SmallVector<OpFoldResult> offsets = {rw.getIndexAttr(0),
                                       rw.getIndexAttr(size - 1)};
  SmallVector<OpFoldResult> sizes = {rw.getIndexAttr(dstType.getDimSize(0)),
                                     rw.getIndexAttr(1)};
  SmallVector<OpFoldResult> strides(2, rw.getIndexAttr(1));
  auto lastType = cast<MemRefType>(
      memref::SubViewOp::inferResultType(dstType, offsets, sizes, strides));
  Value lastColumn =
      rw.create<memref::SubViewOp>(loc, lastType, dst, offsets, sizes, strides);
  rw.create<TensorCopyOp>(loc, lastColumn, state,
                          EngineAttr::get(rw.getContext(), Engine::scalar));
}

void FreeDimTiler::createCarriedBuffers(int64_t tileSize) {
  // Scans in the body: [P, 1 + T]. Column 0 holds the state carried into a
  // tile (first the scan's initial value), columns 1.. the tile's scan.
  for (TensorTensorScanOp scan : scans) {
    auto alloc = scan.getDst().getDefiningOp<AllocOp>();
    MemRefType type = alloc.getType();
    auto carriedType = MemRefType::get(
        {type.getDimSize(0), tileSize + 1}, type.getElementType(),
        MemRefLayoutAttrInterface(), type.getMemorySpace());
    Value carried =
        rw.create<AllocOp>(alloc.getLoc(), carriedType, alloc.getNameAttr());
    carriedBuffers[alloc] = carried;
    Value initialColumn = column(carried, rw.getIndexAttr(0), scan.getLoc());
    if (Value initial = scan.getInitial())
      rw.create<TensorCopyOp>(scan.getLoc(), initial, initialColumn,
                              EngineAttr());
    else
      rw.create<MemsetOp>(scan.getLoc(), scan.getInitialImmAttr(),
                          initialColumn, EngineAttr());
  }
  // Scans in nested loops: one column per iteration of the loops around
  // them, [P, K], set to the scan's initial value.
  for (NestedScan &nested : nestedScans) {
    TensorTensorScanOp scan = nested.scan;
    int64_t columns = 1;
    for (scf::ForOp l : nested.loops) {
      auto [lb, ub, step] = *getConstantBounds(l);
      columns *= (ub - lb + step - 1) / step;
    }
    auto dstType = scan.getDst().getType();
    auto type = MemRefType::get(
        {dstType.getDimSize(0), columns}, rw.getF32Type(),
        MemRefLayoutAttrInterface(),
        MemorySpaceAttr::get(rw.getContext(), MemorySpace::sbuf));
    auto alloc = scan.getDst().getDefiningOp<AllocOp>();
    std::string carryName =
        (alloc.getName() ? alloc.getName()->str() : std::string("scan")) +
        "_carry";
    nested.carry =
        rw.create<AllocOp>(scan.getLoc(), type, rw.getStringAttr(carryName));
    // A scan that starts from a value: the first tile writes the carry
    // before any tile reads it.
    if (!scan.getInitial())
      rw.create<MemsetOp>(scan.getLoc(), scan.getInitialImmAttr(), nested.carry,
                          EngineAttr());
  }
}
