//===- Reference.cpp - the selective scan, computed directly --------------===//

#include "mamba-nki/Interpreter/Reference.h"

#include <algorithm>
#include <cmath>
#include <thread>

using namespace nki_run;

std::vector<float> nki_run::referenceSelectiveScan(
    int64_t batch, int64_t channels, int64_t seqLen, int64_t state,
    llvm::ArrayRef<float> delta, llvm::ArrayRef<float> u,
    llvm::ArrayRef<float> A, llvm::ArrayRef<float> B, llvm::ArrayRef<float> C,
    unsigned threads) {
  std::vector<float> y(size_t(batch * channels * seqLen));
  auto work = [&](int64_t c0, int64_t c1) {
    std::vector<double> acc(static_cast<size_t>(seqLen));
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t c = c0; c < c1; ++c) {
        std::fill(acc.begin(), acc.end(), 0.0);
        const float *d = &delta[size_t((b * channels + c) * seqLen)];
        const float *uu = &u[size_t((b * channels + c) * seqLen)];
        for (int64_t n = 0; n < state; ++n) {
          double a = A[size_t(c * state + n)];
          const float *bb = &B[size_t((b * state + n) * seqLen)];
          const float *cc = &C[size_t((b * state + n) * seqLen)];
          double x = 0.0;
          for (int64_t t = 0; t < seqLen; ++t) {
            double dt = d[t];
            x = std::exp(dt * a) * x + dt * double(bb[t]) * double(uu[t]);
            acc[size_t(t)] += double(cc[t]) * x;
          }
        }
        float *out = &y[size_t((b * channels + c) * seqLen)];
        for (int64_t t = 0; t < seqLen; ++t)
          out[t] = float(acc[size_t(t)]);
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
  return y;
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
