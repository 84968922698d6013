//===- Npy.h - NumPy .npy files (fp32, C order) -----------------*- C++ -*-===//

#ifndef MAMBA_NKI_INTERPRETER_NPY_H
#define MAMBA_NKI_INTERPRETER_NPY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace nki_run {

struct NpyArray {
  llvm::SmallVector<int64_t, 4> shape;
  std::vector<float> data; // C order
};

/// Reads a .npy file of little-endian float32 ('<f4') in C order (format
/// versions 1-3). Anything else is an error naming the file and the problem.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// Parses .npy bytes (for tests and fuzzing); `name` is used in errors.
llvm::Expected<NpyArray> parseNpy(llvm::StringRef bytes, llvm::StringRef name);

/// Writes `data` with `shape` as a version 1.0 '<f4' .npy file.
llvm::Error writeNpy(llvm::StringRef path, llvm::ArrayRef<int64_t> shape,
                     llvm::ArrayRef<float> data);

} // namespace nki_run

#endif // MAMBA_NKI_INTERPRETER_NPY_H
