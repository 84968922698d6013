//===- Run.cpp - nki-run as a library -------------------------------------===//
//
// The steps of a run, in the order nki-run has always taken them (the order
// decides which of several problems is reported): the options, the stream,
// the race check (on a thread, while the inputs load), the memory limit, the
// timing model's parameters, the inputs, the outputs asked for, the timing
// model and what is made of it, the execution, the outputs, the printed
// elements and the check. The selective scan's tensor roles (random inputs,
// --check) are mamba-nki/Support/KernelRoles.h; --check is ScanCheck.cpp.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Interpreter/Run.h"
#include "ScanCheck.h"
#include "mamba-nki/Interpreter/Machine.h"
#include "mamba-nki/Interpreter/Npy.h"
#include "mamba-nki/Interpreter/Profile.h"
#include "mamba-nki/Interpreter/RaceDetector.h"
#include "mamba-nki/Interpreter/Reference.h"
#include "mamba-nki/Interpreter/Timing.h"
#include "mamba-nki/Interpreter/Trace.h"
#include "mamba-nki/Support/KernelRoles.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

using namespace llvm;
using namespace nki_run;

char CheckFailed::ID;

namespace {
/// Tensor values by name: the inputs, given or drawn.
using Values = std::map<std::string, std::vector<float>>;

Error fail(const Twine &message) {
  return createStringError(std::make_error_code(std::errc::invalid_argument),
                           message.str());
}

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

std::string tensorNames(const nisa::Program &program) {
  std::string names;
  for (const nisa::TensorDecl &t : program.tensors)
    names += (names.empty() ? "" : ", ") + t.name;
  return names;
}

/// Splits NAME=VALUE.
std::optional<std::pair<std::string, std::string>>
splitAssignment(StringRef text) {
  auto [name, value] = text.split('=');
  if (name.empty() || value.empty() || !text.contains('='))
    return std::nullopt;
  return std::make_pair(name.str(), value.str());
}

/// Writes a file with `write` ("-": standard output, not ours to close).
Error writeFile(const std::string &path,
                function_ref<void(raw_ostream &)> write) {
  std::error_code ec;
  raw_fd_ostream os(path, ec);
  if (ec)
    return fail("cannot write '" + path + "': " + ec.message());
  write(os);
  if (path == "-")
    os.flush();
  else
    os.close();
  if (os.has_error()) {
    std::error_code error = os.error();
    os.clear_error();
    return fail("cannot write '" + path + "': " + error.message());
  }
  return Error::success();
}
} // namespace

//===----------------------------------------------------------------------===//
// Options, the stream, the timing model's parameters
//===----------------------------------------------------------------------===//

/// Option values the command line accepts but the run cannot use.
static Error checkOptions(const RunOptions &o) {
  auto number = [](double v) {
    std::string text;
    raw_string_ostream(text) << format("%g", v);
    return text;
  };
  if (o.randomSeed && *o.randomSeed < 0)
    return fail("--random-inputs needs a seed >= 0, got " +
                std::to_string(*o.randomSeed));
  if (o.rtol && (!std::isfinite(*o.rtol) || *o.rtol < 0))
    return fail("--rtol must be a finite number >= 0, got " + number(*o.rtol));
  if (o.atol && (!std::isfinite(*o.atol) || *o.atol < 0))
    return fail("--atol must be a finite number >= 0, got " + number(*o.atol));
  if (!std::isfinite(o.maxMemoryGiB) || !(o.maxMemoryGiB > 0))
    return fail("--max-memory-gib must be a finite number of GiB > 0, got " +
                number(o.maxMemoryGiB));
  if (o.jobs > kMaxJobs)
    return fail("--jobs must be at most " + std::to_string(kMaxJobs) +
                " (one partition per thread), got " + std::to_string(o.jobs));
  return Error::success();
}

/// The stream, read a piece at a time (its text is never held whole).
static Expected<nisa::Program> readProgram(const std::string &path,
                                           nisa::ParseObserver &observer) {
  Expected<nisa::Program> parsed = nisa::parseFile(path, &observer);
  if (!parsed)
    return fail(toString(parsed.takeError()));
  return parsed;
}

/// Absurd but well-formed streams are refused before they take the machine.
static Error checkMemory(const nisa::Program &program, const RunOptions &o) {
  double bytes = double(program.scratchBytes) +
                 double(nisa::sbufPartitionBytes(program.target) +
                        nisa::kPsumPartitionBytes) *
                     nisa::kPartitions;
  for (const nisa::TensorDecl &t : program.tensors) {
    double elements = double(t.numElements());
    bytes += elements * double(nisa::elementBytes(t.dtype)) *
             (t.isInput ? 2 : 1); // inputs are held twice while loading
    // --check: at most the whole reference of an output, kept (and the
    // f32 values of a bf16 one); the f32 values of a bf16 input (beside
    // the values given, still held when the stream may write it: inout).
    bool bf16 = t.dtype != nisa::DType::f32;
    if (o.check && t.isOutput && !t.isInput)
      bytes += elements * (bf16 ? 8 : 4);
    if (o.check && t.isInput && bf16)
      bytes += elements * (t.isOutput ? 6 : 4);
  }
  double limit = o.maxMemoryGiB * double(1 << 30);
  if (bytes > limit)
    return fail(formatv("the stream's tensors and scratch need {0:F1} GiB; "
                        "the limit is {1:F1} GiB (raise it with "
                        "--max-memory-gib, or use --no-compute)",
                        bytes / double(1 << 30), o.maxMemoryGiB)
                    .str());
  return Error::success();
}

/// The target the timing model is for: --target, else the stream's.
static Expected<nisa::Target> modelTarget(const nisa::Program &program,
                                          const RunOptions &o) {
  if (o.target.empty())
    return program.target;
  std::optional<nisa::Target> parsed = mamba_hw::parseTarget(o.target);
  if (!parsed)
    return fail("--target must be " + mamba_hw::targetChoices() + ", got '" +
                o.target + "'");
  return *parsed;
}

static Expected<TimingParams> modelParams(nisa::Target target,
                                          const RunOptions &o) {
  TimingParams params = TimingParams::forTarget(target);
  if (o.modelParams.empty())
    return params;
  auto buffer = MemoryBuffer::getFile(o.modelParams, /*IsText=*/true);
  if (!buffer)
    return fail("cannot read '" + o.modelParams +
                "': " + buffer.getError().message());
  if (Error e = params.parse((*buffer)->getBuffer(), o.modelParams))
    return fail(toString(std::move(e)));
  return params;
}

//===----------------------------------------------------------------------===//
// Inputs and outputs
//===----------------------------------------------------------------------===//

/// --input NAME=FILE.npy. Every assignment is checked first, then the
/// files are read on several threads (reading is most of the run's serial
/// part), and the first problem in the order given is reported.
static Error readInputs(const nisa::Program &program, const RunOptions &o,
                        Values &values) {
  struct Read {
    const nisa::TensorDecl *tensor;
    std::string path;
    NpyArray array;
    std::string error;
  };
  std::vector<Read> reads;
  for (const std::string &spec : o.inputs) {
    auto assignment = splitAssignment(spec);
    if (!assignment)
      return fail("--input expects NAME=FILE.npy, got '" + spec + "'");
    int index = program.findTensor(assignment->first);
    if (index < 0)
      return fail("--input: the kernel has no tensor '" + assignment->first +
                  "' (it has " + tensorNames(program) + ")");
    const nisa::TensorDecl &t = program.tensors[size_t(index)];
    if (!t.isInput)
      return fail("--input: tensor '" + t.name + "' is an output");
    for (const Read &r : reads)
      if (r.tensor == &t)
        return fail("--input: tensor '" + t.name + "' is given twice ('" +
                    r.path + "' and '" + assignment->second + "')");
    reads.push_back({&t, assignment->second, {}, {}});
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < reads.size(); i = next++) {
      Expected<NpyArray> array = readNpy(reads[i].path);
      if (array)
        reads[i].array = std::move(*array);
      else
        reads[i].error = toString(array.takeError());
    }
  };
  size_t threads = std::min<size_t>(usefulThreads(o.jobs), reads.size());
  std::vector<std::thread> helpers(threads > 1 ? threads - 1 : 0);
  for (std::thread &h : helpers)
    h = std::thread(work);
  work();
  for (std::thread &h : helpers)
    h.join();
  for (Read &r : reads) {
    if (!r.error.empty())
      return fail(r.error);
    if (ArrayRef<int64_t>(r.array.shape) != ArrayRef<int64_t>(r.tensor->shape))
      return fail(r.path + ": shape " + shapeString(r.array.shape) +
                  " does not match tensor '" + r.tensor->name + "' (" +
                  shapeString(r.tensor->shape) + ")");
    values[r.tensor->name] = std::move(r.array.data);
  }
  return Error::success();
}

/// The inputs not given: the tutorial's accuracy inputs (--ones-inputs), or
/// drawn as mamba_ssm's tests draw them (--random-inputs), in declaration
/// order from one generator: std::mt19937_64, each tensor's values from
/// std::uniform_real_distribution<float>(0, 1) or a new
/// std::normal_distribution<float>(0, 1), bit for bit (RandomDraws,
/// ScanCheck.h, computes them faster).
static Error drawInputs(const nisa::Program &program, const RunOptions &o,
                        Values &values) {
  if (o.randomSeed && o.onesInputs)
    return fail("--random-inputs and --ones-inputs exclude each other");
  RandomDraws draws(o.randomSeed ? uint64_t(*o.randomSeed) : 0,
                    usefulThreads(o.jobs));
  for (const nisa::TensorDecl &t : program.tensors) {
    if (!t.isInput || values.count(t.name) || o.noCompute)
      continue;
    std::vector<float> v(size_t(t.numElements()));
    if (o.onesInputs) {
      std::fill(v.begin(), v.end(), t.name == mamba_roles::kA ? -1.0f : 1.0f);
    } else if (o.randomSeed) {
      if (t.name == mamba_roles::kA)
        draws.uniform(v, -0.5f);
      else if (t.name == mamba_roles::kDelta ||
               t.name == mamba_roles::kDeltaBias)
        draws.uniform(v, 0.5f);
      else
        draws.normal(v);
    } else {
      return fail("no value for input tensor '" + t.name + "': pass --input " +
                  t.name + "=FILE.npy, --random-inputs=SEED or --ones-inputs");
    }
    values[t.name] = std::move(v);
  }
  return Error::success();
}

/// --save-inputs=DIR: every input as DIR/NAME.npy.
static Error saveInputs(const nisa::Program &program, const std::string &dir,
                        Values &values) {
  if (std::error_code ec = sys::fs::create_directories(dir))
    return fail("cannot create '" + dir + "': " + ec.message());
  for (const nisa::TensorDecl &t : program.tensors)
    if (t.isInput) {
      SmallString<128> path(dir);
      sys::path::append(path, t.name + ".npy");
      if (Error e = writeNpy(path, t.shape, values[t.name]))
        return fail(toString(std::move(e)));
    }
  return Error::success();
}

/// --output NAME=FILE.npy: the tensors asked for must exist.
static Expected<std::vector<std::pair<int, std::string>>>
outputFiles(const nisa::Program &program, const RunOptions &o) {
  std::vector<std::pair<int, std::string>> files;
  for (const std::string &spec : o.outputs) {
    auto assignment = splitAssignment(spec);
    if (!assignment)
      return fail("--output expects NAME=FILE.npy, got '" + spec + "'");
    int index = program.findTensor(assignment->first);
    if (index < 0)
      return fail("--output: the kernel has no tensor '" + assignment->first +
                  "' (it has " + tensorNames(program) + ")");
    files.emplace_back(index, assignment->second);
  }
  return files;
}

//===----------------------------------------------------------------------===//
// The timing model's outputs
//===----------------------------------------------------------------------===//

/// Whether the run needs every instruction's time (the execution order,
/// --trace, --timeline), not only the profile: without, the timing model
/// keeps no per-instruction record (an instruction's end time, 8 bytes).
static bool needsTimeline(const RunOptions &o) {
  return !o.noCompute || !o.trace.empty() || !o.timeline.empty();
}

/// The profile, --profile-json, --trace and --timeline; `summary` is the
/// profile when the timeline was not kept.
static Error writeTimingOutputs(const nisa::Program &program,
                                const Timeline &timeline,
                                std::optional<Profile> summary,
                                const TimingParams &params, nisa::Target target,
                                const RunOptions &o, raw_ostream &out) {
  if (!o.timeline.empty()) {
    double from = 0, to = 0;
    if (!o.timelineWindow.empty()) {
      auto [a, b] = StringRef(o.timelineWindow).split(':');
      if (a.trim().getAsDouble(from) || b.trim().getAsDouble(to) || from < 0 ||
          to <= from)
        return fail("--timeline-window expects START:END in microseconds "
                    "with START < END, got '" +
                    o.timelineWindow + "'");
    }
    if (Error e = writeFile(o.timeline, [&](raw_ostream &os) {
          writeTimelineSvg(program, timeline, from, to, os);
        }))
      return e;
  }
  if (!o.profile && o.profileJson.empty())
    summary.reset();
  else if (!summary)
    summary = summarize(program, timeline, params);
  if (o.profile)
    printProfile(*summary, target, out);
  if (!o.profileJson.empty())
    if (Error e = writeFile(o.profileJson, [&](raw_ostream &os) {
          writeProfileJson(*summary, target, os);
        }))
      return e;
  if (!o.trace.empty())
    if (Error e = writeFile(o.trace, [&](raw_ostream &os) {
          writeTrace(program, timeline, os);
        }))
      return e;
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Execution and its results
//===----------------------------------------------------------------------===//

/// The HBM tensors an instruction of the stream writes.
static std::vector<bool> writtenTensors(const nisa::Program &program) {
  std::vector<bool> written(program.tensors.size());
  for (const nisa::Instruction &in : program.instructions)
    if (in.dst.space == nisa::Space::hbm && in.dst.tensor >= 0)
      written[size_t(in.dst.tensor)] = true;
  return written;
}

/// The inputs into the machine, which takes them over (no copy of each
/// input tensor). The check needs them afterwards: it reads them from the
/// machine, which holds them as the kernel saw them, unless an instruction
/// writes the tensor; only those stay in `values`, copied.
static void loadInputs(const nisa::Program &program, Values &values,
                       const RunOptions &o, Machine &machine) {
  std::vector<bool> written;
  if (o.check)
    written = writtenTensors(program);
  for (size_t i = 0; i < program.tensors.size(); ++i) {
    const nisa::TensorDecl &t = program.tensors[i];
    if (!t.isInput)
      continue;
    auto v = values.find(t.name);
    if (o.check && written[i]) {
      machine.setTensor(i, v->second);
      continue;
    }
    machine.adoptTensor(i, std::move(v->second));
    values.erase(v);
  }
}

/// Executes the stream in the timing model's order, with progress on
/// stderr when asked for or when stderr is a terminal (after a second).
static void execute(const nisa::Program &program, const Timeline &timeline,
                    const RunOptions &o, Machine &machine) {
  bool showProgress = o.progress || sys::Process::StandardErrIsDisplayed();
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
}

/// --print 'NAME[i,j,k]'.
static Error printElement(const nisa::Program &program, const Machine &machine,
                          const std::string &spec, raw_ostream &out) {
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
  out << spec << " = "
      << format("%.7g", machine.getTensor(size_t(index))[size_t(flat)]) << "\n";
  return Error::success();
}

/// After the run: the outputs, the summary line, the elements asked for
/// and the check.
static Error results(const nisa::Program &program, const Timeline &timeline,
                     const Machine &machine,
                     const std::vector<std::pair<int, std::string>> &files,
                     ScanCheck *check, const RunOptions &o, raw_ostream &out) {
  for (auto &[index, path] : files) {
    const nisa::TensorDecl &t = program.tensors[size_t(index)];
    // An f32 tensor is written from the machine's memory as it is.
    ArrayRef<float> f32 = machine.tensorF32(size_t(index));
    std::vector<float> converted;
    if (f32.size() != size_t(t.numElements()))
      f32 = converted = machine.getTensor(size_t(index));
    if (Error e = writeNpy(path, t.shape, f32))
      return fail(toString(std::move(e)));
  }
  if (!o.quiet)
    out << format("ran %zu instructions; predicted latency %.2f us\n",
                  program.instructions.size(), timeline.totalNs / 1000.0);
  for (const std::string &spec : o.print)
    if (Error e = printElement(program, machine, spec, out))
      return e;
  if (check)
    return check->finish(machine, o.rtol, o.atol, out);
  return Error::success();
}

//===----------------------------------------------------------------------===//
// The run
//===----------------------------------------------------------------------===//

namespace {
/// The race check needs only the stream: it trails the parse on a thread
/// (the parser hands it the instructions in batches as it validates
/// them), then goes on while the inputs load.
class RaceCheck : public nisa::ParseObserver {
public:
  explicit RaceCheck(bool enabled) : enabled(enabled) {}
  ~RaceCheck() override {
    {
      std::lock_guard<std::mutex> lock(mutex);
      closed = true;
      queue.clear();
    }
    ready.notify_one();
    if (thread.joinable())
      thread.join();
  }
  void header(const nisa::Program &header, size_t numInstructions) override {
    if (!enabled)
      return;
    checker = std::make_unique<RaceChecker>(header, numInstructions);
    batch.reserve(kBatch);
    thread = std::thread([this] { consume(); });
  }
  void instruction(const nisa::Instruction &in) override {
    if (!checker)
      return;
    batch.push_back(in);
    if (batch.size() == kBatch)
      hand();
  }
  /// The parse is done: the last batch.
  void parsed() {
    if (!checker)
      return;
    hand();
    {
      std::lock_guard<std::mutex> lock(mutex);
      closed = true;
    }
    ready.notify_one();
  }
  /// Every race found in `program`, one error each.
  Error wait(const nisa::Program &program) {
    if (!thread.joinable())
      return Error::success();
    thread.join();
    Error all = Error::success();
    for (const std::string &r : checker->reports(program))
      all = joinErrors(std::move(all), fail(r));
    return all;
  }

private:
  /// Instructions a batch, and batches handed over but not yet checked
  /// (about 1 MB of instructions in all, the one filled and the one
  /// checked included).
  static constexpr size_t kBatch = 512, kInFlight = 2;
  void hand() {
    if (batch.empty())
      return;
    {
      std::unique_lock<std::mutex> lock(mutex);
      room.wait(lock, [&] { return queue.size() < kInFlight; });
      queue.push_back(std::move(batch));
    }
    ready.notify_one();
    batch = {};
    batch.reserve(kBatch);
  }
  void consume() {
    while (true) {
      std::vector<nisa::Instruction> next;
      {
        std::unique_lock<std::mutex> lock(mutex);
        ready.wait(lock, [&] { return !queue.empty() || closed; });
        if (queue.empty())
          return;
        next = std::move(queue.front());
        queue.pop_front();
      }
      room.notify_one();
      for (const nisa::Instruction &in : next)
        checker->step(in);
    }
  }

  bool enabled;
  std::unique_ptr<RaceChecker> checker;
  std::vector<nisa::Instruction> batch;
  std::mutex mutex;
  std::condition_variable ready, room;
  std::deque<std::vector<nisa::Instruction>> queue;
  bool closed = false;
  std::thread thread;
};
} // namespace

/// Everything before the timing model runs: inputs, outputs, races.
static Error prepare(const nisa::Program &program, const RunOptions &o,
                     RaceCheck &raceCheck, Values &values,
                     std::vector<std::pair<int, std::string>> &files,
                     std::optional<ScanKernel> &scan) {
  if (o.noCompute && (o.check || !o.outputs.empty() || !o.print.empty() ||
                      !o.inputs.empty() || !o.saveInputs.empty()))
    return fail("--no-compute runs the timing model only: it takes no "
                "--input, --output, --print, --save-inputs or --check");
  // What --check compares is known before the run: a kernel it cannot
  // check is refused before it runs.
  if (o.check) {
    Expected<ScanKernel> recognized = recognizeScan(program);
    if (!recognized)
      return recognized.takeError();
    scan = *recognized;
  }
  if (Error e = readInputs(program, o, values))
    return e;
  if (Error e = drawInputs(program, o, values))
    return e;
  if (!o.saveInputs.empty())
    if (Error e = saveInputs(program, o.saveInputs, values))
      return e;
  Expected<std::vector<std::pair<int, std::string>>> outputs =
      outputFiles(program, o);
  if (!outputs)
    return outputs.takeError();
  files = std::move(*outputs);
  return raceCheck.wait(program);
}

Error nki_run::run(const RunOptions &o, raw_ostream &out) {
  if (Error e = checkOptions(o))
    return e;
  RaceCheck raceCheck(o.raceCheck);
  Expected<nisa::Program> parsed = readProgram(o.stream, raceCheck);
  if (!parsed)
    return parsed.takeError();
  const nisa::Program &program = *parsed;
  raceCheck.parsed();
  if (!o.noCompute)
    if (Error e = checkMemory(program, o))
      return e;
  Expected<nisa::Target> target = modelTarget(program, o);
  if (!target)
    return target.takeError();
  Expected<TimingParams> params = modelParams(*target, o);
  if (!params)
    return params.takeError();
  if (o.printModelParams)
    params->print(out);
  Values values;
  std::vector<std::pair<int, std::string>> files;
  std::optional<ScanKernel> scan;
  // Without a timeline to keep, the profile is made as the timing model
  // runs, while the race check runs on its thread (the model reports no
  // problems: errors come in the same order).
  std::optional<Profile> summary;
  if (!needsTimeline(o))
    summary = profile(program, *params);
  if (Error e = prepare(program, o, raceCheck, values, files, scan))
    return e;
  // The machine gets its inputs now: the check starts on them (at idle
  // priority) while the timing model runs.
  std::unique_ptr<Machine> machine;
  std::unique_ptr<ScanCheck> check;
  if (!o.noCompute) {
    // The useful number of threads: no more than the cores (more would
    // only take turns on them) and than an instruction's chunks (128
    // partitions, at least 4 a chunk). Results do not depend on it.
    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    unsigned threads = std::min({o.jobs ? o.jobs : cores, cores, 32u});
    machine = std::make_unique<Machine>(program, threads, o.windows);
    loadInputs(program, values, o, *machine);
    if (scan)
      check =
          std::make_unique<ScanCheck>(program, *scan, *machine, values, o.jobs);
  }
  Timeline timeline;
  if (needsTimeline(o))
    timeline = simulate(program, *params);
  if (Error e = writeTimingOutputs(program, timeline, summary, *params, *target,
                                   o, out))
    return e;
  if (o.noCompute) {
    if (!o.quiet)
      out << format("predicted latency %.2f us (%zu instructions, timing "
                    "model only)\n",
                    (summary ? summary->totalUs : timeline.totalNs / 1000.0),
                    program.instructions.size());
    return Error::success();
  }
  execute(program, timeline, o, *machine);
  return results(program, timeline, *machine, files, check.get(), o, out);
}
