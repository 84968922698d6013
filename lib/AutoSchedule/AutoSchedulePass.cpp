//===- AutoSchedulePass.cpp - --nki-auto-schedule -------------------------===//
//
// The module pass around autoSchedule(): every nki kernel of the module
// (a func.func holding nki ops) is replaced by its best schedule; a remark
// at the function names the choice and the pipeline that reproduces it,
// `report=FILE` writes the whole ranked table and `script=FILE` the winner
// as a Transform-dialect script, checked to reproduce it
// (docs/autoschedule.md).
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/AutoSchedule/AutoSchedule.h"
#include "mamba-nki/Dialect/Nki/IR/NkiDialect.h"
#include "mamba-nki/Dialect/Nki/IR/NkiTarget.h"
#include "mamba-nki/Dialect/Nki/TransformOps/NkiTransformOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::nki;

namespace {
struct NkiAutoSchedulePass
    : public PassWrapper<NkiAutoSchedulePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(NkiAutoSchedulePass)

  NkiAutoSchedulePass() = default;
  NkiAutoSchedulePass(const NkiAutoSchedulePass &other) : PassWrapper(other) {}
  explicit NkiAutoSchedulePass(const NkiAutoScheduleOptions &o) {
    timeBudget = o.timeBudget;
    maxCandidates = o.maxCandidates;
    beam = o.beam;
    if (!o.tileSizes.empty())
      tileSizes = o.tileSizes;
    extrapolate = o.extrapolate;
    confirm = o.confirm;
    measureExtrapolation = o.measureExtrapolation;
    target = o.target;
    report = o.report;
    script = o.script;
  }

  StringRef getArgument() const final { return "nki-auto-schedule"; }
  StringRef getDescription() const final {
    return "Search the legal schedules of each nki kernel with the timing "
           "model and keep the fastest (docs/autoschedule.md)";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry
        .insert<arith::ArithDialect, func::FuncDialect, memref::MemRefDialect,
                scf::SCFDialect, NkiDialect, transform::TransformDialect>();
    // script=: the winner's script is parsed and run in-process.
    registerTransformDialectExtension(registry);
  }

  void runOnOperation() override;

  Option<double> timeBudget{
      *this, "time-budget",
      llvm::cl::desc("stop expanding the search after this many seconds; the "
                     "choice then depends on the machine's speed (default: "
                     "0, no budget)"),
      llvm::cl::init(0)};
  Option<int64_t> maxCandidates{
      *this, "max-candidates",
      llvm::cl::desc("build at most this many candidates, the named "
                     "pipelines' included (default: 1000)"),
      llvm::cl::init(1000)};
  Option<int64_t> beam{*this, "beam",
                       llvm::cl::desc("candidates kept from one stage of the "
                                      "search to the next (default: 6)"),
                       llvm::cl::init(6)};
  ListOption<int64_t> tileSizes{
      *this, "tile-sizes",
      llvm::cl::desc("seq_len tile sizes to try (default: "
                     "128,256,512,1024,2048,4096)")};
  Option<bool> extrapolate{
      *this, "extrapolate",
      llvm::cl::desc("price large kernels on reduced instances and "
                     "extrapolate when exact enough (default: true)"),
      llvm::cl::init(true)};
  Option<int64_t> confirm{
      *this, "confirm",
      llvm::cl::desc("the best this many estimates are simulated in full "
                     "before the choice (default: 3)"),
      llvm::cl::init(3)};
  Option<bool> measureExtrapolation{
      *this, "measure-extrapolation",
      llvm::cl::desc("also simulate every extrapolated candidate in full and "
                     "report the error (slow; default: false)"),
      llvm::cl::init(false)};
  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("schedule for this NeuronCore (trn1, trn2) and set the "
                     "module's nki.target (default: the module's)"),
      llvm::cl::init("")};
  Option<std::string> report{
      *this, "report",
      llvm::cl::desc("write the ranked table to this file ('-': stderr; "
                     "default: none)"),
      llvm::cl::init("")};
  Option<std::string> script{
      *this, "script",
      llvm::cl::desc("write the winner as a Transform-dialect script to this "
                     "file ('-': stderr; default: none)"),
      llvm::cl::init("")};
};

void NkiAutoSchedulePass::runOnOperation() {
  ModuleOp module = getOperation();
  AutoScheduleOptions o;
  o.timeBudgetSeconds = timeBudget;
  o.maxCandidates = maxCandidates;
  o.beamWidth = beam;
  if (!tileSizes.empty())
    o.tileSizes.assign(tileSizes.begin(), tileSizes.end());
  o.extrapolate = extrapolate;
  o.confirm = confirm;
  o.measureExtrapolation = measureExtrapolation;
  o.writeScript = !script.empty();
  auto bad = [&](const Twine &message) {
    module.emitError() << "nki-auto-schedule: " << message;
    signalPassFailure();
  };
  if (!(timeBudget >= 0))
    return bad("time-budget must be >= 0 seconds, got " +
               std::to_string(double(timeBudget)));
  if (maxCandidates < 1)
    return bad("max-candidates must be >= 1, got " + Twine(maxCandidates));
  if (beam < 1)
    return bad("beam must be >= 1, got " + Twine(beam));
  if (confirm < 0)
    return bad("confirm must be >= 0, got " + Twine(confirm));
  for (int64_t size : o.tileSizes)
    if (size < 1)
      return bad("tile-sizes must be >= 1, got " + Twine(size));
  if (!target.empty()) {
    std::optional<mamba_hw::Target> parsed = mamba_hw::parseTarget(target);
    if (!parsed)
      return bad("target must be " + mamba_hw::targetChoices() + ", got '" +
                 target + "'");
    o.target = parsed;
    module->setAttr(
        NkiDialect::getTargetAttrName(),
        TargetAttr::get(module.getContext(), fromHardware(*parsed)));
  }

  SmallVector<func::FuncOp> kernels;
  for (auto func : module.getOps<func::FuncOp>()) {
    bool hasNki = false;
    func.walk([&](Operation *op) {
      if (isa<NkiDialect>(op->getDialect()))
        hasNki = true;
    });
    if (hasNki)
      kernels.push_back(func);
  }
  if (kernels.empty())
    return bad("the module has no nki kernel (a func.func with nki ops) to "
               "schedule; lower it first (--convert-mamba-to-nki, or "
               "--mamba-auto from mamba.selective_scan)");

  if (!script.empty() && kernels.size() != 1)
    return bad("script= writes the schedule of one kernel, and the module "
               "has " +
               Twine(kernels.size()) +
               " (a script's loop names apply to the whole module)");
  // An output file named (not '-'); false when it cannot be written.
  auto open = [&](StringRef path, StringRef what,
                  std::unique_ptr<llvm::ToolOutputFile> &out) {
    if (path.empty() || path == "-")
      return true;
    std::string error;
    out = openOutputFile(path, &error);
    if (!out)
      bad("cannot write the " + what + " to '" + path + "': " + error);
    return bool(out);
  };
  std::unique_ptr<llvm::ToolOutputFile> scriptFile, file;
  if (!open(script, "script", scriptFile) || !open(report, "report", file))
    return;
  for (func::FuncOp func : kernels) {
    std::string name = func.getSymName().str();
    Location loc = func.getLoc();
    FailureOr<AutoScheduleResult> result = autoSchedule(module, func, o);
    if (failed(result))
      return signalPassFailure();
    const Candidate &w = result->candidates[size_t(result->winner)];
    int64_t declined = 0;
    for (const Candidate &c : result->candidates)
      declined += !c.price;
    emitRemark(loc)
        << "nki-auto-schedule: @" << name << ": chose #" << w.id << " '"
        << w.name << "'" << (w.named.empty() ? "" : " (= " + w.named + ")")
        << llvm::formatv(", predicted {0:F2} us", w.price->latencyUs).str()
        << "; " << result->candidates.size() << " candidates, " << declined
        << " dropped" << (result->budgetHit ? ", cut short by the budget" : "")
        << "; rerun: --pass-pipeline='" << w.pipeline << "'";
    if (report == "-")
      printReport(*result, llvm::errs());
    else if (file)
      printReport(*result, file->os());
    if (!result->scriptProblem.empty())
      emitWarning(loc) << "nki-auto-schedule: the transform script of @" << name
                       << " does not reproduce the chosen kernel: "
                       << result->scriptProblem;
    if (script == "-")
      llvm::errs() << result->script;
    else if (scriptFile)
      scriptFile->os() << result->script;
  }
  if (file)
    file->keep();
  if (scriptFile)
    scriptFile->keep();
}
} // namespace

std::unique_ptr<Pass> mlir::nki::createNkiAutoSchedule() {
  return std::make_unique<NkiAutoSchedulePass>();
}

std::unique_ptr<Pass>
mlir::nki::createNkiAutoSchedule(const NkiAutoScheduleOptions &o) {
  return std::make_unique<NkiAutoSchedulePass>(o);
}

void mlir::nki::registerAutoSchedulePasses() {
  PassRegistration<NkiAutoSchedulePass>();
}
