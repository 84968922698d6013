//===- native_scan.cpp - the selective scan as one fused native loop ------===//
//
// The CPU's practical limit for this op, for bench/interpreter.sh: reads
// delta, u, A, B, C from DIR/*.npy (as written by nki-run --save-inputs),
// computes y in fp32 with one fused pass per (batch, channel) on all cores,
// writes DIR/out_native.npy and prints the seconds spent computing.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Interpreter/Npy.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

using namespace nki_run;

int main(int argc, char **argv) {
  if (argc != 2) {
    llvm::errs() << "usage: native-scan DIR   (DIR holds delta.npy u.npy A.npy "
                    "B.npy C.npy)\n";
    return 1;
  }
  std::string dir = argv[1];
  NpyArray in[5];
  const char *names[] = {"delta", "u", "A", "B", "C"};
  for (int i = 0; i < 5; ++i) {
    auto a = readNpy(dir + "/" + names[i] + ".npy");
    if (!a) {
      llvm::errs() << llvm::toString(a.takeError()) << "\n";
      return 1;
    }
    in[i] = std::move(*a);
  }
  const int64_t batch = in[0].shape[0], channels = in[0].shape[1],
                len = in[0].shape[2], state = in[2].shape[1];
  const float *delta = in[0].data.data(), *u = in[1].data.data(),
              *A = in[2].data.data();
  // B and C as [batch, t, n] so that the inner loop over states is contiguous.
  std::vector<float> Bt(size_t(batch * len * state)), Ct(Bt.size());
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t n = 0; n < state; ++n)
      for (int64_t t = 0; t < len; ++t) {
        Bt[size_t((b * len + t) * state + n)] =
            in[3].data[size_t((b * state + n) * len + t)];
        Ct[size_t((b * len + t) * state + n)] =
            in[4].data[size_t((b * state + n) * len + t)];
      }
  std::vector<float> y(size_t(batch * channels * len));
  auto begin = std::chrono::steady_clock::now();
  auto work = [&](int64_t c0, int64_t c1) {
    std::vector<float> x(static_cast<size_t>(state)),
        a(static_cast<size_t>(state));
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t c = c0; c < c1; ++c) {
        std::fill(x.begin(), x.end(), 0.0f);
        for (int64_t n = 0; n < state; ++n)
          a[size_t(n)] = A[c * state + n];
        const float *d = delta + (b * channels + c) * len;
        const float *uu = u + (b * channels + c) * len;
        float *out = y.data() + (b * channels + c) * len;
        for (int64_t t = 0; t < len; ++t) {
          const float *bt = &Bt[size_t((b * len + t) * state)];
          const float *ct = &Ct[size_t((b * len + t) * state)];
          float du = d[t] * uu[t], acc = 0.0f;
          for (int64_t n = 0; n < state; ++n) {
            x[size_t(n)] =
                std::exp(d[t] * a[size_t(n)]) * x[size_t(n)] + du * bt[n];
            acc += ct[n] * x[size_t(n)];
          }
          out[t] = acc;
        }
      }
  };
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i)
    pool.emplace_back(work, channels * i / threads,
                      channels * (i + 1) / threads);
  work(0, channels / threads);
  for (std::thread &t : pool)
    t.join();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin)
          .count();
  if (auto e = writeNpy(dir + "/out_native.npy", in[0].shape, y)) {
    llvm::errs() << llvm::toString(std::move(e)) << "\n";
    return 1;
  }
  llvm::outs() << llvm::format("%.3f\n", seconds);
  return 0;
}
