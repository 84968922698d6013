//===- Run.h - nki-run as a library -----------------------------*- C++ -*-===//
//
// What nki-run does, behind its command line (tools/nki-run/nki-run.cpp only
// turns flags into RunOptions): read a stream, check it for races, load or
// draw its inputs, predict its timing, execute it, write and check its
// outputs. docs/interpreter.md describes every option by its flag.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_INTERPRETER_RUN_H
#define MAMBA_NKI_INTERPRETER_RUN_H

#include "mamba-nki/Target/Nisa/Program.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace nki_run {

/// Threads split an instruction's partitions: beyond one partition each
/// there is nothing left to share.
constexpr unsigned kMaxJobs = nisa::kPartitions;

/// nki-run's flags, each named after its flag.
struct RunOptions {
  std::string stream;                // the .nisa file, "-" for stdin
  std::vector<std::string> inputs;   // --input NAME=FILE.npy
  std::vector<std::string> outputs;  // --output NAME=FILE.npy
  std::optional<int64_t> randomSeed; // --random-inputs=SEED
  bool onesInputs = false;           // --ones-inputs
  std::string saveInputs;            // --save-inputs=DIR
  bool check = false;                // --check
  std::optional<double> rtol, atol;  // --rtol, --atol (unset: by dtype)
  std::vector<std::string> print;    // --print NAME[i,j,k]
  bool raceCheck = true;             // not --no-race-check
  bool progress = false;             // --progress (also on a terminal)
  bool quiet = false;                // --quiet
  bool profile = false;              // --profile
  std::string profileJson;           // --profile-json FILE
  std::string trace;                 // --trace FILE
  std::string timeline;              // --timeline FILE.svg
  std::string timelineWindow;        // --timeline-window START:END
  bool noCompute = false;            // --no-compute
  std::string modelParams;           // --model-params FILE
  bool printModelParams = false;     // --print-model-params
  std::string target;                // --target ("": the stream's)
  double maxMemoryGiB = 16;          // --max-memory-gib
  unsigned jobs = 0;                 // --jobs (0: all cores)
  bool windows = true;               // not --no-windows
};

/// The error a failed --check returns: its report is already on `out`.
class CheckFailed : public llvm::ErrorInfo<CheckFailed> {
public:
  static char ID;
  void log(llvm::raw_ostream &os) const override { os << "check failed"; }
  std::error_code convertToErrorCode() const override {
    return llvm::inconvertibleErrorCode();
  }
};

/// Runs as nki-run does, writing results to `out`. Each problem is an error
/// naming the flag or file (several, one per race, when races are found);
/// a failed --check is CheckFailed.
llvm::Error run(const RunOptions &options, llvm::raw_ostream &out);

} // namespace nki_run

#endif // MAMBA_NKI_INTERPRETER_RUN_H
