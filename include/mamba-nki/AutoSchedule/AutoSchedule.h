//===- AutoSchedule.h - search the legal schedules of a kernel --*- C++ -*-===//
//
// The auto-scheduler (docs/autoschedule.md): a deterministic beam search
// over sequences of the legality-checked nki transformations (Transforms.h,
// run as their passes), each candidate compiled in-process to the
// instruction stream (translateToNisa) and priced by the timing model that
// `nki-run --no-compute` reports (nki_run::profile). It depends on the nki
// transformations, the backend and the interpreter's timing model; nothing
// depends on it but the pipelines and the tools.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_AUTOSCHEDULE_AUTOSCHEDULE_H
#define MAMBA_NKI_AUTOSCHEDULE_AUTOSCHEDULE_H

#include "mamba-nki/Support/Hardware.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace nki {

struct AutoScheduleOptions {
  /// Stop expanding the search after this many seconds (0: no budget). The
  /// named pipelines' schedules are priced first, so a cut search still
  /// returns the best of those.
  double timeBudgetSeconds = 0;
  /// Build at most this many candidates (the named pipelines' included).
  int64_t maxCandidates = 1000;
  /// Candidates kept from one stage of the search to the next.
  int64_t beamWidth = 6;
  /// seq_len tile sizes tried by nki-tile-free-dim.
  std::vector<int64_t> tileSizes = {128, 256, 512, 1024, 2048, 4096};
  /// Price a candidate on reduced instances and extrapolate when that is
  /// exact enough (docs/autoschedule.md); false: always simulate in full.
  bool extrapolate = true;
  /// The best this many candidates by estimate are simulated in full
  /// before the choice.
  int64_t confirm = 3;
  /// Also simulate every extrapolated candidate in full and report the
  /// error (for bench/autoschedule.sh; slow).
  bool measureExtrapolation = false;
  /// Also write the winner as a Transform-dialect script
  /// (AutoScheduleResult::script), checked against the kernel.
  bool writeScript = false;
  /// Overrides the module's nki.target (the pass then sets it).
  std::optional<mamba_hw::Target> target;
};

/// What the timing model says about one kernel.
struct Price {
  double latencyUs = 0;
  /// The busiest queue's work (sum of its instructions' durations) plus
  /// the launch: no schedule of the stream can be faster.
  double lowerBoundUs = 0;
  std::string busiest;         // queue name
  double busiestActivePct = 0; // of the execution period
  int64_t sbufPeakBytes = 0, psumPeakBytes = 0, spillBytes = 0;
  int64_t instructions = 0;
  /// Extrapolated from reduced instances (else simulated in full).
  bool extrapolated = false;
  /// The lower bound reached the prune threshold: not simulated
  /// (latencyUs is NaN).
  bool pruned = false;
  /// When an estimate was confirmed by a full simulation: the estimate.
  std::optional<double> estimateUs;
  /// With measureExtrapolation: the full simulation's latency.
  std::optional<double> fullLatencyUs;
};

struct Candidate {
  int64_t id = 0;
  /// Short name of the steps ("v2 hoist tile(channel_tile,512) ...").
  std::string name;
  /// The steps as a pass pipeline on the kernel the search started from,
  /// cse and nki-check-capacity included.
  std::string pipeline;
  /// Which named pipeline's kernel it is, if any ("v4").
  std::string named;
  std::optional<Price> price;
  /// Why it was dropped (a transformation declined, the kernel does not
  /// fit, it duplicates another candidate, the lower bound pruned it).
  std::string dropped;
  int64_t numSteps = 0;
};

struct AutoScheduleResult {
  std::string function;
  std::string target;
  std::vector<Candidate> candidates; // in the order they were built
  int64_t winner = -1;               // index into candidates
  double searchSeconds = 0;
  bool budgetHit = false;
  int64_t simulations = 0, fullSimulations = 0, duplicates = 0;
  /// With writeScript: the winner as a transform.nki script on the search's
  /// input (docs/autoschedule.md, "The script"), and why it does not
  /// reproduce the kernel when it does not (the script then says so).
  std::string script, scriptProblem;
};

/// Searches the schedules of `func` (an nki kernel in `module`) and
/// replaces it with the winner's kernel. Emits an error and fails when no
/// candidate, not even the kernel as it is, can be compiled and priced.
FailureOr<AutoScheduleResult> autoSchedule(ModuleOp module, func::FuncOp func,
                                           const AutoScheduleOptions &options);

/// The ranked table, the declined candidates with their reasons and the
/// winner's pipeline (docs/autoschedule.md, "The report").
void printReport(const AutoScheduleResult &result, llvm::raw_ostream &os);

/// Prices `func` (in its module) the way the search does: in full, or
/// extrapolated from reduced instances when allowed and exact enough.
/// A kernel whose lower bound reaches `pruneAtUs` is not simulated
/// (Price::pruned).
FailureOr<Price> priceKernel(func::FuncOp func,
                             const AutoScheduleOptions &options,
                             std::string *reason = nullptr,
                             double pruneAtUs = INFINITY);

struct NkiAutoScheduleOptions {
  double timeBudget = 0;
  int64_t maxCandidates = 1000;
  int64_t beam = 6;
  std::vector<int64_t> tileSizes;
  bool extrapolate = true;
  int64_t confirm = 3;
  bool measureExtrapolation = false;
  std::string target;
  std::string report;
  std::string script;
};

/// --nki-auto-schedule (a module pass).
std::unique_ptr<Pass> createNkiAutoSchedule();
std::unique_ptr<Pass> createNkiAutoSchedule(const NkiAutoScheduleOptions &o);
void registerAutoSchedulePasses();

} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_AUTOSCHEDULE_AUTOSCHEDULE_H
