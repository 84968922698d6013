//===- TileFreeDimPsum.cpp - tiles that move to PSUM, within its banks ----===//

#include "FreeDimTiler.h"
#include "PsumPlacement.h"

#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiTarget.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace mlir::nki;

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
    forEachUserThroughViews(alloc.getResult(), [&](Operation *user) {
      int position = positionOf(user);
      before |= position <= 0;
      after |= position >= 0;
    });
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
    if (!isPsumCandidate(alloc, inPsum))
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
