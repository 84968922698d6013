//===- AssignEngines.cpp - move instructions off the busiest engine -------===//
//
// A static estimate of each engine's work (and of the two ports engines
// share) over the whole function, each instruction weighted by how often
// its loops run it, with the cost rules of docs/hardware.md §3-4: an
// instruction whose engine was left to the compiler moves to another engine
// that can run it when that lowers the largest of those totals.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Dialect/Nki/IR/NkiTarget.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Verifier.h"

#include <array>

namespace mlir {
namespace nki {
#define GEN_PASS_DEF_NKIASSIGNENGINES
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h.inc"
} // namespace nki
} // namespace mlir

using namespace mlir;
using namespace mlir::nki;

namespace {
/// The resources the estimate sums: the four engines, then the SBUF port
/// (VectorE and GpSimdE take turns) and the PSUM port (VectorE and
/// ScalarE take turns).
enum Resource { kScalar, kVector, kGpsimd, kTensor, kSbufPort, kPsumPort };
constexpr int kNumResources = 6;
using Load = std::array<double, kNumResources>;

Resource resourceOf(Engine engine) {
  switch (engine) {
  case Engine::scalar:
    return kScalar;
  case Engine::vector:
    return kVector;
  case Engine::gpsimd:
    return kGpsimd;
  case Engine::tensor:
    return kTensor;
  }
  return kVector;
}

/// Engine clocks in GHz (mamba_hw::engineClocks, docs/hardware.md §4).
double clockGHz(Engine engine, Target target) {
  mamba_hw::EngineClocks clocks = mamba_hw::engineClocks(toHardware(target));
  switch (engine) {
  case Engine::vector:
    return clocks.vectorGHz;
  case Engine::tensor:
    return clocks.tensorGHz;
  case Engine::scalar:
    return clocks.scalarGHz;
  case Engine::gpsimd:
    return clocks.gpsimdGHz;
  }
  return clocks.vectorGHz;
}

bool inSpace(Value v, MemorySpace space) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && getMemorySpace(type) == space;
}

/// Nanoseconds `op` keeps `engine` busy (docs/hardware.md §3: one element
/// per cycle and partition, two for an fp32 tensor_tensor with both inputs
/// in SBUF and for a scan, at least MIN_II = 64 cycles).
double costNs(Operation *op, Engine engine, Target target) {
  int64_t n = 1;
  for (Value operand : op->getOperands())
    if (auto type = dyn_cast<MemRefType>(operand.getType()))
      if (getMemorySpace(type) != MemorySpace::hbm)
        n = std::max(n, getFreeElements(type));
  double cycles = double(n);
  if (auto tt = dyn_cast<TensorTensorOp>(op)) {
    bool onePsum = inSpace(tt.getLhs(), MemorySpace::psum) ||
                   inSpace(tt.getRhs(), MemorySpace::psum);
    bool allBf16 = llvm::all_of(op->getOperands(), [](Value v) {
      return cast<MemRefType>(v.getType()).getElementType().isBF16();
    });
    if (!onePsum && !allBf16)
      cycles *= 2;
  } else if (isa<TensorTensorScanOp>(op)) {
    cycles *= 2;
  }
  return std::max(cycles, 64.0) / clockGHz(engine, target);
}

/// How many times `op` runs: the product of its loops' trip counts.
double executions(Operation *op) {
  double count = 1;
  for (auto loop = op->getParentOfType<scf::ForOp>(); loop;
       loop = loop->getParentOfType<scf::ForOp>())
    if (auto bounds = getConstantBounds(loop)) {
      auto [lb, ub, step] = *bounds;
      count *= double(ub > lb ? (ub - lb + step - 1) / step : 0);
    }
  return count;
}

/// What running `op` on `engine` adds to each resource.
Load loadOf(Operation *op, Engine engine, Target target) {
  Load load{};
  double ns = costNs(op, engine, target) * executions(op);
  load[resourceOf(engine)] += ns;
  bool sbuf = false, psum = false;
  for (Value operand : op->getOperands()) {
    sbuf |= inSpace(operand, MemorySpace::sbuf);
    psum |= inSpace(operand, MemorySpace::psum);
  }
  if (sbuf && (engine == Engine::vector || engine == Engine::gpsimd))
    load[kSbufPort] += ns;
  if (psum && (engine == Engine::vector || engine == Engine::scalar))
    load[kPsumPort] += ns;
  return load;
}

double bottleneck(const Load &load) {
  return *std::max_element(load.begin(), load.end());
}
} // namespace

int64_t mlir::nki::assignEngines(RewriterBase &rewriter, Operation *root,
                                 SmallVectorImpl<Operation *> *movedOps) {
  SmallVector<EngineOpInterface> free;
  Load total{};
  root->walk([&](EngineOpInterface op) {
    Target target = getTarget(op);
    Load load = loadOf(op, op.getEffectiveEngine(), target);
    for (int r = 0; r < kNumResources; ++r)
      total[r] += load[r];
    // Only instructions whose engine was left to the compiler move; the
    // ones that name an engine keep it.
    if (!op.getEngine())
      free.push_back(op);
  });
  // The most expensive first.
  llvm::stable_sort(free, [](EngineOpInterface a, EngineOpInterface b) {
    return loadOf(a, a.getEffectiveEngine(),
                  getTarget(a))[resourceOf(a.getEffectiveEngine())] >
           loadOf(b, b.getEffectiveEngine(),
                  getTarget(b))[resourceOf(b.getEffectiveEngine())];
  });
  int64_t moved = 0;
  for (EngineOpInterface op : free) {
    Target target = getTarget(op);
    Engine current = op.getEffectiveEngine();
    Load without = total, base = loadOf(op, current, target);
    for (int r = 0; r < kNumResources; ++r)
      without[r] -= base[r];
    Engine best = current;
    double bestCost = bottleneck(total);
    for (Engine candidate :
         {Engine::vector, Engine::scalar, Engine::gpsimd, Engine::tensor}) {
      if (candidate == current || !op.isEngineSupported(candidate))
        continue;
      // GpSimdE cannot access PSUM.
      if (candidate == Engine::gpsimd &&
          llvm::any_of(op->getOperands(),
                       [](Value v) { return inSpace(v, MemorySpace::psum); }))
        continue;
      Load with = without, extra = loadOf(op, candidate, target);
      for (int r = 0; r < kNumResources; ++r)
        with[r] += extra[r];
      // Only a clear gain: the estimate is coarse.
      if (bottleneck(with) < bestCost * (1 - 1e-3)) {
        best = candidate;
        bestCost = bottleneck(with);
      }
    }
    if (best == current)
      continue;
    Load extra = loadOf(op, best, target);
    for (int r = 0; r < kNumResources; ++r)
      total[r] = without[r] + extra[r];
    rewriter.modifyOpInPlace(op, [&] {
      op->setAttr("engine", EngineAttr::get(op->getContext(), best));
    });
    if (failed(verify(op))) {
      // Not expected (the rules above are the verifier's); undo.
      rewriter.modifyOpInPlace(op, [&] { op->removeAttr("engine"); });
      total = without;
      for (int r = 0; r < kNumResources; ++r)
        total[r] += base[r];
      continue;
    }
    ++moved;
    if (movedOps)
      movedOps->push_back(op);
  }
  return moved;
}

namespace {
struct NkiAssignEnginesPass
    : public nki::impl::NkiAssignEnginesBase<NkiAssignEnginesPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    assignEngines(rewriter, getOperation());
  }
};
} // namespace
