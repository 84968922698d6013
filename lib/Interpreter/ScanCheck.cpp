//===- ScanCheck.cpp - nki-run --check, --random-inputs -------------------===//
//
// Which selective scan a stream is, from its tensors: the names of
// KernelRoles.h say what each tensor is, the ranks of B and C their forms,
// and the kernel line whether delta goes through a softplus. Every shape
// is checked before the run, so that a wrong one is an error naming it,
// never an out-of-bounds read of the reference. Then the check itself, and
// the draws of --random-inputs.
//
//===----------------------------------------------------------------------===//

#include "ScanCheck.h"
#include "Memory.h"

#include "mamba-nki/Interpreter/Run.h"
#include "mamba-nki/Support/KernelRoles.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>

#if defined(__SSE__) || defined(__x86_64__)
#include <immintrin.h>
#endif

using namespace llvm;
using namespace nki_run;

namespace {
Error error(const Twine &message) {
  return createStringError(std::make_error_code(std::errc::invalid_argument),
                           message.str());
}
Error fail(const Twine &message) { return error("--check: " + message); }

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

/// "[batch, channels, seq_len] = [1, 4, 5]".
std::string expected(StringRef dims, ArrayRef<int64_t> sizes) {
  std::string s = ("[" + dims + "] = [").str();
  for (size_t i = 0; i < sizes.size(); ++i)
    s += (i ? ", " : "") + std::to_string(sizes[i]);
  return s + "]";
}

std::string tensorNames(const nisa::Program &program) {
  std::string names;
  for (const nisa::TensorDecl &t : program.tensors)
    names += (names.empty() ? "" : ", ") + t.name;
  return names;
}

class Recognizer {
public:
  explicit Recognizer(const nisa::Program &program) : program(program) {}
  Expected<ScanKernel> run();

private:
  /// The tensor of a role, which must be an input (or, `output`, an
  /// output); -1 when absent and not `required`.
  Expected<int> find(StringRef name, bool required, bool output = false);
  /// Its shape must be `sizes` (named `dims` in the message).
  Error expectShape(int index, StringRef dims, ArrayRef<int64_t> sizes);
  /// B or C: the form from the rank, then the sizes of that form.
  Error projection(int index, ProjectionForm &form, int64_t &groups);
  ArrayRef<int64_t> shape(int index) const {
    return program.tensors[size_t(index)].shape;
  }

  const nisa::Program &program;
  ScanKernel k;
};
} // namespace

Expected<int> Recognizer::find(StringRef name, bool required, bool output) {
  int index = program.findTensor(name);
  if (index < 0) {
    if (required)
      return error("--check needs a selective-scan kernel with tensors "
                   "delta, u, A, "
                   "B, C and out; it has no '" +
                   name + "' (its tensors: " + tensorNames(program) + ")");
    return -1;
  }
  const nisa::TensorDecl &t = program.tensors[size_t(index)];
  if (output ? !t.isOutput : !t.isInput)
    return fail("tensor '" + name + "' must be " +
                (output ? "an output" : "an input") + " of the kernel");
  return index;
}

Error Recognizer::expectShape(int index, StringRef dims,
                              ArrayRef<int64_t> sizes) {
  if (index < 0 || shape(index) == sizes)
    return Error::success();
  const nisa::TensorDecl &t = program.tensors[size_t(index)];
  return fail(t.name + " must be " + expected(dims, sizes) + ", got " +
              shapeString(t.shape));
}

Error Recognizer::projection(int index, ProjectionForm &form, int64_t &groups) {
  const nisa::TensorDecl &t = program.tensors[size_t(index)];
  ArrayRef<int64_t> s = t.shape;
  switch (s.size()) {
  case 2:
    form = ProjectionForm::constant;
    return expectShape(index, "channels, state", {k.channels, k.state});
  case 3:
    form = ProjectionForm::variable;
    return expectShape(index, "batch, state, seq_len",
                       {k.batch, k.state, k.seqLen});
  case 4:
    form = ProjectionForm::grouped;
    groups = s[1];
    if (k.channels % groups != 0)
      return fail(t.name + " is grouped [batch, groups, state, seq_len] = " +
                  shapeString(s) + ", but its " + Twine(groups) +
                  " groups do not divide the " + Twine(k.channels) +
                  " channels");
    return expectShape(index, "batch, groups, state, seq_len",
                       {k.batch, groups, k.state, k.seqLen});
  default:
    return fail(t.name +
                " must be [batch, state, seq_len] (variable), [batch, "
                "groups, state, seq_len] (grouped) or [channels, state] "
                "(constant), got " +
                shapeString(s));
  }
}

Expected<ScanKernel> Recognizer::run() {
  using namespace mamba_roles;
  struct Role {
    StringRef name;
    int *index;
    bool required, output;
  };
  Role roles[] = {
      {kDelta, &k.delta, true, false},
      {kU, &k.u, true, false},
      {kA, &k.A, true, false},
      {kB, &k.B, true, false},
      {kC, &k.C, true, false},
      {kOut, &k.out, true, true},
      {kD, &k.D, false, false},
      {kZ, &k.z, false, false},
      {kDeltaBias, &k.deltaBias, false, false},
      {kInitialState, &k.initialState, false, false},
      {kFinalState, &k.finalState, false, true},
  };
  for (Role &r : roles) {
    Expected<int> index = find(r.name, r.required, r.output);
    if (!index)
      return index.takeError();
    *r.index = *index;
  }
  ArrayRef<int64_t> d = shape(k.delta), a = shape(k.A);
  if (d.size() != 3)
    return fail("delta must be [batch, channels, seq_len], got " +
                shapeString(d));
  k.batch = d[0];
  k.channels = d[1];
  k.seqLen = d[2];
  if (a.size() != 2 || a[0] != k.channels)
    return fail("A must be [channels, state] with delta's " +
                Twine(k.channels) + " channels, got " + shapeString(a));
  k.state = a[1];
  SmallVector<int64_t, 3> bcl = {k.batch, k.channels, k.seqLen},
                          bcn = {k.batch, k.channels, k.state};
  StringRef bclDims = "batch, channels, seq_len",
            bcnDims = "batch, channels, state";
  if (Error e = expectShape(k.u, bclDims, bcl))
    return std::move(e);
  if (Error e = expectShape(k.out, bclDims, bcl))
    return std::move(e);
  if (Error e = projection(k.B, k.bForm, k.bGroups))
    return std::move(e);
  if (Error e = projection(k.C, k.cForm, k.cGroups))
    return std::move(e);
  if (Error e = expectShape(k.D, "channels", {k.channels}))
    return std::move(e);
  if (Error e = expectShape(k.z, bclDims, bcl))
    return std::move(e);
  if (Error e = expectShape(k.deltaBias, "channels", {k.channels}))
    return std::move(e);
  if (Error e = expectShape(k.initialState, bcnDims, bcn))
    return std::move(e);
  if (Error e = expectShape(k.finalState, bcnDims, bcn))
    return std::move(e);
  k.deltaSoftplus = program.kernel && program.kernel->deltaSoftplus;
  return k;
}

Expected<ScanKernel> nki_run::recognizeScan(const nisa::Program &program) {
  return Recognizer(program).run();
}

//===----------------------------------------------------------------------===//
// Threads
//===----------------------------------------------------------------------===//

unsigned nki_run::usefulThreads(unsigned jobs) {
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return jobs ? std::min(jobs, cores) : cores;
}

void nki_run::parallelChunks(WorkerPool &pool, int64_t n, int64_t grain,
                             function_ref<void(int64_t, int64_t)> body) {
  grain = std::max<int64_t>(1, grain);
  if (n <= 0)
    return;
  if (pool.size() == 1 || n <= grain)
    return body(0, n);
  pool.run(
      n, [&](unsigned, int64_t begin, int64_t end) { body(begin, end); },
      grain);
}

Comparison
nki_run::mergeComparisons(ArrayRef<std::pair<size_t, Comparison>> parts) {
  // compare() keeps the first largest error, or the last NaN (both values
  // NaN) once there is one: each part's is the candidate in its range.
  Comparison all;
  for (const auto &[first, c] : parts) {
    if (c.maxAbsErr > all.maxAbsErr || std::isnan(c.maxAbsErr)) {
      all.maxAbsErr = c.maxAbsErr;
      all.worst = first + c.worst;
    }
    all.worstRatio = std::max(all.worstRatio, c.worstRatio);
    all.failures += c.failures;
  }
  return all;
}

//===----------------------------------------------------------------------===//
// The check
//===----------------------------------------------------------------------===//

struct ScanCheck::State {
  const nisa::Program &program;
  ScanKernel k;
  unsigned threads;
  std::vector<std::vector<float>> seen; // inputs rounded or converted
  ScanInputs in;
  std::unique_ptr<detail::ReferenceBlocks> blocks;
};

ScanCheck::ScanCheck(const nisa::Program &program, const ScanKernel &k,
                     const Machine &machine,
                     const std::map<std::string, std::vector<float>> &inputs,
                     unsigned jobs)
    : state(std::make_unique<State>(
          State{program, k, usefulThreads(jobs), {}, {}, nullptr})) {
  unsigned threads = state->threads;
  std::vector<std::vector<float>> &seen = state->seen;
  seen.resize(program.tensors.size());
  // The inputs as the kernel saw them: the machine's tensor, unless the
  // stream writes it (then `inputs` has it). A bf16 tensor holds them
  // rounded (on threads, made for that: they would only wait during the
  // reference).
  std::unique_ptr<WorkerPool> pool;
  auto input = [&](int index) -> ArrayRef<float> {
    const nisa::TensorDecl &t = program.tensors[size_t(index)];
    auto kept = inputs.find(t.name);
    if (kept == inputs.end()) {
      ArrayRef<float> held = machine.tensorF32(size_t(index));
      if (held.size() == size_t(t.numElements()))
        return held;
      return seen[size_t(index)] = machine.getTensor(size_t(index));
    }
    const std::vector<float> &given = kept->second;
    if (t.dtype == nisa::DType::f32)
      return given;
    if (!pool)
      pool = std::make_unique<WorkerPool>(threads);
    std::vector<float> &rounded = seen[size_t(index)];
    rounded.resize(given.size());
    parallelChunks(
        *pool, int64_t(given.size()), 1 << 16, [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i)
            rounded[size_t(i)] = bf16ToFloat(floatToBf16(given[size_t(i)]));
        });
    return rounded;
  };
  auto optional = [&](int index) -> std::optional<ArrayRef<float>> {
    if (index < 0)
      return std::nullopt;
    return input(index);
  };
  ScanInputs &in = state->in;
  in.batch = k.batch;
  in.channels = k.channels;
  in.seqLen = k.seqLen;
  in.state = k.state;
  in.delta = input(k.delta);
  in.u = input(k.u);
  in.A = input(k.A);
  in.B = {input(k.B), k.bForm, k.bGroups};
  in.C = {input(k.C), k.cForm, k.cGroups};
  in.D = optional(k.D);
  in.z = optional(k.z);
  in.deltaBias = optional(k.deltaBias);
  in.initialState = optional(k.initialState);
  in.deltaSoftplus = k.deltaSoftplus;
  pool.reset();
  // While the run goes, the reference takes what CPU time it leaves
  // (not with --jobs=1, which asks for one thread at work).
  state->blocks = std::make_unique<detail::ReferenceBlocks>(in);
  if (threads > 1)
    state->blocks->startIdle(threads);
}

ScanCheck::~ScanCheck() = default;

Error ScanCheck::finish(const Machine &machine, std::optional<double> rtol,
                        std::optional<double> atol, raw_ostream &os) {
  const nisa::Program &program = state->program;
  const ScanKernel &k = state->k;

  // Each output against the reference block by block, as the reference's
  // threads finish them (the reference is never held whole); the parts
  // merged in order give compare()'s result over the whole tensor.
  struct Output {
    int index;
    StringRef label;
    int64_t rowLength; // seq_len for out, state for final_state
    double rtol, atol;
    ArrayRef<float> result; // the machine's tensor, or `converted`
    std::vector<float> converted;
    std::vector<std::pair<size_t, Comparison>> parts; // at their first row
  };
  std::vector<Output> outputs;
  // `out` keeps the line it always had; the others are named.
  outputs.push_back({k.out, "", k.seqLen, 0, 0, {}, {}, {}});
  if (k.finalState >= 0)
    outputs.push_back(
        {k.finalState, "final_state ", k.state, 0, 0, {}, {}, {}});
  for (Output &o : outputs) {
    bool bf16 = program.tensors[size_t(o.index)].dtype == nisa::DType::bf16;
    o.rtol = rtol ? *rtol : bf16 ? kBf16Rtol : kF32Rtol;
    o.atol = atol ? *atol : bf16 ? kBf16Atol : kF32Atol;
    // An f32 output is compared where the machine holds it.
    o.result = machine.tensorF32(size_t(o.index));
    if (o.result.size() !=
        size_t(program.tensors[size_t(o.index)].numElements()))
      o.result = o.converted = machine.getTensor(size_t(o.index));
    o.parts.resize(size_t(k.batch * k.channels));
  }
  state->blocks->finish(state->threads, [&](int64_t bc, int64_t count,
                                            ArrayRef<float> out,
                                            ArrayRef<float> finalState) {
    for (Output &o : outputs) {
      ArrayRef<float> expected = o.index == k.out ? out : finalState;
      ArrayRef<float> result =
          o.result.slice(size_t(bc * o.rowLength), size_t(count * o.rowLength));
      o.parts[size_t(bc)] = {size_t(bc * o.rowLength),
                             compare(result, expected, o.rtol, o.atol)};
    }
  });

  bool pass = true;
  for (Output &o : outputs) {
    // (Rows where no block starts keep an empty part: it changes nothing.)
    Comparison cmp = mergeComparisons(o.parts);
    pass &= cmp.failures == 0;
    // What the verdict means, then how close the worst element came.
    std::string verdict =
        cmp.failures == 0
            ? formatv("for all {0} elements", o.result.size()).str()
            : formatv("fails for {0} of {1} elements", cmp.failures,
                      o.result.size())
                  .str();
    os << format("check: %s %s(|err| <= atol + rtol*|ref| %s; rtol %.3g, "
                 "atol %.3g; max_abs_err=%.3g, worst ratio "
                 "err/(atol+rtol*|ref|)=%.3g)\n",
                 cmp.failures == 0 ? (const char *)"PASS"
                                   : (const char *)"FAIL",
                 o.label.str().c_str(), verdict.c_str(), o.rtol, o.atol,
                 cmp.maxAbsErr, cmp.worstRatio);
  }
  if (!pass)
    return make_error<CheckFailed>();
  return Error::success();
}

//===----------------------------------------------------------------------===//
// --random-inputs
//===----------------------------------------------------------------------===//
//
// libstdc++ draws a float from a 64-bit engine with one engine output:
// std::generate_canonical<float, 24> is float(raw) / 2^64, or the float
// below 1 when that rounds to 1; uniform_real_distribution<float>(0, 1) is
// (that * (1 - 0)) + 0. normal_distribution<float> is Marsaglia's polar
// method: two such draws make x = 2u - 1 and y likewise (in double, then
// float), rejected while r2 = x*x + y*y (float) is > 1 or 0; an accepted
// pair gives y * m, then x * m (kept for the next call, and lost with the
// distribution), with m = sqrt(-2 log(r2) / r2), each then * 1 + 0
// (stddev, mean). Which engine outputs make which value is therefore
// sequential, but cheap to find; each value's log and square root depend
// only on its own pair. RandomDraws keeps exactly that: the engine (the
// standard's algorithm: the outputs of std::mt19937_64) makes chunks of
// outputs (the next one while the threads work on the current one), the
// conversions and the acceptance test run on whole chunks (vector code, on
// the threads), the accepted pairs are packed in order, and the values are
// computed from them on the threads, with the library's float operations
// in the library's order. The loops are compiled for the baseline
// instruction set and for AVX2, with integer and IEEE operations that give
// the same bits on both. With another standard library, its distributions
// are used as they are.

#if defined(__GNUC__) || defined(__clang__)
#define DRAW_INLINE inline __attribute__((always_inline))
#else
#define DRAW_INLINE inline
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DRAW_HAVE_AVX2 1
#endif

namespace {
constexpr unsigned kEngineWords = 312, kEngineShift = 156;

/// The next 312 outputs of std::mt19937_64 from its state: the twist
/// (without a branch on the low bit, which is random), then the tempering
/// of each word.
DRAW_INLINE void engineBlock(uint64_t *state, uint64_t *out) {
  constexpr unsigned n = kEngineWords, m = kEngineShift;
  const uint64_t upper = ~uint64_t(0) << 31, lower = ~upper;
  const uint64_t a = 0xb5026f5aa96619e9ull;
  for (unsigned k = 0; k < n - m; ++k) {
    uint64_t y = (state[k] & upper) | (state[k + 1] & lower);
    state[k] = state[k + m] ^ (y >> 1) ^ (a & (0 - (y & 1)));
  }
  for (unsigned k = n - m; k < n - 1; ++k) {
    uint64_t y = (state[k] & upper) | (state[k + 1] & lower);
    state[k] = state[k + m - n] ^ (y >> 1) ^ (a & (0 - (y & 1)));
  }
  uint64_t y = (state[n - 1] & upper) | (state[0] & lower);
  state[n - 1] = state[m - 1] ^ (y >> 1) ^ (a & (0 - (y & 1)));
  for (unsigned k = 0; k < n; ++k) {
    uint64_t z = state[k];
    z ^= (z >> 29) & 0x5555555555555555ull;
    z ^= (z << 17) & 0x71d67fffeda60000ull;
    z ^= (z << 37) & 0xfff7eee000000000ull;
    z ^= z >> 43;
    out[k] = z;
  }
}

DRAW_INLINE double doubleFromBits(uint64_t u) {
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
}

/// generate_canonical's `if (ret >= 1) ret = nextafter(1, 0)` on
/// u = float(raw) / 2^64: u is at most 1, and the float below 1 is the one
/// below it in the bits.
DRAW_INLINE float belowOne(float u) {
  uint32_t bits;
  std::memcpy(&bits, &u, sizeof bits);
  bits -= uint32_t(bits == 0x3f800000u);
  std::memcpy(&u, &bits, sizeof u);
  return u;
}

/// generate_canonical<float, 24>(raw): float(raw) / 2^64, below 1, with
/// float(raw) rounded to nearest as any correct conversion, in operations
/// that vectorise (x86 has no unsigned 64-bit conversion, and compilers
/// branch on the top bit): bits below the 53 of a double are folded into a
/// sticky bit 11 when there are any (the float's rounding is then at bit
/// 30 or above), the value is made exactly in double from its 32-bit
/// halves, and rounded to float once.
DRAW_INLINE float canonical(uint64_t raw) {
  uint64_t sticky = ((raw & 0x7ff) + 0x7ff) >> 11; // low bits nonzero
  uint64_t folded = (raw & ~uint64_t(0x7ff)) | (sticky << 11);
  uint64_t wide = 0 - (((raw >> 53) + 0x7ff) >> 11); // raw >= 2^53
  uint64_t t = (raw & ~wide) | (folded & wide);      // <= 53 bits
  double d =
      (doubleFromBits(0x4530000000000000ull | (t >> 32)) - 0x1p84) +
      (doubleFromBits(0x4330000000000000ull | (t & 0xffffffffull)) - 0x1p52);
  return belowOne(float(d) * 0x1p-64f);
}

/// canonical(raw) for most raw, in fewer operations: raw rounded to double
/// (its 32-bit halves made exactly, then added), then to float. Rounding
/// twice gives the float nearest to raw unless the double is exactly
/// halfway between two floats (bit 28 of its fraction set, those below
/// clear): then `doubtful` is set, and canonical() must be used.
DRAW_INLINE float canonicalMostly(uint64_t raw, uint64_t &doubtful) {
  double d =
      (doubleFromBits(0x4530000000000000ull | (raw >> 32)) - 0x1p84) +
      (doubleFromBits(0x4330000000000000ull | (raw & 0xffffffffull)) - 0x1p52);
  uint64_t tail;
  std::memcpy(&tail, &d, sizeof tail);
  tail = (tail & 0x1fffffff) ^ 0x10000000; // 0: halfway
  doubtful |= (tail - 1) >> 63;
  return belowOne(float(d) * 0x1p-64f);
}

/// u[i] = canonical(raw[i]).
DRAW_INLINE void canonicalBlock(const uint64_t *raw, float *u, size_t n) {
  uint64_t doubtful = 0;
  for (size_t i = 0; i < n; ++i)
    u[i] = canonicalMostly(raw[i], doubtful);
  if (doubtful) // about one block in 10^4
    for (size_t i = 0; i < n; ++i)
      u[i] = canonical(raw[i]);
}

/// out[i] = scale * uniform_real_distribution<float>(0, 1) of raw[i].
DRAW_INLINE void uniformBlock(const uint64_t *raw, float *out, size_t n,
                              float scale) {
  canonicalBlock(raw, out, n);
  for (size_t i = 0; i < n; ++i)
    out[i] = scale * ((out[i] * 1.0f) + 0.0f);
}

/// The library's `while (r2 > 1.0 || r2 == 0.0)`, negated.
DRAW_INLINE bool acceptable(float x, float y) {
  float r2 = x * x + y * y;
  return !(r2 > 1.0f) & !(r2 == 0.0f);
}

/// Candidate pairs (raw[2i], raw[2i + 1]): yx[2i] = y, yx[2i + 1] = x, and
/// whether the pair is accepted. (The draws first, in place: loops of one
/// element width each vectorise better.)
DRAW_INLINE void polarBlock(const uint64_t *raw, float *yx, uint32_t *ok,
                            size_t pairs) {
  canonicalBlock(raw, yx, 2 * pairs);
  for (size_t i = 0; i < pairs; ++i) {
    // The polar method's result_type(2.0) * u - 1.0.
    float x = float(double(2.0f * yx[2 * i]) - 1.0);
    float y = float(double(2.0f * yx[2 * i + 1]) - 1.0);
    yx[2 * i] = y;
    yx[2 * i + 1] = x;
    ok[i] = acceptable(x, y);
  }
}

/// Accepted pairs (y, x) in yx: r2[i] = x*x + y*y, as the test computed it.
DRAW_INLINE void radiusBlock(const float *yx, float *r2, size_t pairs) {
  for (size_t i = 0; i < pairs; ++i) {
    float y = yx[2 * i], x = yx[2 * i + 1];
    r2[i] = x * x + y * y;
  }
}

/// The pairs' values from r2 and log(r2) (glibc's logf, called before):
/// m = sqrt(-2 * log(r2) / r2), (y, x) -> (y * m * 1 + 0, x * m * 1 + 0).
/// `q` is scratch.
DRAW_INLINE void valuesBlock(float *yx, const float *r2, const float *logR2,
                             float *q, size_t pairs) {
  for (size_t i = 0; i < pairs; ++i)
    q[i] = -2 * logR2[i] / r2[i];
  // std::sqrt, which compilers do not vectorise unless errno is ignored:
  // the same correctly rounded square root, 4 at a time.
  size_t i = 0;
#if defined(__SSE__) || defined(__x86_64__)
  for (; i + 4 <= pairs; i += 4)
    _mm_storeu_ps(&q[i], _mm_sqrt_ps(_mm_loadu_ps(&q[i])));
#endif
  for (; i < pairs; ++i)
    q[i] = std::sqrt(q[i]);
  for (size_t k = 0; k < pairs; ++k) {
    yx[2 * k] = (yx[2 * k] * q[k]) * 1.0f + 0.0f;
    yx[2 * k + 1] = (yx[2 * k + 1] * q[k]) * 1.0f + 0.0f;
  }
}

/// Appends the accepted pairs among `candidates` of yx (ok: 0 or 1) to
/// out at pair j, in order, while j < full: the library's loop over
/// candidates, for all but the last, odd, value. Returns the candidates
/// taken.
DRAW_INLINE size_t compactScalar(const float *yx, const uint32_t *ok,
                                 size_t candidates, float *out, size_t &j,
                                 size_t full, size_t i = 0) {
  for (; i < candidates && j < full; ++i) {
    std::memcpy(out + 2 * j, yx + 2 * i, 2 * sizeof(float));
    j += ok[i];
  }
  return i;
}

#ifdef DRAW_HAVE_AVX2
/// compactScalar, 4 candidates at a time while 4 more pairs are needed
/// (all 4 are then taken, and written within out): the accepted ones moved
/// to the front by a permutation from a table.
struct PackTable {
  alignas(32) int32_t perm[16][8];
  int32_t count[16];
  constexpr PackTable() : perm(), count() {
    for (int m = 0; m < 16; ++m) {
      int k = 0;
      for (int c = 0; c < 4; ++c)
        if (m >> c & 1) {
          perm[m][2 * k] = 2 * c;
          perm[m][2 * k + 1] = 2 * c + 1;
          ++k;
        }
      count[m] = k;
    }
  }
};
constexpr PackTable kPack;

__attribute__((target("avx2"))) size_t
compactAvx2(const float *yx, const uint32_t *ok, size_t candidates, float *out,
            size_t &j, size_t full) {
  size_t i = 0;
  for (; i + 4 <= candidates && j + 4 <= full; i += 4) {
    __m128i flags = _mm_loadu_si128(reinterpret_cast<const __m128i *>(ok + i));
    int m = _mm_movemask_ps(_mm_castsi128_ps(_mm_slli_epi32(flags, 31)));
    __m256i perm =
        _mm256_load_si256(reinterpret_cast<const __m256i *>(kPack.perm[m]));
    _mm256_storeu_ps(out + 2 * j, _mm256_permutevar8x32_ps(
                                      _mm256_loadu_ps(yx + 2 * i), perm));
    j += size_t(kPack.count[m]);
  }
  return compactScalar(yx, ok, candidates, out, j, full, i);
}
#endif

size_t compactBaseline(const float *yx, const uint32_t *ok, size_t candidates,
                       float *out, size_t &j, size_t full) {
  return compactScalar(yx, ok, candidates, out, j, full);
}

/// The loops above for one instruction set.
struct DrawKernels {
  void (*engine)(uint64_t *, uint64_t *);
  void (*uniform)(const uint64_t *, float *, size_t, float);
  void (*polar)(const uint64_t *, float *, uint32_t *, size_t);
  void (*radius)(const float *, float *, size_t);
  void (*values)(float *, const float *, const float *, float *, size_t);
  size_t (*compact)(const float *, const uint32_t *, size_t, float *, size_t &,
                    size_t);
};

#define DRAW_KERNELS(ATTR)                                                     \
  ATTR void engine(uint64_t *state, uint64_t *out) {                           \
    engineBlock(state, out);                                                   \
  }                                                                            \
  ATTR void uniform(const uint64_t *raw, float *out, size_t n, float scale) {  \
    uniformBlock(raw, out, n, scale);                                          \
  }                                                                            \
  ATTR void polar(const uint64_t *raw, float *yx, uint32_t *ok,                \
                  size_t pairs) {                                              \
    polarBlock(raw, yx, ok, pairs);                                            \
  }                                                                            \
  ATTR void radius(const float *yx, float *r2, size_t pairs) {                 \
    radiusBlock(yx, r2, pairs);                                                \
  }                                                                            \
  ATTR void values(float *yx, const float *r2, const float *logR2, float *q,   \
                   size_t pairs) {                                             \
    valuesBlock(yx, r2, logR2, q, pairs);                                      \
  }                                                                            \
  const DrawKernels kKernels = {engine, uniform, polar,                        \
                                radius, values,  COMPACT};

namespace baseline {
#define COMPACT compactBaseline
DRAW_KERNELS()
#undef COMPACT
} // namespace baseline
#ifdef DRAW_HAVE_AVX2
namespace avx2 {
#define COMPACT compactAvx2
DRAW_KERNELS(__attribute__((target("avx2"))))
#undef COMPACT
} // namespace avx2
#endif

std::atomic<bool> baselineDraws{false}; // the tests' choice

const DrawKernels &drawKernels() {
#ifdef DRAW_HAVE_AVX2
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2 && !baselineDraws.load(std::memory_order_relaxed))
    return avx2::kKernels;
#endif
  return baseline::kKernels;
}

/// std::mt19937_64 (the standard's definition), a block at a time.
class Mt64 {
public:
  explicit Mt64(uint64_t seed) : kernels(drawKernels()) {
    state[0] = seed;
    for (unsigned i = 1; i < kEngineWords; ++i)
      state[i] =
          6364136223846793005ull * (state[i - 1] ^ (state[i - 1] >> 62)) + i;
  }
  /// The outputs not yet taken (at least one).
  ArrayRef<uint64_t> available() {
    if (pos == kEngineWords) {
      kernels.engine(state, out);
      pos = 0;
    }
    return ArrayRef<uint64_t>(out + pos, kEngineWords - pos);
  }
  void take(size_t k) { pos += unsigned(k); }
  uint64_t next() {
    uint64_t v = available()[0];
    ++pos;
    return v;
  }
  /// The next `n` outputs into `dst` (whole blocks straight there).
  void fill(uint64_t *dst, size_t n) {
    while (n) {
      if (pos == kEngineWords && n >= kEngineWords) {
        kernels.engine(state, dst);
        dst += kEngineWords;
        n -= kEngineWords;
        continue;
      }
      ArrayRef<uint64_t> raw = available();
      size_t k = std::min(raw.size(), n);
      std::memcpy(dst, raw.data(), k * sizeof(uint64_t));
      take(k);
      dst += k;
      n -= k;
    }
  }

private:
  const DrawKernels &kernels;
  uint64_t state[kEngineWords];
  uint64_t out[kEngineWords];
  unsigned pos = kEngineWords;
};

/// Engine outputs read at a time (512 KiB, with what is made of them
/// about the size of a core's cache), and elements a thread takes.
constexpr size_t kRawChunk = size_t(1) << 16;
constexpr int64_t kGrain = 1 << 12;

/// The engine's outputs through a buffer: what a tensor read beyond its
/// last draw goes to the next one, and the outputs of the next read can be
/// made while the last read's are used (ahead).
class RawStream {
public:
  explicit RawStream(uint64_t seed) : engine(seed), buffer(8 * kRawChunk) {}
  /// The next `n` <= kRawChunk outputs, valid until the next read.
  ArrayRef<uint64_t> read(size_t n) {
    size_t have = end - begin;
    if (buffer.size() - end < 2 * kRawChunk) { // keep room for this and ahead
      std::memmove(buffer.data(), buffer.data() + begin,
                   have * sizeof(uint64_t));
      begin = 0;
      end = have;
    }
    if (have < n) {
      engine.fill(buffer.data() + end, n - have);
      end = begin + n;
    }
    begin += n;
    return ArrayRef<uint64_t>(buffer.data() + begin - n, n);
  }
  /// Gives back the last `k` outputs of the last read.
  void unread(size_t k) { begin -= k; }
  /// Makes up to `n` more outputs for the reads to come, after the last
  /// read's (which it does not move: another thread may use them).
  void ahead(size_t n) {
    n = std::min(n, buffer.size() - end);
    engine.fill(buffer.data() + end, n);
    end += n;
  }

private:
  Mt64 engine;
  std::vector<uint64_t> buffer;
  size_t begin = 0, end = 0; // made, not read
};

/// Raw values from an array (the tests' source): read() gives fewer when
/// it runs out.
struct ArraySource {
  ArrayRef<uint64_t> raw;
  size_t pos = 0;
  ArrayRef<uint64_t> read(size_t n) {
    ArrayRef<uint64_t> r = raw.drop_front(pos).take_front(n);
    pos += r.size();
    return r;
  }
  void unread(size_t k) { pos -= k; }
  void ahead(size_t) {}
};

template <typename Source>
void drawUniform(Source &src, MutableArrayRef<float> out, float scale,
                 WorkerPool &pool) {
  const DrawKernels &kernels = drawKernels();
  for (size_t i = 0; i < out.size();) {
    ArrayRef<uint64_t> raw = src.read(std::min(kRawChunk, out.size() - i));
    // The thread that takes the first elements also makes the next read's.
    size_t next = std::min(kRawChunk, out.size() - i - raw.size());
    parallelChunks(pool, int64_t(raw.size()), kGrain,
                   [&](int64_t b, int64_t e) {
                     if (b == 0 && next)
                       src.ahead(next);
                     kernels.uniform(raw.data() + b, &out[i + size_t(b)],
                                     size_t(e - b), scale);
                   });
    i += raw.size();
  }
}

/// The values of accepted pairs [begin, end) of out, all with their x.
void pairValues(const DrawKernels &kernels, float *out, size_t begin,
                size_t end) {
  constexpr size_t kBlock = 256;
  float r2[kBlock], logR2[kBlock], q[kBlock];
  for (size_t p = begin; p < end; p += kBlock) {
    size_t m = std::min(kBlock, end - p);
    kernels.radius(out + 2 * p, r2, m);
    for (size_t k = 0; k < m; ++k)
      logR2[k] = std::log(r2[k]);
    kernels.values(out + 2 * p, r2, logR2, q, m);
  }
}

/// Normal draws from a source of raw outputs (RawStream, or an array for
/// the tests). A chunk of engine outputs at a time: every candidate pair's
/// coordinates and test (in parallel), the accepted pairs in order, then
/// their values (in parallel). False when the source runs out.
template <typename Source>
bool drawNormal(Source &src, MutableArrayRef<float> out, WorkerPool &pool) {
  const DrawKernels &kernels = drawKernels();
  const size_t n = out.size(), pairs = (n + 1) / 2, full = n / 2;
  // Accepted pair j: y in out[2j], x in out[2j + 1] (the last pair's x in
  // lastX when n is odd: the value the library keeps, then drops).
  float lastX = 0;
  size_t j = 0;
  std::vector<float> yx;
  std::vector<uint32_t> ok;
  float *o = out.data();
  while (j < pairs) {
    // About 4/pi candidates per pair are needed: read a few more.
    size_t want = std::min(kRawChunk, 2 * ((pairs - j) * 13 / 10 + 16));
    ArrayRef<uint64_t> raw = src.read(want);
    size_t candidates = raw.size() / 2, i = 0;
    if (candidates == 0) {
      src.unread(raw.size());
      return false;
    }
    yx.resize(2 * candidates);
    ok.resize(candidates);
    // The thread that takes the first candidates also makes the engine's
    // next outputs, if more pairs than these can give are needed.
    size_t next = pairs - j > candidates ? kRawChunk : 0;
    parallelChunks(pool, int64_t(candidates), kGrain,
                   [&](int64_t b, int64_t e) {
                     if (b == 0 && next)
                       src.ahead(next);
                     kernels.polar(raw.data() + 2 * b, &yx[size_t(2 * b)],
                                   &ok[size_t(b)], size_t(e - b));
                   });
    const float *yxs = yx.data();
    const uint32_t *oks = ok.data();
    size_t first = j;
    i = kernels.compact(yxs, oks, candidates, o, j, full);
    size_t last = j; // pairs [first, last) are complete
    for (; i < candidates && j < pairs; ++i) { // the last, odd element
      o[2 * j] = yxs[2 * i];
      lastX = yxs[2 * i + 1];
      j += oks[i];
    }
    src.unread(raw.size() - 2 * i);
    parallelChunks(
        pool, int64_t(last - first), kGrain, [&](int64_t b, int64_t e) {
          pairValues(kernels, o, first + size_t(b), first + size_t(e));
        });
  }
  if (full < pairs) {
    float y = o[2 * full], x = lastX;
    float r2 = x * x + y * y;
    const float mult = std::sqrt(-2 * std::log(r2) / r2);
    o[2 * full] = (y * mult) * 1.0f + 0.0f;
  }
  return true;
}
} // namespace

#ifdef __GLIBCXX__
struct RandomDraws::Engine : RawStream {
  using RawStream::RawStream;
};
#else
struct RandomDraws::Engine {
  explicit Engine(uint64_t seed) : rng(seed) {}
  std::mt19937_64 rng;
};
#endif

RandomDraws::RandomDraws(uint64_t seed, unsigned threads)
    : engine(std::make_unique<Engine>(seed)),
      pool(std::make_unique<WorkerPool>(threads)) {}
RandomDraws::~RandomDraws() = default;

void RandomDraws::uniform(MutableArrayRef<float> out, float scale) {
#ifdef __GLIBCXX__
  drawUniform(*engine, out, scale, *pool);
#else
  std::uniform_real_distribution<float> dist(0.0f, 1.0f);
  for (float &x : out)
    x = scale * dist(engine->rng);
#endif
}

void RandomDraws::normal(MutableArrayRef<float> out) {
#ifdef __GLIBCXX__
  drawNormal(*engine, out, *pool);
#else
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (float &x : out)
    x = dist(engine->rng);
#endif
}

std::vector<uint64_t> nki_run::detail::randomEngineOutputs(uint64_t seed,
                                                           size_t count) {
  Mt64 engine(seed);
  std::vector<uint64_t> outputs(count);
  for (uint64_t &x : outputs)
    x = engine.next();
  return outputs;
}

void nki_run::detail::useBaselineDraws(bool baseline) {
  baselineDraws.store(baseline, std::memory_order_relaxed);
}

void nki_run::detail::canonicalFloats(ArrayRef<uint64_t> raw,
                                      MutableArrayRef<float> u) {
  // scale * ((u * 1) + 0) is u for a scale of 1 (u >= +0).
  drawKernels().uniform(raw.data(), u.data(), raw.size(), 1.0f);
}

size_t nki_run::detail::normalFromRaw(ArrayRef<uint64_t> raw,
                                      MutableArrayRef<float> out) {
  ArraySource src{raw};
  WorkerPool pool(2);
  return drawNormal(src, out, pool) ? src.pos : 0;
}
