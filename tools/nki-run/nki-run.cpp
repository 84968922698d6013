//===- nki-run.cpp - run a NeuronCore instruction stream ------------------===//
//
//   nki-run kernel.nisa --input delta=delta.npy ... --output out=y.npy
//   nki-run kernel.nisa --random-inputs=0 --check
//
// docs/interpreter.md describes every flag.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Interpreter/Interpreter.h"
#include "mamba-nki/Interpreter/Npy.h"
#include "mamba-nki/Interpreter/Reference.h"
#include "mamba-nki/Interpreter/Timing.h"
#include "mamba-nki/Target/Nisa/Program.h"
#include "mamba-nki/Tools/InputLimits.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <thread>

using namespace llvm;
using namespace nki_run;

static cl::OptionCategory category("nki-run options");
static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<kernel.nisa>"),
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
          cl::desc("compare the output with an independent reference of the "
                   "selective scan; fail beyond rtol 6e-4 / atol 2e-3"),
          cl::cat(category));
static cl::opt<double> clRtol("rtol",
                              cl::desc("relative tolerance of --check (>= 0)"),
                              cl::init(6e-4), cl::cat(category));
static cl::opt<double> clAtol("atol",
                              cl::desc("absolute tolerance of --check (>= 0)"),
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
/// Threads split an instruction's partitions: beyond one partition each there
/// is nothing left to share.
static constexpr unsigned kMaxJobs = nisa::kPartitions;
static cl::opt<unsigned>
    jobs("jobs",
         cl::desc("threads that share each instruction's partitions, 1 to "
                  "128 (default, or 0: all cores)"),
         cl::init(0), cl::cat(category));

static int fail(const Twine &message) {
  WithColor::error(errs(), "nki-run") << message << "\n";
  return 1;
}

/// Flags whose values the parser accepts but the run cannot use.
static std::optional<std::string> checkFlagValues() {
  auto number = [](double v) {
    std::string text;
    raw_string_ostream(text) << format("%g", v);
    return text;
  };
  if (randomInputs.getNumOccurrences() && randomInputs < 0)
    return "--random-inputs needs a seed >= 0, got " +
           std::to_string(randomInputs);
  if (!std::isfinite(clRtol) || clRtol < 0)
    return "--rtol must be a finite number >= 0, got " + number(clRtol);
  if (!std::isfinite(clAtol) || clAtol < 0)
    return "--atol must be a finite number >= 0, got " + number(clAtol);
  if (!std::isfinite(maxMemoryGiB) || !(maxMemoryGiB > 0))
    return "--max-memory-gib must be a finite number of GiB > 0, got " +
           number(maxMemoryGiB);
  if (jobs > kMaxJobs)
    return "--jobs must be at most " + std::to_string(kMaxJobs) +
           " (one partition per thread), got " + std::to_string(jobs);
  return std::nullopt;
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

/// Splits NAME=VALUE.
static std::optional<std::pair<std::string, std::string>>
splitAssignment(StringRef text) {
  auto [name, value] = text.split('=');
  if (name.empty() || value.empty() || !text.contains('='))
    return std::nullopt;
  return std::make_pair(name.str(), value.str());
}

static int run();

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  mamba_tools::checkStandardOutputAtExit("nki-run");
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "nki-run: execute a NeuronCore instruction stream (.nisa)\n\n"
      "  nki-run kernel.nisa --random-inputs=0 --check\n"
      "  nki-run kernel.nisa --input delta=delta.npy ... --output out=y.npy\n");
  int status = run();
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

static int run() {
  if (std::optional<std::string> problem = checkFlagValues())
    return fail(*problem);

  auto buffer = MemoryBuffer::getFileOrSTDIN(inputFile, /*IsText=*/true);
  if (!buffer)
    return fail("cannot read '" + inputFile +
                "': " + buffer.getError().message());
  Expected<nisa::Program> parsed =
      nisa::parse((*buffer)->getBuffer(), inputFile);
  if (!parsed)
    return fail(toString(parsed.takeError()));
  const nisa::Program &program = *parsed;
  buffer->reset();

  // The race check needs only the stream: run it while inputs load.
  std::vector<std::string> races;
  std::thread raceThread;
  if (!noRaceCheck)
    raceThread = std::thread([&] { races = findRaces(program); });
  struct JoinOnExit {
    std::thread &t;
    ~JoinOnExit() {
      if (t.joinable())
        t.join();
    }
  } joinRaces{raceThread};

  auto tensorNames = [&] {
    std::string names;
    for (const nisa::TensorDecl &t : program.tensors)
      names += (names.empty() ? "" : ", ") + t.name;
    return names;
  };

  // Absurd but well-formed streams are refused before they take the machine.
  if (!noCompute) {
    double bytes = double(program.scratchBytes) +
                   double(nisa::sbufPartitionBytes(program.target) +
                          nisa::kPsumPartitionBytes) *
                       nisa::kPartitions;
    for (const nisa::TensorDecl &t : program.tensors)
      bytes += double(t.numElements()) * double(nisa::elementBytes(t.dtype)) *
               (t.isInput ? 2 : 1); // inputs are held twice while loading
    double limit = maxMemoryGiB * double(1 << 30);
    if (bytes > limit)
      return fail(formatv("the stream's tensors and scratch need {0:F1} GiB; "
                          "the limit is {1:F1} GiB (raise it with "
                          "--max-memory-gib, or use --no-compute)",
                          bytes / double(1 << 30), double(maxMemoryGiB))
                      .str());
  }

  // Timing model.
  nisa::Target target = program.target;
  if (!targetFlag.empty()) {
    std::optional<nisa::Target> parsed = mamba_hw::parseTarget(targetFlag);
    if (!parsed)
      return fail("--target must be " + mamba_hw::targetChoices() + ", got '" +
                  targetFlag + "'");
    target = *parsed;
  }
  TimingParams params = TimingParams::forTarget(target);
  if (!modelParams.empty()) {
    auto paramsBuffer = MemoryBuffer::getFile(modelParams, /*IsText=*/true);
    if (!paramsBuffer)
      return fail("cannot read '" + modelParams +
                  "': " + paramsBuffer.getError().message());
    if (Error e = params.parse((*paramsBuffer)->getBuffer(), modelParams))
      return fail(toString(std::move(e)));
  }
  if (printModelParams)
    params.print(outs());
  if (noCompute && (check || !outputs.empty() || !printValues.empty() ||
                    !inputs.empty() || !saveInputs.empty()))
    return fail("--no-compute runs the timing model only: it takes no "
                "--input, --output, --print, --save-inputs or --check");

  // Inputs.
  std::map<std::string, std::vector<float>> values;
  for (const std::string &spec : inputs) {
    auto assignment = splitAssignment(spec);
    if (!assignment)
      return fail("--input expects NAME=FILE.npy, got '" + spec + "'");
    int index = program.findTensor(assignment->first);
    if (index < 0)
      return fail("--input: the kernel has no tensor '" + assignment->first +
                  "' (it has " + tensorNames() + ")");
    const nisa::TensorDecl &t = program.tensors[size_t(index)];
    if (!t.isInput)
      return fail("--input: tensor '" + t.name + "' is an output");
    Expected<NpyArray> array = readNpy(assignment->second);
    if (!array)
      return fail(toString(array.takeError()));
    if (ArrayRef<int64_t>(array->shape) != ArrayRef<int64_t>(t.shape))
      return fail(assignment->second + ": shape " + shapeString(array->shape) +
                  " does not match tensor '" + t.name + "' (" +
                  shapeString(t.shape) + ")");
    values[t.name] = std::move(array->data);
  }
  bool haveSeed = randomInputs.getNumOccurrences() > 0;
  if (haveSeed && onesInputs)
    return fail("--random-inputs and --ones-inputs exclude each other");
  std::mt19937_64 rng(haveSeed ? uint64_t(randomInputs.getValue()) : 0);
  for (const nisa::TensorDecl &t : program.tensors) {
    if (!t.isInput || values.count(t.name) || noCompute)
      continue;
    std::vector<float> v(size_t(t.numElements()));
    if (onesInputs) {
      std::fill(v.begin(), v.end(), t.name == "A" ? -1.0f : 1.0f);
    } else if (haveSeed) {
      std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
      std::normal_distribution<float> normal(0.0f, 1.0f);
      if (t.name == "A")
        for (float &x : v)
          x = -0.5f * uniform(rng);
      else if (t.name == "delta")
        for (float &x : v)
          x = 0.5f * uniform(rng);
      else
        for (float &x : v)
          x = normal(rng);
    } else {
      return fail("no value for input tensor '" + t.name + "': pass --input " +
                  t.name + "=FILE.npy, --random-inputs=SEED or --ones-inputs");
    }
    values[t.name] = std::move(v);
  }
  if (!saveInputs.empty()) {
    if (std::error_code ec = sys::fs::create_directories(saveInputs))
      return fail("cannot create '" + saveInputs + "': " + ec.message());
    for (const nisa::TensorDecl &t : program.tensors)
      if (t.isInput) {
        SmallString<128> path(saveInputs);
        sys::path::append(path, t.name + ".npy");
        if (Error e = writeNpy(path, t.shape, values[t.name]))
          return fail(toString(std::move(e)));
      }
  }
  // Outputs requested must exist.
  std::vector<std::pair<int, std::string>> outputFiles;
  for (const std::string &spec : outputs) {
    auto assignment = splitAssignment(spec);
    if (!assignment)
      return fail("--output expects NAME=FILE.npy, got '" + spec + "'");
    int index = program.findTensor(assignment->first);
    if (index < 0)
      return fail("--output: the kernel has no tensor '" + assignment->first +
                  "' (it has " + tensorNames() + ")");
    outputFiles.emplace_back(index, assignment->second);
  }

  // Races and reads of unwritten memory.
  if (raceThread.joinable()) {
    raceThread.join();
    if (!races.empty()) {
      for (const std::string &r : races)
        WithColor::error(errs(), "nki-run") << r << "\n";
      return 1;
    }
  }

  // Execute in the order of the timing model.
  Timeline timeline = simulate(program, params);
  auto writeFile = [&](const std::string &path,
                       function_ref<void(raw_ostream &)> write) -> bool {
    std::error_code ec;
    raw_fd_ostream os(path, ec);
    if (ec) {
      fail("cannot write '" + path + "': " + ec.message());
      return false;
    }
    write(os);
    if (path == "-")
      os.flush(); // standard output: not ours to close
    else
      os.close();
    if (os.has_error()) {
      fail("cannot write '" + path + "': " + os.error().message());
      os.clear_error();
      return false;
    }
    return true;
  };
  if (!timelineFile.empty()) {
    double from = 0, to = 0;
    if (!timelineWindow.empty()) {
      auto [a, b] = StringRef(timelineWindow).split(':');
      if (a.trim().getAsDouble(from) || b.trim().getAsDouble(to) || from < 0 ||
          to <= from)
        return fail("--timeline-window expects START:END in microseconds "
                    "with START < END, got '" +
                    timelineWindow + "'");
    }
    if (!writeFile(timelineFile, [&](raw_ostream &os) {
          writeTimelineSvg(program, timeline, from, to, os);
        }))
      return 1;
  }
  if (noCompute || profile || !profileJson.empty() || !traceFile.empty()) {
    Profile summary = summarize(program, timeline, params);
    if (profile)
      printProfile(summary, target, outs());
    if (!profileJson.empty() && !writeFile(profileJson, [&](raw_ostream &os) {
          writeProfileJson(summary, os);
        }))
      return 1;
    if (!traceFile.empty() && !writeFile(traceFile, [&](raw_ostream &os) {
          writeTrace(program, timeline, os);
        }))
      return 1;
  }
  if (noCompute) {
    if (!quiet)
      outs() << format("predicted latency %.2f us (%zu instructions, timing "
                       "model only)\n",
                       timeline.totalNs / 1000.0, program.instructions.size());
    return 0;
  }
  unsigned threadCount =
      jobs ? unsigned(jobs) : std::max(1u, std::thread::hardware_concurrency());
  Machine machine(program, threadCount);
  for (size_t i = 0; i < program.tensors.size(); ++i)
    if (program.tensors[i].isInput)
      machine.setTensor(i, values[program.tensors[i].name]);
  bool showProgress = progressFlag || sys::Process::StandardErrIsDisplayed();
  auto begin = std::chrono::steady_clock::now();
  auto lastShown = begin;
  bool shown = false;
  size_t total = program.instructions.size();
  machine.run(timeline.order, [&](size_t done) {
    if (!showProgress)
      return;
    auto now = std::chrono::steady_clock::now();
    if (now - begin < std::chrono::seconds(1) ||
        (now - lastShown < std::chrono::milliseconds(250) && done != total))
      return;
    lastShown = now;
    shown = true;
    errs() << format("\rnki-run: %3.0f%% of %zu instructions",
                     100.0 * double(done) / double(std::max<size_t>(total, 1)),
                     total);
  });
  if (shown)
    errs() << "\n";

  for (auto &[index, path] : outputFiles) {
    const nisa::TensorDecl &t = program.tensors[size_t(index)];
    if (Error e = writeNpy(path, t.shape, machine.getTensor(size_t(index))))
      return fail(toString(std::move(e)));
  }
  if (!quiet)
    outs() << format("ran %zu instructions; predicted latency %.2f us\n", total,
                     timeline.totalNs / 1000.0);

  for (const std::string &spec : printValues) {
    StringRef text(spec);
    auto [name, rest] = text.split('[');
    int index = program.findTensor(name);
    if (index < 0 || !rest.consume_back("]"))
      return fail("--print expects NAME[i,j,...] of a kernel tensor, got '" +
                  spec + "'");
    const nisa::TensorDecl &t = program.tensors[size_t(index)];
    SmallVector<StringRef> parts;
    rest.split(parts, ',');
    if (parts.size() != t.shape.size())
      return fail("--print: '" + spec + "' needs " + Twine(t.shape.size()) +
                  " indices");
    int64_t flat = 0;
    for (size_t d = 0; d < parts.size(); ++d) {
      int64_t i = 0;
      if (parts[d].trim().getAsInteger(10, i) || i < 0 || i >= t.shape[d])
        return fail("--print: index '" + parts[d].trim() + "' of '" + spec +
                    "' is outside 0.." + Twine(t.shape[d] - 1));
      flat = flat * t.shape[d] + i;
    }
    outs() << spec << " = "
           << format("%.7g", machine.getTensor(size_t(index))[size_t(flat)])
           << "\n";
  }

  if (check) {
    int d = program.findTensor("delta"), u = program.findTensor("u"),
        a = program.findTensor("A"), b = program.findTensor("B"),
        c = program.findTensor("C"), y = program.findTensor("out");
    if (d < 0 || u < 0 || a < 0 || b < 0 || c < 0 || y < 0)
      return fail("--check needs a selective-scan kernel with tensors delta, "
                  "u, A, B, C and out (it has " +
                  tensorNames() + ")");
    ArrayRef<int64_t> ds = program.tensors[size_t(d)].shape;
    ArrayRef<int64_t> as = program.tensors[size_t(a)].shape;
    if (ds.size() != 3 || as.size() != 2)
      return fail("--check: delta must be [batch, channels, seq_len] and A "
                  "[channels, state]");
    std::vector<float> ref = referenceSelectiveScan(
        ds[0], ds[1], ds[2], as[1], values["delta"], values["u"], values["A"],
        values["B"], values["C"]);
    std::vector<float> out = machine.getTensor(size_t(y));
    Comparison cmp = compare(out, ref, clRtol, clAtol);
    bool pass = cmp.failures == 0;
    outs() << format("check: %s max_abs_err=%.3g max_rel_err=%.3g "
                     "(rtol %.3g, atol %.3g; %zu of %zu elements outside)\n",
                     pass ? (const char *)"PASS" : (const char *)"FAIL",
                     cmp.maxAbsErr, cmp.maxRelErr, double(clRtol),
                     double(clAtol), cmp.failures, out.size());
    if (!pass)
      return 1;
  }
  return 0;
}
