//===- Pricing.cpp - a candidate kernel's latency under the timing model --===//
//
// A kernel is compiled in-process (translateToNisa) and priced by
// nki_run::profile, the function behind `nki-run --no-compute`'s profile.
// When the kernel is a chain of independent, identical iterations (the
// outer affine loops whose bodies touch only their own buffers and the
// kernel's arguments), it is priced on 2, 3 and 4 of those iterations and
// extrapolated linearly, if the three points are collinear within
// kLinearTolerance; otherwise, and on small kernels, in full
// (docs/autoschedule.md, "Extrapolation").
//
//===----------------------------------------------------------------------===//

#include "Loops.h"
#include "mamba-nki/AutoSchedule/AutoSchedule.h"
#include "mamba-nki/Dialect/Nki/IR/NkiDialect.h"
#include "mamba-nki/Interpreter/Profile.h"
#include "mamba-nki/Interpreter/Timing.h"
#include "mamba-nki/Interpreter/TimingParams.h"
#include "mamba-nki/Target/NkiToNisa/NkiToNisa.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <cmath>

using namespace mlir;
using namespace mlir::nki;

scf::ForOp mlir::nki::onlyLoop(Block &body) {
  scf::ForOp found;
  for (Operation &op : body) {
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      if (found)
        return nullptr;
      found = loop;
      continue;
    }
    if (op.getNumRegions() || !isMemoryEffectFree(&op))
      return nullptr;
  }
  return found;
}

namespace {
/// The reduced instances' iteration counts, and how far the third may lie
/// from the line through the first two (relative to it) for the
/// extrapolation to be used.
constexpr int64_t kReduced[3] = {2, 3, 4};
constexpr double kLinearTolerance = 1e-3;
/// Kernels with at most this many iterations are simulated in full.
constexpr int64_t kMinUnits = 8;

struct RawPrice {
  nki_run::Profile profile;
  std::array<double, nisa::kNumQueues> workUs{};
  double launchUs = 0;
  int64_t instructions = 0;
  bool pruned = false; // the lower bound reached pruneAtUs: not simulated
};

/// The trip count of an affine scf.for with constant bounds and no results.
std::optional<int64_t> affineTripCount(scf::ForOp loop) {
  auto kind = loop->getAttrOfType<StringAttr>("nki.kind");
  if (!kind || kind.getValue() != "affine" || loop.getNumResults() != 0)
    return std::nullopt;
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!lb || !ub || !step || *step <= 0 || *ub <= *lb)
    return std::nullopt;
  return (*ub - *lb + *step - 1) / *step;
}

/// The memref a view is taken of, through view-like ops.
Value rootOf(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      break;
    v = view.getViewSource();
  }
  return v;
}

/// Whether every memref `loop`'s body touches is allocated in the body or
/// is an argument of `func` (an HBM tensor): its iterations then share no
/// on-chip buffer, and (being affine) touch disjoint parts of the tensors.
bool ownsItsBuffers(scf::ForOp loop, func::FuncOp func) {
  bool owns = true;
  loop.getBody()->walk([&](Operation *op) {
    for (Value v : op->getOperands()) {
      if (!isa<MemRefType>(v.getType()))
        continue;
      Value root = rootOf(v);
      if (auto arg = dyn_cast<BlockArgument>(root)) {
        if (arg.getOwner()->getParentOp() == func.getOperation() ||
            loop->isProperAncestor(arg.getOwner()->getParentOp()))
          continue;
      } else if (loop->isProperAncestor(root.getDefiningOp())) {
        continue;
      }
      owns = false;
    }
    return owns ? WalkResult::advance() : WalkResult::interrupt();
  });
  return owns;
}

/// The outer loops whose iterations are independent and identical: the
/// function body's only loop, then its body's only loop, ... while each
/// is affine with constant bounds and owns its buffers.
SmallVector<std::pair<scf::ForOp, int64_t>> unitChain(func::FuncOp func) {
  SmallVector<std::pair<scf::ForOp, int64_t>> chain;
  Block *body = &func.getBody().front();
  while (scf::ForOp loop = onlyLoop(*body)) {
    std::optional<int64_t> trips = affineTripCount(loop);
    if (!trips || !ownsItsBuffers(loop, func))
      break;
    chain.push_back({loop, *trips});
    body = loop.getBody();
  }
  return chain;
}

std::string firstLine(StringRef s) { return s.split('\n').first.str(); }

/// Translates and prices `func`; `reason` gets the first error.
FailureOr<RawPrice> simulate(func::FuncOp func,
                             const AutoScheduleOptions &options,
                             std::string *reason, double pruneAtUs = INFINITY) {
  std::string error;
  FailureOr<nisa::Program> program;
  {
    ScopedDiagnosticHandler handler(func.getContext(), [&](Diagnostic &d) {
      if (d.getSeverity() == DiagnosticSeverity::Error && error.empty())
        error = firstLine(d.str());
      return success();
    });
    NisaOptions nisaOptions;
    nisaOptions.target = options.target;
    program = translateToNisa(func, nisaOptions);
  }
  if (failed(program)) {
    if (reason)
      *reason = "the backend refuses it: " + error;
    return failure();
  }
  nki_run::TimingParams params =
      nki_run::TimingParams::forTarget(program->target);
  RawPrice raw;
  nisa::Instruction in;
  for (size_t i = 0, n = program->instructions.size(); i < n; ++i) {
    program->instructions.decode(i, in);
    raw.workUs[size_t(in.queue)] += nki_run::duration(in, params) / 1000.0;
  }
  raw.launchUs = params.launchUs;
  raw.instructions = int64_t(program->instructions.size());
  double maxWork = 0;
  for (double w : raw.workUs)
    maxWork = std::max(maxWork, w);
  if (maxWork + raw.launchUs >= pruneAtUs) {
    raw.pruned = true;
    return raw;
  }
  raw.profile = nki_run::profile(*program, params);
  return raw;
}

Price finish(const RawPrice &raw) {
  Price price;
  const nki_run::Profile &p = raw.profile;
  price.latencyUs = p.totalUs;
  double maxWork = 0;
  for (double w : raw.workUs)
    maxWork = std::max(maxWork, w);
  price.lowerBoundUs = maxWork + raw.launchUs;
  int busiest = 0;
  for (int q = 1; q < nisa::kNumQueues; ++q)
    if (p.busyUs[size_t(q)] > p.busyUs[size_t(busiest)])
      busiest = q;
  price.busiest = nisa::stringify(nisa::Queue(busiest)).str();
  double exec = std::max(p.execEndUs - p.execStartUs, 1e-9);
  price.busiestActivePct = 100.0 * p.busyUs[size_t(busiest)] / exec;
  price.sbufPeakBytes = p.sbufPeakBytes;
  price.psumPeakBytes = p.psumPeakBytes;
  price.spillBytes = p.spillSaveBytes + p.spillReloadBytes;
  price.instructions = raw.instructions;
  if (raw.pruned)
    price.latencyUs = NAN;
  price.pruned = raw.pruned;
  return price;
}

/// y at `units` on the line through (k1, y1) and (k2, y2).
double extend(double y1, double y2, double k1, double k2, double units) {
  return y2 + (units - k2) * (y2 - y1) / (k2 - k1);
}

/// Whether c lies on the line through a and b within kLinearTolerance of
/// `scale`.
bool collinear(double a, double b, double c, double scale) {
  double predicted = extend(a, b, double(kReduced[0]), double(kReduced[1]),
                            double(kReduced[2]));
  return std::abs(predicted - c) <=
         kLinearTolerance * std::max(std::abs(scale), 1e-9);
}

/// The kernel with its chain's innermost loop cut to `units` iterations
/// and the others to one.
FailureOr<RawPrice> simulateReduced(func::FuncOp func, int64_t units,
                                    const AutoScheduleOptions &options,
                                    std::string *reason) {
  auto module = func->getParentOfType<ModuleOp>();
  OwningOpRef<ModuleOp> copy(module.clone());
  auto reduced = copy->lookupSymbol<func::FuncOp>(func.getSymName());
  auto chain = unitChain(reduced);
  for (size_t i = 0; i < chain.size(); ++i) {
    scf::ForOp loop = chain[i].first;
    int64_t keep = i + 1 == chain.size() ? units : 1;
    int64_t lb = *getConstantIntValue(loop.getLowerBound());
    int64_t step = *getConstantIntValue(loop.getStep());
    OpBuilder b(loop);
    loop.setUpperBound(
        b.create<arith::ConstantIndexOp>(loop.getLoc(), lb + keep * step));
  }
  return simulate(reduced, options, reason);
}
} // namespace

FailureOr<Price> mlir::nki::priceKernel(func::FuncOp func,
                                        const AutoScheduleOptions &options,
                                        std::string *reason, double pruneAtUs) {
  auto full = [&]() -> FailureOr<Price> {
    FailureOr<RawPrice> raw = simulate(func, options, reason, pruneAtUs);
    if (failed(raw))
      return failure();
    return finish(*raw);
  };
  auto chain = unitChain(func);
  int64_t units = 1;
  for (auto &[loop, trips] : chain)
    units *= trips;
  if (!options.extrapolate || chain.empty() || units <= kMinUnits ||
      chain.back().second < kReduced[2])
    return full();

  RawPrice raw[3];
  for (int i = 0; i < 3; ++i) {
    FailureOr<RawPrice> r = simulateReduced(func, kReduced[i], options, reason);
    if (failed(r))
      return full(); // the reduced kernel may differ (e.g. no spill)
    raw[i] = std::move(*r);
  }
  const nki_run::Profile &p2 = raw[0].profile, &p3 = raw[1].profile,
                         &p4 = raw[2].profile;
  // The latency, every queue's work and the spill traffic must grow by the
  // same amount per iteration; the peaks must not grow.
  double maxWork = 0;
  for (double w : raw[2].workUs)
    maxWork = std::max(maxWork, w);
  bool linear = collinear(p2.totalUs, p3.totalUs, p4.totalUs, p4.totalUs);
  for (int q = 0; q < nisa::kNumQueues && linear; ++q)
    linear = collinear(raw[0].workUs[size_t(q)], raw[1].workUs[size_t(q)],
                       raw[2].workUs[size_t(q)], maxWork);
  double spill[3];
  for (int i = 0; i < 3; ++i)
    spill[i] =
        double(raw[i].profile.spillSaveBytes + raw[i].profile.spillReloadBytes);
  linear = linear && collinear(spill[0], spill[1], spill[2], spill[2]) &&
           p3.sbufPeakBytes == p4.sbufPeakBytes &&
           p3.psumPeakBytes == p4.psumPeakBytes;
  if (!linear)
    return full();

  double k1 = double(kReduced[1]), k2 = double(kReduced[2]), u = double(units);
  RawPrice ext = raw[2];
  nki_run::Profile &p = ext.profile;
  p.totalUs = extend(p3.totalUs, p4.totalUs, k1, k2, u);
  p.execEndUs = extend(p3.execEndUs, p4.execEndUs, k1, k2, u);
  for (int q = 0; q < nisa::kNumQueues; ++q) {
    ext.workUs[size_t(q)] =
        extend(raw[1].workUs[size_t(q)], raw[2].workUs[size_t(q)], k1, k2, u);
    p.busyUs[size_t(q)] =
        extend(p3.busyUs[size_t(q)], p4.busyUs[size_t(q)], k1, k2, u);
  }
  p.spillSaveBytes = int64_t(std::llround(
      extend(double(p3.spillSaveBytes), double(p4.spillSaveBytes), k1, k2, u)));
  p.spillReloadBytes = int64_t(std::llround(extend(
      double(p3.spillReloadBytes), double(p4.spillReloadBytes), k1, k2, u)));
  ext.instructions = int64_t(std::llround(extend(
      double(raw[1].instructions), double(raw[2].instructions), k1, k2, u)));
  Price price = finish(ext);
  price.extrapolated = true;
  if (options.measureExtrapolation) {
    AutoScheduleOptions exactOptions = options;
    exactOptions.extrapolate = false;
    FailureOr<Price> exact = priceKernel(func, exactOptions, reason);
    if (succeeded(exact))
      price.fullLatencyUs = exact->latencyUs;
  }
  return price;
}
