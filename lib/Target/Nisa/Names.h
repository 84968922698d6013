//===- Names.h - spellings of the .nisa enums (internal) --------*- C++ -*-===//

#ifndef MAMBA_NKI_LIB_TARGET_NISA_NAMES_H
#define MAMBA_NKI_LIB_TARGET_NISA_NAMES_H

#include "llvm/ADT/StringRef.h"

#include <cstddef>

namespace nisa {

extern const char *const kOpcodeNames[8];
extern const char *const kAluNames[7];
extern const char *const kActNames[10];
extern const char *const kQueueNames[9];

/// Sets `out` to the enumerator spelled `name` in `names`.
template <typename E, size_t N>
bool lookup(const char *const (&names)[N], llvm::StringRef name, E &out) {
  for (size_t i = 0; i < N; ++i)
    if (name == names[i]) {
      out = static_cast<E>(i);
      return true;
    }
  return false;
}

} // namespace nisa

#endif // MAMBA_NKI_LIB_TARGET_NISA_NAMES_H
