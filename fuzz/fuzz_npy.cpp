//===- fuzz_npy.cpp - the .npy reader on mutated files --------------------===//

#include "mamba-nki/Interpreter/Npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto array = nki_run::parseNpy(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz");
  if (!array)
    llvm::consumeError(array.takeError());
  return 0;
}
