//===- Arena.cpp - next-fit free space of one on-chip memory --------------===//

#include "Arena.h"

#include <algorithm>

using namespace mlir::nki::backend;

std::optional<int64_t> Arena::allocate(int64_t size) {
  size = (size + align - 1) / align * align;
  if (auto a = allocateFrom(cursor, size))
    return a;
  return allocateFrom(0, size);
}

std::optional<int64_t> Arena::allocateFrom(int64_t from, int64_t size) {
  // Blocks that end before `from` cannot hold it: start at the block
  // holding `from`, if any.
  size_t k = firstAfter(from);
  if (k > 0)
    --k;
  for (; k < free.size(); ++k) {
    Block block = free[k];
    int64_t start = std::max(block.start, from);
    start = (start + align - 1) / align * align;
    int64_t end = block.start + block.size;
    if (start + size > end)
      continue;
    // Replace the block by what is left of it on either side.
    bool before = start > block.start, after = start + size < end;
    if (before && after) {
      free[k].size = start - block.start;
      free.insert(free.begin() + k + 1, {start + size, end - (start + size)});
    } else if (before) {
      free[k].size = start - block.start;
    } else if (after) {
      free[k] = {start + size, end - (start + size)};
    } else {
      free.erase(free.begin() + k);
    }
    cursor = start + size;
    used += size;
    return start;
  }
  return std::nullopt;
}

void Arena::release(int64_t start, int64_t size) {
  size = (size + align - 1) / align * align;
  used -= size;
  size_t next = firstAfter(start); // the first block after the range
  int64_t s = start, e = start + size;
  if (next < free.size() && free[next].start == e) {
    e += free[next].size;
    free.erase(free.begin() + next);
  }
  if (next > 0 && free[next - 1].start + free[next - 1].size == s) {
    free[next - 1].size = e - free[next - 1].start;
    return;
  }
  free.insert(free.begin() + next, {s, e - s});
}

size_t Arena::firstAfter(int64_t at) const {
  return size_t(
      std::upper_bound(free.begin(), free.end(), at,
                       [](int64_t v, const Block &b) { return v < b.start; }) -
      free.begin());
}
