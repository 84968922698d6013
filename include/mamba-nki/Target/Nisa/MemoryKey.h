//===- MemoryKey.h - the memories hazards are tracked in --------*- C++ -*-===//
//
// The backend's synchroniser and the interpreter's race detector track
// accesses per memory and byte range. A memory is a small integer key: SBUF,
// PSUM, the scratch area, then one per HBM tensor. Partitions are not
// distinguished (conservative: two accesses to the same bytes of different
// partitions count as overlapping).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_TARGET_NISA_MEMORYKEY_H
#define MAMBA_NKI_TARGET_NISA_MEMORYKEY_H

#include <cstddef>
#include <cstdint>

namespace nisa {

/// The keys: sbuf 0, psum 1, scratch 2, HBM tensor t 3 + t.
enum MemoryKey : int {
  kSbufKey = 0,
  kPsumKey = 1,
  kScratchKey = 2,
  kFirstTensorKey = 3,
};
/// The key of HBM tensor `tensor` (an index into Program::tensors).
constexpr int tensorKey(int tensor) { return kFirstTensorKey + tensor; }
/// The HBM tensor of a key >= kFirstTensorKey.
constexpr int keyTensor(int key) { return key - kFirstTensorKey; }
/// How many keys a stream with `numTensors` HBM tensors has.
constexpr size_t numMemoryKeys(size_t numTensors) {
  return size_t(kFirstTensorKey) + numTensors;
}

/// The memory an access pattern touches, as a key and a byte range
/// (nisa::byteRange in Program.h).
struct ByteRange {
  int key;
  int64_t start, end;
};

} // namespace nisa

#endif // MAMBA_NKI_TARGET_NISA_MEMORYKEY_H
