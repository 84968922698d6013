//===- ScanCheck.h - --check and --random-inputs (internal) -----*- C++ -*-===//
//
// The selective scan a stream's tensors describe, recognised from their
// names (mamba-nki/Support/KernelRoles.h) and shapes, and the check of its
// outputs against the fp64 reference (Reference.h). docs/interpreter.md,
// "Checking a kernel", states the rules. Also the draws of
// --random-inputs, and what the unit tests reach of the reference.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_INTERPRETER_SCANCHECK_H
#define MAMBA_NKI_LIB_INTERPRETER_SCANCHECK_H

#include "WorkerPool.h"
#include "mamba-nki/Interpreter/Machine.h"
#include "mamba-nki/Interpreter/Reference.h"
#include "mamba-nki/Target/Nisa/Program.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nki_run {

/// A selective scan: its sizes, the forms of B and C, and the index of
/// each role's tensor in the program (-1: the kernel has none).
struct ScanKernel {
  int64_t batch = 0, channels = 0, seqLen = 0, state = 0;
  int delta = -1, u = -1, A = -1, B = -1, C = -1, D = -1, z = -1,
      deltaBias = -1, initialState = -1, out = -1, finalState = -1;
  ProjectionForm bForm = ProjectionForm::variable,
                 cForm = ProjectionForm::variable;
  int64_t bGroups = 1, cGroups = 1;
  bool deltaSoftplus = false; // the stream's kernel line; false without one
};

/// The kernel `program` declares, or an error naming the tensor that is
/// missing or of the wrong shape or direction.
llvm::Expected<ScanKernel> recognizeScan(const nisa::Program &program);

/// --check: compares `out` and, when the kernel has it, `final_state`
/// with the reference computed on the inputs as the kernel saw them
/// (rounded to bf16 for a bf16 tensor). Made before the run, it starts the
/// reference on threads at idle priority, which take only the CPU time the
/// run leaves (ReferenceBlocks); finish(), after the run, does the rest.
class ScanCheck {
public:
  /// The inputs are `machine`'s tensors, which the run does not change,
  /// but those an instruction of the stream writes: they must be in
  /// `inputs` (their values given), which must outlive this. The
  /// reference runs on usefulThreads(jobs) threads; the result does not
  /// depend on it.
  ScanCheck(const nisa::Program &program, const ScanKernel &kernel,
            const Machine &machine,
            const std::map<std::string, std::vector<float>> &inputs,
            unsigned jobs);
  ~ScanCheck();
  ScanCheck(const ScanCheck &) = delete;
  ScanCheck &operator=(const ScanCheck &) = delete;

  /// After the run: one line per output on `os`. Tolerances: `rtol`/`atol`
  /// when given, else mamba_ssm's for the output's dtype. A failure is
  /// CheckFailed (Run.h). Once.
  llvm::Error finish(const Machine &machine, std::optional<double> rtol,
                     std::optional<double> atol, llvm::raw_ostream &os);

private:
  struct State;
  std::unique_ptr<State> state;
};

/// --jobs for the check and the draws: `jobs` threads (0: one per core),
/// never more than the cores.
unsigned usefulThreads(unsigned jobs);

/// Runs `body(begin, end)` on consecutive ranges covering [0, n), each a
/// multiple of `grain` elements long (but the last), on the pool's
/// threads (the caller is one; a free thread claims the next range).
/// Returns when every range is done.
void parallelChunks(WorkerPool &pool, int64_t n, int64_t grain,
                    llvm::function_ref<void(int64_t, int64_t)> body);

/// compare() (Reference.h) of consecutive parts of two arrays, each given
/// with its first index, in order: compare()'s result on the whole.
Comparison
mergeComparisons(llvm::ArrayRef<std::pair<size_t, Comparison>> parts);

/// The draws of --random-inputs from one std::mt19937_64 seeded with
/// `seed`, tensor after tensor: bit for bit the values libstdc++'s
/// std::uniform_real_distribution<float>(0, 1) and
/// std::normal_distribution<float>(0, 1) (a new one for each tensor) give,
/// the same number of engine outputs consumed. The engine runs in blocks,
/// and the transforms that need no other draw (the conversion to floats,
/// the normal's log and square root) in parallel.
class RandomDraws {
public:
  /// Transforms on `threads` threads (the caller and threads - 1 more).
  RandomDraws(uint64_t seed, unsigned threads);
  ~RandomDraws();
  RandomDraws(const RandomDraws &) = delete;
  RandomDraws &operator=(const RandomDraws &) = delete;

  /// out[i] = scale * uniform(rng), in order.
  void uniform(llvm::MutableArrayRef<float> out, float scale);
  /// out[i] = normal(rng), in order, `normal` a new distribution.
  void normal(llvm::MutableArrayRef<float> out);

  struct Engine;

private:
  std::unique_ptr<Engine> engine;
  std::unique_ptr<WorkerPool> pool;
};

/// Internals the unit tests compare with the standard library.
namespace detail {
/// RandomDraws on the loops compiled for the baseline instruction set
/// (`baseline`), or for the widest the processor has (the default).
void useBaselineDraws(bool baseline);
/// Outputs of the std::mt19937_64 RandomDraws runs, in order.
std::vector<uint64_t> randomEngineOutputs(uint64_t seed, size_t count);
/// std::generate_canonical<float, 24> of outputs of a 64-bit engine, as a
/// block.
void canonicalFloats(llvm::ArrayRef<uint64_t> raw,
                     llvm::MutableArrayRef<float> u);
/// std::normal_distribution<float>(0, 1) fed with `raw` (a fresh one):
/// fills `out` and returns how many raw values it took, or 0 when `raw`
/// runs out first.
size_t normalFromRaw(llvm::ArrayRef<uint64_t> raw,
                     llvm::MutableArrayRef<float> out);

/// referenceSelectiveScan without a result: each block of channels, as it
/// is done, goes to `sink(bc, count, out, finalState)` (channels bc to
/// bc + count - 1 of batch * channels, out [count][seq_len], finalState
/// [count][state]), from one of the `threads` threads; the buffers are
/// reused once it returns.
using ReferenceSink =
    std::function<void(int64_t bc, int64_t count, llvm::ArrayRef<float> out,
                       llvm::ArrayRef<float> finalState)>;
void referenceSelectiveScanBlocks(const ScanInputs &in, unsigned threads,
                                  const ReferenceSink &sink);

/// referenceSelectiveScanBlocks in two parts: threads at idle priority
/// compute blocks while something else runs (--check: the run), keeping
/// their results, and finish() does the rest. Every block reaches the sink
/// once, with the same results however the blocks were shared out.
class ReferenceBlocks {
public:
  /// `in` and what it refers to must outlive this; on AVX2 when the
  /// processor has it (`avx2`: only if asked for).
  explicit ReferenceBlocks(const ScanInputs &in);
  ReferenceBlocks(const ScanInputs &in, bool avx2);
  /// Stops the idle threads, and joins them.
  ~ReferenceBlocks();
  ReferenceBlocks(const ReferenceBlocks &) = delete;
  ReferenceBlocks &operator=(const ReferenceBlocks &) = delete;

  /// Starts `threads` threads (no more than the blocks), each of which
  /// lowers itself to idle priority (Linux's SCHED_IDLE: it runs only on a
  /// core no other thread wants) and then claims blocks, or, where that
  /// is refused or not available, ends at once. At most once, before
  /// finish().
  unsigned startIdle(unsigned threads);
  /// Stops the idle threads (one leaves the block it is on unfinished,
  /// within a tile of steps), then, on `threads` threads (the caller one
  /// of them), gives every block to `sink`: each block not done as it is
  /// done, and what the idle threads kept. Once. Returns how the blocks
  /// were shared out (for the tests).
  struct Shares {
    size_t blocks = 0, kept = 0, unfinished = 0;
  };
  Shares finish(unsigned threads, const ReferenceSink &sink);

  struct Impl;

private:
  std::unique_ptr<Impl> impl;
};
/// referenceSelectiveScan with its loops compiled for AVX2 (`avx2`, when
/// the processor has it) or for the baseline instruction set.
ScanResult referenceSelectiveScanWith(const ScanInputs &in, unsigned threads,
                                      bool avx2);
/// The reference's exp of a tile (`y` not `x`), on either instruction set.
void referenceExp(llvm::ArrayRef<double> x, llvm::MutableArrayRef<double> y,
                  bool avx2);
bool referenceHasAvx2();
/// compare() (Reference.h) on either instruction set (`avx2`, when the
/// processor has it): the same result.
Comparison compareWith(llvm::ArrayRef<float> values, llvm::ArrayRef<float> ref,
                       double rtol, double atol, bool avx2);
} // namespace detail

/// mamba_ssm's test tolerances (tests/ops/test_selective_scan.py): fp32
/// outputs, and bf16 ones.
constexpr double kF32Rtol = 6e-4, kF32Atol = 2e-3;
constexpr double kBf16Rtol = 3e-2, kBf16Atol = 5e-2;

} // namespace nki_run

#endif // MAMBA_NKI_LIB_INTERPRETER_SCANCHECK_H
