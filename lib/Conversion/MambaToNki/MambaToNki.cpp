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
#include <array>
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

/// The form of B or C (mamba_ssm's): variable [batch, state, seq_len],
/// grouped [batch, groups, state, seq_len], constant [channels, state].
enum class Projection { variable, grouped, constant };

Projection projectionOf(Value bc) {
  switch (cast<MemRefType>(bc.getType()).getRank()) {
  case 4:
    return Projection::grouped;
  case 2:
    return Projection::constant;
  default:
    return Projection::variable;
  }
}

/// Channels per group of a grouped B or C (all channels otherwise).
int64_t channelsPerGroup(Value bc, int64_t channels) {
  if (projectionOf(bc) != Projection::grouped)
    return channels;
  return channels / cast<MemRefType>(bc.getType()).getDimSize(1);
}

/// A group of channel tiles that share a partition count and the groups of
/// B and C they read: the full tiles (`partitions` = 128) of a run of
/// channels, or the one partial tile at its end.
struct ChannelGroup {
  int64_t base;                   // first channel of the group
  int64_t partitions;             // channels per tile
  int64_t tiles;                  // number of tiles
  int64_t bGroup = 0, cGroup = 0; // the group of B and of C (grouped form)
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

  Value alloc(ArrayRef<int64_t> shape, Attribute space, StringRef name,
              Type element = {}) {
    auto type = MemRefType::get(shape, element ? element : rw.getF32Type(),
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
    Value tile = alloc(tileShape, sbuf, name,
                       cast<MemRefType>(source.getType()).getElementType());
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

  /// `tile` as f32: itself, or (bf16) a ScalarE copy into an f32 tile,
  /// for the operands that must be f32 (per-partition scalars).
  Value toF32(Value tile, StringRef name) {
    auto type = cast<MemRefType>(tile.getType());
    if (type.getElementType().isF32())
      return tile;
    Value copy = alloc(type.getShape(), sbuf, name);
    rw.create<nki::TensorCopyOp>(named(name), tile, copy, nki::EngineAttr());
    return copy;
  }

  /// `[P, L]` tile `name` of a `[batch, channels, seq_len]` tensor.
  Value loadRows(Value tensor, Value b, Value c0, int64_t p, StringRef name) {
    OpFoldResult zero = rw.getIndexAttr(0);
    return load(tensor, {b, c0, zero}, {1, p, shape.seqLen}, {p, shape.seqLen},
                name);
  }

  /// `[P, 1]` tile `name` of a per-channel tensor (`[channels, 1]`).
  Value loadColumn(Value tensor, Value c0, int64_t p, StringRef name) {
    return load(tensor, {c0, rw.getIndexAttr(0)}, {p, 1}, {p, 1}, name);
  }

  /// `[P, 1]` tile `name` of `[batch, channels, state]` at (b, c0, n).
  Value loadState(Value tensor, Value b, Value c0, Value n, int64_t p,
                  StringRef name) {
    return load(tensor, {b, c0, n}, {1, p, 1}, {p, 1}, name);
  }

  /// The projection `bc` (B or C) for state `n` of a tile: its `[1, L]` row
  /// (variable and grouped forms, to be broadcast) or its `[P, 1]`
  /// per-partition column (constant form, used as it is).
  Value loadProjection(Value bc, int64_t group, Value b, Value n, Value c0,
                       int64_t p, StringRef name);

  /// `into = data * operand` with `operand` a `[P, L]` tile (tensor_tensor)
  /// or, `perPartition`, a `[P, 1]` column (tensor_scalar).
  void multiplyBy(Value data, Value operand, Value into, StringRef name,
                  bool perPartition) {
    if (perPartition) {
      rw.create<nki::TensorScalarOp>(
          named(name), data, nki::AluOp::multiply, operand, FloatAttr(),
          /*reverse0=*/false, nki::AluOpAttr(), Value(), FloatAttr(),
          /*reverse1=*/false, into, nki::EngineAttr());
      return;
    }
    rw.create<nki::TensorTensorOp>(named(name), nki::AluOp::multiply, data,
                                   operand, into, nki::EngineAttr());
  }

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

public:
  /// D and delta_bias as `[channels, 1]` (memref.expand_shape), when given.
  Value d2, deltaBias2;
};

} // namespace

Value V1KernelBuilder::loadProjection(Value bc, int64_t group, Value b, Value n,
                                      Value c0, int64_t p, StringRef name) {
  OpFoldResult zero = rw.getIndexAttr(0);
  SmallVector<int64_t> row = {1, shape.seqLen};
  switch (projectionOf(bc)) {
  case Projection::constant: {
    Value column = load(bc, {c0, n}, {p, 1}, {p, 1}, name);
    return toF32(column, (name + "_f32").str());
  }
  case Projection::grouped:
    return load(bc, {b, index(group), n, zero}, {1, 1, 1, shape.seqLen}, row,
                name);
  case Projection::variable:
    break;
  }
  return load(bc, {b, n, zero}, {1, 1, shape.seqLen}, row, name);
}

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
    Value deltaI = loadRows(op.getDelta(), b, c0, p, "delta_i");
    Value uI = loadRows(op.getU(), b, c0, p, "u_i");
    // delta = softplus(delta + delta_bias), on ScalarE.
    if (deltaBias2 || op.getDeltaSoftplus()) {
      Value bias;
      if (deltaBias2)
        bias = loadColumn(deltaBias2, c0, p, "delta_bias_i");
      Value dt = alloc(tile, sbuf, "delta_t");
      rw.create<nki::ActivationOp>(
          named("delta_t"),
          op.getDeltaSoftplus() ? nki::ActivationFunction::softplus
                                : nki::ActivationFunction::identity,
          deltaI, Value(), FloatAttr(), bias, dt, nki::EngineAttr());
      deltaI = dt;
    }
    Value aI = load(op.getA(), {c0, n}, {p, 1}, {p, 1}, "A_i");

    Value deltaA = alloc(tile, sbuf, "deltaA");
    rw.create<nki::ActivationOp>(named("deltaA"), nki::ActivationFunction::exp,
                                 deltaI, aI, FloatAttr(), Value(), deltaA,
                                 nki::EngineAttr());

    bool constantB = projectionOf(op.getB()) == Projection::constant;
    Value bI = loadProjection(op.getB(), group.bGroup, b, n, c0, p, "B_i");
    Value deltaU = multiply(deltaI, uI, tile, "deltaU");
    if (!constantB)
      bI = broadcast(bI, p, "B_i_bcast");
    Value deltaBu = alloc(tile, sbuf, "deltaBu");
    multiplyBy(deltaU, bI, deltaBu, "deltaBu", constantB);

    Value initial;
    if (Value h0 = op.getInitialState())
      initial = loadState(h0, b, c0, n, p, "initial_state_i");
    Value scan = alloc(tile, sbuf, "scan_res");
    rw.create<nki::TensorTensorScanOp>(
        named("scan_res"), nki::AluOp::multiply, nki::AluOp::add, deltaA,
        deltaBu, initial, initial ? FloatAttr() : rw.getF32FloatAttr(0.0f),
        scan, nki::EngineAttr());
    // The state after the last step: the scan's last column.
    if (Value h = op.getFinalState()) {
      Value last = view(scan, {zero, rw.getIndexAttr(len - 1)}, {p, 1}, {p, 1},
                        "final_state");
      Value dst = view(h, {b, c0, n}, {1, p, 1}, {p, 1}, "final_state");
      rw.create<nki::StoreOp>(named("final_state"), last, dst);
    }

    bool constantC = projectionOf(op.getC()) == Projection::constant;
    Value cI = loadProjection(op.getC(), group.cGroup, b, n, c0, p, "C_i");
    if (!constantC)
      cI = broadcast(cI, p, "C_i_bcast");
    // scanC goes to PSUM when a bank holds it, like the broadcasts: the
    // accumulation then reads one PSUM input, at N cycles instead of 2N.
    bool scanCInPsum = shape.seqLen * 4 <= nki::kPsumBankBytes;
    Value scanC = alloc(tile, scanCInPsum ? psum : sbuf, "scanC");
    multiplyBy(scan, cI, scanC, "scanC", constantC);

    Value accT = accTile(t);
    rw.create<nki::TensorTensorOp>(named("scanC_accum"), nki::AluOp::add, accT,
                                   scanC, accT, nki::EngineAttr());
  }

  {
    OpBuilder::InsertionGuard loopGuard(rw);
    scf::ForOp storeLoop = loop(group.tiles, loop_names::kAccStore);
    Value t = storeLoop.getInductionVar();
    Value c0 = channelStart(group, t);
    Value accT = d2 || op.getZ() ? accTile(t) : Value();
    SmallVector<int64_t> tile = {p, len};
    // out = y + D * u: D * u on VectorE with D per partition.
    if (d2) {
      Value uO = loadRows(op.getU(), b, c0, p, "u_skip");
      Value dI = loadColumn(d2, c0, p, "D_i");
      Value skip = alloc(tile, sbuf, "skip");
      multiplyBy(uO, dI, skip, "skip", /*perPartition=*/true);
      rw.create<nki::TensorTensorOp>(named("out_skip"), nki::AluOp::add, accT,
                                     skip, accT, nki::EngineAttr());
    }
    // out = out * silu(z): silu on ScalarE.
    if (Value z = op.getZ()) {
      Value zI = loadRows(z, b, c0, p, "z_i");
      Value gate = alloc(tile, sbuf, "z_silu");
      rw.create<nki::ActivationOp>(
          named("z_silu"), nki::ActivationFunction::silu, zI, Value(),
          FloatAttr(), Value(), gate, nki::EngineAttr());
      rw.create<nki::TensorTensorOp>(named("out_gate"), nki::AluOp::multiply,
                                     accT, gate, accT, nki::EngineAttr());
    }
    Value dst =
        view(op.getOut(), {b, c0, zero}, {1, p, len}, {p, len}, "output");
    if (!accT)
      accT = accTile(t);
    // A bf16 output: the f32 accumulator rounded on the way out (a copy
    // that converts, as NKI converts on an engine's write, not in the DMA).
    Type outElement = cast<MemRefType>(op.getOut().getType()).getElementType();
    if (!outElement.isF32()) {
      Value rounded = alloc(tile, sbuf, "output", outElement);
      rw.create<nki::TensorCopyOp>(named("output"), accT, rounded,
                                   nki::EngineAttr());
      accT = rounded;
    }
    rw.create<nki::StoreOp>(named("output"), accT, dst);
  }
}

scf::ForOp V1KernelBuilder::build() {
  OpBuilder::InsertionGuard guard(rw);
  // D and delta_bias are [channels]; the tiles read them as [channels, 1].
  auto column = [&](Value v, StringRef name) -> Value {
    if (!v)
      return v;
    auto type = cast<MemRefType>(v.getType());
    auto columnType =
        MemRefType::get({type.getDimSize(0), 1}, type.getElementType(),
                        MemRefLayoutAttrInterface(), type.getMemorySpace());
    return rw.create<memref::ExpandShapeOp>(
        named(name), columnType, v, ArrayRef<ReassociationIndices>{{0, 1}});
  };
  d2 = column(op.getD(), "D");
  deltaBias2 = column(op.getDeltaBias(), "delta_bias");

  scf::ForOp batchLoop = loop(shape.batch, loop_names::kBatch);
  Value b = batchLoop.getInductionVar();

  // Runs of channels that read one group of B and one of C: a tile never
  // straddles a group (with one group, or variable or constant B and C,
  // the run is every channel).
  const int64_t pmax = nki::kMaxPartitions;
  int64_t perB = channelsPerGroup(op.getB(), shape.channels);
  int64_t perC = channelsPerGroup(op.getC(), shape.channels);
  SmallVector<int64_t> bounds = {0, shape.channels};
  for (int64_t per : {perB, perC})
    for (int64_t c = per; c < shape.channels; c += per)
      bounds.push_back(c);
  llvm::sort(bounds);
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  for (size_t i = 0; i + 1 < bounds.size(); ++i) {
    int64_t begin = bounds[i], size = bounds[i + 1] - bounds[i];
    int64_t fullTiles = size / pmax;
    int64_t remainder = size % pmax;
    int64_t bGroup = begin / perB, cGroup = begin / perC;
    if (fullTiles > 0)
      buildGroup({begin, pmax, fullTiles, bGroup, cGroup}, b);
    if (remainder > 0)
      buildGroup({begin + fullTiles * pmax, remainder, 1, bGroup, cGroup}, b);
  }
  return batchLoop;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

/// The op's operands (null when not given) with their names, which are
/// their roles in the kernel (mamba-nki/Support/KernelRoles.h).
static std::array<std::pair<Value, StringRef>, 11>
roleOperands(SelectiveScanOp op) {
  using namespace mamba_roles;
  return {{{op.getDelta(), kDelta},
           {op.getU(), kU},
           {op.getA(), kA},
           {op.getB(), kB},
           {op.getC(), kC},
           {op.getD(), kD},
           {op.getZ(), kZ},
           {op.getDeltaBias(), kDeltaBias},
           {op.getInitialState(), kInitialState},
           {op.getOut(), kOut},
           {op.getFinalState(), kFinalState}}};
}

LogicalResult mlir::mamba::checkLowerableToNki(SelectiveScanOp op) {
  for (auto [value, name] : roleOperands(op)) {
    if (!value)
      continue;
    auto type = cast<MemRefType>(value.getType());
    if (!type.hasStaticShape())
      return op.emitOpError()
             << "cannot be lowered to nki: operand '" << name
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
    for (auto [value, role] : roleOperands(op)) {
      if (!value)
        continue;
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
    // What the kernel computes beyond its tensors, for nki-run --check (the
    // .nisa kernel line). A function with several scans has no one answer.
    int scans = 0;
    func.walk([&](SelectiveScanOp) { ++scans; });
    if (scans == 1)
      func->setAttr("nki.kernel",
                    rewriter.getDictionaryAttr(
                        {rewriter.getNamedAttr(
                             "name", rewriter.getStringAttr("selective_scan")),
                         rewriter.getNamedAttr(
                             "delta_softplus",
                             rewriter.getBoolAttr(op.getDeltaSoftplus()))}));
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
