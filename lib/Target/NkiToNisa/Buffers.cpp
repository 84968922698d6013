//===- Buffers.cpp - the buffer types and instances of a translation ------===//

#include "Buffers.h"

using namespace mlir::nki::backend;

int32_t BufferTable::typeFor(nisa::Space space, nisa::DType dtype,
                             llvm::ArrayRef<int64_t> shape) {
  BufferType t;
  t.space = space;
  t.dtype = dtype;
  t.partitions = shape[0];
  t.rowElems = 1;
  for (int64_t d : shape.drop_front())
    t.rowElems *= d;
  if (shape.size() >= 3 && shape[1] > 0 && t.rowElems / shape[1] > 0) {
    t.blocks = shape[1];
    t.blockElems = t.rowElems / shape[1];
  }
  auto key = std::make_tuple(int(space), int(dtype), t.partitions, t.rowElems,
                             t.blocks);
  auto [it, inserted] = typeIndex.try_emplace(key, int32_t(types.size()));
  if (inserted)
    types.push_back(t);
  return it->second;
}
