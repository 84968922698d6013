//===- Arena.h - next-fit free space of one on-chip memory --------*- C++
//-*-===//
//
// Private to the backend: the allocator's view of SBUF or PSUM (bytes per
// partition). Next-fit, so that consecutive iterations of a loop get
// different addresses and their instructions can overlap on different
// engines.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_TARGET_NKITONISA_ARENA_H
#define MAMBA_NKI_LIB_TARGET_NKITONISA_ARENA_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace mlir {
namespace nki {
namespace backend {

/// Free space of one memory, next-fit. The free blocks are few (SBUF holds
/// at most a few hundred buffers), so they live in a sorted vector.
class Arena {
public:
  Arena(int64_t capacity, int64_t align) : capacity(capacity), align(align) {
    free.push_back({0, capacity});
  }
  /// An address for `size` bytes (rounded up to the alignment) at or after
  /// the end of the last allocation, wrapping around to the start; none
  /// when no free block holds it.
  std::optional<int64_t> allocate(int64_t size);
  /// Frees what allocate(size) returned at `start`.
  void release(int64_t start, int64_t size);

  /// Bytes allocated.
  int64_t used = 0;
  int64_t capacity;

private:
  struct Block {
    int64_t start, size;
  };
  /// allocate(), in a block ending after `from`, at or after `from`.
  std::optional<int64_t> allocateFrom(int64_t from, int64_t size);
  /// The index of the first block starting after `at`.
  size_t firstAfter(int64_t at) const;

  int64_t align;
  int64_t cursor = 0;
  std::vector<Block> free; // sorted by start, never adjacent
};

} // namespace backend
} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_LIB_TARGET_NKITONISA_ARENA_H
