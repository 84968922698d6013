//===- Ops.cpp - what each opcode computes --------------------------------===//
//
// Functional semantics in fp32 (bf16 converted at loads and stores by
// Memories): each function computes one partition row of its instruction's
// destination. The arithmetic of an element does not depend on how the
// kernel was tiled (where the element sits in an instruction, or how long the
// instruction is), so v1, v2 and v3 of a kernel give bit-identical results.
//
//===----------------------------------------------------------------------===//

#include "Ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace nki_run;
using nisa::Instruction;

namespace nki_run {
/// out[i] = exp(in[i]), vectorised, the same arithmetic for every element
/// whatever its position (VectorMath.cpp); `in` may equal `out`.
void expRow(const float *in, float *out, int64_t n);
} // namespace nki_run

//===----------------------------------------------------------------------===//
// ALU operations and activation functions
//===----------------------------------------------------------------------===//

static inline float alu(nisa::Alu op, float x, float y) {
  switch (op) {
  case nisa::Alu::bypass:
    return x;
  case nisa::Alu::add:
    return x + y;
  case nisa::Alu::subtract:
    return x - y;
  case nisa::Alu::multiply:
    return x * y;
  case nisa::Alu::divide:
    return x / y;
  case nisa::Alu::max:
    return std::max(x, y);
  case nisa::Alu::min:
    return std::min(x, y);
  }
  return x;
}

/// Applies activation `f` to the arguments `t[0, n)` (data * scale + bias,
/// already computed), into `out` (which may be `t`). Every use of exp goes
/// through expRow, so an element's result does not depend on its position
/// in the instruction or on the instruction's length.
static void activateRow(nisa::Act f, float *t, float *out, int64_t n,
                        std::vector<float> &tmp) {
  auto expOf = [&](bool negate) -> float * {
    tmp.resize(size_t(n));
    for (int64_t i = 0; i < n; ++i)
      tmp[size_t(i)] = negate ? -t[i] : t[i];
    expRow(tmp.data(), tmp.data(), n);
    return tmp.data();
  };
  switch (f) {
  case nisa::Act::identity:
    if (out != t)
      std::memmove(out, t, size_t(n) * 4);
    return;
  case nisa::Act::exp:
    expRow(t, out, n);
    return;
  case nisa::Act::log:
    for (int64_t i = 0; i < n; ++i)
      out[i] = std::log(t[i]);
    return;
  case nisa::Act::relu:
    for (int64_t i = 0; i < n; ++i)
      out[i] = t[i] > 0 ? t[i] : 0.0f;
    return;
  case nisa::Act::sigmoid: {
    const float *e = expOf(/*negate=*/true);
    for (int64_t i = 0; i < n; ++i)
      out[i] = 1.0f / (1.0f + e[i]);
    return;
  }
  case nisa::Act::silu: {
    const float *e = expOf(/*negate=*/true);
    for (int64_t i = 0; i < n; ++i)
      out[i] = t[i] / (1.0f + e[i]);
    return;
  }
  case nisa::Act::softplus: {
    // mamba_ssm's threshold: softplus(x) = x for x > 20.
    const float *e = expOf(/*negate=*/false);
    for (int64_t i = 0; i < n; ++i)
      out[i] = t[i] > 20.0f ? t[i] : std::log1p(e[i]);
    return;
  }
  case nisa::Act::tanh:
    for (int64_t i = 0; i < n; ++i)
      out[i] = std::tanh(t[i]);
    return;
  case nisa::Act::square:
    for (int64_t i = 0; i < n; ++i)
      out[i] = t[i] * t[i];
    return;
  case nisa::Act::sqrt:
    for (int64_t i = 0; i < n; ++i)
      out[i] = std::sqrt(t[i]);
    return;
  }
}

//===----------------------------------------------------------------------===//
// Opcodes
//===----------------------------------------------------------------------===//

/// The selective scan's recurrence on `kLanes` partitions at once: each
/// partition's chain is serial, so interleaving independent chains keeps the
/// CPU busy. Per element the arithmetic is exactly the one-partition loop's.
static constexpr int kLanes = 8;
static void scanLanes(const float *const *x, const float *const *y,
                      float *const *out, float *prev, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    for (int k = 0; k < kLanes; ++k) {
      float t = x[k][i] * prev[k]; // two roundings, never fused
      prev[k] = t + y[k][i];
      out[k][i] = prev[k];
    }
}

static void copyRow(const Instruction &in, Memories &m, int64_t r, float *out,
                    int64_t n, Worker &w) {
  const float *x = m.input(in.src0, r, w.a);
  if (x != out)
    std::memmove(out, x, size_t(n) * 4);
}

void ops::dma(const Instruction &in, Memories &m, int64_t r, float *out,
              int64_t n, Worker &w) {
  copyRow(in, m, r, out, n, w);
}

void ops::tensor_copy(const Instruction &in, Memories &m, int64_t r, float *out,
                      int64_t n, Worker &w) {
  copyRow(in, m, r, out, n, w);
}

void ops::memset(const Instruction &in, Memories &m, int64_t r, float *out,
                 int64_t n, Worker &w) {
  std::fill(out, out + n, in.value);
}

void ops::activation(const Instruction &in, Memories &m, int64_t r, float *out,
                     int64_t n, Worker &w) {
  const float *x = m.input(in.src0, r, w.a);
  float scale = m.scalar(in.scalar0, r);
  // The argument row, computed into `out` (inputs are read before
  // the element is written, so an in-place activation is safe).
  if (in.hasBias) {
    float bias = 0.0f;
    m.gather(in.bias, r, &bias);
    for (int64_t i = 0; i < n; ++i)
      out[i] = x[i] * scale + bias;
  } else {
    for (int64_t i = 0; i < n; ++i)
      out[i] = x[i] * scale;
  }
  activateRow(in.func, out, out, n, w.b);
}

void ops::tensor_scalar(const Instruction &in, Memories &m, int64_t r,
                        float *out, int64_t n, Worker &w) {
  const float *x = m.input(in.src0, r, w.a);
  float s0 = m.scalar(in.scalar0, r);
  float s1 = in.hasOp1 ? m.scalar(in.scalar1, r) : 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    float t = in.rev0 ? alu(in.op0, s0, x[i]) : alu(in.op0, x[i], s0);
    if (in.hasOp1)
      t = in.rev1 ? alu(in.op1, s1, t) : alu(in.op1, t, s1);
    out[i] = t;
  }
}

void ops::tensor_tensor(const Instruction &in, Memories &m, int64_t r,
                        float *out, int64_t n, Worker &w) {
  const float *x = m.input(in.src0, r, w.a);
  const float *y = m.input(in.src1, r, w.b);
  switch (in.op0) {
  case nisa::Alu::add: // the common cases, in loops the compiler vectorises
    for (int64_t i = 0; i < n; ++i)
      out[i] = x[i] + y[i];
    break;
  case nisa::Alu::multiply:
    for (int64_t i = 0; i < n; ++i)
      out[i] = x[i] * y[i];
    break;
  default:
    for (int64_t i = 0; i < n; ++i)
      out[i] = alu(in.op0, x[i], y[i]);
  }
}

void ops::tensor_tensor_scan(const Instruction &in, Memories &m, int64_t r,
                             float *out, int64_t n, Worker &w) {
  const float *x = m.input(in.src0, r, w.a);
  const float *y = m.input(in.src1, r, w.b);
  float prev = m.scalar(in.scalar0, r);
  if (in.op0 == nisa::Alu::multiply && in.op1 == nisa::Alu::add) {
    for (int64_t i = 0; i < n; ++i) {
      float t = x[i] * prev; // two roundings, never fused
      prev = t + y[i];
      out[i] = prev;
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      prev = alu(in.op1, alu(in.op0, x[i], prev), y[i]);
      out[i] = prev;
    }
  }
}

void ops::matmul(const Instruction &in, Memories &m, int64_t r, float *out,
                 int64_t n, Worker &w) {
  // dst[m, f] = sum_k stationary[k, m] * moving[k, f], from the operands
  // prepare() gathered.
  int64_t k = in.src0.partCount, rows = in.src0.freeElements();
  for (int64_t j = 0; j < n; ++j) {
    float acc = 0.0f;
    for (int64_t kk = 0; kk < k; ++kk)
      acc += m.matA[size_t(kk * rows + r)] * m.matB[size_t(kk * n + j)];
    out[j] = acc;
  }
}

int64_t ops::prepare(const Instruction &in, Memories &m) {
  int64_t rows = in.dst.partCount;
  if (in.opcode != nisa::Opcode::matmul)
    return rows;
  int64_t k = in.src0.partCount, mm = in.src0.freeElements(),
          f = in.src1.freeElements();
  m.matA.assign(size_t(k * mm), 0.0f);
  m.matB.assign(size_t(k * f), 0.0f);
  for (int64_t r = 0; r < k; ++r) {
    m.gather(in.src0, r, m.matA.data() + r * mm);
    m.gather(in.src1, r, m.matB.data() + r * f);
  }
  return std::min(rows, mm);
}

int64_t ops::executeTogether(const Instruction &in, Memories &m, int64_t begin,
                             int64_t end) {
  const nisa::AccessPattern &dst = in.dst;
  if (in.opcode != nisa::Opcode::tensor_tensor_scan ||
      in.op0 != nisa::Alu::multiply || in.op1 != nisa::Alu::add ||
      !isDirect(dst) || !isDirect(in.src0) || !isDirect(in.src1))
    return begin;
  const int64_t n = dst.freeElements();
  for (; begin + kLanes <= end; begin += kLanes) {
    const float *x[kLanes], *y[kLanes];
    float *out[kLanes], prev[kLanes];
    for (int k = 0; k < kLanes; ++k) {
      x[k] = reinterpret_cast<const float *>(m.rowBase(in.src0, begin + k));
      y[k] = reinterpret_cast<const float *>(m.rowBase(in.src1, begin + k));
      out[k] = reinterpret_cast<float *>(m.rowBase(dst, begin + k));
      prev[k] = m.scalar(in.scalar0, begin + k);
    }
    scanLanes(x, y, out, prev, n);
  }
  return begin;
}
