//===- native_scan.cpp - the selective scan as one fused native loop ------===//
//
// The CPU's practical limit for this op, for bench/interpreter.sh: reads
// delta, u, A, B, C from DIR/*.npy (as written by nki-run --save-inputs),
// computes y in fp32 in one fused pass on all cores, writes
// DIR/out_native.npy and prints the seconds spent computing.
//
// Faster than the straightforward loop (bench/native_loop.c, which the
// benchmark also runs): channels are independent, so sixteen of them are
// computed together in two vectors (each lane its own channel's scan), on
// tiles of delta and u transposed to [t][16 channels] in L1 (sixteen
// lanes measured faster than eight here: more independent chains). Built with
// -O3 -march=native -ffast-math (bench/CMakeLists.txt), so exp is glibc's
// vector expf.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Interpreter/Npy.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

using namespace nki_run;

namespace {
constexpr int kLanes = 16;  // channels computed together
constexpr int64_t kT = 256; // time steps per tile

struct Scan {
  int64_t batch, channels, len, state;
  const float *delta, *u, *A;
  std::vector<float> Bt, Ct; // [batch, t, n]
  float *y;

  /// Channels [c, c + kLanes) of batch b (lanes past the end compute
  /// zeros and are dropped).
  void group(int64_t b, int64_t c) const {
    const int64_t lanes = std::min<int64_t>(kLanes, channels - c);
    std::vector<float> x(size_t(state * kLanes), 0.0f),
        a(size_t(state * kLanes), 0.0f);
    for (int64_t n = 0; n < state; ++n)
      for (int64_t l = 0; l < lanes; ++l)
        a[size_t(n * kLanes + l)] = A[(c + l) * state + n];
    alignas(32) float d[kT][kLanes], du[kT][kLanes], o[kT][kLanes];
    for (int64_t t0 = 0; t0 < len; t0 += kT) {
      const int64_t T = std::min(kT, len - t0);
      for (int64_t l = 0; l < kLanes; ++l) {
        const float *dr = delta + ((b * channels + c + l) * len + t0);
        const float *ur = u + ((b * channels + c + l) * len + t0);
        for (int64_t t = 0; t < T; ++t) {
          d[t][l] = l < lanes ? dr[t] : 0.0f;
          du[t][l] = l < lanes ? dr[t] * ur[t] : 0.0f;
        }
      }
      for (int64_t t = 0; t < T; ++t) {
        const float *bt = &Bt[size_t((b * len + t0 + t) * state)];
        const float *ct = &Ct[size_t((b * len + t0 + t) * state)];
        float acc[kLanes] = {};
        for (int64_t n = 0; n < state; ++n) {
          float *xn = &x[size_t(n * kLanes)];
          const float *an = &a[size_t(n * kLanes)];
          for (int l = 0; l < kLanes; ++l) {
            xn[l] = std::exp(d[t][l] * an[l]) * xn[l] + du[t][l] * bt[n];
            acc[l] += ct[n] * xn[l];
          }
        }
        for (int l = 0; l < kLanes; ++l)
          o[t][l] = acc[l];
      }
      for (int64_t l = 0; l < lanes; ++l) {
        float *out = y + ((b * channels + c + l) * len + t0);
        for (int64_t t = 0; t < T; ++t)
          out[t] = o[t][l];
      }
    }
  }
};
} // namespace

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
  Scan s;
  s.batch = in[0].shape[0];
  s.channels = in[0].shape[1];
  s.len = in[0].shape[2];
  s.state = in[2].shape[1];
  s.delta = in[0].data.data();
  s.u = in[1].data.data();
  s.A = in[2].data.data();
  s.Bt.resize(size_t(s.batch * s.len * s.state));
  s.Ct.resize(s.Bt.size());
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t n = 0; n < s.state; ++n)
      for (int64_t t = 0; t < s.len; ++t) {
        s.Bt[size_t((b * s.len + t) * s.state + n)] =
            in[3].data[size_t((b * s.state + n) * s.len + t)];
        s.Ct[size_t((b * s.len + t) * s.state + n)] =
            in[4].data[size_t((b * s.state + n) * s.len + t)];
      }
  std::vector<float> y(size_t(s.batch * s.channels * s.len));
  s.y = y.data();
  auto begin = std::chrono::steady_clock::now();
  const int64_t groups = (s.channels + kLanes - 1) / kLanes;
  std::atomic<int64_t> next{0};
  auto work = [&] {
    for (int64_t g; (g = next.fetch_add(1)) < s.batch * groups;)
      s.group(g / groups, g % groups * kLanes);
  };
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i)
    pool.emplace_back(work);
  work();
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
