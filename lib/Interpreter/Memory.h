//===- Memory.h - a NeuronCore's memories, row by row (internal) -*- C++
//-*-===//
//
// SBUF, PSUM, the scratch area and the HBM tensors as bytes, and how an
// instruction's semantics read and write them: one partition row of an
// access pattern at a time, as fp32 (bf16 is widened when read and rounded
// to nearest even when written). Contiguous fp32 rows are used in place.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_INTERPRETER_MEMORY_H
#define MAMBA_NKI_LIB_INTERPRETER_MEMORY_H

#include "mamba-nki/Target/Nisa/Program.h"

#include <cstdint>
#include <vector>

namespace nki_run {

float bf16ToFloat(uint16_t v);
/// Rounds to nearest even (NaNs stay NaN).
uint16_t floatToBf16(float f);

/// A matmul's operands, gathered whole before its rows run (ops::prepare):
/// stationary [K, M] and moving [K, N], row k of each from partition k.
struct MatmulOperands {
  std::vector<float> a, b;
};

/// Row buffers of one thread, for operands that are not used in place, and
/// the operands of the matmul whose rows it computes.
struct Worker {
  std::vector<float> a, b, d;
  std::vector<float> held; // what an accumulating matmul's dst row held
  const MatmulOperands *matmul = nullptr;
};

/// Contiguous, aligned fp32 rows are computed in place (streams are
/// validated to be element-aligned; the check keeps the fast path safe).
bool isDirect(const nisa::AccessPattern &ap);

class Memories {
public:
  explicit Memories(const nisa::Program &program);

  /// The first byte of row `row` of `ap` (a partition on chip, a row
  /// `partStride` elements apart off chip).
  uint8_t *rowBase(const nisa::AccessPattern &ap, int64_t row);
  /// Row `row` of `ap` as floats, into `out` (freeElements() of them).
  void gather(const nisa::AccessPattern &ap, int64_t row, float *out);
  /// Writes `in` (freeElements() floats) to row `row` of `ap`.
  void scatter(const nisa::AccessPattern &ap, int64_t row, const float *in);

  /// Row `row` of a source: the memory itself when direct, else gathered
  /// into `tmp`.
  const float *input(const nisa::AccessPattern &ap, int64_t row,
                     std::vector<float> &tmp);
  /// Where to compute row `row` of a destination: the memory itself when
  /// direct, else `tmp`, which commit() then scatters.
  float *output(const nisa::AccessPattern &ap, int64_t row,
                std::vector<float> &tmp);
  void commit(const nisa::AccessPattern &ap, int64_t row, float *data);
  /// An immediate, or row `row`'s element of a [P, 1] access pattern.
  float scalar(const nisa::Scalar &s, int64_t row);

  const nisa::Program &program;
  /// Bytes from one partition's row to the next's (a partition's size plus
  /// a pad that keeps the CPU's caches from aliasing rows: Memory.cpp).
  int64_t sbufStride, psumStride;
  std::vector<uint8_t> sbuf, psum, scratch;
  /// An HBM tensor's bytes: its own, or the floats of an f32 input handed
  /// over whole (Machine::adoptTensor, which saves a copy of each input).
  /// Outputs start zeroed; an input gets its storage when it is set.
  struct HbmTensor {
    std::vector<uint8_t> bytes;
    std::vector<float> adopted;
    uint8_t *data() {
      return adopted.empty() ? bytes.data()
                             : reinterpret_cast<uint8_t *>(adopted.data());
    }
    const uint8_t *data() const {
      return const_cast<HbmTensor *>(this)->data();
    }
  };
  std::vector<HbmTensor> hbm;
  /// Gives every input that was not set zeroed storage (once: before the
  /// first instruction runs).
  void allocateUnsetInputs();
  bool inputsAllocated = false;
  /// The operands of a matmul executed alone (Machine::execute).
  MatmulOperands matmul;
};

} // namespace nki_run

#endif // MAMBA_NKI_LIB_INTERPRETER_MEMORY_H
