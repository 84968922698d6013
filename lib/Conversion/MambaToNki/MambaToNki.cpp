//===- MambaToNki.cpp - lower mamba.selective_scan to the v1 kernel -------===//
//
// Builds the Fused Mamba tutorial's v1 kernel (docs/hardware.md §2) from a
// mamba.selective_scan, for any static shape.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Conversion/MambaToNki/MambaToNki.h"
#include "mamba-nki/Conversion/Passes.h"
#include "mamba-nki/Dialect/Mamba/IR/MambaOps.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Dialect/Nki/IR/NkiUtils.h"
#include "mamba-nki/Support/KernelRoles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <limits>

namespace mlir {
namespace mamba {
#define GEN_PASS_DEF_CONVERTMAMBATONKI
#include "mamba-nki/Conversion/Passes.h.inc"
} // namespace mamba
} // namespace mlir

using namespace mlir;
using namespace mlir::mamba;

namespace {

/// The sizes of one selective scan.
struct ScanShape {
  int64_t batch, channels, seqLen, state;
};

/// A group of channel tiles that share a partition count: the full tiles
/// (`partitions` = 128) or the one partial tile at the end.
struct ChannelGroup {
  int64_t base;       // first channel of the group
  int64_t partitions; // channels per tile
  int64_t tiles;      // number of tiles
};

/// Builds the v1 kernel for one selective_scan at the rewriter's insertion
/// point.
class V1KernelBuilder {
public:
  V1KernelBuilder(RewriterBase &rewriter, SelectiveScanOp op,
                  const ScanShape &shape)
      : rw(rewriter), op(op), shape(shape), loc(op.getLoc()),
        sbuf(
            nki::MemorySpaceAttr::get(op.getContext(), nki::MemorySpace::sbuf)),
        psum(nki::MemorySpaceAttr::get(op.getContext(),
                                       nki::MemorySpace::psum)) {}

  scf::ForOp build();

private:
  /// An index constant at the top of the enclosing function, shared.
  Value index(int64_t value) { return nki::getIndexConstant(rw, op, value); }

  /// An `scf.for %iv = 0 to ub` named `name`, kind affine; the insertion
  /// point moves into its body.
  scf::ForOp loop(int64_t upperBound, StringRef name) {
    auto forOp = rw.create<scf::ForOp>(named(name), index(0), index(upperBound),
                                       index(1));
    forOp->setAttr("nki.loop", rw.getStringAttr(name));
    forOp->setAttr("nki.kind", rw.getStringAttr("affine"));
    rw.setInsertionPoint(forOp.getBody()->getTerminator());
    return forOp;
  }

  /// The op's location, named after the tutorial's variable it builds.
  Location named(StringRef name) {
    return NameLoc::get(rw.getStringAttr(name), loc);
  }

  Value alloc(ArrayRef<int64_t> shape, Attribute space, StringRef name) {
    auto type = MemRefType::get(shape, rw.getF32Type(),
                                MemRefLayoutAttrInterface(), space);
    return rw.create<nki::AllocOp>(named(name), type, rw.getStringAttr(name));
  }

  /// A unit-stride subview of `source` at `offsets` with `sizes`, rank-reduced
  /// to `resultShape`.
  Value view(Value source, ArrayRef<OpFoldResult> offsets,
             ArrayRef<int64_t> sizes, ArrayRef<int64_t> resultShape,
             StringRef name) {
    auto sourceType = cast<MemRefType>(source.getType());
    SmallVector<OpFoldResult> sizeAttrs =
        getAsIndexOpFoldResult(rw.getContext(), sizes);
    SmallVector<OpFoldResult> strides(sizes.size(), rw.getIndexAttr(1));
    auto type = cast<MemRefType>(memref::SubViewOp::inferRankReducedResultType(
        resultShape, sourceType, offsets, sizeAttrs, strides));
    return rw.create<memref::SubViewOp>(named(name), type, source, offsets,
                                        sizeAttrs, strides);
  }

  /// A tile buffer `[partitions, L]` that the tutorial's `name` lives in, and
  /// a DMA load of `source` into it.
  Value load(Value source, ArrayRef<OpFoldResult> offsets,
             ArrayRef<int64_t> sizes, ArrayRef<int64_t> tileShape,
             StringRef name) {
    Value tile = alloc(tileShape, sbuf, name);
    Value src = view(source, offsets, sizes, tileShape, name);
    rw.create<nki::LoadOp>(named(name), src, tile);
    return tile;
  }

  Value multiply(Value lhs, Value rhs, ArrayRef<int64_t> tileShape,
                 StringRef name, bool toPsum = false) {
    Value dst = alloc(tileShape, toPsum ? psum : sbuf, name);
    rw.create<nki::TensorTensorOp>(named(name), nki::AluOp::multiply, lhs, rhs,
                                   dst, nki::EngineAttr());
    return dst;
  }

  /// Broadcasts a `[1, L]` row across `partitions` partitions: into PSUM when
  /// it fits one bank (VectorE then reads it at the one-PSUM-input rate),
  /// into SBUF otherwise.
  Value broadcast(Value row, int64_t partitions, StringRef name) {
    bool fitsBank = shape.seqLen * 4 <= nki::kPsumBankBytes;
    Value dst = alloc({partitions, shape.seqLen}, fitsBank ? psum : sbuf, name);
    rw.create<nki::PartitionBroadcastOp>(named(name), row, dst,
                                         nki::EngineAttr());
    return dst;
  }

  /// The v1 loop nest for one channel group, inside the batch loop.
  void buildGroup(const ChannelGroup &group, Value batchIv);

  /// `base + tile * partitions`.
  Value channelStart(const ChannelGroup &group, Value tileIv) {
    Value start = rw.create<arith::MulIOp>(named("channel_start"), tileIv,
                                           index(group.partitions));
    if (group.base == 0)
      return start;
    return rw.create<arith::AddIOp>(named("channel_start"), start,
                                    index(group.base));
  }

  RewriterBase &rw;
  SelectiveScanOp op;
  ScanShape shape;
  Location loc;
  Attribute sbuf, psum;
};

} // namespace

void V1KernelBuilder::buildGroup(const ChannelGroup &group, Value b) {
  const int64_t p = group.partitions;
  const int64_t len = shape.seqLen;
  OpFoldResult zero = rw.getIndexAttr(0);
  OpBuilder::InsertionGuard guard(rw);

  // scanC_accum = zeros((n_channel_tiles, par_dim(P), L)), partition dim
  // first: [P, n_channel_tiles, L].
  Value acc = alloc({p, group.tiles, len}, sbuf, "scanC_accum");
  auto accTile = [&](Value tileIv) {
    return view(acc, {zero, tileIv, zero}, {p, 1, len}, {p, len},
                "scanC_accum");
  };
  {
    OpBuilder::InsertionGuard loopGuard(rw);
    scf::ForOp zeroLoop = loop(group.tiles, loop_names::kAccZero);
    rw.create<nki::MemsetOp>(named("scanC_accum"), rw.getF32FloatAttr(0.0f),
                             accTile(zeroLoop.getInductionVar()),
                             nki::EngineAttr());
  }

  {
    OpBuilder::InsertionGuard loopGuard(rw);
    scf::ForOp stateLoop = loop(shape.state, loop_names::kState);
    Value n = stateLoop.getInductionVar();
    scf::ForOp tileLoop = loop(group.tiles, loop_names::kChannelTile);
    Value t = tileLoop.getInductionVar();
    Value c0 = channelStart(group, t);

    SmallVector<int64_t> tile = {p, len};
    SmallVector<int64_t> row = {1, len};
    Value deltaI =
        load(op.getDelta(), {b, c0, zero}, {1, p, len}, tile, "delta_i");
    Value uI = load(op.getU(), {b, c0, zero}, {1, p, len}, tile, "u_i");
    Value aI = load(op.getA(), {c0, n}, {p, 1}, {p, 1}, "A_i");

    Value deltaA = alloc(tile, sbuf, "deltaA");
    rw.create<nki::ActivationOp>(named("deltaA"), nki::ActivationFunction::exp,
                                 deltaI, aI, FloatAttr(), Value(), deltaA,
                                 nki::EngineAttr());

    Value bI = load(op.getB(), {b, n, zero}, {1, 1, len}, row, "B_i");
    Value deltaU = multiply(deltaI, uI, tile, "deltaU");
    Value bBcast = broadcast(bI, p, "B_i_bcast");
    Value deltaBu = multiply(deltaU, bBcast, tile, "deltaBu");

    Value scan = alloc(tile, sbuf, "scan_res");
    rw.create<nki::TensorTensorScanOp>(
        named("scan_res"), nki::AluOp::multiply, nki::AluOp::add, deltaA,
        deltaBu, Value(), rw.getF32FloatAttr(0.0f), scan, nki::EngineAttr());

    Value cI = load(op.getC(), {b, n, zero}, {1, 1, len}, row, "C_i");
    Value cBcast = broadcast(cI, p, "C_i_bcast");
    // scanC goes to PSUM when a bank holds it, like the broadcasts: the
    // accumulation then reads one PSUM input, at N cycles instead of 2N.
    bool scanCInPsum = shape.seqLen * 4 <= nki::kPsumBankBytes;
    Value scanC = multiply(scan, cBcast, tile, "scanC", scanCInPsum);

    Value accT = accTile(t);
    rw.create<nki::TensorTensorOp>(named("scanC_accum"), nki::AluOp::add, accT,
                                   scanC, accT, nki::EngineAttr());
  }

  {
    OpBuilder::InsertionGuard loopGuard(rw);
    scf::ForOp storeLoop = loop(group.tiles, loop_names::kAccStore);
    Value t = storeLoop.getInductionVar();
    Value c0 = channelStart(group, t);
    Value dst =
        view(op.getOut(), {b, c0, zero}, {1, p, len}, {p, len}, "output");
    rw.create<nki::StoreOp>(named("output"), accTile(t), dst);
  }
}

scf::ForOp V1KernelBuilder::build() {
  OpBuilder::InsertionGuard guard(rw);
  scf::ForOp batchLoop = loop(shape.batch, loop_names::kBatch);
  Value b = batchLoop.getInductionVar();

  const int64_t pmax = nki::kMaxPartitions;
  int64_t fullTiles = shape.channels / pmax;
  int64_t remainder = shape.channels % pmax;
  if (fullTiles > 0)
    buildGroup({0, pmax, fullTiles}, b);
  if (remainder > 0)
    buildGroup({fullTiles * pmax, remainder, 1}, b);
  return batchLoop;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

LogicalResult mlir::mamba::checkLowerableToNki(SelectiveScanOp op) {
  struct Operand {
    Value value;
    StringRef name;
  };
  for (Operand operand : {Operand{op.getDelta(), "delta"},
                          {op.getU(), "u"},
                          {op.getA(), "A"},
                          {op.getB(), "B"},
                          {op.getC(), "C"},
                          {op.getOut(), "out"}}) {
    auto type = cast<MemRefType>(operand.value.getType());
    if (!type.hasStaticShape())
      return op.emitOpError()
             << "cannot be lowered to nki: operand '" << operand.name
             << "' has dynamic shape " << type
             << "; the NeuronCore instruction stream is fully unrolled and "
                "needs static shapes";
  }
  auto deltaType = cast<MemRefType>(op.getDelta().getType());
  int64_t seqLen = deltaType.getDimSize(2);
  int64_t partitions = std::min(deltaType.getDimSize(1), nki::kMaxPartitions);
  // The v1 kernel works on whole sequences: one [P, seq_len] tile per
  // instruction operand. That is what the IR can state up to an SBUF tile's
  // free size; whether the buffers fit SBUF is the capacity check's and the
  // backend's question (the later versions tile seq_len).
  if (seqLen > nki::kMaxSbufFreeElements)
    return op.emitOpError()
           << "cannot be lowered to nki: a [" << partitions << ", " << seqLen
           << "] tile has " << seqLen
           << " elements per partition, more than an SBUF tile's "
           << nki::kMaxSbufFreeElements
           << "; the v1 kernel keeps a whole sequence in one tile, so seq_len "
              "must be at most "
           << nki::kMaxSbufFreeElements;
  return success();
}

FailureOr<scf::ForOp>
mlir::mamba::lowerSelectiveScanToNki(RewriterBase &rewriter,
                                     SelectiveScanOp op) {
  if (failed(checkLowerableToNki(op)))
    return failure();
  auto deltaType = cast<MemRefType>(op.getDelta().getType());
  auto aType = cast<MemRefType>(op.getA().getType());
  ScanShape shape{deltaType.getDimSize(0), deltaType.getDimSize(1),
                  deltaType.getDimSize(2), aType.getDimSize(1)};
  // Name the kernel's HBM tensors after their role, for the instruction
  // stream and the interpreter (unless the user named them already).
  if (auto func = op->getParentOfType<func::FuncOp>()) {
    using namespace mamba_roles;
    std::pair<Value, StringRef> roles[] = {
        {op.getDelta(), kDelta}, {op.getU(), kU}, {op.getA(), kA},
        {op.getB(), kB},         {op.getC(), kC}, {op.getOut(), kOut}};
    for (auto [value, role] : roles) {
      auto arg = dyn_cast<BlockArgument>(value);
      if (!arg || arg.getOwner() != &func.getBody().front() ||
          func.getArgAttr(arg.getArgNumber(), "nki.name"))
        continue;
      bool taken = false;
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        if (auto name = func.getArgAttrOfType<StringAttr>(i, "nki.name"))
          taken |= name.getValue() == role;
      if (!taken)
        func.setArgAttr(arg.getArgNumber(), "nki.name",
                        rewriter.getStringAttr(role));
    }
  }
  rewriter.setInsertionPoint(op);
  scf::ForOp batchLoop = V1KernelBuilder(rewriter, op, shape).build();
  rewriter.eraseOp(op);
  return batchLoop;
}

namespace {
struct ConvertMambaToNkiPass
    : public mlir::mamba::impl::ConvertMambaToNkiBase<ConvertMambaToNkiPass> {
  void runOnOperation() override {
    SmallVector<SelectiveScanOp> scans;
    getOperation()->walk([&](SelectiveScanOp op) { scans.push_back(op); });
    IRRewriter rewriter(&getContext());
    bool failedAny = false;
    for (SelectiveScanOp op : scans)
      failedAny |= failed(lowerSelectiveScanToNki(rewriter, op));
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
