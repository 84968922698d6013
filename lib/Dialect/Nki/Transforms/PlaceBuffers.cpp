//===- PlaceBuffers.cpp - choose SBUF or PSUM for each intermediate -------===//
//
// VectorE reads a tensor_tensor operand from PSUM at N cycles where two
// SBUF inputs cost 2N (docs/hardware.md §3). PSUM is small (8 banks of
// 2 KiB per partition) and never spills, so buffers move there only while
// the banks live at once, counted the way the backend allocates them, stay
// within 8.
//
//===----------------------------------------------------------------------===//

#include "PsumPlacement.h"

#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiTarget.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

namespace mlir {
namespace nki {
#define GEN_PASS_DEF_NKIPLACEBUFFERS
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h.inc"
} // namespace nki
} // namespace mlir

using namespace mlir;
using namespace mlir::nki;

bool mlir::nki::isPsumCandidate(AllocOp alloc,
                                llvm::function_ref<bool(Value)> inPsum) {
  Value buffer = alloc.getResult();
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
  return ok && cheaper && writers == 1;
}

int64_t mlir::nki::psumBanks(MemRefType type) {
  int64_t bytes = type.getElementTypeBitWidth() / 8;
  for (int64_t d : type.getShape().drop_front())
    bytes *= d;
  return (bytes + kPsumBankBytes - 1) / kPsumBankBytes;
}

namespace {
/// PSUM liveness over a whole function, as the backend allocates: an
/// instance of a buffer is live from its first to its last use in the
/// block that allocates it (a use in a nested loop counts at the loop), so
/// a buffer allocated outside a loop and used in it is live in every
/// iteration, and one allocated in a loop body is live within an iteration.
class PsumBudget {
public:
  explicit PsumBudget(Operation *root) {
    root->walk([&](Operation *op) {
      if (isa<NkiDialect>(op->getDialect()) && !isa<AllocOp>(op))
        ops.push_back(op);
    });
    root->walk([&](AllocOp alloc) {
      Block *block = alloc->getBlock();
      if (positions.count(block))
        return;
      for (auto [index, op] : llvm::enumerate(*block))
        positions[block][&op] = int64_t(index);
    });
  }

  /// The peak bank count if the buffers in `psum` (and those already in
  /// PSUM) live there; -1 if a buffer of several banks is live with
  /// another (bank counts would not rule out fragmentation). `at` is the
  /// op at the peak.
  int64_t peak(const llvm::SetVector<Operation *> &psum, Operation *&at) {
    SmallVector<Range> ranges;
    bool multiBank = false;
    for (auto &[alloc, range] : existing)
      ranges.push_back(range);
    for (Operation *op : psum)
      ranges.push_back(rangeOf(cast<AllocOp>(op)));
    for (const Range &r : ranges)
      multiBank |= r.banks > 1;
    int64_t best = 0;
    at = ops.empty() ? nullptr : ops.front();
    for (Operation *op : ops) {
      int64_t banks = 0, live = 0;
      for (const Range &r : ranges) {
        Operation *ancestor = r.block->findAncestorOpInBlock(*op);
        if (!ancestor)
          continue;
        int64_t position = positions[r.block][ancestor];
        if (position >= r.first && position <= r.last) {
          banks += r.banks;
          ++live;
        }
      }
      if (auto bcast = dyn_cast<PartitionBroadcastOp>(op)) {
        Operation *def = bcast.getDst().getDefiningOp();
        bool toPsum =
            getMemorySpace(bcast.getDst().getType()) == MemorySpace::psum ||
            (def && psum.count(def));
        if (!toPsum)
          banks += 1; // the chunk the backend stages in PSUM
      }
      if (multiBank && live > 1)
        return -1;
      if (banks > best) {
        best = banks;
        at = op;
      }
    }
    return best;
  }

  /// Records a buffer that is in PSUM before placement.
  void addExisting(AllocOp alloc) { existing[alloc] = rangeOf(alloc); }

private:
  struct Range {
    Block *block;
    int64_t first, last, banks;
  };
  Range rangeOf(AllocOp alloc) {
    Block *block = alloc->getBlock();
    int64_t first = INT64_MAX, last = -1;
    forEachUserThroughViews(alloc.getResult(), [&](Operation *user) {
      if (Operation *ancestor = block->findAncestorOpInBlock(*user)) {
        int64_t position = positions[block][ancestor];
        first = std::min(first, position);
        last = std::max(last, position);
      }
    });
    return {block, first, last, psumBanks(alloc.getType())};
  }

  SmallVector<Operation *> ops;
  DenseMap<Block *, DenseMap<Operation *, int64_t>> positions;
  llvm::MapVector<Operation *, Range> existing;
};
} // namespace

int64_t mlir::nki::placeBuffers(RewriterBase &rewriter, Operation *root,
                                Notes *notes,
                                SmallVectorImpl<Operation *> *moved) {
  PsumBudget budget(root);
  // Broadcast rows first: one left in SBUF costs more than its reader's N
  // cycles, since the backend stages it through PSUM and copies it out on
  // ScalarE. Then the other candidates, each group in program order.
  SmallVector<AllocOp> allocs, others;
  root->walk([&](AllocOp alloc) {
    if (getMemorySpace(alloc.getType()) == MemorySpace::psum) {
      budget.addExisting(alloc);
      return;
    }
    bool broadcast = llvm::any_of(alloc->getUsers(), [&](Operation *user) {
      auto bcast = dyn_cast<PartitionBroadcastOp>(user);
      return bcast && bcast.getDst() == alloc.getResult();
    });
    (broadcast ? allocs : others).push_back(alloc);
  });
  allocs.append(others.begin(), others.end());
  llvm::SetVector<Operation *> promoted;
  auto inPsum = [&](Value v) {
    Operation *def = v.getDefiningOp();
    return getMemorySpace(cast<MemRefType>(v.getType())) == MemorySpace::psum ||
           (def && promoted.count(def));
  };
  const int64_t bankBudget = kPsumPartitionBytes / kPsumBankBytes;
  for (AllocOp alloc : allocs) {
    MemRefType type = alloc.getType();
    if (type.getRank() != 2 || !type.getElementType().isF32() ||
        getFreeBytes(type) > kPsumBankBytes || !isPsumCandidate(alloc, inPsum))
      continue;
    promoted.insert(alloc);
    Operation *at = nullptr;
    int64_t peak = budget.peak(promoted, at);
    if (peak >= 0 && peak <= bankBudget)
      continue;
    promoted.remove(alloc);
    if (notes)
      notes->emplace_back(
          alloc.getLoc(),
          "keeps " + describeView(alloc.getResult()).rootName() + " in SBUF: " +
              (peak < 0
                   ? std::string("a PSUM buffer of several banks is "
                                 "live with it")
                   : "moving it too would need " + std::to_string(peak) +
                         " of the " + std::to_string(bankBudget) +
                         " PSUM banks at once (at " + describeOp(at) + ")"));
  }
  Attribute psum =
      MemorySpaceAttr::get(rewriter.getContext(), MemorySpace::psum);
  for (Operation *op : promoted) {
    auto alloc = cast<AllocOp>(op);
    if (moved)
      moved->push_back(op);
    MemRefType type = alloc.getType();
    rewriter.modifyOpInPlace(alloc, [&] {
      alloc.getResult().setType(
          MemRefType::get(type.getShape(), type.getElementType(),
                          MemRefLayoutAttrInterface(), psum));
    });
  }
  return int64_t(promoted.size());
}

namespace {
struct NkiPlaceBuffersPass
    : public nki::impl::NkiPlaceBuffersBase<NkiPlaceBuffersPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    Notes notes;
    placeBuffers(rewriter, getOperation(), &notes);
    remarkDeclined(notes);
  }
};
} // namespace
