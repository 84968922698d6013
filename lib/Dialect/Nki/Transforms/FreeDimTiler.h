//===- FreeDimTiler.h - the plan of nki-tile-free-dim ------------*- C++
//-*-===//
//
// Private to the nki Transforms library: the state of one application of
// tileFreeDim (Transforms.h), split over TileFreeDim.cpp (legality and the
// pass), TileFreeDimEmit.cpp (building the tile loop) and
// TileFreeDimPsum.cpp (moving tiles to PSUM within its banks).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_DIALECT_NKI_TRANSFORMS_FREEDIMTILER_H
#define MAMBA_NKI_LIB_DIALECT_NKI_TRANSFORMS_FREEDIMTILER_H

#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Dialect/Nki/Transforms/Transforms.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace mlir {
namespace nki {

/// A scan inside a loop nested in the tiled body: its state is carried from
/// tile to tile in one column per iteration of the loops around it.
struct NestedScan {
  TensorTensorScanOp scan;
  /// The loops from the tiled body down to the scan, outermost first.
  SmallVector<scf::ForOp> loops;
  /// [P, product of the loops' trip counts], allocated before the tile
  /// loop.
  Value carry;
};

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
  /// Whether `op` is a buffer that each tile (and, in a nested loop, each
  /// iteration of it) gets a private instance of.
  bool isPrivateBuffer(Operation *op) const {
    return op && (tiledAllocs.count(op) || carriedAllocs.count(op) ||
                  nestedAllocs.count(op));
  }

  // Analysis (TileFreeDim.cpp).
  LogicalResult findLength();
  LogicalResult classify();
  LogicalResult classifyNestedLoop(scf::ForOp nested,
                                   SmallVector<scf::ForOp> &chain);
  LogicalResult checkDependences();
  LogicalResult checkBroadcastRow(Operation *op);
  /// Whether `user` of the scan buffer `alloc` is a view of its last
  /// column [P, 1] read only by stores (the state after the last step);
  /// records the view and its stores.
  bool isLastColumnView(Operation *user, AllocOp alloc, Operation *scope);

  // PSUM (TileFreeDimPsum.cpp).
  void choosePsumPromotions();
  int64_t psumPeakBanks(Operation *&at);
  int positionOf(Operation *user);

  // Emission (TileFreeDimEmit.cpp).
  Value slice(Value value, OpFoldResult offset, int64_t size, Location loc);
  Value column(Value carried, OpFoldResult index, Location loc);
  Value tileBuffer(AllocOp alloc, int64_t size, IRMapping &mapping);
  Value tiledOperand(Value original, IRMapping &mapping, OpFoldResult offset,
                     int64_t size, Location loc,
                     DenseMap<Value, Value> &slices);
  void emitTile(OpFoldResult offset, int64_t size, bool first, bool last);
  void emitNestedLoop(scf::ForOp nested, IRMapping &mapping,
                      OpFoldResult offset, int64_t size, bool first, bool last);
  void emitNestedScan(const NestedScan &nested, IRMapping &mapping,
                      OpFoldResult offset, int64_t size, bool first, bool last,
                      DenseMap<Value, Value> &slices);
  /// The last tile's view of a last-column view: column `size` of a carried
  /// buffer, or column size - 1 of the tile's buffer.
  Value lastColumnOfTile(memref::SubViewOp view, IRMapping &mapping,
                         int64_t size);
  /// In the last tile, maps the last-column views that `store` reads to
  /// that tile's last column.
  void mapLastColumns(Operation *store, IRMapping &mapping, int64_t size);
  void createCarriedBuffers(int64_t tileSize);

  RewriterBase &rw;
  scf::ForOp loop;
  int64_t requestedTileSize;
  StringRef name;
  Declined *declined;
  Notes *notes;

  int64_t length = 0;
  SmallVector<TensorTensorScanOp> scans;     // directly in the body
  SmallVector<NestedScan> nestedScans;       // in loops nested in the body
  llvm::SetVector<Operation *> tiledOps;     // engine/DMA ops and loops
  llvm::SetVector<Operation *> tiledAllocs;  // body buffers that shrink
  llvm::SetVector<Operation *> nestedAllocs; // buffers of nested loops
  DenseMap<Operation *, TensorTensorScanOp> carriedAllocs; // scan buffers
  DenseMap<Operation *, Value> carriedBuffers; // old alloc -> [P, 1 + L]
  llvm::SetVector<Operation *> promoted;       // tiled allocs moved to PSUM
  SmallVector<Operation *> movedBefore;        // pure/staying ops to hoist
  /// Views of a scan buffer's last column and the stores that read them:
  /// they run in the last tile only, on its last column.
  llvm::SetVector<Operation *> lastColumnViews, lastTileOps;
  /// A nested scan starts from a value (not an immediate): the first tile
  /// is emitted on its own and starts from it.
  bool nestedInitialValues = false;
  /// A dependence from a tile to a later tile: the tile loop is sequential.
  bool orderedTiles = false;
};

} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_LIB_DIALECT_NKI_TRANSFORMS_FREEDIMTILER_H
