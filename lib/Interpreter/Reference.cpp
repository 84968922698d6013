//===- Reference.cpp - the selective scan, computed directly --------------===//

#include "mamba-nki/Interpreter/Reference.h"

#include <algorithm>
#include <cmath>
#include <thread>

using namespace nki_run;

namespace {
/// One channel's row of B or C: element t of state n is p[n * nStride +
/// t * tStride] (tStride 0: constant in time).
struct Row {
  const float *p;
  int64_t nStride, tStride;
};

Row row(const Projection &proj, int64_t b, int64_t c, const ScanInputs &in) {
  int64_t L = in.seqLen, N = in.state;
  switch (proj.form) {
  case ProjectionForm::variable:
    return {&proj.values[size_t(b * N * L)], L, 1};
  case ProjectionForm::grouped: {
    int64_t g = c / (in.channels / proj.groups);
    return {&proj.values[size_t((b * proj.groups + g) * N * L)], L, 1};
  }
  case ProjectionForm::constant:
    return {&proj.values[size_t(c * N)], 1, 0};
  }
  return {nullptr, 0, 0};
}

double softplus(double x) { return x > 20.0 ? x : std::log1p(std::exp(x)); }
double silu(double x) { return x / (1.0 + std::exp(-x)); }
} // namespace

ScanResult nki_run::referenceSelectiveScan(const ScanInputs &in,
                                           unsigned threads) {
  const int64_t batch = in.batch, channels = in.channels, L = in.seqLen,
                N = in.state;
  ScanResult r;
  r.out.resize(size_t(batch * channels * L));
  r.finalState.resize(size_t(batch * channels * N));
  auto work = [&](int64_t c0, int64_t c1) {
    std::vector<double> acc(static_cast<size_t>(L)), dt(static_cast<size_t>(L));
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t c = c0; c < c1; ++c) {
        size_t bc = size_t(b * channels + c);
        const float *d = &in.delta[bc * size_t(L)];
        const float *uu = &in.u[bc * size_t(L)];
        for (int64_t t = 0; t < L; ++t) {
          dt[size_t(t)] = d[t];
          if (in.deltaBias)
            dt[size_t(t)] += double((*in.deltaBias)[size_t(c)]);
          if (in.deltaSoftplus)
            dt[size_t(t)] = softplus(dt[size_t(t)]);
        }
        std::fill(acc.begin(), acc.end(), 0.0);
        Row B = row(in.B, b, c, in), C = row(in.C, b, c, in);
        for (int64_t n = 0; n < N; ++n) {
          double a = in.A[size_t(c * N + n)];
          const float *bb = B.p + n * B.nStride;
          const float *cc = C.p + n * C.nStride;
          double x =
              in.initialState
                  ? double((*in.initialState)[bc * size_t(N) + size_t(n)])
                  : 0.0;
          for (int64_t t = 0; t < L; ++t) {
            double delta = dt[size_t(t)];
            x = std::exp(delta * a) * x +
                delta * double(bb[t * B.tStride]) * double(uu[t]);
            acc[size_t(t)] += double(cc[t * C.tStride]) * x;
          }
          r.finalState[bc * size_t(N) + size_t(n)] = float(x);
        }
        float *out = &r.out[bc * size_t(L)];
        for (int64_t t = 0; t < L; ++t) {
          double y = acc[size_t(t)];
          if (in.D)
            y += double((*in.D)[size_t(c)]) * double(uu[t]);
          if (in.z)
            y *= silu(double((*in.z)[bc * size_t(L) + size_t(t)]));
          out[t] = float(y);
        }
      }
  };
  threads = std::max(1u, std::min<unsigned>(threads, unsigned(channels)));
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i)
    pool.emplace_back(work, channels * i / threads,
                      channels * (i + 1) / threads);
  work(0, channels / threads);
  for (std::thread &t : pool)
    t.join();
  return r;
}

Comparison nki_run::compare(llvm::ArrayRef<float> values,
                            llvm::ArrayRef<float> ref, double rtol,
                            double atol) {
  Comparison c;
  for (size_t i = 0; i < values.size() && i < ref.size(); ++i) {
    double v = values[i], r = ref[i];
    double err = std::fabs(v - r);
    if (std::isnan(v) != std::isnan(r))
      err = INFINITY;
    // Relative to max(|ref|, atol): elements near zero are judged by atol.
    double rel = err / std::max(std::fabs(r), atol);
    if (err > c.maxAbsErr || std::isnan(err)) {
      c.maxAbsErr = err;
      c.worst = i;
    }
    c.maxRelErr = std::max(c.maxRelErr, rel);
    if (!(err <= atol + rtol * std::fabs(r)))
      ++c.failures;
  }
  return c;
}
