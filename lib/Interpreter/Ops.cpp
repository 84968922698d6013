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
#include "VectorMath.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace nki_run;
using nisa::Instruction;

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
  const VectorKernels &k = kernels();
  auto expOf = [&](bool negate) -> float * {
    tmp.resize(size_t(n));
    for (int64_t i = 0; i < n; ++i)
      tmp[size_t(i)] = negate ? -t[i] : t[i];
    k.exp(tmp.data(), tmp.data(), n);
    return tmp.data();
  };
  switch (f) {
  case nisa::Act::identity:
    if (out != t)
      std::memmove(out, t, size_t(n) * 4);
    return;
  case nisa::Act::exp:
    k.exp(t, out, n);
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
    k.divOnePlus(nullptr, 1.0f, e, out, n);
    return;
  }
  case nisa::Act::silu: {
    const float *e = expOf(/*negate=*/true);
    k.divOnePlus(t, 1.0f, e, out, n);
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
  float bias = 0.0f;
  if (in.hasBias)
    m.gather(in.bias, r, &bias);
  kernels().scaleBias(x, scale, in.hasBias, bias, out, n);
  activateRow(in.func, out, out, n, w.b);
}

void ops::tensor_scalar(const Instruction &in, Memories &m, int64_t r,
                        float *out, int64_t n, Worker &w) {
  const float *x = m.input(in.src0, r, w.a);
  float s0 = m.scalar(in.scalar0, r);
  float s1 = in.hasOp1 ? m.scalar(in.scalar1, r) : 0.0f;
  // Two passes over the row: per element, the same two roundings as one.
  const VectorKernels &k = kernels();
  k.scalar(in.op0, in.rev0, s0, x, out, n);
  if (in.hasOp1)
    k.scalar(in.op1, in.rev1, s1, out, out, n);
}

void ops::tensor_tensor(const Instruction &in, Memories &m, int64_t r,
                        float *out, int64_t n, Worker &w) {
  const float *x = m.input(in.src0, r, w.a);
  const float *y = m.input(in.src1, r, w.b);
  kernels().binary(in.op0, x, y, out, n);
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
  // dst[m, f] = sum_k stationary[k, m] * moving[k, f] (with acc, dst[m, f]
  // + that sum), from the operands gatherMatmul() gathered. Each element
  // sums its k products in order from 0.0f, a row at a time.
  // `acc` (the rev0 flag): PSUM adds the sum to what dst held, read before
  // `out` (which may be dst's row itself) is written.
  if (in.rev0) {
    w.held.resize(size_t(n));
    m.gather(in.dst, r, w.held.data());
  }
  const MatmulOperands &mm = *w.matmul;
  int64_t k = in.src0.partCount, rows = in.src0.freeElements();
  if (k == 0)
    std::fill(out, out + n, 0.0f);
  for (int64_t kk = 0; kk < k; ++kk)
    kernels().axpy(mm.a[size_t(kk * rows + r)], mm.b.data() + kk * n, out, n,
                   /*first=*/kk == 0);
  if (in.rev0)
    for (int64_t i = 0; i < n; ++i)
      out[i] = w.held[size_t(i)] + out[i];
}

int64_t ops::rowCount(const Instruction &in) {
  if (in.opcode != nisa::Opcode::matmul)
    return in.dst.partCount;
  return std::min<int64_t>(in.dst.partCount, in.src0.freeElements());
}

void ops::gatherMatmul(const Instruction &in, Memories &m,
                       MatmulOperands &into) {
  int64_t k = in.src0.partCount, mm = in.src0.freeElements(),
          f = in.src1.freeElements();
  into.a.assign(size_t(k * mm), 0.0f);
  into.b.assign(size_t(k * f), 0.0f);
  for (int64_t r = 0; r < k; ++r) {
    m.gather(in.src0, r, into.a.data() + r * mm);
    m.gather(in.src1, r, into.b.data() + r * f);
  }
}

int64_t ops::executeTogether(const Instruction &in, Memories &m, int64_t begin,
                             int64_t end) {
  const nisa::AccessPattern &dst = in.dst;
  if (in.opcode != nisa::Opcode::tensor_tensor_scan ||
      in.op0 != nisa::Alu::multiply || in.op1 != nisa::Alu::add ||
      !isDirect(dst) || !isDirect(in.src0) || !isDirect(in.src1))
    return begin;
  const int64_t n = dst.freeElements();
  const VectorKernels &kern = kernels();
  for (; begin + kScanLanes <= end; begin += kScanLanes) {
    const float *x[kScanLanes], *y[kScanLanes];
    float *out[kScanLanes], prev[kScanLanes];
    for (int k = 0; k < kScanLanes; ++k) {
      x[k] = reinterpret_cast<const float *>(m.rowBase(in.src0, begin + k));
      y[k] = reinterpret_cast<const float *>(m.rowBase(in.src1, begin + k));
      out[k] = reinterpret_cast<float *>(m.rowBase(dst, begin + k));
      prev[k] = m.scalar(in.scalar0, begin + k);
    }
    kern.scanLanes(x, y, out, prev, n);
  }
  return begin;
}
