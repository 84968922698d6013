//===- VectorMath.h - the interpreter's inner loops (internal) --*- C++ -*-===//
//
// The loops that compute a partition row, as a table of functions: one
// table per instruction set (VectorMath.cpp), the one in use chosen at
// start-up (mamba-nki/Interpreter/VectorIsa.h). Ops.cpp calls them through
// kernels().
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_INTERPRETER_VECTORMATH_H
#define MAMBA_NKI_LIB_INTERPRETER_VECTORMATH_H

#include "mamba-nki/Interpreter/VectorIsa.h"
#include "mamba-nki/Target/Nisa/Program.h"

#include <cstdint>

namespace nki_run {

/// exp works on chunks of this many elements (copied, so that a row may be
/// computed in place).
constexpr int kExpChunk = 64;
/// The scan interleaves this many partitions' chains.
constexpr int kScanLanes = 8;

struct VectorKernels {
  /// out[i] = exp(in[i]); `in` may equal `out`.
  void (*exp)(const float *in, float *out, int64_t n);
  /// out[i] = x[i] op y[i].
  void (*binary)(nisa::Alu op, const float *x, const float *y, float *out,
                 int64_t n);
  /// out[i] = x[i] op s, or s op x[i] when `reversed`.
  void (*scalar)(nisa::Alu op, bool reversed, float s, const float *x,
                 float *out, int64_t n);
  /// out[i] = x[i] * scale (+ bias when `hasBias`).
  void (*scaleBias)(const float *x, float scale, bool hasBias, float bias,
                    float *out, int64_t n);
  /// out[i] = x[i] / (1 + e[i]), or one / (1 + e[i]) when `x` is null.
  void (*divOnePlus)(const float *x, float one, const float *e, float *out,
                     int64_t n);
  /// out[i] = out[i] + a * b[i], or 0.0f + a * b[i] when `first`.
  void (*axpy)(float a, const float *b, float *out, int64_t n, bool first);
  /// The scan t = x * prev, prev = t + y on kScanLanes rows at once.
  void (*scanLanes)(const float *const *x, const float *const *y,
                    float *const *out, float *prev, int64_t n);
};

/// The table of the selected instruction set.
const VectorKernels &kernels();
/// The table of `isa` (automatic: the selected one), or null when this
/// processor cannot run it.
const VectorKernels *kernelsFor(VectorIsa isa);

} // namespace nki_run

#endif // MAMBA_NKI_LIB_INTERPRETER_VECTORMATH_H
