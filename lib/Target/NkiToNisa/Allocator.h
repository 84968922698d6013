//===- Allocator.h - SBUF/PSUM addresses and spills from records --*- C++
//-*-===//
//
// Private to the backend. Works on the records alone (Recorder.h): gives
// every allocation unit an SBUF or PSUM address for each instruction that
// uses it; when SBUF is full, spills the resident unit used furthest in the
// future (Belady) to an HBM scratch area, to be reloaded before its next
// use. The result is an address per record and a list of spill events that
// the streamer turns into DMAs on the spill queue. After an allocation that
// spilled, chooseSpillWindows() picks the buffers to allocate again in
// windows.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_TARGET_NKITONISA_ALLOCATOR_H
#define MAMBA_NKI_LIB_TARGET_NKITONISA_ALLOCATOR_H

#include "Arena.h"
#include "Recorder.h"

#include "mlir/IR/Diagnostics.h"

#include <functional>
#include <map>
#include <optional>

namespace mlir {
namespace nki {
namespace backend {

/// Spilled buffers are re-allocated in windows of at least this many bytes
/// per partition (a PSUM bank's worth: 512 f32).
constexpr int64_t kMinWindowBytes = 2048;

/// An allocation unit: a buffer instance, or one piece (block or window) of
/// one.
struct Unit {
  int64_t bytes;        // per partition
  int64_t scratch = -1; // byte offset of its spill slot
  int32_t buffer;
  int32_t address = -1;
  uint32_t next = kNever; // the next instruction that uses it
  bool dirty = false;     // written since it was last saved
  bool saved = false;     // its scratch slot holds its data
};

/// A spill DMA to insert before instruction `at`: save `unit` from
/// `address` to its scratch slot, or reload it there.
struct SpillEvent {
  uint32_t at;
  uint32_t unit;
  int32_t address;
  bool save;
};

class Allocator {
public:
  /// `opOfInstruction` names the op an error at an instruction is reported
  /// on (Unroller::opOfInstruction).
  Allocator(BufferTable &buffers, Records &records, std::vector<Unit> &units,
            ChunkedVector<SpillEvent> &events, nisa::Program &header,
            std::function<Operation *(uint64_t)> opOfInstruction);

  /// Turns records into units and next uses, then allocates: every record
  /// gets its unit's address at that instruction, spills become events,
  /// and the header gets the peaks and the scratch size.
  LogicalResult run();

private:
  /// Makes the units of every buffer instance, and records name units.
  void makeUnits();
  /// Second record words: the next instruction using the record's unit.
  void linkNextUses();
  /// Places the units of instruction `at` (largest first); frees those
  /// not used again.
  LogicalResult allocateInstruction(uint64_t at, size_t begin, size_t end);
  /// Gives unit `unit` an address at instruction `at`, spilling others but
  /// not `pinned` (the instruction's units); sets `compacted` when it had
  /// to move pinned units out.
  LogicalResult makeResident(uint32_t unit, uint32_t at,
                             ArrayRef<uint32_t> pinned, bool &compacted);
  /// The resident SBUF unit, not pinned, whose next use is furthest away
  /// (Belady); none when only pinned units are resident.
  std::optional<uint32_t> chooseVictim(ArrayRef<uint32_t> pinned) const;
  /// SBUF has room for `unit` only fragmented by the instruction's own
  /// operands: spills every other resident unit, so that the caller places
  /// them again, largest first.
  LogicalResult compact(uint32_t unit, uint32_t at, ArrayRef<uint32_t> pinned);
  /// Moves `unit` out of SBUF before instruction `at`, saving it when it
  /// holds data that scratch does not.
  void spill(uint32_t unit, uint32_t at);
  /// A scratch slot of `bytes`: the best fitting slot of a dead unit, or
  /// new space at the top.
  int64_t allocateScratch(int64_t bytes);
  const BufferType &typeOf(const Unit &u) const {
    return buffers.typeOf(buffers.buffers[u.buffer]);
  }
  int64_t unitCount(const Buffer &b) const {
    int64_t rowElems = buffers.typeOf(b).rowElems;
    return b.inPieces() ? (rowElems + b.unitElems - 1) / b.unitElems : 1;
  }
  InFlightDiagnostic emitError(uint64_t at, const Twine &message) {
    return opOfInstruction(at)->emitError(message);
  }

  BufferTable &buffers;
  Records &records;
  std::vector<Unit> &units;
  ChunkedVector<SpillEvent> &events;
  nisa::Program &header;
  std::function<Operation *(uint64_t)> opOfInstruction;
  std::vector<uint32_t> resident; // sbuf units in memory
  Arena sbuf, psum;
  int64_t scratchTop = 0;
  std::multimap<int64_t, int64_t> freeScratch; // size -> offset
};

/// After an allocation that spilled (`events`): makes windowed every
/// spilled buffer instance, not already in pieces, whose accesses that the
/// backend cannot split each stay within one aligned power-of-two window of
/// at least kMinWindowBytes per partition, smaller than its row
/// (Buffer::windowed, Buffer::unitElems = the window). Returns them in the
/// order they first spilled.
SmallVector<int32_t>
chooseSpillWindows(BufferTable &buffers, const std::vector<Unit> &units,
                   const ChunkedVector<SpillEvent> &events);

} // namespace backend
} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_LIB_TARGET_NKITONISA_ALLOCATOR_H
