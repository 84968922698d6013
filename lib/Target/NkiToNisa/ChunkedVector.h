//===- ChunkedVector.h - an append-only array in fixed chunks ---*- C++ -*-===//
//
// Private to the backend (lib/Target/NkiToNisa/): the per-instruction
// arrays (records, spill events, vector clocks) of a stream that can have
// millions of instructions.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_TARGET_NKITONISA_CHUNKEDVECTOR_H
#define MAMBA_NKI_LIB_TARGET_NKITONISA_CHUNKEDVECTOR_H

#include <cstddef>
#include <memory>
#include <vector>

namespace mlir {
namespace nki {
namespace backend {

/// An append-only array stored in fixed chunks: growing it never copies, so
/// its peak memory is its size (a std::vector briefly holds both the old and
/// the new array when it grows).
template <typename T, size_t kChunk = size_t(1) << 14> class ChunkedVector {
public:
  void push_back(const T &value) {
    if (count % kChunk == 0)
      chunks.emplace_back(new T[kChunk]);
    chunks[count / kChunk][count % kChunk] = value;
    ++count;
  }
  T &operator[](size_t i) { return chunks[i / kChunk][i % kChunk]; }
  const T &operator[](size_t i) const { return chunks[i / kChunk][i % kChunk]; }
  size_t size() const { return count; }

private:
  std::vector<std::unique_ptr<T[]>> chunks;
  size_t count = 0;
};

} // namespace backend
} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_LIB_TARGET_NKITONISA_CHUNKEDVECTOR_H
