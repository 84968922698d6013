//===- ScanCheckTest.cpp - nki-run's --random-inputs and --check ----------===//
//
// The draws of --random-inputs are the standard library's, bit for bit
// (the engine, generate_canonical, uniform_real_distribution and
// normal_distribution, their rejections and the value a distribution keeps
// included), whatever the number of threads. The fp64 reference of --check
// is the straightforward loop's to within the rounding of its exp (the
// reported figures are unchanged), the same bits for every number of
// threads and both instruction sets, and its comparison on chunks is
// compare()'s.
//
//===----------------------------------------------------------------------===//

#include "Interpreter/ScanCheck.h"
#include "mamba-nki/Interpreter/Reference.h"
#include "gtest/gtest.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <random>
#include <thread>

using namespace nki_run;

namespace {

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
uint64_t bitsOf(double d) {
  uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return u;
}

/// A 64-bit engine that returns given values, for the library's
/// distributions.
struct Replay {
  using result_type = uint64_t;
  static constexpr uint64_t min() { return 0; }
  static constexpr uint64_t max() { return ~uint64_t(0); }
  const std::vector<uint64_t> &raw;
  size_t pos = 0;
  uint64_t operator()() { return raw.at(pos++); }
};

//===----------------------------------------------------------------------===//
// --random-inputs
//===----------------------------------------------------------------------===//

TEST(RandomDrawsTest, EngineIsStdMt19937_64) {
  for (uint64_t seed : {uint64_t(0), uint64_t(1), uint64_t(5489), uint64_t(7),
                        uint64_t(123456789), uint64_t(1) << 62, ~uint64_t(0)}) {
    std::mt19937_64 rng(seed);
    std::vector<uint64_t> ours = detail::randomEngineOutputs(seed, 20000);
    for (size_t i = 0; i < ours.size(); ++i)
      ASSERT_EQ(ours[i], rng()) << "seed " << seed << ", output " << i;
  }
  // The standard's check: the 10000th output of the default seed.
  EXPECT_EQ(detail::randomEngineOutputs(5489, 10000).back(),
            9981545732273789042ull);
}

TEST(RandomDrawsTest, CanonicalIsGenerateCanonical) {
  std::vector<uint64_t> raw = {0,
                               1,
                               2,
                               3,
                               (uint64_t(1) << 24) - 1,
                               (uint64_t(1) << 24) + 1,
                               (uint64_t(1) << 53) - 1,
                               uint64_t(1) << 53,
                               (uint64_t(1) << 53) + 1,
                               (uint64_t(1) << 54) + 1,
                               (uint64_t(1) << 63) - 1,
                               uint64_t(1) << 63,
                               (uint64_t(1) << 63) + 1,
                               0x8000008000000000ull, // ties to even
                               0x8000018000000000ull,
                               0x8000008000000001ull,
                               0x0000010000008000ull,
                               0x0000010000018000ull,
                               0xffffff7fffffffffull,
                               0xffffff8000000000ull, // rounds to 2^64
                               ~uint64_t(0) - 1,
                               ~uint64_t(0)};
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200000; ++i)
    raw.push_back(rng() >> (i % 65 == 64 ? 0 : i % 64));
  for (bool baseline : {false, true}) {
    detail::useBaselineDraws(baseline);
    Replay replay{raw};
    std::vector<float> block(raw.size());
    detail::canonicalFloats(raw, block); // the few doubtful ones in it
    for (size_t i = 0; i < raw.size(); ++i) {
      float expected = std::generate_canonical<float, 24>(replay);
      float one;
      detail::canonicalFloats(llvm::ArrayRef<uint64_t>(raw[i]), one);
      ASSERT_EQ(bitsOf(one), bitsOf(expected)) << "raw " << raw[i];
      ASSERT_EQ(bitsOf(block[i]), bitsOf(expected)) << "raw " << raw[i];
    }
  }
  detail::useBaselineDraws(false);
}

/// normal_distribution<float> on `raw`: the values and the outputs taken.
std::pair<std::vector<float>, size_t>
stdNormal(const std::vector<uint64_t> &raw, size_t n) {
  Replay replay{raw};
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = normal(replay);
  return {v, replay.pos};
}

TEST(RandomDrawsTest, NormalFromRawIsNormalDistribution) {
  std::mt19937_64 rng(11);
  std::vector<uint64_t> raw(400000);
  for (uint64_t &x : raw)
    x = rng();
  for (size_t n : {size_t(0), size_t(1), size_t(2), size_t(3), size_t(4),
                   size_t(5), size_t(155), size_t(156), size_t(157),
                   size_t(1001), size_t(100000), size_t(100001)}) {
    auto [expected, taken] = stdNormal(raw, n);
    std::vector<float> ours(n);
    ASSERT_EQ(detail::normalFromRaw(raw, ours), n ? taken : 0) << n;
    for (size_t i = 0; i < n; ++i)
      ASSERT_EQ(bitsOf(ours[i]), bitsOf(expected[i])) << n << " " << i;
  }
}

TEST(RandomDrawsTest, NormalEdgeCases) {
  const uint64_t half = uint64_t(1) << 63; // u = 1/2: a coordinate of 0
  const uint64_t top = ~uint64_t(0);       // u just below 1: 1 - 2^-23
  std::vector<uint64_t> raw = {top,
                               top, // r2 > 1: rejected
                               half,
                               half, // r2 == 0: rejected
                               0,
                               half, // x = -1, y = 0: r2 == 1, accepted, m = 0
                               top,
                               0, // r2 > 1
                               half,
                               0, // x = 0, y = -1: accepted
                               12345678901234567ull,
                               98765432109876543ull};
  std::mt19937_64 rng(5);
  for (int i = 0; i < 1000; ++i)
    raw.push_back(rng());
  for (size_t n :
       {size_t(1), size_t(2), size_t(3), size_t(4), size_t(5), size_t(9)}) {
    auto [expected, taken] = stdNormal(raw, n);
    std::vector<float> ours(n);
    ASSERT_EQ(detail::normalFromRaw(raw, ours), taken) << n;
    for (size_t i = 0; i < n; ++i)
      ASSERT_EQ(bitsOf(ours[i]), bitsOf(expected[i])) << n << " " << i;
  }
  // Too few raw values: refused, not read beyond.
  std::vector<float> three(3);
  EXPECT_EQ(detail::normalFromRaw(
                std::vector<uint64_t>(raw.begin(), raw.begin() + 6), three),
            0u);
}

/// Tensors drawn as nki-run drew them before RandomDraws: one engine, the
/// library's distributions, a new normal_distribution for each tensor.
TEST(RandomDrawsTest, TensorsAreTheLibrarysForAnyThreads) {
  struct Tensor {
    size_t size;
    char kind; // 'A': -0.5 * uniform, 'd': 0.5 * uniform, 'n': normal
  };
  std::vector<Tensor> tensors = {
      {1, 'n'},      {5, 'd'},     {3, 'n'},       {312, 'A'},
      {311, 'n'},    {313, 'n'},   {0, 'n'},       {1000, 'd'},
      {100001, 'n'}, {65536, 'A'}, {300000, 'n'},  {2, 'n'},
      {623, 'd'},    {7, 'n'},     {1 << 19, 'd'}, {(1 << 19) + 3, 'n'},
      {4096, 'n'},   {64, 'A'},    {64, 'n'}};
  for (uint64_t seed : {uint64_t(0), uint64_t(3), uint64_t(1) << 40}) {
    std::mt19937_64 rng(seed);
    std::vector<std::vector<float>> expected;
    for (const Tensor &t : tensors) {
      std::vector<float> v(t.size);
      std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
      std::normal_distribution<float> normal(0.0f, 1.0f);
      for (float &x : v)
        x = t.kind == 'A'   ? -0.5f * uniform(rng)
            : t.kind == 'd' ? 0.5f * uniform(rng)
                            : normal(rng);
      expected.push_back(std::move(v));
    }
    for (unsigned threads : {1u, 2u, 3u}) {
      // The baseline loops too, with one thread.
      detail::useBaselineDraws(threads == 1);
      RandomDraws draws(seed, threads);
      for (size_t k = 0; k < tensors.size(); ++k) {
        std::vector<float> v(tensors[k].size);
        if (tensors[k].kind == 'n')
          draws.normal(v);
        else
          draws.uniform(v, tensors[k].kind == 'A' ? -0.5f : 0.5f);
        for (size_t i = 0; i < v.size(); ++i)
          ASSERT_EQ(bitsOf(v[i]), bitsOf(expected[k][i]))
              << "seed " << seed << ", " << threads << " threads, tensor " << k
              << ", element " << i;
      }
      detail::useBaselineDraws(false);
    }
  }
}

//===----------------------------------------------------------------------===//
// --check
//===----------------------------------------------------------------------===//

TEST(ReferenceTest, ExpWithinOneUlpOfStdExp) {
  std::vector<double> x = {0.0,
                           -0.0,
                           1.0,
                           -1.0,
                           0.5 * std::log(2.0),
                           -0.5 * std::log(2.0),
                           700.0,
                           -700.0,
                           708.0,
                           -708.0,
                           708.5,
                           -708.5,
                           709.7,
                           709.8,
                           -745.0,
                           -746.0,
                           -1e6,
                           1e6,
                           1e-300,
                           -1e-300,
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(),
                           std::numeric_limits<double>::quiet_NaN()};
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> small(-0.6, 0.0), wide(-708, 708);
  for (int i = 0; i < 200000; ++i)
    x.push_back(i % 2 ? small(rng) : wide(rng));
  std::vector<double> base(x.size()), avx2(x.size());
  detail::referenceExp(x, base, false);
  detail::referenceExp(x, avx2, true);
  size_t same = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    double expected = std::exp(x[i]);
    ASSERT_EQ(bitsOf(base[i]), bitsOf(avx2[i])) << x[i];
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(base[i])) << x[i];
      continue;
    }
    if (!(std::fabs(x[i]) <= 708.0)) {
      EXPECT_EQ(bitsOf(base[i]), bitsOf(expected)) << x[i]; // std::exp's
    }
    int64_t ulps = int64_t(bitsOf(base[i]) - bitsOf(expected));
    EXPECT_LE(std::abs(ulps), 1) << x[i];
    same += ulps == 0;
  }
  EXPECT_EQ(bitsOf(base[0]), bitsOf(1.0));
  EXPECT_GT(double(same), 0.85 * double(x.size()));
  // A tile of small arguments only takes a shorter path: the same bits.
  std::vector<double> smallOnly, general;
  for (size_t i = 0; i < x.size(); ++i)
    if (std::fabs(x[i]) <= 0.34) {
      smallOnly.push_back(x[i]);
      general.push_back(base[i]);
    }
  ASSERT_GT(smallOnly.size(), 50000u);
  for (bool avx2 : {false, true}) {
    std::vector<double> y(smallOnly.size());
    detail::referenceExp(smallOnly, y, avx2);
    for (size_t i = 0; i < smallOnly.size(); ++i)
      ASSERT_EQ(bitsOf(y[i]), bitsOf(general[i])) << smallOnly[i];
  }
}

/// The reference as it was written first: the definition's loops, with
/// std::exp.
ScanResult plainReference(const ScanInputs &in) {
  const int64_t L = in.seqLen, N = in.state;
  ScanResult r;
  r.out.resize(size_t(in.batch * in.channels * L));
  r.finalState.resize(size_t(in.batch * in.channels * N));
  auto at = [&](const Projection &p, int64_t b, int64_t c, int64_t n,
                int64_t t) -> double {
    switch (p.form) {
    case ProjectionForm::variable:
      return p.values[size_t((b * N + n) * L + t)];
    case ProjectionForm::grouped: {
      int64_t g = c / (in.channels / p.groups);
      return p.values[size_t(((b * p.groups + g) * N + n) * L + t)];
    }
    case ProjectionForm::constant:
      return p.values[size_t(c * N + n)];
    }
    return 0;
  };
  for (int64_t b = 0; b < in.batch; ++b)
    for (int64_t c = 0; c < in.channels; ++c) {
      size_t bc = size_t(b * in.channels + c);
      std::vector<double> dt(static_cast<size_t>(L)),
          acc(static_cast<size_t>(L), 0.0);
      for (int64_t t = 0; t < L; ++t) {
        dt[size_t(t)] = in.delta[bc * size_t(L) + size_t(t)];
        if (in.deltaBias)
          dt[size_t(t)] += double((*in.deltaBias)[size_t(c)]);
        if (in.deltaSoftplus)
          dt[size_t(t)] = dt[size_t(t)] > 20.0
                              ? dt[size_t(t)]
                              : std::log1p(std::exp(dt[size_t(t)]));
      }
      for (int64_t n = 0; n < N; ++n) {
        double a = in.A[size_t(c * N + n)];
        double x = in.initialState
                       ? double((*in.initialState)[bc * size_t(N) + size_t(n)])
                       : 0.0;
        for (int64_t t = 0; t < L; ++t) {
          double d = dt[size_t(t)];
          x = std::exp(d * a) * x +
              d * at(in.B, b, c, n, t) *
                  double(in.u[bc * size_t(L) + size_t(t)]);
          acc[size_t(t)] += at(in.C, b, c, n, t) * x;
        }
        r.finalState[bc * size_t(N) + size_t(n)] = float(x);
      }
      for (int64_t t = 0; t < L; ++t) {
        double y = acc[size_t(t)];
        double u = in.u[bc * size_t(L) + size_t(t)];
        if (in.D)
          y += double((*in.D)[size_t(c)]) * u;
        if (in.z) {
          double z = (*in.z)[bc * size_t(L) + size_t(t)];
          y *= z / (1.0 + std::exp(-z));
        }
        r.out[bc * size_t(L) + size_t(t)] = float(y);
      }
    }
  return r;
}

struct Variant {
  int64_t batch, channels, seqLen, state;
  ProjectionForm bForm, cForm;
  int64_t groups;
  bool D, z, bias, softplus, initial;
};

TEST(ReferenceTest, MatchesThePlainLoopForEveryVariant) {
  using F = ProjectionForm;
  std::vector<Variant> variants = {
      {1, 20, 300, 16, F::variable, F::variable, 1, false, false, false, false,
       false},
      {2, 24, 257, 16, F::grouped, F::grouped, 3, true, true, true, true, true},
      {2, 18, 131, 16, F::constant, F::constant, 1, true, false, false, false,
       true},
      {1, 12, 200, 5, F::variable, F::constant, 1, false, true, true, true,
       false},
      {2, 10, 129, 3, F::grouped, F::variable, 5, true, true, false, false,
       true},
      {1, 9, 128, 1, F::constant, F::grouped, 3, false, false, true, true,
       true},
      {1, 7, 1, 16, F::variable, F::variable, 1, true, true, true, true, true},
  };
  std::mt19937_64 rng(42);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  auto draw = [&](size_t n, float scale, bool isNormal) {
    std::vector<float> v(n);
    for (float &x : v)
      x = isNormal ? normal(rng) : scale * uniform(rng);
    return v;
  };
  size_t elements = 0, same = 0;
  for (const Variant &v : variants) {
    const int64_t bcl = v.batch * v.channels * v.seqLen;
    auto projection = [&](F form) {
      int64_t g = form == F::grouped ? v.groups : 1;
      return draw(size_t(form == F::constant
                             ? v.channels * v.state
                             : v.batch * g * v.state * v.seqLen),
                  1, true);
    };
    std::vector<float> delta = draw(size_t(bcl), 0.5f, false),
                       u = draw(size_t(bcl), 1, true),
                       A = draw(size_t(v.channels * v.state), -0.5f, false),
                       B = projection(v.bForm), C = projection(v.cForm),
                       D = draw(size_t(v.channels), 1, true),
                       z = draw(size_t(bcl), 1, true),
                       bias = draw(size_t(v.channels), 0.5f, false),
                       h0 = draw(size_t(v.batch * v.channels * v.state), 1,
                                 true);
    ScanInputs in;
    in.batch = v.batch;
    in.channels = v.channels;
    in.seqLen = v.seqLen;
    in.state = v.state;
    in.delta = delta;
    in.u = u;
    in.A = A;
    in.B = {B, v.bForm, v.groups};
    in.C = {C, v.cForm, v.groups};
    if (v.D)
      in.D = llvm::ArrayRef<float>(D);
    if (v.z)
      in.z = llvm::ArrayRef<float>(z);
    if (v.bias)
      in.deltaBias = llvm::ArrayRef<float>(bias);
    if (v.initial)
      in.initialState = llvm::ArrayRef<float>(h0);
    in.deltaSoftplus = v.softplus;
    ScanResult plain = plainReference(in);
    ScanResult ref = referenceSelectiveScan(in, 1);
    for (unsigned threads : {2u, 3u, 8u})
      for (bool avx2 : {false, true}) {
        ScanResult other =
            detail::referenceSelectiveScanWith(in, threads, avx2);
        ASSERT_EQ(other.out.size(), ref.out.size());
        EXPECT_EQ(std::memcmp(other.out.data(), ref.out.data(),
                              ref.out.size() * sizeof(float)),
                  0);
        EXPECT_EQ(std::memcmp(other.finalState.data(), ref.finalState.data(),
                              ref.finalState.size() * sizeof(float)),
                  0);
      }
    auto near = [&](const std::vector<float> &x, const std::vector<float> &y) {
      ASSERT_EQ(x.size(), y.size());
      for (size_t i = 0; i < x.size(); ++i) {
        ++elements;
        same += bitsOf(x[i]) == bitsOf(y[i]);
        // The exp's last bit reaches the f32 result rarely, by one f32 ulp.
        EXPECT_LE(std::fabs(double(x[i]) - double(y[i])),
                  std::ldexp(std::fabs(double(y[i])), -23) + 1e-37)
            << i;
      }
    };
    near(ref.out, plain.out);
    near(ref.finalState, plain.finalState);
  }
  EXPECT_GT(double(same), 0.999 * double(elements));
}

TEST(ReferenceTest, MergedComparisonsAreCompare) {
  const size_t n = 300007;
  std::mt19937_64 rng(9);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> ref(n), values(n);
  for (size_t i = 0; i < n; ++i) {
    ref[i] = normal(rng);
    values[i] = ref[i] + 1e-4f * normal(rng);
  }
  auto same = [&](const char *what) {
    Comparison a = compare(values, ref, 6e-4, 2e-3);
    for (size_t part : {size_t(1), size_t(7), size_t(4096), size_t(65536),
                        size_t(100000), n}) {
      std::vector<std::pair<size_t, Comparison>> parts;
      size_t common = std::min(values.size(), ref.size());
      for (size_t first = 0; first < common; first += part) {
        size_t len = std::min(part, common - first);
        parts.push_back(
            {first, compare(llvm::ArrayRef<float>(values).slice(first, len),
                            llvm::ArrayRef<float>(ref).slice(first, len), 6e-4,
                            2e-3)});
        if (part == 7 && first % 3 == 0) // empty parts change nothing
          parts.push_back({first + 1, Comparison()});
      }
      Comparison b = mergeComparisons(parts);
      EXPECT_EQ(bitsOf(a.maxAbsErr), bitsOf(b.maxAbsErr)) << what << part;
      EXPECT_EQ(bitsOf(a.worstRatio), bitsOf(b.worstRatio)) << what << part;
      EXPECT_EQ(a.failures, b.failures) << what << part;
      EXPECT_EQ(a.worst, b.worst) << what << part;
    }
  };
  same("noise");
  // The same largest error in two parts: the first is the worst.
  values[200005] = ref[200005] + 0.5f;
  values[100007] = ref[100007] + 0.5f;
  same("ties");
  // A NaN in one of them only: infinite error.
  values[100] = std::numeric_limits<float>::quiet_NaN();
  same("one NaN");
  // NaN in both: the last such element is the worst.
  ref[150001] = values[150001] = std::numeric_limits<float>::quiet_NaN();
  ref[250002] = values[250002] = std::numeric_limits<float>::quiet_NaN();
  same("NaNs");
  // Shorter values than reference: the common part.
  values.resize(n - 1000);
  same("shorter");
}

/// compare() as it was first written: one pass, element after element.
Comparison plainCompare(llvm::ArrayRef<float> values, llvm::ArrayRef<float> ref,
                        double rtol, double atol) {
  Comparison c;
  for (size_t i = 0; i < values.size() && i < ref.size(); ++i) {
    double v = values[i], r = ref[i];
    double err = std::fabs(v - r);
    if (std::isnan(v) != std::isnan(r))
      err = INFINITY;
    double allowed = atol + rtol * std::fabs(r);
    double ratio = err == 0 ? 0.0 : err / allowed;
    if (std::isnan(ratio))
      ratio = INFINITY;
    if (err > c.maxAbsErr || std::isnan(err)) {
      c.maxAbsErr = err;
      c.worst = i;
    }
    c.worstRatio = std::max(c.worstRatio, ratio);
    if (!(err <= allowed))
      ++c.failures;
  }
  return c;
}

/// compare() runs in vector lanes, then looks for the worst element: the
/// single pass's result, with ties, NaNs, infinities and every length.
TEST(ReferenceTest, CompareIsTheSinglePass) {
  std::mt19937_64 rng(11);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const float nan = std::numeric_limits<float>::quiet_NaN(),
              inf = std::numeric_limits<float>::infinity();
  auto same = [&](llvm::ArrayRef<float> values, llvm::ArrayRef<float> ref,
                  const std::string &what) {
    for (auto [rtol, atol] : {std::pair(6e-4, 2e-3), std::pair(0.0, 0.0)})
      for (bool avx2 : {false, true}) {
        Comparison a = detail::compareWith(values, ref, rtol, atol, avx2),
                   b = plainCompare(values, ref, rtol, atol);
        EXPECT_EQ(bitsOf(a.maxAbsErr), bitsOf(b.maxAbsErr)) << what << avx2;
        EXPECT_EQ(bitsOf(a.worstRatio), bitsOf(b.worstRatio)) << what << avx2;
        EXPECT_EQ(a.failures, b.failures) << what << avx2;
        EXPECT_EQ(a.worst, b.worst) << what << avx2;
      }
  };
  for (size_t n : {0, 1, 7, 8, 9, 31, 1000, 4099}) {
    std::vector<float> ref(n), values(n);
    for (size_t i = 0; i < n; ++i) {
      ref[i] = normal(rng);
      values[i] = ref[i] + 1e-3f * normal(rng);
    }
    std::string size = " n=" + std::to_string(n);
    same(values, ref, "noise" + size);
    same(ref, ref, "equal" + size);
    if (n < 9)
      continue;
    values[n / 3] = ref[n / 3] + 0.5f;
    values[n - 2] = ref[n - 2] + 0.5f; // the same error: the first counts
    ref[n - 2] = ref[n / 3];
    values[n - 2] = values[n / 3];
    same(values, ref, "ties" + size);
    values[1] = inf; // against a number
    same(values, ref, "inf" + size);
    ref[3] = values[3] = inf; // inf - inf: NaN error
    same(values, ref, "inf-inf" + size);
    values[n / 2] = nan; // NaN against a number: infinite error
    same(values, ref, "one NaN" + size);
    ref[n - 5] = values[n - 5] = nan; // both NaN: a NaN error, the last
    ref[5] = values[5] = nan;
    same(values, ref, "NaNs" + size);
    same(llvm::ArrayRef<float>(values).drop_back(3), ref, "shorter" + size);
  }
}

/// The check's way: the reference in blocks, compared as they come.
TEST(ReferenceTest, BlocksAreTheReference) {
  std::mt19937_64 rng(4);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const int64_t batch = 2, channels = 21, L = 300, N = 16;
  auto draw = [&](size_t n) {
    std::vector<float> v(n);
    for (float &x : v)
      x = normal(rng) * 0.3f;
    return v;
  };
  std::vector<float> delta = draw(size_t(batch * channels * L)),
                     u = draw(size_t(batch * channels * L)),
                     A = draw(size_t(channels * N)),
                     B = draw(size_t(batch * 3 * N * L)),
                     C = draw(size_t(channels * N));
  for (float &d : delta)
    d = std::fabs(d);
  ScanInputs in;
  in.batch = batch;
  in.channels = channels;
  in.seqLen = L;
  in.state = N;
  in.delta = delta;
  in.u = u;
  in.A = A;
  in.B = {B, ProjectionForm::grouped, 3};
  in.C = {C, ProjectionForm::constant, 1};
  ScanResult whole = referenceSelectiveScan(in, 2);
  for (unsigned threads : {1u, 3u}) {
    std::vector<float> out(whole.out.size()), state(whole.finalState.size());
    std::vector<int> seen(size_t(batch * channels));
    std::mutex mutex;
    detail::referenceSelectiveScanBlocks(
        in, threads,
        [&](int64_t bc, int64_t count, llvm::ArrayRef<float> o,
            llvm::ArrayRef<float> h) {
          std::lock_guard<std::mutex> lock(mutex);
          ASSERT_EQ(o.size(), size_t(count * L));
          ASSERT_EQ(h.size(), size_t(count * N));
          std::copy(o.begin(), o.end(), out.begin() + bc * L);
          std::copy(h.begin(), h.end(), state.begin() + bc * N);
          for (int64_t i = bc; i < bc + count; ++i)
            ++seen[size_t(i)];
        });
    for (int s : seen)
      EXPECT_EQ(s, 1);
    EXPECT_EQ(out, whole.out);
    EXPECT_EQ(state, whole.finalState);
  }
  // Idle threads first (--check during the run), the rest after: every
  // block once, the same results, whether the idle threads did none, some
  // or all of the blocks.
  auto shared = [&](const ScanInputs &inputs, const ScanResult &expected,
                    unsigned idle, std::chrono::microseconds wait,
                    const std::string &what) {
    const int64_t len = inputs.seqLen;
    std::vector<float> out(expected.out.size()),
        state(expected.finalState.size());
    std::vector<int> seen(size_t(batch * channels));
    std::mutex mutex;
    detail::ReferenceBlocks blocks(inputs);
    blocks.startIdle(idle);
    std::this_thread::sleep_for(wait);
    detail::ReferenceBlocks::Shares shares =
        blocks.finish(2, [&](int64_t bc, int64_t count, llvm::ArrayRef<float> o,
                             llvm::ArrayRef<float> h) {
          std::lock_guard<std::mutex> lock(mutex);
          std::copy(o.begin(), o.end(), out.begin() + bc * len);
          std::copy(h.begin(), h.end(), state.begin() + bc * N);
          for (int64_t i = bc; i < bc + count; ++i)
            ++seen[size_t(i)];
        });
    for (int s : seen)
      EXPECT_EQ(s, 1) << what;
    EXPECT_EQ(out, expected.out) << what;
    EXPECT_EQ(state, expected.finalState) << what;
    EXPECT_LE(shares.kept + shares.unfinished, shares.blocks) << what;
    return shares;
  };
  for (int wait : {0, 5000, 200000})
    for (unsigned idle : {1u, 2u})
      shared(in, whole, idle, std::chrono::microseconds(wait),
             std::to_string(wait) + " us, " + std::to_string(idle) + " idle");
  // Idle threads stopped at any moment: some blocks kept, one left
  // unfinished by each, and the result still the same. Which happens
  // depends on the machine's load; the result must not.
  ScanInputs longer = in;
  const int64_t L2 = 4000;
  std::vector<float> delta2 = draw(size_t(batch * channels * L2)),
                     u2 = draw(size_t(batch * channels * L2)),
                     B2 = draw(size_t(batch * 3 * N * L2));
  for (float &d : delta2)
    d = std::fabs(d);
  longer.seqLen = L2;
  longer.delta = delta2;
  longer.u = u2;
  longer.B = {B2, ProjectionForm::grouped, 3};
  ScanResult whole2 = referenceSelectiveScan(longer, 2);
  bool sawKept = false, sawUnfinished = false;
  for (int attempt = 0; attempt < 40 && !(sawKept && sawUnfinished);
       ++attempt) {
    detail::ReferenceBlocks::Shares shares =
        shared(longer, whole2, 2, std::chrono::microseconds(250 * attempt),
               "attempt " + std::to_string(attempt));
    sawKept |= shares.kept > 0;
    sawUnfinished |= shares.unfinished > 0;
  }
  std::printf("[ idle    ] blocks kept seen: %d, left unfinished seen: %d\n",
              int(sawKept), int(sawUnfinished));
  // Destroyed without finish() (a run that failed): the idle threads stop.
  {
    detail::ReferenceBlocks blocks(in);
    blocks.startIdle(2);
  }
}

TEST(ReferenceTest, UsefulThreads) {
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  EXPECT_EQ(usefulThreads(0), cores);
  EXPECT_EQ(usefulThreads(1), 1u);
  EXPECT_EQ(usefulThreads(1000), cores);
}

} // namespace
