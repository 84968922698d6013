//===- VectorMath.cpp - the interpreter's inner loops, per instruction set ===//
//
// VectorKernels.inc is compiled here once per instruction set, each copy in
// its own namespace with its own target attribute (GCC and Clang compile a
// function for the set its attribute names, whatever the build's -march).
// The table in use is chosen once, at start-up, from what the processor
// has, or by selectVectorIsa() (nki-run --vector-isa). No -ffast-math and
// no FMA: each set computes the same IEEE operations in the same order, so
// the results are the same bits whichever set runs.
//
//===----------------------------------------------------------------------===//

#include "VectorMath.h"

#include "mamba-nki/Interpreter/VectorIsa.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

using namespace nki_run;

namespace {
/// Eight floats, as GCC's and Clang's vector extension: a baseline build
/// computes them as two SSE halves, an AVX2 one in a single register.
typedef float Float8 __attribute__((vector_size(32)));
#ifdef __clang__
#define NKI_SHUFFLE(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
typedef int32_t Int8 __attribute__((vector_size(32)));
#define NKI_SHUFFLE(a, b, ...) __builtin_shuffle(a, b, Int8{__VA_ARGS__})
#endif

namespace baseline {
#define NKI_ISA
#include "VectorKernels.inc"
#undef NKI_ISA
} // namespace baseline

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MAMBA_HAVE_AVX2_KERNELS 1
namespace avx2 {
#define NKI_ISA __attribute__((target("avx2")))
#include "VectorKernels.inc"
#undef NKI_ISA
} // namespace avx2
#endif

const VectorKernels *tableOf(VectorIsa isa) {
  switch (isa) {
  case VectorIsa::avx2:
#ifdef MAMBA_HAVE_AVX2_KERNELS
    return &avx2::kKernels;
#else
    return nullptr;
#endif
  case VectorIsa::baseline:
    return &baseline::kKernels;
  case VectorIsa::automatic:
    break;
  }
  return nullptr;
}

VectorIsa widestAvailable() {
  return vectorIsaAvailable(VectorIsa::avx2) ? VectorIsa::avx2
                                             : VectorIsa::baseline;
}

struct Selection {
  std::atomic<VectorIsa> isa{widestAvailable()};
};
Selection &selection() {
  static Selection s;
  return s;
}
} // namespace

const char *nki_run::vectorIsaName(VectorIsa isa) {
  switch (isa) {
  case VectorIsa::automatic:
    return "auto";
  case VectorIsa::baseline:
    return "baseline";
  case VectorIsa::avx2:
    return "avx2";
  }
  return "?";
}

bool nki_run::vectorIsaAvailable(VectorIsa isa) {
  switch (isa) {
  case VectorIsa::automatic:
  case VectorIsa::baseline:
    return true;
  case VectorIsa::avx2:
#ifdef MAMBA_HAVE_AVX2_KERNELS
    return __builtin_cpu_supports("avx2");
#else
    return false;
#endif
  }
  return false;
}

llvm::Error nki_run::selectVectorIsa(VectorIsa isa) {
  if (isa == VectorIsa::automatic)
    isa = widestAvailable();
  if (!vectorIsaAvailable(isa) || !tableOf(isa))
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::Twine("this processor cannot run the '") + vectorIsaName(isa) +
            "' kernels (it has '" + vectorIsaName(widestAvailable()) +
            "' at most)");
  selection().isa.store(isa, std::memory_order_relaxed);
  return llvm::Error::success();
}

VectorIsa nki_run::selectedVectorIsa() {
  return selection().isa.load(std::memory_order_relaxed);
}

const VectorKernels &nki_run::kernels() {
  return *tableOf(selectedVectorIsa());
}

const VectorKernels *nki_run::kernelsFor(VectorIsa isa) {
  if (isa == VectorIsa::automatic)
    return &kernels();
  return vectorIsaAvailable(isa) ? tableOf(isa) : nullptr;
}
