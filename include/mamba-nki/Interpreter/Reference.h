//===- Reference.h - the selective scan, computed directly ------*- C++ -*-===//
//
// An implementation of docs/hardware.md §1, extended to the whole of
// mamba_ssm's selective_scan_fn (its selective_scan_ref), that shares
// nothing with the interpreter's instruction semantics or the compiler's
// lowering: plain loops in double precision.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_INTERPRETER_REFERENCE_H
#define MAMBA_NKI_INTERPRETER_REFERENCE_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace nki_run {

/// How B or C is given (mamba_ssm's forms).
enum class ProjectionForm {
  variable, ///< [batch, state, seq_len]
  grouped,  ///< [batch, groups, state, seq_len]; channel c uses group
            ///< c / (channels / groups)
  constant, ///< [channels, state], the same at every step
};

struct Projection {
  llvm::ArrayRef<float> values;
  ProjectionForm form = ProjectionForm::variable;
  int64_t groups = 1; ///< grouped only; divides the channels
};

/// The operands of one selective scan, C order, of the shapes named. The
/// caller checks the shapes (nki-run's --check does, from the tensors).
struct ScanInputs {
  int64_t batch = 0, channels = 0, seqLen = 0, state = 0;
  llvm::ArrayRef<float> delta, u; ///< [batch, channels, seq_len]
  llvm::ArrayRef<float> A;        ///< [channels, state]
  Projection B, C;
  std::optional<llvm::ArrayRef<float>> D;            ///< [channels]
  std::optional<llvm::ArrayRef<float>> z;            ///< like delta
  std::optional<llvm::ArrayRef<float>> deltaBias;    ///< [channels]
  std::optional<llvm::ArrayRef<float>> initialState; ///< [b, channels, state]
  bool deltaSoftplus = false;
};

struct ScanResult {
  std::vector<float> out;        ///< [batch, channels, seq_len]
  std::vector<float> finalState; ///< [batch, channels, state]
};

/// mamba_ssm's selective_scan_ref, in double precision:
///   d[t] = delta[b,c,t] + delta_bias[c]          (when given)
///   d[t] = softplus(d[t])                         (delta_softplus; x > 20: x)
///   x[n,-1] = initial_state[b,c,n]                (else 0)
///   x[n,t] = exp(d[t] A[c,n]) x[n,t-1] + d[t] B[n,t] u[b,c,t]
///   y[t] = sum_n C[n,t] x[n,t]
///   out[b,c,t] = (y[t] + D[c] u[b,c,t]) * silu(z[b,c,t])   (each when given)
///   final_state[b,c,n] = x[n, seq_len - 1]
/// with B[n,t], C[n,t] the channel's row of their form. Uses `threads`
/// threads (split over channels).
ScanResult referenceSelectiveScan(const ScanInputs &in, unsigned threads = 2);

/// The comparison mamba_ssm's tests use: |x - ref| <= atol + rtol |ref|.
/// worstRatio is the largest |x - ref| / (atol + rtol |ref|): at most 1
/// when every element passes.
struct Comparison {
  double maxAbsErr = 0, worstRatio = 0;
  size_t failures = 0, worst = 0;
};
Comparison compare(llvm::ArrayRef<float> values, llvm::ArrayRef<float> ref,
                   double rtol, double atol);

} // namespace nki_run

#endif // MAMBA_NKI_INTERPRETER_REFERENCE_H
