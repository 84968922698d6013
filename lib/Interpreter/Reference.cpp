//===- Reference.cpp - the selective scan, computed directly --------------===//
//
// The definition of Reference.h in double precision, each element's
// operations in the definition's order:
//   d = delta (+ delta_bias) (softplus), x = exp(d * A) * x + (d * B) * u,
//   y = ((0 + C[0] x[0]) + C[1] x[1]) + ... (states in order),
//   y = (y + D * u) * silu(z),
// rounded to f32 once, at the end. What makes it fast leaves that
// arithmetic alone:
// - (batch, channel) pairs are independent: threads claim blocks of a few
//   channels of one batch (and one group of B and of C) in turn;
// - B and C are transposed to [step][state], so that a step's states are
//   contiguous and their recurrences advance side by side (vectors over the
//   states); time runs in tiles of kTile steps, every channel of a block
//   through one tile before the next, so the tile of B and C stays in cache;
// - exp(d * A), the bulk of the work, is a vectorised double-precision exp
//   (vectorExp below, within 1 ulp of std::exp), computed on a whole tile
//   at once, without its argument reduction when no argument of the tile
//   needs it (the same bits); the loops are compiled for the baseline
//   instruction set and for AVX2 (no FMA in either, so both give the same
//   bits), the AVX2 copy used when the processor has it. softplus and silu
//   keep std::exp and std::log1p;
// - each block's results go to a sink as soon as they are done (the check
//   compares them there, and never holds the whole reference).
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Interpreter/Reference.h"
#include "ScanCheck.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <thread>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

using namespace nki_run;

#if defined(__GNUC__) || defined(__clang__)
#define REF_INLINE inline __attribute__((always_inline))
#else
#define REF_INLINE inline
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define REF_HAVE_AVX2 1
#define REF_AVX2 __attribute__((target("avx2")))
#endif

namespace {

//===----------------------------------------------------------------------===//
// exp
//===----------------------------------------------------------------------===//

double fromBits(uint64_t u) {
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
}
uint64_t toBits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return u;
}

/// Beyond this the scaling 2^k below leaves the normal range: such
/// arguments (and NaN) take std::exp.
constexpr double kExpRange = 708.0;

/// exp(r) for |r| <= ln2/2 + tiny: 1 + (r + r^2 q(r)), q of degree 9 the
/// minimax polynomial of (exp(r) - 1 - r) / r^2 on [-ln2/2 - 2e-4,
/// ln2/2 + 2e-4] (Remez; the error it leaves is below 0.08 ulp of exp(r)),
/// in Estrin's scheme.
REF_INLINE double expReduced(double r) {
  double r2 = r * r, r4 = r2 * r2;
  double a0 = 0.5000000000000001 + r * 0.16666666666666674,
         a1 = 0.04166666666662396 + r * 0.008333333333322163,
         a2 = 0.0013888888917296643 + r * 0.0001984126988672419,
         a3 = 2.4801521167544137e-05 + r * 2.755724218619237e-06,
         a4 = 2.762014935952631e-07 + r * 2.5110106554492585e-08;
  double b0 = a0 + a1 * r2, b1 = a2 + a3 * r2;
  double q = b0 + (b1 + a4 * r4) * r4;
  return 1.0 + (r + r2 * q);
}

/// y[i] = exp(x[i]): x = k ln2 + r with k = round(x / ln2) (Cody-Waite,
/// ln2 in two parts), exp(r) by expReduced, times 2^k built in the exponent
/// bits. Within 1 ulp of std::exp on [-708, 708] (the same as it for about
/// 9 arguments in 10); outside that range, and for NaN, the result is
/// garbage that fixExp replaces. No branch in the loop, so that it
/// vectorises; `y` may be `x`.
REF_INLINE void vectorExp(const double *x, double *y, int64_t n) {
  const double invLn2 = 0x1.71547652b82fep0, shift = 0x1.8p52;
  const double ln2hi = 0x1.62e42fee00000p-1, ln2lo = 0x1.a39ef35793c76p-33;
  for (int64_t i = 0; i < n; ++i) {
    double a = x[i];
    double kd = a * invLn2 + shift; // round to nearest: k in the low bits
    uint64_t ki = toBits(kd);
    kd -= shift;
    double r = (a - kd * ln2hi) - kd * ln2lo;
    y[i] = expReduced(r) * fromBits((ki << 52) + 0x3ff0000000000000ull);
  }
}

/// vectorExp when every |x[i]| < ln2/2: k = 0, so r = x and the scale is 1
/// there, and this gives the same bits with less work.
REF_INLINE void vectorExpSmall(const double *x, double *y, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    y[i] = expReduced(x[i]);
}

/// vectorExpSmall is exact below this (k = 0 there: |x / ln2| < 0.5).
constexpr double kExpSmall = 0.3465;

/// The largest |v[i]|, NaN when one is NaN.
REF_INLINE double largestMagnitude(const double *v, int64_t n) {
  double m = 0;
  for (int64_t i = 0; i < n; ++i)
    m = !(std::fabs(v[i]) <= m) ? std::fabs(v[i]) : m;
  return m;
}

/// y[i] = exp(x[i]) (`y` not `x`), where `bound` is at least every |x[i]|
/// (NaN: unknown). The arguments beyond kExpRange, and NaN, take std::exp
/// (they are rare).
REF_INLINE void tileExp(const double *x, double *y, int64_t n, double bound) {
  if (bound < kExpSmall) {
    vectorExpSmall(x, y, n);
    return;
  }
  vectorExp(x, y, n);
  // |x| > kExpRange (or NaN) as integers: the top bit of limit - |x|, in a
  // loop that vectorises.
  const uint64_t limit = toBits(kExpRange);
  uint64_t outside = 0;
  for (int64_t i = 0; i < n; ++i)
    outside |= (limit - (toBits(x[i]) & ~(uint64_t(1) << 63))) >> 63;
  if (outside)
    for (int64_t i = 0; i < n; ++i)
      if (!(std::fabs(x[i]) <= kExpRange))
        y[i] = std::exp(x[i]);
}

//===----------------------------------------------------------------------===//
// The scan
//===----------------------------------------------------------------------===//

double softplus(double x) { return x > 20.0 ? x : std::log1p(std::exp(x)); }
double silu(double x) { return x / (1.0 + std::exp(-x)); }

/// Steps per tile, and channels per block (a thread's unit of work).
constexpr int64_t kTile = 128, kBlockChannels = 8;

/// One channel's B or C from step 0: element (t, n) is p[t * tStride + n]
/// (tStride 0: constant in time).
struct Row {
  const float *p;
  int64_t tStride;
};

/// A thread's work: channels [c0, c1) of batch b, in one group of B and
/// one of C.
struct Block {
  int64_t b, c0, c1;
};

/// Read by every thread.
struct Scan {
  const ScanInputs &in;
  std::vector<float> bT, cT; // variable or grouped B, C as [b][g][t][n]

  Row row(const Projection &proj, const std::vector<float> &transposed,
          int64_t b, int64_t c) const {
    int64_t L = in.seqLen, N = in.state;
    switch (proj.form) {
    case ProjectionForm::variable:
      return {transposed.data() + b * L * N, N};
    case ProjectionForm::grouped: {
      int64_t g = c / (in.channels / proj.groups);
      return {transposed.data() + (b * proj.groups + g) * L * N, N};
    }
    case ProjectionForm::constant:
      return {proj.values.data() + c * N, 0};
    }
    return {nullptr, 0};
  }
};

/// [b][g][n][t] -> [b][g][t][n] (variable: one group).
std::vector<float> transpose(const Projection &proj, const ScanInputs &in) {
  if (proj.form == ProjectionForm::constant)
    return {};
  int64_t L = in.seqLen, N = in.state;
  int64_t groups = proj.form == ProjectionForm::grouped ? proj.groups : 1;
  std::vector<float> t(size_t(in.batch * groups * L * N));
  for (int64_t bg = 0; bg < in.batch * groups; ++bg) {
    const float *src = proj.values.data() + bg * N * L;
    float *dst = t.data() + bg * L * N;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < L; ++s)
        dst[s * N + n] = src[n * L + s];
  }
  return t;
}

/// A thread's buffers: a tile of d, d*A, exp(d*A), C*x and y, the channel's
/// row of A, each channel's state, and the block's results.
struct Scratch {
  Scratch(int64_t L, int64_t N)
      : dt(size_t(kTile)), arg(size_t(kTile * N)), e(size_t(kTile * N)),
        p(size_t(kTile * N)), y(size_t(kTile)), a(size_t(N)),
        x(size_t(kBlockChannels * N)), out(size_t(kBlockChannels * L)),
        finalState(size_t(kBlockChannels * N)) {}
  std::vector<double> dt, arg, e, p, y, a, x;
  std::vector<float> out, finalState; // the block's, as the sink gets them
  double largestA = 0;                // of a
};

/// y[t] = the sum of p[t][0..N), the states in order from 0 (the
/// definition's accumulator). Not inlined, with N unknown: a compiler
/// that knows N = 16 transposes whole tiles to add across steps, which
/// costs more than the additions.
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
void sumStates(const double *p, double *y, int64_t tb, int64_t N) {
  // Eight steps at a time: eight independent chains of additions, each
  // step's in state order.
  int64_t t = 0;
  for (; t + 8 <= tb; t += 8) {
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0, s5 = 0.0, s6 = 0.0,
           s7 = 0.0;
    const double *q = p + t * N;
    for (int64_t n = 0; n < N; ++n) {
      s0 += q[n];
      s1 += q[N + n];
      s2 += q[2 * N + n];
      s3 += q[3 * N + n];
      s4 += q[4 * N + n];
      s5 += q[5 * N + n];
      s6 += q[6 * N + n];
      s7 += q[7 * N + n];
    }
    y[t] = s0;
    y[t + 1] = s1;
    y[t + 2] = s2;
    y[t + 3] = s3;
    y[t + 4] = s4;
    y[t + 5] = s5;
    y[t + 6] = s6;
    y[t + 7] = s7;
  }
  for (; t < tb; ++t) {
    double sum = 0.0;
    for (int64_t n = 0; n < N; ++n)
      sum += p[t * N + n];
    y[t] = sum;
  }
}

/// One channel through one tile of `tb` steps (d in s.dt): its state `x`
/// advances, and s.y[t] = sum over the states of C x. NS is the state
/// size when known at compile time (0: `runtimeN`).
template <int NS>
REF_INLINE void tile(int64_t runtimeN, Scratch &s, const float *u, Row B, Row C,
                     int64_t tb, double *x) {
  const int64_t N = NS ? NS : runtimeN;
  const double *a = s.a.data();
  const double *dt = s.dt.data();
  double *arg = s.arg.data(), *e = s.e.data(), *p = s.p.data(), *y = s.y.data();
  // d[t] * A[n]; with N hidden from the compiler, which otherwise puts
  // steps, not states, side by side in its vectors and shuffles them.
  int64_t states = N;
#if defined(__GNUC__) || defined(__clang__)
  __asm__("" : "+r"(states));
#endif
  for (int64_t t = 0; t < tb; ++t)
    for (int64_t n = 0; n < states; ++n)
      arg[t * states + n] = dt[t] * a[n];
  // |d A| <= max |d| max |A|, rounded (rounding is monotonic).
  tileExp(arg, e, tb * N, largestMagnitude(dt, tb) * s.largestA);
  if (NS) {
    double xs[NS ? NS : 1];
    for (int64_t n = 0; n < N; ++n)
      xs[n] = x[n];
    for (int64_t t = 0; t < tb; ++t) {
      double d = dt[t], uu = u[t];
      const float *bb = B.p + t * B.tStride, *cc = C.p + t * C.tStride;
      for (int64_t n = 0; n < N; ++n) {
        xs[n] = e[t * N + n] * xs[n] + d * double(bb[n]) * uu;
        p[t * N + n] = double(cc[n]) * xs[n];
      }
    }
    for (int64_t n = 0; n < N; ++n)
      x[n] = xs[n];
  } else {
    for (int64_t t = 0; t < tb; ++t) {
      double d = dt[t], uu = u[t];
      const float *bb = B.p + t * B.tStride, *cc = C.p + t * C.tStride;
      for (int64_t n = 0; n < N; ++n) {
        x[n] = e[t * N + n] * x[n] + d * double(bb[n]) * uu;
        p[t * N + n] = double(cc[n]) * x[n];
      }
    }
  }
  sumStates(p, y, tb, N);
}

template <int NS>
/// Returns false, the block unfinished, when `stop` is set (checked once a
/// tile of steps).
REF_INLINE bool runBlock(const Scan &scan, const Block &blk, Scratch &s,
                         const std::atomic<bool> *stop) {
  const ScanInputs &in = scan.in;
  const int64_t channels = in.channels, L = in.seqLen, N = NS ? NS : in.state;
  const int64_t b = blk.b;
  for (int64_t c = blk.c0; c < blk.c1; ++c) {
    double *x = &s.x[size_t((c - blk.c0) * N)];
    size_t bc = size_t(b * channels + c);
    for (int64_t n = 0; n < N; ++n)
      x[n] = in.initialState
                 ? double((*in.initialState)[bc * size_t(N) + size_t(n)])
                 : 0.0;
  }
  for (int64_t t0 = 0; t0 < L; t0 += kTile) {
    if (stop && stop->load(std::memory_order_relaxed))
      return false;
    int64_t tb = std::min(kTile, L - t0);
    for (int64_t c = blk.c0; c < blk.c1; ++c) {
      size_t bc = size_t(b * channels + c);
      const float *d = &in.delta[bc * size_t(L) + size_t(t0)];
      const float *u = &in.u[bc * size_t(L) + size_t(t0)];
      for (int64_t t = 0; t < tb; ++t) {
        double dt = d[t];
        if (in.deltaBias)
          dt += double((*in.deltaBias)[size_t(c)]);
        if (in.deltaSoftplus)
          dt = softplus(dt);
        s.dt[size_t(t)] = dt;
      }
      for (int64_t n = 0; n < N; ++n)
        s.a[size_t(n)] = in.A[size_t(c * N + n)];
      s.largestA = largestMagnitude(s.a.data(), N);
      Row B = scan.row(in.B, scan.bT, b, c), C = scan.row(in.C, scan.cT, b, c);
      B.p += t0 * B.tStride;
      C.p += t0 * C.tStride;
      tile<NS>(N, s, u, B, C, tb, &s.x[size_t((c - blk.c0) * N)]);
      float *out = &s.out[size_t((c - blk.c0) * L + t0)];
      for (int64_t t = 0; t < tb; ++t) {
        double y = s.y[size_t(t)];
        if (in.D)
          y += double((*in.D)[size_t(c)]) * double(u[t]);
        if (in.z)
          y *= silu(double((*in.z)[bc * size_t(L) + size_t(t0 + t)]));
        out[t] = float(y);
      }
    }
  }
  for (int64_t i = 0; i < (blk.c1 - blk.c0) * N; ++i)
    s.finalState[size_t(i)] = float(s.x[size_t(i)]);
  return true;
}

// The work of the threads, once per instruction set.
REF_INLINE bool runBlockAny(const Scan &scan, const Block &blk, Scratch &s,
                            const std::atomic<bool> *stop) {
  if (scan.in.state == 16)
    return runBlock<16>(scan, blk, s, stop);
  return runBlock<0>(scan, blk, s, stop);
}
REF_INLINE void expAny(const double *x, double *y, int64_t n) {
  tileExp(x, y, n, largestMagnitude(x, n));
}
bool runBlockBaseline(const Scan &scan, const Block &blk, Scratch &s,
                      const std::atomic<bool> *stop) {
  return runBlockAny(scan, blk, s, stop);
}
void expBaseline(const double *x, double *y, int64_t n) { expAny(x, y, n); }
#ifdef REF_HAVE_AVX2
REF_AVX2 bool runBlockAvx2(const Scan &scan, const Block &blk, Scratch &s,
                           const std::atomic<bool> *stop) {
  return runBlockAny(scan, blk, s, stop);
}
REF_AVX2 void expAvx2(const double *x, double *y, int64_t n) {
  expAny(x, y, n);
}
#endif

bool haveAvx2() {
#ifdef REF_HAVE_AVX2
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

/// The blocks: kBlockChannels channels at most, never across a boundary of
/// B's or C's groups.
std::vector<Block> blocks(const ScanInputs &in) {
  auto groupSize = [&](const Projection &p) {
    return p.form == ProjectionForm::grouped ? in.channels / p.groups
                                             : in.channels;
  };
  int64_t gb = std::max<int64_t>(1, groupSize(in.B)),
          gc = std::max<int64_t>(1, groupSize(in.C));
  std::vector<Block> list;
  for (int64_t b = 0; b < in.batch; ++b)
    for (int64_t c = 0; c < in.channels;) {
      int64_t end = std::min({c + kBlockChannels, in.channels,
                              (c / gb + 1) * gb, (c / gc + 1) * gc});
      list.push_back({b, c, end});
      c = end;
    }
  return list;
}

/// Lowers the calling thread to idle priority: it then runs only when no
/// other thread wants the core (Linux's SCHED_IDLE). False where that is
/// not available.
bool idlePriority() {
#if defined(__linux__) && defined(SCHED_IDLE)
  sched_param param{};
  param.sched_priority = 0;
  return pthread_setschedparam(pthread_self(), SCHED_IDLE, &param) == 0;
#else
  return false;
#endif
}
} // namespace

/// The blocks, claimed in turn (`next`) by the idle threads, which keep
/// their results, and then by finish()'s threads, which hand theirs over.
/// An idle thread told to stop leaves its block unfinished, for finish().
struct detail::ReferenceBlocks::Impl {
  Impl(const ScanInputs &in, bool avx2)
      : in(in), scan{this->in, transpose(in.B, in), transpose(in.C, in)},
        list(blocks(in)) {
#ifdef REF_HAVE_AVX2
    if (avx2)
      run = runBlockAvx2;
#endif
  }

  /// An idle thread's work, once it is at idle priority.
  void idleWork() {
    Scratch s(in.seqLen, in.state);
    for (size_t i;
         !stop.load(std::memory_order_relaxed) &&
         (i = next.fetch_add(1, std::memory_order_relaxed)) < list.size();) {
      const Block &blk = list[i];
      if (!run(scan, blk, s, &stop)) {
        std::lock_guard<std::mutex> lock(mutex);
        unfinished.push_back(i);
        return;
      }
      // (Copied before the lock: a thread at idle priority may wait long
      // for a core, and must not hold the others up meanwhile.)
      int64_t channels = blk.c1 - blk.c0;
      Kept k{blk.b * in.channels + blk.c0, channels,
             std::vector<float>(s.out.begin(),
                                s.out.begin() + channels * in.seqLen),
             std::vector<float>(s.finalState.begin(),
                                s.finalState.begin() + channels * in.state)};
      std::lock_guard<std::mutex> lock(mutex);
      kept.push_back(std::move(k));
    }
  }

  /// Tells the idle threads to stop (each within a tile of steps) and,
  /// where the process may, puts them back at normal priority, so that
  /// they do so soon however busy the cores are.
  void stopIdle() {
    stop = true;
#if defined(__linux__)
    for (std::thread &t : idle) {
      sched_param param{};
      param.sched_priority = 0;
      (void)pthread_setschedparam(t.native_handle(), SCHED_OTHER, &param);
    }
#endif
  }
  void joinIdle() {
    stopIdle();
    for (std::thread &t : idle)
      t.join();
    idle.clear();
  }

  ScanInputs in;
  Scan scan;
  std::vector<Block> list;
  bool (*run)(const Scan &, const Block &, Scratch &,
              const std::atomic<bool> *) = runBlockBaseline;
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> idle;
  /// The idle threads' blocks: first channel, out, final state; and the
  /// blocks they left unfinished.
  struct Kept {
    int64_t bc, count;
    std::vector<float> out, finalState;
  };
  std::mutex mutex;
  std::vector<Kept> kept;
  std::vector<size_t> unfinished;
};

detail::ReferenceBlocks::ReferenceBlocks(const ScanInputs &in)
    : impl(std::make_unique<Impl>(in, haveAvx2())) {}

detail::ReferenceBlocks::ReferenceBlocks(const ScanInputs &in, bool avx2)
    : impl(std::make_unique<Impl>(in, avx2 && haveAvx2())) {}

detail::ReferenceBlocks::~ReferenceBlocks() { impl->joinIdle(); }

unsigned detail::ReferenceBlocks::startIdle(unsigned threads) {
  threads = std::min<unsigned>(threads, unsigned(impl->list.size()));
  Impl &m = *impl;
  for (unsigned i = 0; i < threads; ++i)
    m.idle.emplace_back([&m] {
      // At normal priority it would slow the run down.
      if (!m.stop.load(std::memory_order_relaxed) && idlePriority())
        m.idleWork();
    });
  return threads;
}

detail::ReferenceBlocks::Shares
detail::ReferenceBlocks::finish(unsigned threads, const ReferenceSink &sink) {
  Impl &m = *impl;
  m.stopIdle();
  threads = std::max(1u, std::min<unsigned>(threads, unsigned(m.list.size())));
  auto inParallel = [&](auto &&body) {
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i)
      pool.emplace_back(body);
    body();
    for (std::thread &t : pool)
      t.join();
  };
  auto give = [&](const Block &blk, Scratch &s) {
    m.run(m.scan, blk, s, nullptr);
    int64_t channels = blk.c1 - blk.c0;
    sink(
        blk.b * m.in.channels + blk.c0, channels,
        llvm::ArrayRef<float>(s.out).take_front(size_t(channels * m.in.seqLen)),
        llvm::ArrayRef<float>(s.finalState)
            .take_front(size_t(channels * m.in.state)));
  };
  // First the blocks no thread claimed (an idle thread that claims one
  // now leaves it unfinished at once): nothing waits for the idle threads
  // while there is other work. Each block as it is done.
  inParallel([&] {
    Scratch s(m.in.seqLen, m.in.state);
    for (size_t i;
         (i = m.next.fetch_add(1, std::memory_order_relaxed)) < m.list.size();)
      give(m.list[i], s);
  });
  // Then, once the idle threads have stopped, what they left unfinished,
  // and what they kept.
  m.joinIdle();
  Shares shares{m.list.size(), m.kept.size(), m.unfinished.size()};
  std::atomic<size_t> nextUnfinished{0}, nextKept{0};
  inParallel([&] {
    Scratch s(m.in.seqLen, m.in.state);
    for (size_t i; (i = nextUnfinished.fetch_add(
                        1, std::memory_order_relaxed)) < m.unfinished.size();)
      give(m.list[m.unfinished[i]], s);
    for (size_t i; (i = nextKept.fetch_add(1, std::memory_order_relaxed)) <
                   m.kept.size();) {
      Impl::Kept &k = m.kept[i];
      sink(k.bc, k.count, k.out, k.finalState);
      k.out = {};
      k.finalState = {};
    }
  });
  m.kept.clear();
  return shares;
}

namespace {
ScanResult scanWith(const ScanInputs &in, unsigned threads, bool avx2) {
  ScanResult r;
  const int64_t L = in.seqLen, N = in.state;
  r.out.resize(size_t(in.batch * in.channels * L));
  r.finalState.resize(size_t(in.batch * in.channels * N));
  detail::ReferenceBlocks(in, avx2).finish(
      threads, [&](int64_t bc, int64_t count, llvm::ArrayRef<float> out,
                   llvm::ArrayRef<float> finalState) {
        std::copy(out.begin(), out.end(), r.out.begin() + bc * L);
        std::copy(finalState.begin(), finalState.end(),
                  r.finalState.begin() + bc * N);
      });
  return r;
}
} // namespace

ScanResult nki_run::referenceSelectiveScan(const ScanInputs &in,
                                           unsigned threads) {
  return scanWith(in, threads, haveAvx2());
}

void nki_run::detail::referenceSelectiveScanBlocks(const ScanInputs &in,
                                                   unsigned threads,
                                                   const ReferenceSink &sink) {
  ReferenceBlocks(in).finish(threads, sink);
}

ScanResult nki_run::detail::referenceSelectiveScanWith(const ScanInputs &in,
                                                       unsigned threads,
                                                       bool avx2) {
  return scanWith(in, threads, avx2);
}

void nki_run::detail::referenceExp(llvm::ArrayRef<double> x,
                                   llvm::MutableArrayRef<double> y, bool avx2) {
#ifdef REF_HAVE_AVX2
  if (avx2 && haveAvx2())
    return expAvx2(x.data(), y.data(), int64_t(x.size()));
#endif
  expBaseline(x.data(), y.data(), int64_t(x.size()));
}

bool nki_run::detail::referenceHasAvx2() { return haveAvx2(); }

//===----------------------------------------------------------------------===//
// compare
//===----------------------------------------------------------------------===//

namespace {
/// One element's error and its ratio to what the criterion allows. The
/// error of NaN against a number is infinite; both NaN (or inf - inf)
/// give a NaN error. The ratio is 0 for no error, infinite for a NaN one.
struct ElementError {
  double err, allowed, ratio;
};
REF_INLINE ElementError elementError(float value, float reference, double rtol,
                                     double atol) {
  double v = value, r = reference;
  double err = std::fabs(v - r);
  err = (v != v) != (r != r) ? INFINITY : err;
  double allowed = atol + rtol * std::fabs(r);
  // (Divided whatever the error, then chosen: a select, which vectorises.)
  double quotient = err / allowed;
  double ratio = err == 0 ? 0.0 : quotient != quotient ? INFINITY : quotient;
  return {err, allowed, ratio};
}

/// compare() without the worst element's index: the largest error, the
/// largest ratio, the failures and whether an error is NaN (a NaN error
/// is not a maximum: the worst element is found afterwards). Maxima and
/// counts: the order does not matter.
struct Summary {
  double maxErr = 0, worstRatio = 0;
  size_t failures = 0;
  bool nanErr = false;
};
REF_INLINE void summarizeElements(const float *values, const float *ref,
                                  size_t n, double rtol, double atol,
                                  Summary &s) {
  for (size_t i = 0; i < n; ++i) {
    ElementError e = elementError(values[i], ref[i], rtol, atol);
    s.maxErr = e.err > s.maxErr ? e.err : s.maxErr;
    s.worstRatio = e.ratio > s.worstRatio ? e.ratio : s.worstRatio;
    s.failures += !(e.err <= e.allowed);
    s.nanErr |= e.err != e.err;
  }
}
Summary summarize(const float *values, const float *ref, size_t n, double rtol,
                  double atol) {
  Summary s;
  summarizeElements(values, ref, n, rtol, atol, s);
  return s;
}
#ifdef REF_HAVE_AVX2
/// summarize(), four elements at a time: elementError's operations on
/// vectors (maxpd(a, b) is a > b ? a : b), the rest one at a time.
REF_AVX2 Summary summarizeAvx2(const float *values, const float *ref, size_t n,
                               double rtol, double atol) {
  const __m256d zero = _mm256_setzero_pd(), inf = _mm256_set1_pd(INFINITY),
                magnitude = _mm256_castsi256_pd(
                    _mm256_set1_epi64x(0x7fffffffffffffffll)),
                vrtol = _mm256_set1_pd(rtol), vatol = _mm256_set1_pd(atol);
  __m256d maxErr = zero, ratio = zero, nanErr = zero;
  __m256i failures = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(values + i)),
            r = _mm256_cvtps_pd(_mm_loadu_ps(ref + i));
    __m256d err = _mm256_and_pd(_mm256_sub_pd(v, r), magnitude);
    __m256d oneNaN = _mm256_xor_pd(_mm256_cmp_pd(v, v, _CMP_UNORD_Q),
                                   _mm256_cmp_pd(r, r, _CMP_UNORD_Q));
    err = _mm256_blendv_pd(err, inf, oneNaN);
    __m256d allowed =
        _mm256_add_pd(vatol, _mm256_mul_pd(vrtol, _mm256_and_pd(r, magnitude)));
    __m256d q = _mm256_div_pd(err, allowed);
    q = _mm256_blendv_pd(q, inf, _mm256_cmp_pd(q, q, _CMP_UNORD_Q));
    q = _mm256_andnot_pd(_mm256_cmp_pd(err, zero, _CMP_EQ_OQ), q);
    maxErr = _mm256_max_pd(err, maxErr);
    ratio = _mm256_max_pd(q, ratio);
    // A lane is -1 (all ones) where the element fails.
    failures = _mm256_sub_epi64(failures, _mm256_castpd_si256(_mm256_cmp_pd(
                                              err, allowed, _CMP_NLE_UQ)));
    nanErr = _mm256_or_pd(nanErr, _mm256_cmp_pd(err, err, _CMP_UNORD_Q));
  }
  alignas(32) double maxLanes[4], ratioLanes[4], nanLanes[4];
  alignas(32) int64_t failLanes[4];
  _mm256_store_pd(maxLanes, maxErr);
  _mm256_store_pd(ratioLanes, ratio);
  _mm256_store_pd(nanLanes, nanErr);
  _mm256_store_si256(reinterpret_cast<__m256i *>(failLanes), failures);
  Summary s;
  for (int l = 0; l < 4; ++l) {
    s.maxErr = std::max(s.maxErr, maxLanes[l]);
    s.worstRatio = std::max(s.worstRatio, ratioLanes[l]);
    s.failures += size_t(failLanes[l]);
    s.nanErr |= nanLanes[l] != 0;
  }
  summarizeElements(values + i, ref + i, n - i, rtol, atol, s);
  return s;
}
#endif
} // namespace

Comparison nki_run::detail::compareWith(llvm::ArrayRef<float> values,
                                        llvm::ArrayRef<float> ref, double rtol,
                                        double atol, bool avx2) {
  size_t n = std::min(values.size(), ref.size());
  Summary s;
#ifdef REF_HAVE_AVX2
  if (avx2 && haveAvx2())
    s = summarizeAvx2(values.data(), ref.data(), n, rtol, atol);
  else
#endif
    s = summarize(values.data(), ref.data(), n, rtol, atol);
  Comparison c;
  c.worstRatio = s.worstRatio;
  c.failures = s.failures;
  // The worst element: the last whose error is NaN, when there is one,
  // else the first of the largest error (0 when every error is 0).
  if (s.nanErr) {
    for (size_t i = n; i-- > 0;)
      if (double e = elementError(values[i], ref[i], rtol, atol).err; e != e) {
        c.maxAbsErr = e;
        c.worst = i;
        break;
      }
  } else if (s.maxErr > 0) {
    c.maxAbsErr = s.maxErr;
    for (size_t i = 0; i < n; ++i)
      if (elementError(values[i], ref[i], rtol, atol).err == s.maxErr) {
        c.worst = i;
        break;
      }
  }
  return c;
}

Comparison nki_run::compare(llvm::ArrayRef<float> values,
                            llvm::ArrayRef<float> ref, double rtol,
                            double atol) {
  static const bool avx2 = haveAvx2();
  return detail::compareWith(values, ref, rtol, atol, avx2);
}
