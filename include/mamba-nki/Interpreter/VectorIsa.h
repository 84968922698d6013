//===- VectorIsa.h - which vector instructions nki-run computes with -*- C++
//-*-===//
//
// The interpreter's inner loops are compiled for several instruction sets
// and chosen when the program starts: the widest the processor has, unless
// the user names one (nki-run --vector-isa). Every set computes the same
// operations in the same order, so the results are the same bits whichever
// runs.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_INTERPRETER_VECTORISA_H
#define MAMBA_NKI_INTERPRETER_VECTORISA_H

#include "llvm/Support/Error.h"

namespace nki_run {

enum class VectorIsa {
  automatic, // the widest this processor has
  baseline,  // what the build targets (SSE2 on x86-64)
  avx2,      // x86-64 AVX2 (8 lanes of fp32)
};

/// The name nki-run's --vector-isa uses for `isa`.
const char *vectorIsaName(VectorIsa isa);
/// Whether this processor can run `isa`.
bool vectorIsaAvailable(VectorIsa isa);
/// Computes with `isa` from now on (automatic: the widest available). An
/// error names the set when this processor cannot run it.
llvm::Error selectVectorIsa(VectorIsa isa);
/// The set in use (never automatic).
VectorIsa selectedVectorIsa();

} // namespace nki_run

#endif // MAMBA_NKI_INTERPRETER_VECTORISA_H
