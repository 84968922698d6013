//===- CheckCapacity.cpp - every instruction's operands fit SBUF ----------===//
//
// The necessary condition the backend's allocator needs for every
// instruction: its SBUF operands resident at once. Whole-program questions
// (how much is live, what spills) are the backend's.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Dialect/Nki/IR/NkiTarget.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"

#include "llvm/ADT/MapVector.h"

namespace mlir {
namespace nki {
#define GEN_PASS_DEF_NKICHECKCAPACITY
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h.inc"
} // namespace nki
} // namespace mlir

using namespace mlir;
using namespace mlir::nki;

/// Bytes per partition the backend must hold for `access` of an SBUF
/// buffer: one block of a [P, blocks, ...] buffer when the access stays in
/// one block, else the whole buffer.
static int64_t residentBytes(const Access &access, MemRefType rootType) {
  int64_t whole = getFreeBytes(rootType);
  if (rootType.getRank() < 3 || !access.exact || access.offsets.size() < 2 ||
      access.sizes[1] != 1)
    return whole;
  return getBlockBytes(rootType);
}

namespace {
struct NkiCheckCapacityPass
    : public nki::impl::NkiCheckCapacityBase<NkiCheckCapacityPass> {
  void runOnOperation() override {
    bool failedAny = false;
    getOperation()->walk([&](Operation *op) {
      if (!isa<NkiDialect>(op->getDialect()) || isa<AllocOp>(op))
        return;
      SmallVector<Access> accesses;
      collectAccesses(op, accesses);
      llvm::MapVector<Value, std::pair<int64_t, std::string>> buffers;
      for (const Access &access : accesses) {
        auto alloc =
            access.root ? access.root.getDefiningOp<AllocOp>() : AllocOp();
        if (!alloc || getMemorySpace(alloc.getType()) != MemorySpace::sbuf)
          continue;
        auto &entry = buffers[access.root];
        entry.first =
            std::max(entry.first, residentBytes(access, alloc.getType()));
        entry.second = access.rootName();
      }
      int64_t total = 0;
      for (auto &[root, entry] : buffers)
        total += entry.first;
      const TargetInfo &info = getTargetInfo(getTarget(op));
      if (total <= info.sbufPartitionBytes)
        return;
      failedAny = true;
      std::string parts;
      for (auto &[root, entry] : buffers)
        parts += (parts.empty() ? "" : ", ") + entry.second + " " +
                 std::to_string(entry.first);
      op->emitError() << "'" << op->getName() << "' needs " << total
                      << " bytes of SBUF per partition at once (" << parts
                      << ") but SBUF has " << info.sbufPartitionBytes << " on "
                      << stringifyTarget(info.target)
                      << "; tile the free dim (nki-tile-free-dim, --mamba-v3, "
                         "--mamba-v4) to shrink its buffers";
    });
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
