//===- Search.cpp - a beam search over the legal schedules of a kernel ---===//
//
// A candidate is a sequence of steps, each one of the nki transformation
// passes with its options, applied to the kernel the search starts from,
// then cse and nki-check-capacity. The stages, in the order --mamba-v4
// applies them (docs/passes.md), each offer "skip" and their options:
//
//   front   interchange a perfectly nested pair of named loops, then
//           hoist-loads, fuse-loops, cse (v2's steps); or hoist and fuse
//   hoist   nki-hoist-invariant
//   tile    nki-tile-free-dim{loop=L tile-size=T}: L each loop enclosing a
//           scan (every named loop when there is none), T in tileSizes
//   place   nki-place-buffers
//   expand  nki-hoist-invariant{expand=true}
//   peel    nki-peel-reduction
//   delay   nki-delay-stores
//   assign  nki-assign-engines
//
// A step that fails or changes nothing drops the candidate with the
// transformation's remarks as the reason; a kernel that fails the capacity
// check or the backend is dropped with its error. Each stage expands every
// kernel of the beam by every option, and the beamWidth best (by predicted
// latency, then fewer steps, then build order) go on. The named pipelines'
// kernels (v1-v4) are priced first and take part in the choice, so the
// winner is never predicted slower than the best of them. The winner's
// steps are run again from the start as one pipeline and must give the
// same kernel, which then replaces the function. On request the winner is
// also written as a transform.nki script (ScriptWriter), which is run with
// the transform interpreter and must give that kernel too, else the script
// says that it does not reproduce it.
//
//===----------------------------------------------------------------------===//

#include "Loops.h"
#include "mamba-nki/AutoSchedule/AutoSchedule.h"
#include "mamba-nki/Dialect/Nki/Analysis/AccessAnalysis.h"
#include "mamba-nki/Dialect/Nki/IR/NkiDialect.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Dialect/Nki/IR/NkiTarget.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"
#include "mamba-nki/Dialect/Nki/Transforms/Transforms.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/xxhash.h"

#include <chrono>
#include <functional>

using namespace mlir;
using namespace mlir::nki;

namespace {
/// What a step does, for its transform script (scheduleScript).
enum class StepKind {
  Front,
  HoistInvariant,
  Tile,
  Place,
  Expand,
  Peel,
  Delay,
  Assign
};

struct Step {
  std::string label;
  std::function<void(OpPassManager &)> add;
  int stage = 0; // the stage of the search that offers it
  StepKind kind = StepKind::Front;
  // A tile step's parameters (size 0 for other steps).
  std::string tileLoop;
  int64_t tileSize = 0;
  // The front's interchange (empty: none).
  std::string outer, inner;
};

using Steps = std::vector<Step>;

/// The loop's name (nki::getLoopName), as a step keeps it.
std::string loopName(scf::ForOp loop) { return getLoopName(loop).str(); }

/// The loop `outer` is perfectly nested around, if any.
scf::ForOp perfectlyNested(scf::ForOp outer) {
  return onlyLoop(*outer.getBody());
}

void addUnique(std::vector<std::string> &names, const std::string &name) {
  if (!name.empty() && llvm::find(names, name) == names.end())
    names.push_back(name);
}

Step front(std::optional<std::pair<std::string, std::string>> interchange) {
  Step s;
  s.stage = 0;
  s.kind = StepKind::Front;
  if (interchange) {
    s.outer = interchange->first;
    s.inner = interchange->second;
  }
  s.label = interchange ? "xchg(" + interchange->first + "," +
                              interchange->second + ") hoist-loads fuse"
                        : "hoist-loads fuse";
  s.add = [interchange](OpPassManager &pm) {
    if (interchange) {
      NkiReorderLoopsOptions o;
      o.outer = interchange->first;
      o.inner = interchange->second;
      pm.addPass(createNkiReorderLoops(o));
    }
    pm.addPass(createNkiHoistLoads());
    pm.addPass(createNkiFuseLoops());
    pm.addPass(createCSEPass());
  };
  return s;
}

Step simple(std::string label, int stage, StepKind kind,
            std::function<void(OpPassManager &)> add) {
  Step s;
  s.label = std::move(label);
  s.stage = stage;
  s.kind = kind;
  s.add = std::move(add);
  return s;
}

Step tile(const std::string &loop, int64_t size) {
  Step s = simple("tile(" + (loop.empty() ? std::string("default") : loop) +
                      "," + std::to_string(size) + ")",
                  2, StepKind::Tile, [loop, size](OpPassManager &pm) {
                    NkiTileFreeDimOptions o;
                    o.tileSize = size;
                    o.loop = loop;
                    pm.addPass(createNkiTileFreeDim(o));
                  });
  s.tileLoop = loop;
  s.tileSize = size;
  return s;
}

Step hoistInvariant() {
  return simple(
      "hoist-inv", 1, StepKind::HoistInvariant,
      [](OpPassManager &pm) { pm.addPass(createNkiHoistInvariant()); });
}
Step placeBuffers() {
  return simple("place", 3, StepKind::Place,
                [](OpPassManager &pm) { pm.addPass(createNkiPlaceBuffers()); });
}
Step expand() {
  return simple("expand", 4, StepKind::Expand, [](OpPassManager &pm) {
    NkiHoistInvariantOptions o;
    o.expand = true;
    pm.addPass(createNkiHoistInvariant(o));
  });
}
Step peel() {
  return simple("peel", 5, StepKind::Peel, [](OpPassManager &pm) {
    pm.addPass(createNkiPeelReduction());
  });
}
Step delay() {
  return simple("delay", 6, StepKind::Delay,
                [](OpPassManager &pm) { pm.addPass(createNkiDelayStores()); });
}
Step assign() {
  return simple("assign", 7, StepKind::Assign, [](OpPassManager &pm) {
    pm.addPass(createNkiAssignEngines());
  });
}

/// One stage's options for the kernel `func` as it is.
using Stage = std::function<Steps(func::FuncOp func)>;

std::vector<Stage> stages(const AutoScheduleOptions &options) {
  std::vector<Stage> all;
  all.push_back([](func::FuncOp func) {
    Steps steps;
    func.walk<WalkOrder::PreOrder>([&](scf::ForOp outer) {
      scf::ForOp inner = perfectlyNested(outer);
      if (inner && !loopName(outer).empty() && !loopName(inner).empty())
        steps.push_back(
            front(std::make_pair(loopName(outer), loopName(inner))));
    });
    steps.push_back(front(std::nullopt));
    return steps;
  });
  all.push_back([](func::FuncOp) { return Steps{hoistInvariant()}; });
  all.push_back([sizes = options.tileSizes](func::FuncOp func) {
    std::vector<std::string> names;
    func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (!isa<TensorTensorScanOp>(op))
        return;
      SmallVector<scf::ForOp> enclosing;
      for (Operation *p = op->getParentOp(); p && p != func;
           p = p->getParentOp())
        if (auto loop = dyn_cast<scf::ForOp>(p))
          enclosing.push_back(loop);
      for (scf::ForOp loop : llvm::reverse(enclosing))
        addUnique(names, loopName(loop));
    });
    if (names.empty())
      func.walk<WalkOrder::PreOrder>(
          [&](scf::ForOp loop) { addUnique(names, loopName(loop)); });
    Steps steps;
    for (const std::string &name : names)
      for (int64_t size : sizes)
        steps.push_back(tile(name, size));
    return steps;
  });
  all.push_back([](func::FuncOp) { return Steps{placeBuffers()}; });
  all.push_back([](func::FuncOp) { return Steps{expand()}; });
  all.push_back([](func::FuncOp) { return Steps{peel()}; });
  all.push_back([](func::FuncOp) { return Steps{delay()}; });
  all.push_back([](func::FuncOp) { return Steps{assign()}; });
  return all;
}

/// The named pipelines' steps after the lowering (lib/Pipelines).
std::vector<std::pair<std::string, Steps>> namedPipelines() {
  Steps v2 = {
      front(std::make_pair(std::string("state"), std::string("channel_tile")))};
  v2[0].label = "v2";
  Steps v3 = v2;
  v3.push_back(tile("", 512));
  Steps v4 = v2;
  v4.push_back(hoistInvariant());
  v4.push_back(tile("channel_tile", 512));
  for (Step s : {placeBuffers(), expand(), peel(), delay(), assign()})
    v4.push_back(s);
  return {{"v1", {}}, {"v2", v2}, {"v3", v3}, {"v4", v4}};
}

void addFinish(OpPassManager &pm) {
  pm.addPass(createCSEPass());
  pm.addPass(createNkiCheckCapacity());
}

std::string pipelineText(const Steps &steps) {
  OpPassManager pm(ModuleOp::getOperationName());
  for (const Step &s : steps)
    s.add(pm);
  addFinish(pm);
  std::string text;
  llvm::raw_string_ostream os(text);
  pm.printAsTextualPipeline(os);
  return text;
}

std::string stepsName(const Steps &steps) {
  if (steps.empty())
    return "(as given)";
  std::string name;
  for (const Step &s : steps)
    name += (name.empty() ? "" : " ") + s.label;
  return name;
}

/// Runs `add`'s passes on `module`; `messages` gets every diagnostic.
LogicalResult runPasses(ModuleOp module,
                        const std::function<void(OpPassManager &)> &add,
                        std::vector<std::string> &messages) {
  PassManager pm(module.getContext(), ModuleOp::getOperationName());
  add(pm);
  ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &d) {
    std::string text = d.str();
    if (llvm::find(messages, text) == messages.end())
      messages.push_back(text);
    return success();
  });
  return pm.run(module);
}

std::string joinReasons(const std::vector<std::string> &messages,
                        StringRef otherwise) {
  if (messages.empty())
    return otherwise.str();
  std::string all;
  for (const std::string &m : messages)
    all += (all.empty() ? "" : "; ") + m;
  return all;
}

uint64_t hashOf(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return llvm::xxh3_64bits(text);
}

//===----------------------------------------------------------------------===//
// The winner as a transform script (docs/autoschedule.md, "The script")
//===----------------------------------------------------------------------===//

/// Writes the transform.nki ops of a sequence of steps, resolving each
/// step's choice of loops on the kernel as it is before the step. A step
/// whose choice cannot be written with transform.nki ops sets `problem`.
class ScriptWriter {
public:
  std::string body, problem;

  void step(ModuleOp m, const Step &s) {
    line("// " + s.label);
    switch (s.kind) {
    case StepKind::Front:
      return front(m, s);
    case StepKind::HoistInvariant:
      line("%" + fresh("hoisted") + " = transform.nki.hoist_invariant %root");
      return run(
          m, [](OpPassManager &pm) { pm.addPass(createNkiHoistInvariant()); });
    case StepKind::Expand:
      line("%" + fresh("hoisted") +
           " = transform.nki.hoist_invariant %root {expand}");
      break;
    case StepKind::Tile:
      tile(m, s);
      break;
    case StepKind::Place:
      line("%" + fresh("placed") + " = transform.nki.place_buffers %root");
      break;
    case StepKind::Peel:
      peel(m);
      break;
    case StepKind::Delay: {
      std::string loops = match(m, "seq_tile");
      line("%" + fresh("delayed") + " = transform.nki.delay_stores %" + loops);
      break;
    }
    case StepKind::Assign:
      line("%" + fresh("moved") + " = transform.nki.assign_engines %root");
      break;
    }
    run(m, s.add);
  }

private:
  llvm::StringMap<int> counts;

  void line(const std::string &text) { body += "    " + text + "\n"; }
  std::string fresh(StringRef base) {
    std::string name = base.str();
    for (char &c : name)
      if (!llvm::isAlnum(c))
        c = '_';
    int n = counts[name]++;
    return n ? name + "_" + std::to_string(n) : name;
  }
  void unsupported(const Step &s, const Twine &why) {
    if (problem.empty())
      problem = "step '" + s.label + "' " + why.str();
  }
  static void run(ModuleOp m, const std::function<void(OpPassManager &)> &add) {
    std::vector<std::string> ignored;
    (void)runPasses(m, add, ignored);
  }
  static SmallVector<scf::ForOp> loopsNamed(Operation *root, StringRef name) {
    SmallVector<scf::ForOp> loops;
    root->walk<WalkOrder::PreOrder>([&](scf::ForOp loop) {
      if (getLoopName(loop) == name)
        loops.push_back(loop);
    });
    return loops;
  }
  /// `%x = transform.nki.match_loop "name" in %root`; returns x.
  std::string match(ModuleOp, StringRef name) {
    std::string handle = fresh(name.empty() ? "loop" : name);
    line("%" + handle + " = transform.nki.match_loop \"" + name.str() +
         "\" in %root");
    return handle;
  }

  void front(ModuleOp m, const Step &s) {
    if (!s.outer.empty()) {
      // nki-reorder-loops{outer inner} interchanges every loop named outer
      // whose body is exactly one loop named inner; reorder_loops every
      // loop of its handle.
      for (scf::ForOp loop : loopsNamed(m, s.outer)) {
        scf::ForOp nested = perfectlyNested(loop);
        if (!nested || getLoopName(nested) != s.inner)
          unsupported(s, "interchanges only some of the loops named '" +
                             s.outer + "'");
      }
      std::string outer = match(m, s.outer);
      line("%" + fresh(s.inner) + ", %" + fresh(s.outer + "_inner") +
           " = transform.nki.reorder_loops %" + outer);
      NkiReorderLoopsOptions o;
      o.outer = s.outer;
      o.inner = s.inner;
      run(m, [&](OpPassManager &pm) { pm.addPass(createNkiReorderLoops(o)); });
    }
    line("%" + fresh("loads") + " = transform.nki.hoist_loads %root");
    run(m, [](OpPassManager &pm) { pm.addPass(createNkiHoistLoads()); });
    fuse(m, s);
    run(m, [](OpPassManager &pm) { pm.addPass(createNkiFuseLoops()); });
    line("transform.apply_cse to %root : !transform.any_op");
    run(m, [](OpPassManager &pm) { pm.addPass(createCSEPass()); });
  }

  /// A handle to `loop` alone: the loops of its name, split when there are
  /// several (match_loop lists them in program order); empty when the loop
  /// has no name.
  std::string select(ModuleOp m, scf::ForOp loop) {
    StringRef name = getLoopName(loop);
    if (name.empty())
      return "";
    SmallVector<scf::ForOp> loops = loopsNamed(m, name);
    std::string all = match(m, name);
    if (loops.size() == 1)
      return all;
    std::string parts = fresh(all + "_each");
    std::string types;
    for (size_t i = 0; i < loops.size(); ++i)
      types += (i ? ", " : "") + std::string("!transform.any_op");
    line("%" + parts + ":" + std::to_string(loops.size()) +
         " = transform.split_handle %" + all + " : (!transform.any_op) -> (" +
         types + ")");
    size_t index = size_t(llvm::find(loops, loop) - loops.begin());
    return parts + "#" + std::to_string(index);
  }

  /// nki-fuse-loops fuses adjacent siblings with equal constant bounds to a
  /// fixed point, then contracts the buffers used only in one loop: both
  /// replayed on a copy, each fused pair by its loops' names and positions,
  /// the contraction by the names of the loops it applies to.
  void fuse(ModuleOp m, const Step &s) {
    OwningOpRef<ModuleOp> copy(m.clone());
    IRRewriter rewriter(m.getContext());
    while (true) {
      bool unnamed = false;
      bool fused = visitFusionCandidates(*copy, [&](scf::ForOp first,
                                                    scf::ForOp second) {
        // The handles are written before the fusion; a decline changes
        // nothing, and its handles are then dropped.
        size_t mark = body.size();
        llvm::StringMap<int> saved = counts;
        std::string x = select(*copy, first), y = select(*copy, second);
        if (succeeded(fuseSiblingLoops(rewriter, first, second, "", nullptr))) {
          if (x.empty() || y.empty())
            unnamed = true;
          else
            line("%" + fresh("fused") + " = transform.nki.fuse_loops %" + x +
                 ", %" + y);
          return true;
        }
        body.resize(mark);
        counts = saved;
        return false;
      });
      if (unnamed) {
        unsupported(s, "fuses a loop without a name (nki.loop)");
        return;
      }
      if (!fused)
        break;
    }
    std::vector<std::string> contracting;
    for (auto [alloc, loop] : contractionCandidates(*copy)) {
      std::string name = getLoopName(loop).str();
      if (failed(contractBuffer(rewriter, cast<AllocOp>(alloc), loop)))
        continue;
      if (name.empty()) {
        unsupported(s, "contracts a buffer of a loop without a name");
        return;
      }
      addUnique(contracting, name);
    }
    for (const std::string &name : contracting) {
      std::string loop = match(*copy, name);
      line("%" + fresh("contracted") + " = transform.nki.contract_buffers %" +
           loop);
    }
  }

  void tile(ModuleOp m, const Step &s) {
    std::string name = s.tileLoop;
    if (name.empty()) {
      // The pass's default: every loop directly around a scan.
      llvm::SetVector<Operation *> targets;
      m.walk([&](TensorTensorScanOp scan) {
        if (auto loop = scan->getParentOfType<scf::ForOp>())
          targets.insert(loop);
      });
      std::vector<std::string> names;
      for (Operation *t : targets)
        addUnique(names, getLoopName(t).str());
      if (names.size() != 1 ||
          loopsNamed(m, names.front()).size() != targets.size()) {
        unsupported(s, "tiles the loops around the scans, which no loop name "
                       "selects exactly");
        return;
      }
      name = names.front();
    }
    std::string loops = match(m, name);
    line("%" + fresh("seq_tile") + " = transform.nki.tile_free_dim %" + loops +
         " {tile_size = " + std::to_string(s.tileSize) + "}");
  }

  /// nki-peel-reduction peels every reduction it finds; peel_reduction those
  /// of the loops of one name. The names whose loops peel, innermost first.
  void peel(ModuleOp m) {
    std::vector<std::string> names;
    m.walk([&](scf::ForOp loop) { addUnique(names, getLoopName(loop).str()); });
    IRRewriter rewriter(m.getContext());
    for (const std::string &name : names) {
      OwningOpRef<ModuleOp> copy(m.clone());
      PeelResult r = peelReductions(rewriter, *copy, [&](scf::ForOp loop) {
        return getLoopName(loop) == name;
      });
      if (r.peeled > 0) {
        std::string loops = match(m, name);
        line("%" + fresh(name + "_rest") + " = transform.nki.peel_reduction %" +
             loops);
      }
    }
  }
};

/// Sort key: predicted latency, then fewer steps, then build order.
bool better(const Candidate &a, const Candidate &b) {
  double la = a.price->latencyUs, lb = b.price->latencyUs;
  if (la != lb)
    return la < lb;
  if (a.numSteps != b.numSteps)
    return a.numSteps < b.numSteps;
  return a.id < b.id;
}

/// The beam keeps no kernel predicted slower than this ratio times the
/// best priced so far (the named pipelines' included).
constexpr double kKeepRatio = 1.5;

struct Node {
  OwningOpRef<ModuleOp> module; // after the steps, before the finish
  Steps steps;
  int64_t candidate; // index into the result's candidates
};

class Search {
public:
  Search(ModuleOp module, func::FuncOp func, const AutoScheduleOptions &o)
      : original(module), funcName(func.getSymName().str()), options(o),
        start(std::chrono::steady_clock::now()) {}

  FailureOr<AutoScheduleResult> run();

private:
  double elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  }
  bool outOfBudget() {
    if (int64_t(result.candidates.size()) >= options.maxCandidates) {
      result.budgetHit = true;
      return true;
    }
    if (options.timeBudgetSeconds > 0 &&
        elapsed() >= options.timeBudgetSeconds) {
      result.budgetHit = true;
      return true;
    }
    return false;
  }
  /// Builds a candidate from `module` (the steps already applied) and
  /// prices it; returns its index, or the index of the identical kernel
  /// built before. `pruneAtUs`: skip the simulation when the lower bound
  /// reaches it.
  int64_t build(ModuleOp module, const Steps &steps, double pruneAtUs);
  func::FuncOp funcOf(ModuleOp m) {
    return m.lookupSymbol<func::FuncOp>(funcName);
  }
  /// What a kernel must beat to join the beam `nodes`: the beamWidth-th
  /// best of them (infinity when fewer), and kKeepRatio times the best
  /// kernel priced so far.
  double admission(const std::vector<int64_t> &nodes);
  double bestSoFar() const;

  ModuleOp original;
  std::string funcName;
  const AutoScheduleOptions &options;
  std::chrono::steady_clock::time_point start;
  /// Applies `steps` to `base` one by one (a step that fails or changes
  /// nothing drops the candidate, with its remarks) and builds the
  /// candidate; returns its index.
  int64_t buildFromStart(ModuleOp base, const Steps &steps, double pruneAtUs);
  /// Records a candidate dropped before it was built.
  int64_t declined(const Steps &steps, std::string reason);
  /// The winner's steps (or any candidate's) from `base`, with the finish.
  FailureOr<OwningOpRef<ModuleOp>> rebuild(ModuleOp base, int64_t index);
  /// The winner as a transform script (result.script), run on `base` and
  /// checked against `kernel` (result.scriptProblem when it differs).
  void writeScript(ModuleOp base, ModuleOp kernel);

  AutoScheduleResult result;
  llvm::DenseMap<uint64_t, int64_t> byHash;
  std::vector<Steps> stepsOf; // per candidate
};

int64_t Search::build(ModuleOp module, const Steps &steps, double pruneAtUs) {
  Candidate c;
  c.id = int64_t(result.candidates.size()) + 1;
  c.name = stepsName(steps);
  c.pipeline = pipelineText(steps);
  c.numSteps = int64_t(steps.size());
  OwningOpRef<ModuleOp> finished(module.clone());
  std::vector<std::string> messages;
  if (failed(runPasses(*finished, addFinish, messages))) {
    c.dropped =
        "does not fit: " + joinReasons(messages, "capacity check failed");
    result.candidates.push_back(std::move(c));
    stepsOf.push_back(steps);
    return int64_t(result.candidates.size()) - 1;
  }
  uint64_t hash = hashOf(*finished);
  auto it = byHash.find(hash);
  if (it != byHash.end()) {
    ++result.duplicates;
    return it->second;
  }
  std::string reason;
  FailureOr<Price> price =
      priceKernel(funcOf(*finished), options, &reason, pruneAtUs);
  ++result.simulations;
  if (failed(price)) {
    c.dropped = reason;
  } else if (price->pruned) {
    c.dropped = llvm::formatv("pruned: its lower bound {0:F1} us (the busiest "
                              "queue's work) is no better than the beam's "
                              "{1:F1} us",
                              price->lowerBoundUs, pruneAtUs)
                    .str();
  } else {
    if (!price->extrapolated)
      ++result.fullSimulations;
    c.price = *price;
  }
  result.candidates.push_back(std::move(c));
  stepsOf.push_back(steps);
  int64_t index = int64_t(result.candidates.size()) - 1;
  byHash[hash] = index;
  return index;
}

int64_t Search::declined(const Steps &steps, std::string reason) {
  Candidate c;
  c.id = int64_t(result.candidates.size()) + 1;
  c.name = stepsName(steps);
  c.pipeline = pipelineText(steps);
  c.numSteps = int64_t(steps.size());
  c.dropped = std::move(reason);
  result.candidates.push_back(std::move(c));
  stepsOf.push_back(steps);
  return int64_t(result.candidates.size()) - 1;
}

int64_t Search::buildFromStart(ModuleOp base, const Steps &steps,
                               double pruneAtUs) {
  OwningOpRef<ModuleOp> m(base.clone());
  for (const Step &step : steps) {
    OperationFingerPrint before(m.get());
    std::vector<std::string> messages;
    bool failedStep = failed(runPasses(*m, step.add, messages));
    if (failedStep || OperationFingerPrint(m.get()) == before)
      return declined(
          steps, step.label + " declines: " +
                     joinReasons(messages, failedStep ? "it fails"
                                                      : "it changes nothing"));
  }
  return build(*m, steps, pruneAtUs);
}

double Search::admission(const std::vector<int64_t> &nodes) {
  double cut = kKeepRatio * bestSoFar();
  std::vector<double> prices;
  for (int64_t i : nodes)
    if (result.candidates[size_t(i)].price)
      prices.push_back(result.candidates[size_t(i)].price->latencyUs);
  if (int64_t(prices.size()) < options.beamWidth)
    return cut;
  std::nth_element(prices.begin(), prices.begin() + (options.beamWidth - 1),
                   prices.end());
  return std::min(cut, prices[size_t(options.beamWidth - 1)]);
}

double Search::bestSoFar() const {
  double best = INFINITY;
  for (const Candidate &c : result.candidates)
    if (c.price)
      best = std::min(best, c.price->latencyUs);
  return best;
}

FailureOr<AutoScheduleResult> Search::run() {
  result.function = funcName;
  // The search works on a module holding only this function.
  OwningOpRef<ModuleOp> base(original.clone());
  for (auto f : llvm::make_early_inc_range(base->getOps<func::FuncOp>()))
    if (f.getSymName() != funcName)
      f.erase();
  result.target = mamba_hw::targetName(
                      options.target ? *options.target
                                     : toHardware(getTarget(funcOf(*base))))
                      .str();

  // The named pipelines first: the kernel as given is always priced.
  for (auto &[label, steps] : namedPipelines()) {
    bool anyPriced = llvm::any_of(result.candidates,
                                  [](const Candidate &c) { return c.price; });
    if (anyPriced && outOfBudget())
      break;
    OwningOpRef<ModuleOp> m(base->clone());
    std::vector<std::string> messages;
    bool ok = true;
    for (const Step &s : steps)
      if (failed(runPasses(*m, s.add, messages))) {
        ok = false;
        break;
      }
    int64_t index;
    if (!ok) {
      Candidate c;
      c.id = int64_t(result.candidates.size()) + 1;
      c.name = stepsName(steps);
      c.pipeline = pipelineText(steps);
      c.numSteps = int64_t(steps.size());
      c.dropped = joinReasons(messages, "a step failed");
      result.candidates.push_back(std::move(c));
      stepsOf.push_back(steps);
      index = int64_t(result.candidates.size()) - 1;
    } else {
      index = build(*m, steps, INFINITY);
    }
    Candidate &c = result.candidates[size_t(index)];
    c.named += (c.named.empty() ? "" : "=") + label;
  }

  // The beam search. The named pipelines' kernels after each stage stay in
  // the beam besides the beamWidth best, so their schedules are extended
  // too.
  std::vector<Node> beam;
  beam.push_back(Node{OwningOpRef<ModuleOp>(base->clone()), {}, 0});
  std::vector<std::pair<Steps, Node>> named;
  for (auto &[label, steps] : namedPipelines())
    if (!steps.empty())
      named.push_back(
          {steps, Node{OwningOpRef<ModuleOp>(base->clone()), {}, 0}});
  bool stop = false;
  int stageIndex = -1;
  for (const Stage &stage : stages(options)) {
    ++stageIndex;
    if (stop)
      break;
    std::vector<Node> next;
    std::vector<int64_t> nextIndices;
    for (Node &n : beam)
      nextIndices.push_back(n.candidate);
    for (Node &parent : beam) {
      if (stop)
        break;
      for (const Step &step : stage(funcOf(*parent.module))) {
        if (outOfBudget()) {
          stop = true;
          break;
        }
        Steps steps = parent.steps;
        steps.push_back(step);
        OwningOpRef<ModuleOp> child(parent.module->clone());
        OperationFingerPrint before(child.get());
        std::vector<std::string> messages;
        bool failedStep = failed(runPasses(*child, step.add, messages));
        if (failedStep || OperationFingerPrint(child.get()) == before) {
          declined(steps, step.label + " declines: " +
                              joinReasons(messages,
                                          failedStep ? "it fails"
                                                     : "it changes nothing"));
          continue;
        }
        int64_t index = build(*child, steps, admission(nextIndices));
        if (!result.candidates[size_t(index)].price ||
            llvm::is_contained(nextIndices, index))
          continue;
        nextIndices.push_back(index);
        next.push_back(Node{std::move(child), std::move(steps), index});
      }
    }
    for (Node &n : beam)
      next.push_back(std::move(n));
    auto key = [&](const Node &a, const Node &b) {
      const Candidate &ca = result.candidates[size_t(a.candidate)];
      const Candidate &cb = result.candidates[size_t(b.candidate)];
      if (bool(ca.price) != bool(cb.price))
        return bool(ca.price);
      if (!ca.price)
        return ca.id < cb.id;
      return better(ca, cb);
    };
    std::stable_sort(next.begin(), next.end(), key);
    if (int64_t(next.size()) > options.beamWidth)
      next.resize(size_t(options.beamWidth));
    double cut = kKeepRatio * bestSoFar();
    while (next.size() > 1) {
      const Candidate &last = result.candidates[size_t(next.back().candidate)];
      if (last.price && last.price->latencyUs <= cut)
        break;
      next.pop_back();
    }
    for (auto &[steps, node] : named) {
      if (!node.module || stop)
        continue;
      bool advanced = false;
      for (const Step &step : steps) {
        if (step.stage != stageIndex)
          continue;
        std::vector<std::string> messages;
        if (failed(runPasses(*node.module, step.add, messages))) {
          node.module = nullptr;
          break;
        }
        node.steps.push_back(step);
        advanced = true;
      }
      if (!node.module)
        continue;
      if (advanced)
        node.candidate = build(*node.module, node.steps, INFINITY);
      bool present = llvm::any_of(
          next, [&](const Node &n) { return n.candidate == node.candidate; });
      if (!present && result.candidates[size_t(node.candidate)].price)
        next.push_back(Node{OwningOpRef<ModuleOp>(node.module->clone()),
                            node.steps, node.candidate});
    }
    beam = std::move(next);
  }

  // The neighbourhood of the best: each of the beamWidth best kernels with
  // its tile step at every other tile size.
  if (!stop) {
    std::vector<int64_t> best;
    for (size_t i = 0; i < result.candidates.size(); ++i)
      if (result.candidates[i].price)
        best.push_back(int64_t(i));
    std::stable_sort(best.begin(), best.end(), [&](int64_t a, int64_t b) {
      return better(result.candidates[size_t(a)], result.candidates[size_t(b)]);
    });
    if (int64_t(best.size()) > options.beamWidth)
      best.resize(size_t(options.beamWidth));
    std::vector<int64_t> top = best;
    for (int64_t index : best) {
      if (stop)
        break;
      Steps steps = stepsOf[size_t(index)];
      for (size_t i = 0; i < steps.size() && !stop; ++i) {
        if (steps[i].tileSize == 0)
          continue;
        for (int64_t size : options.tileSizes) {
          if (size == steps[i].tileSize)
            continue;
          if (outOfBudget()) {
            stop = true;
            break;
          }
          Steps variant = steps;
          variant[i] = tile(steps[i].tileLoop, size);
          int64_t built = buildFromStart(*base, variant, admission(top));
          if (built >= 0 && result.candidates[size_t(built)].price &&
              !llvm::is_contained(top, built))
            top.push_back(built);
        }
      }
    }
  }

  // The best few by estimate, and every named pipeline, simulated in full;
  // then the best until the first is a full simulation.
  std::vector<int64_t> ranked;
  for (size_t i = 0; i < result.candidates.size(); ++i)
    if (result.candidates[i].price)
      ranked.push_back(int64_t(i));
  if (ranked.empty()) {
    emitError(original.lookupSymbol(funcName)->getLoc())
        << "nki-auto-schedule: no schedule of '" << funcName
        << "' can be compiled and priced (the kernel as given: "
        << result.candidates.front().dropped << ")";
    return failure();
  }
  auto rank = [&]() {
    std::stable_sort(ranked.begin(), ranked.end(), [&](int64_t a, int64_t b) {
      return better(result.candidates[size_t(a)], result.candidates[size_t(b)]);
    });
  };
  auto confirm = [&](int64_t index) -> LogicalResult {
    Candidate &c = result.candidates[size_t(index)];
    if (!c.price->extrapolated)
      return success();
    FailureOr<OwningOpRef<ModuleOp>> m = rebuild(*base, index);
    if (failed(m))
      return failure();
    AutoScheduleOptions exact = options;
    exact.extrapolate = false;
    exact.measureExtrapolation = false;
    std::string reason;
    FailureOr<Price> price = priceKernel(funcOf(**m), exact, &reason);
    ++result.simulations;
    ++result.fullSimulations;
    if (failed(price)) {
      emitError(original.lookupSymbol(funcName)->getLoc())
          << "nki-auto-schedule: candidate #" << c.id
          << " priced by extrapolation cannot be simulated in full: " << reason;
      return failure();
    }
    price->estimateUs = c.price->latencyUs;
    c.price = *price;
    return success();
  };
  rank();
  for (int64_t k = 0; k < int64_t(ranked.size()) && k < options.confirm; ++k)
    if (failed(confirm(ranked[size_t(k)])))
      return failure();
  for (int64_t index : ranked)
    if (!result.candidates[size_t(index)].named.empty())
      if (failed(confirm(index)))
        return failure();
  rank();
  while (result.candidates[size_t(ranked.front())].price->extrapolated) {
    if (failed(confirm(ranked.front())))
      return failure();
    rank();
  }
  result.winner = ranked.front();

  // The winner, built again from the start as one pipeline, replaces the
  // function.
  FailureOr<OwningOpRef<ModuleOp>> winner = rebuild(*base, result.winner);
  if (failed(winner))
    return failure();
  auto it = byHash.find(hashOf(**winner));
  if (it == byHash.end() || it->second != result.winner) {
    emitError(original.lookupSymbol(funcName)->getLoc())
        << "nki-auto-schedule: internal error: the winner's pipeline, run "
           "again, gives a different kernel";
    return failure();
  }
  if (options.writeScript)
    writeScript(*base, **winner);
  Operation *old = original.lookupSymbol(funcName);
  OpBuilder b(old);
  b.clone(*funcOf(**winner));
  old->erase();
  result.searchSeconds = elapsed();
  return result;
}

FailureOr<OwningOpRef<ModuleOp>> Search::rebuild(ModuleOp base, int64_t index) {
  OwningOpRef<ModuleOp> m(base.clone());
  const Steps &steps = stepsOf[size_t(index)];
  std::vector<std::string> messages;
  if (failed(runPasses(
          *m,
          [&](OpPassManager &pm) {
            for (const Step &s : steps)
              s.add(pm);
            addFinish(pm);
          },
          messages))) {
    emitError(original.lookupSymbol(funcName)->getLoc())
        << "nki-auto-schedule: internal error: candidate #"
        << result.candidates[size_t(index)].id
        << "'s pipeline fails when run again: "
        << joinReasons(messages, "no message");
    return failure();
  }
  return m;
}
void Search::writeScript(ModuleOp base, ModuleOp kernel) {
  const Candidate &w = result.candidates[size_t(result.winner)];
  OwningOpRef<ModuleOp> m(base.clone());
  ScriptWriter writer;
  for (const Step &s : stepsOf[size_t(result.winner)])
    writer.step(*m, s);
  std::string body;
  llvm::raw_string_ostream os(body);
  os << "module attributes {transform.with_named_sequence} {\n"
     << "  transform.named_sequence @__transform_main(%root: "
        "!transform.any_op {transform.readonly}) {\n"
     << writer.body << "    transform.yield\n  }\n}\n";
  std::string problem =
      writer.problem.empty()
          ? ""
          : "it cannot be written with transform.nki ops: " + writer.problem;
  if (problem.empty()) {
    // Run it as --transform-interpreter would, then the finish, and compare.
    MLIRContext *ctx = base.getContext();
    std::vector<std::string> messages;
    ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &d) {
      if (d.getSeverity() == DiagnosticSeverity::Error)
        messages.push_back(d.str());
      return success();
    });
    OwningOpRef<ModuleOp> script = parseSourceString<ModuleOp>(body, ctx);
    OwningOpRef<ModuleOp> payload(base.clone());
    Operation *entry =
        script
            ? script->lookupSymbol(
                  transform::TransformDialect::kTransformEntryPointSymbolName)
            : nullptr;
    if (!entry ||
        failed(transform::applyTransformNamedSequence(
            *payload, entry, *script, transform::TransformOptions())) ||
        failed(runPasses(*payload, addFinish, messages)))
      problem = "it fails when run: " + joinReasons(messages, "no message");
    else if (hashOf(*payload) != hashOf(kernel))
      problem = "run on the input, it gives a different kernel (an internal "
                "error: please report it)";
  }
  result.scriptProblem = problem;
  std::string text;
  llvm::raw_string_ostream out(text);
  out << "// nki-auto-schedule's choice for @" << funcName << " (target "
      << result.target << "): #" << w.id << " '" << w.name << "'"
      << (w.named.empty() ? "" : " (= " + w.named + ")")
      << llvm::format(", predicted %.2f us.", w.price->latencyUs) << "\n";
  if (problem.empty())
    out << "// On the pass's input (under --mamba-auto, the kernel of\n"
        << "// --convert-mamba-to-nki) it gives exactly the chosen kernel:\n"
        << "//   mamba-opt --convert-mamba-to-nki \\\n"
        << "//     "
           "--transform-preload-library=transform-library-paths=THIS_FILE "
           "\\\n"
        << "//     --transform-interpreter --cse --nki-check-capacity "
           "KERNEL.mlir\n";
  else
    out << "// NOT A REPRODUCTION of the chosen kernel: " << problem
        << ".\n// Rerun the choice with the report's pass pipeline instead:\n"
        << "//   --pass-pipeline='" << w.pipeline << "'\n"
        << "// There is no script to run (the interpreter finds no "
           "@__transform_main);\n// the steps as far as they could be "
           "written:\n";
  if (problem.empty()) {
    out << body;
  } else {
    for (StringRef l : llvm::split(StringRef(body).rtrim('\n'), '\n'))
      out << "//   " << l << "\n";
  }
  result.script = text;
}
} // namespace

FailureOr<AutoScheduleResult>
mlir::nki::autoSchedule(ModuleOp module, func::FuncOp func,
                        const AutoScheduleOptions &options) {
  return Search(module, func, options).run();
}

void mlir::nki::printReport(const AutoScheduleResult &r,
                            llvm::raw_ostream &os) {
  int64_t declined = 0, pruned = 0, priced = 0;
  for (const Candidate &c : r.candidates) {
    if (c.price)
      ++priced;
    else if (StringRef(c.dropped).starts_with("pruned"))
      ++pruned;
    else
      ++declined;
  }
  os << "auto-schedule report: @" << r.function << ", target " << r.target
     << "\n";
  os << llvm::format("candidates: %lld built, %lld priced, %lld dropped "
                     "(declined, not fitting or refused), %lld pruned by "
                     "the lower bound, %lld duplicates\n",
                     (long long)r.candidates.size(), (long long)priced,
                     (long long)declined, (long long)pruned,
                     (long long)r.duplicates);
  os << llvm::format("simulations: %lld (%lld in full); search %.2f s%s\n",
                     (long long)r.simulations, (long long)r.fullSimulations,
                     r.searchSeconds,
                     r.budgetHit ? " (cut short by the budget)" : "");
  std::vector<const Candidate *> ranked;
  for (const Candidate &c : r.candidates)
    if (c.price)
      ranked.push_back(&c);
  std::stable_sort(
      ranked.begin(), ranked.end(),
      [](const Candidate *a, const Candidate *b) { return better(*a, *b); });
  bool measured = llvm::any_of(ranked, [](const Candidate *c) {
    return c->price->fullLatencyUs.has_value();
  });
  os << "\nrank    id   latency us  how   busiest  active %  sbuf peak B  "
        "psum peak B       spill B";
  if (measured)
    os << "     full us   err %";
  os << "  named  schedule\n";
  int64_t rankNo = 0;
  for (const Candidate *c : ranked) {
    const Price &p = *c->price;
    os << llvm::format(
        "%4lld %5lld %12.2f  %-4s  %-7s %9.1f %12lld %12lld "
        "%13lld",
        (long long)++rankNo, (long long)c->id, p.latencyUs,
        static_cast<const char *>(p.extrapolated ? "est" : "sim"),
        p.busiest.c_str(), p.busiestActivePct, (long long)p.sbufPeakBytes,
        (long long)p.psumPeakBytes, (long long)p.spillBytes);
    if (measured) {
      if (p.fullLatencyUs)
        os << llvm::format(" %11.2f %7.3f", *p.fullLatencyUs,
                           100.0 * (p.latencyUs - *p.fullLatencyUs) /
                               *p.fullLatencyUs);
      else if (p.estimateUs) // confirmed: the estimate against the latency
        os << llvm::format(" %11.2f %7.3f", p.latencyUs,
                           100.0 * (*p.estimateUs - p.latencyUs) / p.latencyUs);
      else
        os << "           -       -";
    }
    os << llvm::format("  %-5s  ", c->named.empty() ? "-" : c->named.c_str())
       << c->name << "\n";
  }
  os << "\ndropped (id, schedule: reason)\n";
  for (const Candidate &c : r.candidates)
    if (!c.price)
      os << llvm::format("%5lld ", (long long)c.id) << c.name << ": "
         << c.dropped << "\n";
  if (r.winner >= 0) {
    const Candidate &w = r.candidates[size_t(r.winner)];
    os << "\nchosen: #" << w.id << " " << w.name
       << llvm::format(", predicted %.2f us", w.price->latencyUs) << "\n";
    os << "rerun it: mamba-opt KERNEL.mlir --pass-pipeline='" << w.pipeline
       << "'\n";
    if (!r.script.empty())
      os << "transform script: "
         << (r.scriptProblem.empty()
                 ? "reproduces it (checked)"
                 : "does not reproduce it: " + r.scriptProblem)
         << "\n";
  }
}
