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

namespace {

/// The plan for one loop body.
class FreeDimTiler {
public:
  FreeDimTiler(RewriterBase &rewriter, scf::ForOp loop, int64_t tileSize,
               StringRef name, Declined *declined, Notes *notes)
      : rw(rewriter), loop(loop), requestedTileSize(tileSize), name(name),
        declined(declined), notes(notes) {}

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
  int64_t psumPeakBanks(Operation *&at);
  int positionOf(Operation *user);
  Value slice(Value value, OpFoldResult offset, int64_t size, Location loc);
  void emitTile(OpFoldResult offset, int64_t size, bool last);

  RewriterBase &rw;
  scf::ForOp loop;
  int64_t requestedTileSize;
  StringRef name;
  Declined *declined;
  Notes *notes;

  int64_t length = 0;
  SmallVector<TensorTensorScanOp> scans;
  llvm::SetVector<Operation *> tiledOps;    // engine/DMA ops, in order
  llvm::SetVector<Operation *> tiledAllocs; // body buffers that shrink
  DenseMap<Operation *, TensorTensorScanOp> carriedAllocs; // scan buffers
  DenseMap<Operation *, Value> carriedBuffers; // old alloc -> [P, 1 + L]
  llvm::SetVector<Operation *> promoted;       // tiled allocs moved to PSUM
  SmallVector<Operation *> movedBefore;        // pure/staying ops to hoist
  /// A dependence from a tile to a later tile: the tile loop is sequential.
  bool orderedTiles = false;
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

  // Tiling interleaves the ops tile by tile: op a's tile i then runs
  // before op b's tile j whenever i < j, even if b came first in the body.
  // Buffers allocated per tile are private to it. For everything else
  // (arguments, buffers from outside the body), every pair of accesses with
  // a write must keep its order: an unsliced write is a dependence across
  // tiles, an unsliced read must not see a tiled write, and two sliced
  // accesses must touch the same elements only in the same tile, or in a
  // later tile of the later op (then the tiles must run in order).
  SmallVector<Access> tiledAccesses;
  for (Operation *op : tiledOps)
    collectAccesses(op, tiledAccesses);
  auto isPrivate = [&](const Access &access) {
    Operation *def = access.root ? access.root.getDefiningOp() : nullptr;
    return def && (tiledAllocs.count(def) || carriedAllocs.count(def));
  };
  for (const Access &access : tiledAccesses) {
    if (isPrivate(access))
      continue;
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
  for (size_t i = 0; i < tiledAccesses.size(); ++i) {
    const Access &a = tiledAccesses[i];
    if (isPrivate(a) || !isLong(a.view))
      continue;
    for (size_t j = i; j < tiledAccesses.size(); ++j) {
      const Access &b = tiledAccesses[j];
      if (isPrivate(b) || !isLong(b.view))
        continue;
      switch (tileDependence(a, b)) {
      case TileDependence::none:
      case TileDependence::sameTile:
        continue;
      case TileDependence::forward:
        orderedTiles = true;
        continue;
      case TileDependence::unknown:
        break;
      }
      auto verb = [](const Access &x) {
        return x.isWrite ? "writes" : "reads";
      };
      if (a.op == b.op)
        return fail(a.op, "cannot tile the free dim: " + describeOp(a.op) +
                              " reads and writes " + a.rootName() +
                              " at overlapping but different elements, so "
                              "its tiles would see each other's results");
      return fail(b.op, "cannot tile the free dim: " + describeOp(b.op) + " " +
                            verb(b) + " " + b.rootName() + " where " +
                            describeOp(a.op) + " before it " + verb(a) +
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

/// Where `user` runs relative to the tiled ops: -1 before the first, 0
/// among them, 1 after the last (in program order).
int FreeDimTiler::positionOf(Operation *user) {
  Operation *first = tiledOps.front(), *last = tiledOps.back();
  Block *block = loop.getBody();
  Operation *anchorFirst = first, *anchorLast = last;
  while (block) {
    if (Operation *ancestor = block->findAncestorOpInBlock(*user)) {
      if (ancestor->isBeforeInBlock(anchorFirst))
        return -1;
      if (anchorLast->isBeforeInBlock(ancestor))
        return 1;
      return 0;
    }
    Operation *parent = block->getParentOp();
    if (!parent || !parent->getBlock())
      return 0;
    anchorFirst = anchorLast = parent;
    block = parent->getBlock();
  }
  return 0;
}

/// PSUM banks (2 KiB per partition) of one instance of `type`.
static int64_t psumBanks(MemRefType type) {
  int64_t bytes = type.getElementTypeBitWidth() / 8;
  for (int64_t d : type.getShape().drop_front())
    bytes *= d;
  return (bytes + kPsumBankBytes - 1) / kPsumBankBytes;
}

/// The most PSUM banks live at once during a tile, with the current
/// promotions, as the backend allocates them: a buffer instance from its
/// first to its last use, a buffer from outside the tile for the whole tile
/// loop, and one bank while a broadcast into SBUF stages a chunk in PSUM.
/// Returns -1 when a buffer of several banks is live (the bank count would
/// not be enough to exclude fragmentation); `at` is the op at the peak.
int64_t FreeDimTiler::psumPeakBanks(Operation *&at) {
  auto isPsum = [](MemRefType type) {
    return getMemorySpace(type) == MemorySpace::psum;
  };
  SmallVector<int64_t> live(tiledOps.size(), 0);
  int64_t throughout = 0;
  bool multiBank = false;
  // Buffers of one tile.
  for (Operation *op : tiledAllocs) {
    auto alloc = cast<AllocOp>(op);
    if (!isPsum(alloc.getType()) && !promoted.count(op))
      continue;
    int64_t first = -1, last = -1;
    for (auto [index, tiled] : llvm::enumerate(tiledOps))
      if (llvm::is_contained(tiled->getOperands(), alloc.getResult())) {
        if (first < 0)
          first = int64_t(index);
        last = int64_t(index);
      }
    if (first < 0)
      continue;
    SmallVector<int64_t> shape(alloc.getType().getShape());
    shape.back() = std::min(requestedTileSize, length);
    int64_t banks = psumBanks(MemRefType::get(
        shape, alloc.getType().getElementType(), MemRefLayoutAttrInterface(),
        alloc.getType().getMemorySpace()));
    multiBank |= banks > 1;
    for (int64_t k = first; k <= last; ++k)
      live[k] += banks;
  }
  // Buffers that outlive a tile: the scans' carried buffers, and PSUM
  // buffers from outside the tiled ops used both before-or-in and
  // in-or-after them.
  loop->getParentOfType<FunctionOpInterface>()->walk([&](AllocOp alloc) {
    if (!isPsum(alloc.getType()) || tiledAllocs.count(alloc))
      return;
    bool before = false, after = false;
    SmallVector<Value> worklist = {alloc.getResult()};
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      for (Operation *user : v.getUsers()) {
        if (auto view = dyn_cast<memref::SubViewOp>(user)) {
          worklist.push_back(view.getResult());
          continue;
        }
        int position = positionOf(user);
        before |= position <= 0;
        after |= position >= 0;
      }
    }
    if (carriedAllocs.count(alloc) || (before && after)) {
      int64_t banks = psumBanks(alloc.getType());
      multiBank |= banks > 1;
      throughout += banks;
    }
  });
  if (multiBank)
    return -1;
  int64_t peak = throughout;
  at = tiledOps.front();
  for (auto [index, op] : llvm::enumerate(tiledOps)) {
    int64_t banks = live[index] + throughout;
    if (auto bcast = dyn_cast<PartitionBroadcastOp>(op)) {
      Operation *def = bcast.getDst().getDefiningOp();
      bool toPsum = isPsum(cast<MemRefType>(bcast.getDst().getType())) ||
                    (def && promoted.count(def));
      if (!toPsum)
        banks += 1; // the chunk staged in PSUM
    }
    if (banks > peak) {
      peak = banks;
      at = op;
    }
  }
  return peak;
}

/// Tiled SBUF buffers move to PSUM when a tile fits one bank and that makes
/// a reader cheaper: a tensor_tensor whose other input is in SBUF then reads
/// one PSUM input, at N cycles instead of 2N (docs/hardware.md §3). The
/// buffer must be written once (by a partition broadcast or a non-GpSimdE
/// engine op) and every reader must accept a PSUM operand. Buffers are
/// promoted in program order while the banks live at once stay within the
/// 8 of PSUM; the others stay in SBUF, with a note.
void FreeDimTiler::choosePsumPromotions() {
  int64_t tileSize = std::min(requestedTileSize, length);
  auto inPsum = [&](Value v) {
    Operation *def = v.getDefiningOp();
    return getMemorySpace(cast<MemRefType>(v.getType())) == MemorySpace::psum ||
           (def && promoted.count(def));
  };
  const int64_t bankBudget = kPsumPartitionBytes / kPsumBankBytes;
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
    if (!ok || !cheaper || writers != 1)
      continue;
    promoted.insert(op);
    Operation *at = nullptr;
    int64_t peak = psumPeakBanks(at);
    if (peak >= 0 && peak <= bankBudget)
      continue;
    promoted.remove(op);
    if (!notes)
      continue;
    std::string reason =
        peak < 0 ? std::string("a PSUM buffer of several banks is live in "
                               "the tile")
                 : "moving it too would need " + std::to_string(peak) +
                       " of the " + std::to_string(bankBudget) +
                       " PSUM banks at once (at " + describeOp(at) + ")";
    notes->emplace_back(op->getLoc(), "tiling keeps " +
                                          describeView(buffer).rootName() +
                                          " in SBUF: " + reason);
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
  tileLoop->setAttr("nki.kind",
                    rw.getStringAttr(carriedAllocs.empty() && !orderedTiles
                                         ? "affine"
                                         : "sequential"));
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
      getOperation()->emitError()
          << "nki-tile-free-dim: tile-size must be at least 1, got "
          << int64_t(tileSize);
      return signalPassFailure();
    }
    if (tileLoopName.empty()) {
      getOperation()->emitError()
          << "nki-tile-free-dim: name (of the tile loop) must not be empty";
      return signalPassFailure();
    }
    llvm::SetVector<Operation *> targets;
    if (!loop.empty()) {
      getOperation()->walk([&](scf::ForOp forOp) {
        if (getLoopName(forOp) == loop)
          targets.insert(forOp);
      });
      if (targets.empty()) {
        getOperation()->emitError()
            << "nki-tile-free-dim: no loop is named '" << loop
            << "' (option loop=" << loop << "); the loops here are named "
            << listLoopNames(getOperation());
        return signalPassFailure();
      }
    } else {
      getOperation()->walk([&](TensorTensorScanOp scan) {
        if (auto forOp = scan->getParentOfType<scf::ForOp>())
          targets.insert(forOp);
      });
    }
    IRRewriter rewriter(&getContext());
    for (Operation *target : targets) {
      Declined declined;
      Notes notes;
      if (failed(tileFreeDim(rewriter, cast<scf::ForOp>(target), tileSize,
                             tileLoopName, &declined, &notes)) &&
          declined.op)
        declined.op->emitRemark() << declined.reason;
      for (auto &[loc, text] : notes)
        emitRemark(loc) << text;
    }
  }
};
} // namespace
