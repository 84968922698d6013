//===- Reference.h - the selective scan, computed directly ------*- C++ -*-===//
//
// An implementation of docs/hardware.md §1 that shares nothing with the
// interpreter's instruction semantics: plain loops in double precision.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_INTERPRETER_REFERENCE_H
#define MAMBA_NKI_INTERPRETER_REFERENCE_H

#include "llvm/ADT/ArrayRef.h"

#include <vector>

namespace nki_run {

/// y[b,c,t] = sum_n C[b,n,t] x[b,c,n,t] with
/// x[b,c,n,t] = exp(delta[b,c,t] A[c,n]) x[b,c,n,t-1] + delta[b,c,t] B[b,n,t]
/// u[b,c,t]. Uses `threads` threads (split over channels).
std::vector<float>
referenceSelectiveScan(int64_t batch, int64_t channels, int64_t seqLen,
                       int64_t state, llvm::ArrayRef<float> delta,
                       llvm::ArrayRef<float> u, llvm::ArrayRef<float> A,
                       llvm::ArrayRef<float> B, llvm::ArrayRef<float> C,
                       unsigned threads = 2);

/// The comparison mamba_ssm's tests use: |x - ref| <= atol + rtol |ref|.
struct Comparison {
  double maxAbsErr = 0, maxRelErr = 0;
  size_t failures = 0, worst = 0;
};
Comparison compare(llvm::ArrayRef<float> values, llvm::ArrayRef<float> ref,
                   double rtol, double atol);

} // namespace nki_run

#endif // MAMBA_NKI_INTERPRETER_REFERENCE_H
