//===- VectorMath.cpp - vectorised exp for the interpreter ----------------===//
//
// Compiled alone with -ffast-math so that GCC calls glibc's vector expf
// (libmvec). Only this loop is affected: the flag is not used at link time,
// so the process keeps IEEE denormals. libmvec's expf is within 4 ulp of the
// scalar one; every kernel version uses this same function, so v1, v2 and v3
// stay bit-identical.
//
//===----------------------------------------------------------------------===//

#include <cmath>
#include <cstdint>

namespace nki_run {
void expScaled(const float *x, float scale, float *out, int64_t n) {
#pragma GCC ivdep
  for (int64_t i = 0; i < n; ++i)
    out[i] = std::exp(x[i] * scale);
}
} // namespace nki_run
