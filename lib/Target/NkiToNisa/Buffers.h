//===- Buffers.h - the buffer types and instances of a translation -*- C++
//-*-===//
//
// Private to the backend. The unroller makes a buffer instance for every
// executed nki.alloc (and for the temporaries it adds); the recorder decides
// how each instance is cut into allocation units; the allocator places the
// units in SBUF and PSUM.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_TARGET_NKITONISA_BUFFERS_H
#define MAMBA_NKI_LIB_TARGET_NKITONISA_BUFFERS_H

#include "ChunkedVector.h"

#include "mamba-nki/Target/Nisa/Program.h"
#include "llvm/ADT/ArrayRef.h"

#include <map>
#include <tuple>
#include <vector>

namespace mlir {
namespace nki {
namespace backend {

/// What one allocation holds: an nki.alloc's type, or a temporary the
/// backend adds (a broadcast's PSUM chunk, the ones row).
struct BufferType {
  nisa::Space space;
  nisa::DType dtype;
  int64_t partitions;
  int64_t rowElems;   // elements per partition
  int64_t blocks = 0; // [P, blocks, ...] buffers (rank >= 3): dim 1
  int64_t blockElems = 0;
};

/// A buffer instance: one execution of an allocation.
struct Buffer {
  int32_t type;
  int32_t firstUnit = -1;
  /// The step that made it (an nki.alloc, or the op needing a temporary).
  int32_t origin = -1;
  /// Allocated window by window: a DMA or memset that crosses windows is
  /// split at their boundaries.
  bool windowed = false;
  /// Elements per partition of each allocation unit when the instance is
  /// allocated in pieces: the blocks of a [P, blocks, ...] buffer while
  /// every access stays within one block, or windows (below); 0: whole.
  int64_t unitElems = 0;
  /// The smallest power-of-two window (elements per partition) such that
  /// every access the backend cannot split stays within one aligned window;
  /// 0 while no access constrains it.
  int64_t window = 0;
  bool inPieces() const { return unitElems > 0; }
};
static_assert(sizeof(Buffer) == 32, "one per buffer instance: keep it small");

/// The buffer types (interned) and instances of one translation.
class BufferTable {
public:
  /// The index of the type of a `shape` buffer in `space`: shape[0] is the
  /// partition dim; a buffer of rank >= 3 has shape[1] blocks.
  int32_t typeFor(nisa::Space space, nisa::DType dtype,
                  llvm::ArrayRef<int64_t> shape);

  const BufferType &typeOf(const Buffer &b) const { return types[b.type]; }

  std::vector<BufferType> types;
  ChunkedVector<Buffer> buffers;

private:
  std::map<std::tuple<int, int, int64_t, int64_t, int64_t>, int32_t> typeIndex;
};

} // namespace backend
} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_LIB_TARGET_NKITONISA_BUFFERS_H
