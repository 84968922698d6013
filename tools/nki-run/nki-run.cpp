//===- nki-run.cpp - run a NeuronCore instruction stream ------------------===//
//
//   nki-run kernel.nisa --input delta=delta.npy ... --output out=y.npy
//   nki-run kernel.nisa --random-inputs=0 --check
//
// docs/interpreter.md describes every flag. The run itself is the library's
// (mamba-nki/Interpreter/Run.h); this file turns flags into RunOptions.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Interpreter/Run.h"
#include "mamba-nki/Interpreter/VectorIsa.h"
#include "mamba-nki/Tools/InputLimits.h"
#include "mamba-nki/Tools/ToolOptions.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace nki_run;

static cl::OptionCategory category("nki-run options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<kernel.nisa>"),
                                      cl::cat(category));
static cl::list<std::string>
    inputs("input", cl::desc("NAME=FILE.npy: value of input tensor NAME"),
           cl::value_desc("NAME=FILE"), cl::cat(category));
static cl::list<std::string>
    outputs("output",
            cl::desc("NAME=FILE.npy: write tensor NAME after the run"),
            cl::value_desc("NAME=FILE"), cl::cat(category));
static cl::opt<int64_t> randomInputs(
    "random-inputs",
    cl::desc("generate missing inputs with this seed (>= 0), as mamba_ssm's "
             "tests do: A = -0.5*rand, delta = 0.5*rand, others standard "
             "normal"),
    cl::value_desc("SEED"), cl::cat(category));
static cl::opt<bool> onesInputs(
    "ones-inputs",
    cl::desc("the tutorial's accuracy inputs: every input 1, A = -1"),
    cl::cat(category));
static cl::opt<std::string>
    saveInputs("save-inputs", cl::desc("write every input to DIR/NAME.npy"),
               cl::value_desc("DIR"), cl::cat(category));
static cl::opt<bool>
    check("check",
          cl::desc("compare out (and final_state) with an independent "
                   "reference of the selective scan; fail beyond rtol 6e-4 "
                   "/ atol 2e-3 (bf16 outputs: 3e-2 / 5e-2)"),
          cl::cat(category));
static cl::opt<double> clRtol("rtol",
                              cl::desc("relative tolerance of --check (>= 0; "
                                       "default: by the output's dtype)"),
                              cl::init(6e-4), cl::cat(category));
static cl::opt<double> clAtol("atol",
                              cl::desc("absolute tolerance of --check (>= 0; "
                                       "default: by the output's dtype)"),
                              cl::init(2e-3), cl::cat(category));
static cl::list<std::string>
    printValues("print",
                cl::desc("print an element after the run: NAME[i,j,k]"),
                cl::cat(category));
static cl::opt<bool> noRaceCheck(
    "no-race-check",
    cl::desc("skip the check that every conflicting access is ordered by "
             "semaphores"),
    cl::cat(category));
static cl::opt<bool> progressFlag(
    "progress",
    cl::desc("show progress on stderr (default: when stderr is a terminal)"),
    cl::cat(category));
static cl::opt<bool> quiet("quiet", cl::desc("print only errors"),
                           cl::cat(category));
static cl::opt<bool>
    profile("profile",
            cl::desc("print a profile: latency, engine activity, DMA, "
                     "spills, memory peaks, top stalls"),
            cl::cat(category));
static cl::opt<std::string>
    profileJson("profile-json", cl::desc("write the profile as JSON to FILE"),
                cl::value_desc("FILE"), cl::cat(category));
static cl::opt<std::string>
    traceFile("trace", cl::desc("write a Chrome/Perfetto trace (JSON) to FILE"),
              cl::value_desc("FILE"), cl::cat(category));
static cl::opt<std::string>
    timelineFile("timeline", cl::desc("draw the timeline as SVG to FILE"),
                 cl::value_desc("FILE"), cl::cat(category));
static cl::opt<std::string> timelineWindow(
    "timeline-window", cl::desc("zoom the timeline to START:END microseconds"),
    cl::value_desc("START:END"), cl::init(""), cl::cat(category));
static cl::opt<bool>
    noCompute("no-compute",
              cl::desc("run the timing model only: no inputs, no arithmetic"),
              cl::cat(category));
static cl::opt<std::string> modelParams(
    "model-params",
    cl::desc("override timing-model parameters from FILE (name = value)"),
    cl::value_desc("FILE"), cl::cat(category));
static cl::opt<bool>
    printModelParams("print-model-params",
                     cl::desc("print the timing model's parameters"),
                     cl::cat(category));
static cl::opt<std::string>
    targetFlag("target",
               cl::desc("timing model: trn1 or trn2 (default: the stream's)"),
               cl::init(""), cl::cat(category));
static cl::opt<double> maxMemoryGiB(
    "max-memory-gib",
    cl::desc("refuse streams whose tensors and scratch need more memory "
             "than this (GiB, > 0, default 16)"),
    cl::init(16.0), cl::cat(category));
static cl::opt<unsigned>
    jobs("jobs",
         cl::desc("threads that share each instruction's partitions, 1 to "
                  "128 (default, or 0: all cores); no more threads than "
                  "cores, or than 32, are started"),
         cl::init(0), cl::cat(category));

static cl::opt<VectorIsa> vectorIsa(
    "vector-isa",
    cl::desc("the vector instructions the arithmetic is computed with; "
             "every choice gives the same bits"),
    cl::values(clEnumValN(VectorIsa::automatic, "auto",
                          "the widest this processor has (default)"),
               clEnumValN(VectorIsa::baseline, "baseline",
                          "what the build targets (SSE2 on x86-64)"),
               clEnumValN(VectorIsa::avx2, "avx2", "x86-64 AVX2")),
    cl::init(VectorIsa::automatic), cl::cat(category));

static cl::opt<bool> noWindows(
    "no-windows",
    cl::desc("execute one instruction at a time, on all its partitions, "
             "instead of in windows of instructions a block of partitions "
             "at a time (the same results, slower; for comparison)"),
    cl::cat(category));

static int fail(const Twine &message) {
  WithColor::error(errs(), "nki-run") << message << "\n";
  return 1;
}

static RunOptions options() {
  RunOptions o;
  o.stream = inputFile;
  o.inputs.assign(inputs.begin(), inputs.end());
  o.outputs.assign(outputs.begin(), outputs.end());
  if (randomInputs.getNumOccurrences())
    o.randomSeed = randomInputs;
  o.onesInputs = onesInputs;
  o.saveInputs = saveInputs;
  o.check = check;
  if (clRtol.getNumOccurrences())
    o.rtol = clRtol;
  if (clAtol.getNumOccurrences())
    o.atol = clAtol;
  o.print.assign(printValues.begin(), printValues.end());
  o.raceCheck = !noRaceCheck;
  o.progress = progressFlag;
  o.quiet = quiet;
  o.profile = profile;
  o.profileJson = profileJson;
  o.trace = traceFile;
  o.timeline = timelineFile;
  o.timelineWindow = timelineWindow;
  o.noCompute = noCompute;
  o.modelParams = modelParams;
  o.printModelParams = printModelParams;
  o.target = targetFlag;
  o.maxMemoryGiB = maxMemoryGiB;
  o.jobs = jobs;
  o.windows = !noWindows;
  return o;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mamba_tools::checkStandardOutputAtExit("nki-run");
  mamba_tools::setUpCommandLine("nki-run", {&category});
  const char *examples =
      "  nki-run kernel.nisa --random-inputs=0 --check\n"
      "  nki-run kernel.nisa --input delta=delta.npy ... --output out=y.npy\n";
  cl::ParseCommandLineOptions(
      argc, argv,
      "nki-run: execute a NeuronCore instruction stream (.nisa)\n\n" +
          std::string(examples));
  if (!inputFile.getNumOccurrences()) {
    // Without a stream: how to give one, rather than cl's "Not enough
    // positional command line arguments".
    errs() << "USAGE: nki-run [options] <kernel.nisa>\n\n"
           << examples << "\n"
           << "nki-run --help lists the options; docs/interpreter.md "
              "describes them.\n";
    return 1;
  }
  for (cl::Option *computeOnly : {static_cast<cl::Option *>(&vectorIsa),
                                  static_cast<cl::Option *>(&noWindows)})
    if (computeOnly->getNumOccurrences() && noCompute)
      return fail("--" + computeOnly->ArgStr +
                  " chooses how the arithmetic is computed, and "
                  "--no-compute computes none");
  if (Error e = selectVectorIsa(vectorIsa))
    return fail("--vector-isa=" + Twine(vectorIsaName(vectorIsa)) + ": " +
                toString(std::move(e)));
  int status = 0;
  handleAllErrors(
      nki_run::run(options(), outs()), [&](const CheckFailed &) { status = 1; },
      [&](const ErrorInfoBase &e) { status = fail(e.message()); });
  // A standard output that cannot be written (closed, a full disk) is an
  // error, not LLVM's fatal "IO failure" when outs() is destroyed.
  outs().flush();
  if (outs().has_error()) {
    std::error_code ec = outs().error();
    outs().clear_error();
    return fail("cannot write standard output: " + ec.message());
  }
  return status;
}
