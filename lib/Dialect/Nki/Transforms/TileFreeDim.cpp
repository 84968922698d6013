//===- TileFreeDim.cpp - tile the free dimension, carrying scans ----------===//
//
// The v3 step of the Fused Mamba tutorial as a general transformation: the
// ops of a loop body that work on a free dimension of length L are cloned
// into a loop over tiles of that dimension (plus a remainder tile), buffers
// local to the body shrink to one tile, other buffers are sliced, and scans
// carry their state from tile to tile through a [P, 1] column.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Dialect/Nki/IR/NkiUtils.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"

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

namespace {

/// The plan for one loop body.
class FreeDimTiler {
public:
  FreeDimTiler(RewriterBase &rewriter, scf::ForOp loop, int64_t tileSize,
               StringRef name, Declined *declined)
      : rw(rewriter), loop(loop), requestedTileSize(tileSize), name(name),
        declined(declined) {}

  FailureOr<scf::ForOp> run();

private:
  LogicalResult fail(Operation *op, const Twine &reason) {
    return decline(declined, op, reason);
  }

  /// Whether `value` is a memref whose last dim is the tiled length.
  bool isLong(Value value) const {
    auto type = dyn_cast<MemRefType>(value.getType());
    return type && type.getRank() >= 2 &&
           type.getDimSize(type.getRank() - 1) == length;
  }

  LogicalResult findLength();
  LogicalResult classify();
  void choosePsumPromotions();
  Value slice(Value value, OpFoldResult offset, int64_t size, Location loc);
  void emitTile(OpFoldResult offset, int64_t size, bool last);

  RewriterBase &rw;
  scf::ForOp loop;
  int64_t requestedTileSize;
  StringRef name;
  Declined *declined;

  int64_t length = 0;
  SmallVector<TensorTensorScanOp> scans;
  llvm::SetVector<Operation *> tiledOps;    // engine/DMA ops, in order
  llvm::SetVector<Operation *> tiledAllocs; // body buffers that shrink
  DenseMap<Operation *, TensorTensorScanOp> carriedAllocs; // scan buffers
  DenseMap<Operation *, Value> carriedBuffers; // old alloc -> [P, 1 + L]
  llvm::SetVector<Operation *> promoted;       // tiled allocs moved to PSUM
  SmallVector<Operation *> movedBefore;        // pure/staying ops to hoist
};

} // namespace

LogicalResult FreeDimTiler::findLength() {
  WalkResult nested = loop.getBody()->walk([&](TensorTensorScanOp scan) {
    if (scan->getBlock() != loop.getBody())
      return WalkResult::interrupt();
    scans.push_back(scan);
    return WalkResult::advance();
  });
  if (nested.wasInterrupted())
    return fail(loop, "cannot tile the free dim of this loop: a "
                      "tensor_tensor_scan sits in a nested loop, so its "
                      "carried state would need one column per iteration of "
                      "that loop; tile inside it");
  for (TensorTensorScanOp scan : scans) {
    int64_t scanLength = scan.getData0().getType().getDimSize(1);
    if (length && scanLength != length)
      return fail(scan, "cannot tile the free dim: the loop's scans have "
                        "different lengths");
    length = scanLength;
  }
  if (!length) {
    for (Operation &op : loop.getBody()->without_terminator()) {
      if (!isa<NkiDialect>(op.getDialect()) || isa<AllocOp>(op))
        continue;
      for (Value operand : op.getOperands())
        if (auto type = dyn_cast<MemRefType>(operand.getType()))
          if (type.getRank() >= 2)
            length = std::max(length, type.getDimSize(type.getRank() - 1));
    }
  }
  if (length <= 1)
    return fail(loop, "cannot tile the free dim: nothing in the loop body "
                      "has a free dim longer than 1");
  return success();
}

LogicalResult FreeDimTiler::classify() {
  Block *body = loop.getBody();
  DenseMap<Value, Operation *> scanOfBuffer;
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

  Operation *firstTiled = nullptr;
  for (Operation &op : body->without_terminator()) {
    if (auto alloc = dyn_cast<AllocOp>(op)) {
      if (!isLong(alloc.getResult())) {
        if (firstTiled)
          movedBefore.push_back(&op); // stays outside the tile loop
        continue;
      }
      for (Operation *user : alloc->getUsers())
        if (user->getBlock() != body || !isa<NkiDialect>(user->getDialect()) ||
            isa<AllocOp>(user))
          return fail(user, "cannot tile the free dim: buffer " +
                                describeView(alloc.getResult()).rootName() +
                                " is used through a view or by an op "
                                "that is not directly in the loop body");
      if (!carriedAllocs.count(alloc))
        tiledAllocs.insert(alloc);
      continue;
    }
    if (op.getNumRegions() != 0) {
      bool touchesLong = false;
      op.walk([&](Operation *inner) {
        for (Value operand : inner->getOperands())
          touchesLong |= isLong(operand);
      });
      if (touchesLong)
        return fail(
            &op, "cannot tile the free dim of this loop: " + describeOp(&op) +
                     " in its body works on the free dim; tile "
                     "inside it");
      if (firstTiled)
        movedBefore.push_back(&op);
      continue;
    }
    if (isPure(&op)) {
      for (Value operand : op.getOperands())
        if (Operation *def = operand.getDefiningOp())
          if (tiledAllocs.count(def) || carriedAllocs.count(def))
            return fail(&op, "cannot tile the free dim: " + describeOp(&op) +
                                 " takes a view of a buffer that is tiled");
      if (firstTiled)
        movedBefore.push_back(&op);
      continue;
    }
    if (!isa<MemoryEffectOpInterface>(op))
      return fail(&op, "cannot tile the free dim: " + describeOp(&op) +
                           " has unknown effects");
    bool tiled =
        llvm::any_of(op.getOperands(), [&](Value v) { return isLong(v); });
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

  // Tiling interleaves the ops tile by tile. That is legal when every tiled
  // op writes only what is sliced with the tile, and reads unsliced operands
  // that no tiled op writes.
  SmallVector<Access> tiledAccesses;
  for (Operation *op : tiledOps)
    collectAccesses(op, tiledAccesses);
  for (const Access &access : tiledAccesses) {
    if (access.isWrite && !isLong(access.view))
      return fail(access.op,
                  "cannot tile the free dim: " + describeOp(access.op) +
                      " writes " + access.rootName() +
                      " in a way that is not sliced by the tile "
                      "(a dependence across tiles)");
    if (!access.isWrite && !isLong(access.view))
      for (const Access &other : tiledAccesses)
        if (other.isWrite && mayConflict(access, other))
          return fail(access.op,
                      "cannot tile the free dim: " + describeOp(access.op) +
                          " reads part of " + access.rootName() +
                          " that a tiled op writes, across tiles");
  }
  // Ops that stay outside the tile loop but come after a tiled op move
  // before the tile loop, above the tiled ops that preceded them: they must
  // not depend on those.
  for (Operation *staying : movedBefore) {
    if (isPure(staying))
      continue;
    SmallVector<Access> stayingAccesses;
    collectAccesses(staying, stayingAccesses);
    for (const Access &b : tiledAccesses) {
      if (!b.op->isBeforeInBlock(staying))
        continue;
      for (const Access &a : stayingAccesses)
        if (mayConflict(a, b))
          return fail(a.op, "cannot tile the free dim: " + describeOp(a.op) +
                                " stays outside the tile loop but depends on " +
                                describeOp(b.op) + ", which is tiled");
    }
  }
  return success();
}

/// Tiled SBUF buffers move to PSUM when a tile fits one bank and that makes
/// a reader cheaper: a tensor_tensor whose other input is in SBUF then reads
/// one PSUM input, at N cycles instead of 2N (FACTS §3). The buffer must be
/// written once (by a partition broadcast or a non-GpSimdE engine op) and
/// every reader must accept a PSUM operand.
void FreeDimTiler::choosePsumPromotions() {
  int64_t tileSize = std::min(requestedTileSize, length);
  auto inPsum = [&](Value v) {
    Operation *def = v.getDefiningOp();
    return getMemorySpace(cast<MemRefType>(v.getType())) == MemorySpace::psum ||
           (def && promoted.count(def));
  };
  for (Operation *op : tiledAllocs) {
    auto alloc = cast<AllocOp>(op);
    Value buffer = alloc.getResult();
    MemRefType type = alloc.getType();
    if (getMemorySpace(type) != MemorySpace::sbuf || type.getRank() != 2 ||
        !type.getElementType().isF32() || tileSize * 4 > kPsumBankBytes)
      continue;
    bool ok = true, cheaper = false;
    int writers = 0;
    for (Operation *user : alloc->getUsers()) {
      auto engineOp = dyn_cast<EngineOpInterface>(user);
      if (!engineOp || engineOp.getEffectiveEngine() == Engine::gpsimd) {
        ok = false;
        continue;
      }
      bool writes = false;
      if (auto bcast = dyn_cast<PartitionBroadcastOp>(user)) {
        writes = bcast.getDst() == buffer;
        ok &= writes;
      } else if (auto tt = dyn_cast<TensorTensorOp>(user)) {
        writes = tt.getDst() == buffer;
        bool reads = tt.getLhs() == buffer || tt.getRhs() == buffer;
        if (reads) {
          Value other = tt.getLhs() == buffer ? tt.getRhs() : tt.getLhs();
          ok &= other != buffer && !inPsum(other);
          cheaper |= other != buffer && !inPsum(other);
        }
        if (writes && !reads)
          ok &= !(inPsum(tt.getLhs()) && inPsum(tt.getRhs()));
      } else if (auto act = dyn_cast<ActivationOp>(user)) {
        writes = act.getDst() == buffer;
      } else if (auto copy = dyn_cast<TensorCopyOp>(user)) {
        writes = copy.getDst() == buffer;
      } else if (auto ts = dyn_cast<TensorScalarOp>(user)) {
        writes = ts.getDst() == buffer;
      } else {
        ok = false; // scans, DMAs: keep in SBUF
      }
      writers += writes;
    }
    if (ok && cheaper && writers == 1)
      promoted.insert(op);
  }
}

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

void FreeDimTiler::emitTile(OpFoldResult offset, int64_t size, bool last) {
  // A tile's scan writes columns 1 .. size of its carried buffer.
  OpFoldResult dataOffset = rw.getIndexAttr(1);

  // Per-tile buffers, created right before their first use.
  IRMapping mapping;
  auto tileBuffer = [&](Operation *op) -> Value {
    auto alloc = cast<AllocOp>(op);
    if (Value mapped = mapping.lookupOrNull(alloc.getResult()))
      return mapped;
    MemRefType type = alloc.getType();
    SmallVector<int64_t> shape(type.getShape());
    shape.back() = size;
    Attribute space = type.getMemorySpace();
    if (promoted.count(op))
      space = MemorySpaceAttr::get(rw.getContext(), MemorySpace::psum);
    auto newType = MemRefType::get(shape, type.getElementType(),
                                   MemRefLayoutAttrInterface(), space);
    auto newAlloc =
        rw.create<AllocOp>(alloc.getLoc(), newType, alloc.getNameAttr());
    mapping.map(alloc.getResult(), newAlloc.getResult());
    return newAlloc;
  };

  // One slice per (value, tile) and one view per carried column, shared by
  // the ops of the tile.
  DenseMap<Value, Value> slices;
  DenseMap<std::pair<Value, int64_t>, Value> columns;
  auto tileOf = [&](Value original, Location opLoc) -> Value {
    if (Operation *def = original.getDefiningOp())
      if (tiledAllocs.count(def))
        return tileBuffer(def);
    if (!isLong(original))
      return original;
    Value &cached = slices[original];
    if (cached)
      return cached;
    if (Operation *def = original.getDefiningOp())
      if (Value carried = carriedBuffers.lookup(def))
        return cached = slice(carried, dataOffset, size, opLoc);
    return cached = slice(original, offset, size, opLoc);
  };

  for (Operation *op : tiledOps) {
    if (auto scan = dyn_cast<TensorTensorScanOp>(op)) {
      Value carried = carriedBuffers.lookup(scan.getDst().getDefiningOp());
      auto carriedType = cast<MemRefType>(carried.getType());
      int64_t partitions = carriedType.getDimSize(0);
      auto column = [&](int64_t index) -> Value {
        Value &cached = columns[{carried, index}];
        if (cached)
          return cached;
        SmallVector<OpFoldResult> offsets = {rw.getIndexAttr(0),
                                             rw.getIndexAttr(index)};
        SmallVector<OpFoldResult> sizes = {rw.getIndexAttr(partitions),
                                           rw.getIndexAttr(1)};
        SmallVector<OpFoldResult> strides(2, rw.getIndexAttr(1));
        auto type = cast<MemRefType>(memref::SubViewOp::inferResultType(
            carriedType, offsets, sizes, strides));
        return cached = rw.create<memref::SubViewOp>(
                   scan.getLoc(), type, carried, offsets, sizes, strides);
      };
      rw.create<TensorTensorScanOp>(
          scan.getLoc(), scan.getOp0Attr(), scan.getOp1Attr(),
          tileOf(scan.getData0(), scan.getLoc()),
          tileOf(scan.getData1(), scan.getLoc()), column(0), FloatAttr(),
          tileOf(scan.getDst(), scan.getLoc()), scan.getEngineAttr());
      // Carry this tile's last state into column 0 for the next tile (on
      // ScalarE, off the busy VectorE).
      if (!last)
        rw.create<TensorCopyOp>(
            scan.getLoc(), column(size), column(0),
            EngineAttr::get(rw.getContext(), Engine::scalar));
      continue;
    }
    SmallVector<Value> operands;
    for (Value operand : op->getOperands())
      operands.push_back(tileOf(operand, op->getLoc()));
    Operation *clone = rw.clone(*op);
    clone->setOperands(operands);
  }
}

FailureOr<scf::ForOp> FreeDimTiler::run() {
  if (requestedTileSize < 1)
    return fail(loop, "cannot tile the free dim: tile size must be at least 1");
  if (failed(findLength()) || failed(classify()))
    return failure();
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

  // Scan buffers: [P, 1 + T]. Column 0 holds the state carried into a tile
  // (first the scan's initial value), columns 1.. the tile's scan.
  for (auto &[op, scan] : carriedAllocs) {
    auto alloc = cast<AllocOp>(op);
    MemRefType type = alloc.getType();
    auto carriedType = MemRefType::get(
        {type.getDimSize(0), tileSize + 1}, type.getElementType(),
        MemRefLayoutAttrInterface(), type.getMemorySpace());
    Value carried =
        rw.create<AllocOp>(alloc.getLoc(), carriedType, alloc.getNameAttr());
    carriedBuffers[op] = carried;
    SmallVector<OpFoldResult> offsets(2, rw.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes = {rw.getIndexAttr(type.getDimSize(0)),
                                       rw.getIndexAttr(1)};
    SmallVector<OpFoldResult> strides(2, rw.getIndexAttr(1));
    auto columnType = cast<MemRefType>(memref::SubViewOp::inferResultType(
        carriedType, offsets, sizes, strides));
    Value column = rw.create<memref::SubViewOp>(
        scan.getLoc(), columnType, carried, offsets, sizes, strides);
    if (Value initial = scan.getInitial())
      rw.create<TensorCopyOp>(scan.getLoc(), initial, column, EngineAttr());
    else
      rw.create<MemsetOp>(scan.getLoc(), scan.getInitialImmAttr(), column,
                          EngineAttr());
  }

  auto index = [&](int64_t v) { return getIndexConstant(rw, loop, v); };
  auto tileLoop =
      rw.create<scf::ForOp>(loc, index(0), index(fullTiles), index(1));
  tileLoop->setAttr("nki.loop", rw.getStringAttr(name));
  tileLoop->setAttr(
      "nki.kind",
      rw.getStringAttr(carriedAllocs.empty() ? "affine" : "sequential"));
  {
    OpBuilder::InsertionGuard guard(rw);
    rw.setInsertionPoint(tileLoop.getBody()->getTerminator());
    Value offset = rw.create<arith::MulIOp>(loc, tileLoop.getInductionVar(),
                                            index(tileSize));
    emitTile(offset, tileSize, /*last=*/false);
  }
  if (remainder > 0)
    emitTile(rw.getIndexAttr(fullTiles * tileSize), remainder, /*last=*/true);

  for (Operation *op : llvm::reverse(tiledOps))
    rw.eraseOp(op);
  for (Operation *op : tiledAllocs)
    rw.eraseOp(op);
  for (auto &entry : carriedAllocs)
    rw.eraseOp(entry.first);
  return tileLoop;
}

FailureOr<scf::ForOp> mlir::nki::tileFreeDim(RewriterBase &rewriter,
                                             scf::ForOp loop, int64_t tileSize,
                                             StringRef tileLoopName,
                                             Declined *declined) {
  OpBuilder::InsertionGuard guard(rewriter);
  return FreeDimTiler(rewriter, loop, tileSize, tileLoopName, declined).run();
}

namespace {
struct NkiTileFreeDimPass
    : public nki::impl::NkiTileFreeDimBase<NkiTileFreeDimPass> {
  using Base::Base;
  void runOnOperation() override {
    llvm::SetVector<Operation *> targets;
    if (!loop.empty()) {
      getOperation()->walk([&](scf::ForOp forOp) {
        if (getLoopName(forOp) == loop)
          targets.insert(forOp);
      });
    } else {
      getOperation()->walk([&](TensorTensorScanOp scan) {
        if (auto forOp = scan->getParentOfType<scf::ForOp>())
          targets.insert(forOp);
      });
    }
    IRRewriter rewriter(&getContext());
    for (Operation *target : targets) {
      Declined declined;
      if (failed(tileFreeDim(rewriter, cast<scf::ForOp>(target), tileSize,
                             tileLoopName, &declined)) &&
          declined.op)
        declined.op->emitRemark() << declined.reason;
    }
  }
};
} // namespace
