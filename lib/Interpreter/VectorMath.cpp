//===- VectorMath.cpp - vectorised exp for the interpreter ----------------===//
//
// Compiled alone with -ffast-math so that GCC calls glibc's vector expf
// (libmvec). Only this file is affected: the flag is not used at link time,
// so the process keeps IEEE denormals. libmvec's expf is within 4 ulp of the
// scalar one.
//
// Bit-identity across tilings needs every element to go through the same
// arithmetic wherever it sits in an instruction: a vectorised loop over n
// elements would compute the last n mod 4 with scalar expf. So exp runs on
// fixed blocks of kBlock elements copied into local arrays (the vector code
// never sees a tail or an aliasing pointer), and the last, partial block is
// padded. Every element of every exp-based activation comes through
// expRow().
//
//===----------------------------------------------------------------------===//

#include <cmath>
#include <cstdint>
#include <cstring>

namespace nki_run {
namespace {
constexpr int64_t kBlock = 16;

/// exp of `count` <= kBlock elements. The loop runs over local arrays that
/// cannot alias, with a constant trip count, so it compiles to the same
/// vector calls for every block (the unused lanes of a partial block are
/// zero).
void expBlock(const float *in, float *out, int64_t count) {
  float a[kBlock], b[kBlock];
  std::memcpy(a, in, size_t(count) * sizeof(float));
  if (count < kBlock)
    std::memset(a + count, 0, size_t(kBlock - count) * sizeof(float));
  for (int64_t i = 0; i < kBlock; ++i)
    b[i] = std::exp(a[i]);
  std::memcpy(out, b, size_t(count) * sizeof(float));
}
} // namespace

/// out[i] = exp(in[i]) for i < n; `in` may equal `out`.
void expRow(const float *in, float *out, int64_t n) {
  for (int64_t i = 0; i < n; i += kBlock)
    expBlock(in + i, out + i, n - i < kBlock ? n - i : kBlock);
}
} // namespace nki_run
