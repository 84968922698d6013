//===- VectorMathTest.cpp - every instruction set gives the same bits -----===//

#include "Interpreter/VectorMath.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#ifdef MAMBA_HAVE_LIBMVEC // x86-64 with glibc (unittests/CMakeLists.txt)
#include <immintrin.h>
// glibc's libmvec expf for SSE4.1, which the interpreter called before its
// own exp: the reference for the bit-for-bit comparison.
extern "C" __m128 _ZGVbN4v_expf(__m128);
#endif

using namespace nki_run;

namespace {

uint32_t bitsOf(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

float fromBits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

/// Every table this processor can run.
std::vector<std::pair<const char *, const VectorKernels *>> tables() {
  std::vector<std::pair<const char *, const VectorKernels *>> t;
  for (VectorIsa isa : {VectorIsa::baseline, VectorIsa::avx2})
    if (const VectorKernels *k = kernelsFor(isa))
      t.push_back({vectorIsaName(isa), k});
  return t;
}

/// Inputs over the whole float range: a stride through all 2^32 bit
/// patterns, the edges of exp's range, and the values the scan sees.
std::vector<float> expInputs() {
  std::vector<float> v;
  for (uint64_t b = 0; b < (uint64_t(1) << 32); b += 4099)
    v.push_back(fromBits(uint32_t(b)));
  for (float f : {0.0f, -0.0f, 1.0f, -1.0f, 87.336f, -87.336f, 88.72f, -103.9f,
                  -104.0f, 89.0f, INFINITY, -INFINITY, NAN})
    v.push_back(f);
  for (uint32_t b = 0x42aeac40; b < 0x42aeac60; ++b) { // the range's edge
    v.push_back(fromBits(b));
    v.push_back(fromBits(b | 0x80000000u));
  }
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> scanRange(-20.0f, 2.0f);
  for (int i = 0; i < 100000; ++i)
    v.push_back(scanRange(rng));
  v.resize((v.size() + 3) / 4 * 4, 0.0f);
  return v;
}

TEST(VectorMath, ExpIsTheSameOnEveryInstructionSetAndPosition) {
  std::vector<float> in = expInputs();
  std::vector<float> first;
  for (auto [name, k] : tables()) {
    std::vector<float> out(in.size());
    k->exp(in.data(), out.data(), int64_t(in.size()));
    // In place, and from odd starting positions and lengths.
    std::vector<float> inPlace = in;
    for (size_t at = 0; at < inPlace.size();) {
      size_t len = std::min<size_t>(1 + at % 97, inPlace.size() - at);
      k->exp(inPlace.data() + at, inPlace.data() + at, int64_t(len));
      at += len;
    }
    for (size_t i = 0; i < in.size(); ++i) {
      ASSERT_EQ(bitsOf(out[i]), bitsOf(inPlace[i])) << name << " x=" << in[i];
      if (!first.empty()) {
        ASSERT_EQ(bitsOf(out[i]), bitsOf(first[i])) << name << " x=" << in[i];
      }
    }
    if (first.empty())
      first = out;
  }
#ifdef MAMBA_HAVE_LIBMVEC
  if (!__builtin_cpu_supports("sse4.1"))
    GTEST_SKIP() << "libmvec's expf without SSE4.1 is another algorithm";
  for (size_t i = 0; i < in.size(); i += 4) {
    float ref[4];
    _mm_storeu_ps(ref, _ZGVbN4v_expf(_mm_loadu_ps(&in[i])));
    for (int j = 0; j < 4; ++j)
      ASSERT_EQ(bitsOf(first[i + j]), bitsOf(ref[j])) << "x=" << in[i + j];
  }
#endif
}

#ifdef MAMBA_HAVE_LIBMVEC
// All 2^32 inputs, every instruction set against libmvec (a minute or two
// per set): run by bench/exp-exhaustive.sh, not by the test suite.
TEST(VectorMath, DISABLED_ExpMatchesLibmvecForEveryInput) {
  if (!__builtin_cpu_supports("sse4.1"))
    GTEST_SKIP() << "libmvec's expf without SSE4.1 is another algorithm";
  constexpr uint64_t kChunk = 1 << 16;
  std::vector<float> in(kChunk), out(kChunk), ref(kChunk);
  for (auto [name, k] : tables()) {
    uint64_t differ = 0;
    for (uint64_t base = 0; base < (uint64_t(1) << 32); base += kChunk) {
      for (uint64_t i = 0; i < kChunk; ++i)
        in[i] = fromBits(uint32_t(base + i));
      k->exp(in.data(), out.data(), int64_t(kChunk));
      for (uint64_t i = 0; i < kChunk; i += 4)
        _mm_storeu_ps(&ref[i], _ZGVbN4v_expf(_mm_loadu_ps(&in[i])));
      for (uint64_t i = 0; i < kChunk; ++i)
        if (bitsOf(out[i]) != bitsOf(ref[i]) && differ++ < 5)
          ADD_FAILURE() << name << ": exp(bits 0x" << std::hex << (base + i)
                        << ") differs from libmvec's";
    }
    EXPECT_EQ(differ, 0u) << name;
    std::printf("%s: all 2^32 inputs match libmvec\n", name);
  }
}
#endif

TEST(VectorMath, ElementwiseKernelsAgreeAcrossInstructionSets) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> d(-4.0f, 4.0f);
  const int64_t n = 1000;
  std::vector<float> x(n), y(n);
  for (int64_t i = 0; i < n; ++i) {
    x[size_t(i)] = d(rng);
    y[size_t(i)] = d(rng);
  }
  x[5] = 0.0f;
  y[6] = -0.0f;
  std::vector<float> sx(8 * n), sy(8 * n);
  for (size_t i = 0; i < sx.size(); ++i) {
    sx[i] = std::exp(-std::fabs(d(rng)));
    sy[i] = d(rng);
  }
  std::vector<std::vector<float>> results;
  for (auto [name, k] : tables()) {
    std::vector<float> all;
    auto take = [&](const std::vector<float> &v) {
      all.insert(all.end(), v.begin(), v.end());
    };
    std::vector<float> out(n);
    for (nisa::Alu op : {nisa::Alu::bypass, nisa::Alu::add, nisa::Alu::subtract,
                         nisa::Alu::multiply, nisa::Alu::divide, nisa::Alu::max,
                         nisa::Alu::min}) {
      k->binary(op, x.data(), y.data(), out.data(), n);
      take(out);
      for (bool reversed : {false, true}) {
        k->scalar(op, reversed, 0.75f, x.data(), out.data(), n);
        take(out);
      }
    }
    k->scaleBias(x.data(), 1.5f, true, -0.25f, out.data(), n);
    take(out);
    k->divOnePlus(x.data(), 1.0f, y.data(), out.data(), n);
    take(out);
    k->divOnePlus(nullptr, 1.0f, y.data(), out.data(), n);
    take(out);
    out.assign(size_t(n), 0.5f);
    k->axpy(0.3f, x.data(), out.data(), n, /*first=*/false);
    take(out);
    k->axpy(-0.3f, x.data(), out.data(), n, /*first=*/true);
    take(out);
    EXPECT_EQ(bitsOf(out[5]), 0u) << "0.0f + (-0.3f * 0.0f) is +0";
    // The scan on 8 rows, against the one-row loop.
    std::vector<float> so(8 * n);
    for (int64_t len : {n, int64_t(13), int64_t(8), int64_t(3)}) {
      const float *xs[8], *ys[8];
      float *os[8], prev[8];
      for (int r = 0; r < 8; ++r) {
        xs[r] = sx.data() + r * n;
        ys[r] = sy.data() + r * n;
        os[r] = so.data() + r * n;
        prev[r] = 0.1f * float(r);
      }
      k->scanLanes(xs, ys, os, prev, len);
      for (int r = 0; r < 8; ++r) {
        float p = 0.1f * float(r);
        for (int64_t i = 0; i < len; ++i) {
          float t = sx[size_t(r * n + i)] * p;
          p = t + sy[size_t(r * n + i)];
          ASSERT_EQ(bitsOf(so[size_t(r * n + i)]), bitsOf(p))
              << name << " row " << r << " element " << i << " of " << len;
        }
        ASSERT_EQ(bitsOf(prev[r]), bitsOf(p)) << name;
      }
    }
    take(so);
    results.push_back(std::move(all));
  }
  for (size_t t = 1; t < results.size(); ++t)
    for (size_t i = 0; i < results[0].size(); ++i)
      ASSERT_EQ(bitsOf(results[t][i]), bitsOf(results[0][i])) << "value " << i;
}

TEST(VectorMath, SelectionNamesWhatThisProcessorCannotRun) {
  EXPECT_FALSE(bool(selectVectorIsa(VectorIsa::baseline)));
  EXPECT_EQ(selectedVectorIsa(), VectorIsa::baseline);
  llvm::Error e = selectVectorIsa(VectorIsa::avx2);
  if (vectorIsaAvailable(VectorIsa::avx2)) {
    EXPECT_FALSE(bool(e));
    EXPECT_EQ(selectedVectorIsa(), VectorIsa::avx2);
  } else {
    EXPECT_NE(llvm::toString(std::move(e)).find("'avx2'"), std::string::npos);
  }
  EXPECT_FALSE(bool(selectVectorIsa(VectorIsa::automatic)));
  EXPECT_NE(selectedVectorIsa(), VectorIsa::automatic);
}

} // namespace
