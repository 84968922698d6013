//===- Allocator.cpp - SBUF/PSUM addresses and spills from records --------===//

#include "Allocator.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::nki::backend;

Allocator::Allocator(BufferTable &buffers, Records &records,
                     std::vector<Unit> &units,
                     ChunkedVector<SpillEvent> &events, nisa::Program &header,
                     std::function<Operation *(uint64_t)> opOfInstruction)
    : buffers(buffers), records(records), units(units), events(events),
      header(header), opOfInstruction(std::move(opOfInstruction)),
      sbuf(nisa::sbufPartitionBytes(header.target), 64),
      psum(nisa::kPsumPartitionBytes, nisa::kPsumBankBytes) {}

void Allocator::makeUnits() {
  size_t total = 0;
  for (size_t id = 0; id < buffers.buffers.size(); ++id)
    total += size_t(unitCount(buffers.buffers[id]));
  units.reserve(total);
  for (size_t id = 0; id < buffers.buffers.size(); ++id) {
    Buffer &b = buffers.buffers[id];
    const BufferType &t = buffers.typeOf(b);
    b.firstUnit = int32_t(units.size());
    int64_t eb = nisa::elementBytes(t.dtype);
    int64_t count = unitCount(b);
    for (int64_t k = 0; k < count; ++k) {
      Unit u;
      u.buffer = int32_t(id);
      u.bytes = b.inPieces() ? (std::min(t.rowElems, (k + 1) * b.unitElems) -
                                k * b.unitElems) *
                                   eb
                             : t.rowElems * eb;
      units.push_back(u);
    }
  }
  for (size_t r = 0; r < records.unit.size(); ++r) {
    const Buffer &b = buffers.buffers[records.unit[r]];
    records.unit[r] =
        uint32_t(b.firstUnit) + (b.inPieces() ? records.aux[r] : 0);
  }
}

void Allocator::linkNextUses() {
  std::vector<uint32_t> lastSeen(units.size(), kNever);
  size_t end = records.unit.size();
  for (uint64_t i = records.instructions(); i-- > 0;) {
    size_t begin = end - (records.meta[i] & kRecordCountMask);
    for (size_t r = begin; r < end; ++r)
      records.aux[r] = lastSeen[records.unit[r]];
    for (size_t r = begin; r < end; ++r)
      lastSeen[records.unit[r]] = uint32_t(i);
    end = begin;
  }
}

int64_t Allocator::allocateScratch(int64_t bytes) {
  // Best fit among the slots of dead units, the rest of it kept free.
  auto it = freeScratch.lower_bound(bytes);
  if (it == freeScratch.end()) {
    int64_t offset = scratchTop;
    scratchTop += bytes;
    return offset;
  }
  auto [size, offset] = *it;
  freeScratch.erase(it);
  if (size > bytes)
    freeScratch.emplace(size - bytes, offset + bytes);
  return offset;
}

void Allocator::spill(uint32_t id, uint32_t at) {
  Unit &u = units[id];
  // Save only data that scratch does not already hold (a buffer never
  // written holds no data at all).
  if (u.dirty) {
    if (u.scratch < 0)
      u.scratch = allocateScratch(u.bytes * typeOf(u).partitions);
    events.push_back(SpillEvent{at, id, u.address, /*save=*/true});
    u.dirty = false;
    u.saved = true;
  }
  sbuf.release(u.address, u.bytes);
  u.address = -1;
  llvm::erase(resident, id);
}

std::optional<uint32_t>
Allocator::chooseVictim(ArrayRef<uint32_t> pinned) const {
  std::optional<uint32_t> victim;
  uint32_t furthest = 0;
  for (uint32_t r : resident) {
    if (llvm::is_contained(pinned, r))
      continue;
    if (!victim || units[r].next > furthest) {
      victim = r;
      furthest = units[r].next;
    }
  }
  return victim;
}

LogicalResult Allocator::compact(uint32_t id, uint32_t at,
                                 ArrayRef<uint32_t> pinned) {
  SmallVector<uint32_t> others;
  for (uint32_t r : resident)
    if (r != id)
      others.push_back(r);
  int64_t total = units[id].bytes;
  for (uint32_t p : pinned)
    if (p != id && typeOf(units[p]).space == nisa::Space::sbuf)
      total += units[p].bytes;
  if (others.empty() || total > sbuf.capacity)
    return emitError(at, "does not fit in SBUF even with spills: this "
                         "instruction's operands need ")
           << total << " bytes per partition at once; SBUF has "
           << sbuf.capacity;
  for (uint32_t r : others)
    spill(r, at);
  return success();
}

LogicalResult Allocator::makeResident(uint32_t id, uint32_t at,
                                      ArrayRef<uint32_t> pinned,
                                      bool &compacted) {
  Unit &u = units[id];
  if (u.address >= 0)
    return success();
  const BufferType &t = typeOf(u);
  if (t.space == nisa::Space::psum) {
    std::optional<int64_t> addr = psum.allocate(u.bytes);
    if (!addr)
      return emitError(at, "PSUM is full: more than ")
             << nisa::kPsumPartitionBytes / nisa::kPsumBankBytes
             << " banks of PSUM tiles are live at once here";
    u.address = int32_t(*addr);
    header.psumPeakBytes = std::max(header.psumPeakBytes, psum.used);
    return success();
  }
  if (u.bytes > sbuf.capacity)
    return emitError(at, "a buffer of ")
           << u.bytes << " bytes per partition cannot fit SBUF ("
           << sbuf.capacity << " bytes per partition)";
  while (true) {
    if (std::optional<int64_t> addr = sbuf.allocate(u.bytes)) {
      u.address = int32_t(*addr);
      break;
    }
    if (std::optional<uint32_t> victim = chooseVictim(pinned)) {
      spill(*victim, at);
      continue;
    }
    // Only this instruction's own operands are left, and they fragment
    // SBUF: move them out too.
    if (failed(compact(id, at, pinned)))
      return failure();
    compacted = true;
  }
  resident.push_back(id);
  header.sbufPeakBytes = std::max(header.sbufPeakBytes, sbuf.used);
  if (u.saved) // its data lives in scratch: reload it
    events.push_back(SpillEvent{at, id, u.address, /*save=*/false});
  return success();
}

LogicalResult Allocator::allocateInstruction(uint64_t i, size_t begin,
                                             size_t end) {
  SmallVector<uint32_t, kNumRoles> pinned;
  for (size_t r = begin; r < end; ++r) {
    uint32_t unit = records.unit[r];
    units[unit].next = records.aux[r];
    if (!llvm::is_contained(pinned, unit))
      pinned.push_back(unit);
  }
  // Largest first, so that a compaction can place them all (a stable
  // insertion sort: at most kNumRoles units, and no temporary buffer).
  for (size_t k = 1; k < pinned.size(); ++k)
    for (size_t j = k;
         j > 0 && units[pinned[j - 1]].bytes < units[pinned[j]].bytes; --j)
      std::swap(pinned[j - 1], pinned[j]);
  for (int round = 0;; ++round) {
    bool compacted = false;
    for (uint32_t unit : pinned)
      if (failed(makeResident(unit, uint32_t(i), pinned, compacted)))
        return failure();
    if (!compacted)
      break;
    if (round == 2)
      return emitError(i, "internal error: SBUF compaction did not converge");
  }
  for (size_t r = begin; r < end; ++r) {
    Unit &u = units[records.unit[r]];
    records.aux[r] = uint32_t(u.address);
    if (r == begin && (records.meta[i] & kFirstIsWrite))
      u.dirty = true;
  }
  // Free units not used again, and their scratch slots: the spill queue
  // runs in order, so a later save into the slot comes after the unit's
  // last reload from it.
  for (uint32_t unit : pinned) {
    Unit &u = units[unit];
    if (u.next != kNever)
      continue;
    // (u.scratch stays: the streamer reads it for this unit's events.)
    if (u.scratch >= 0)
      freeScratch.emplace(u.bytes * typeOf(u).partitions, u.scratch);
    if (typeOf(u).space == nisa::Space::psum) {
      psum.release(u.address, u.bytes);
    } else {
      sbuf.release(u.address, u.bytes);
      llvm::erase(resident, unit);
    }
    u.address = -1;
  }
  return success();
}

LogicalResult Allocator::run() {
  makeUnits();
  linkNextUses();
  size_t begin = 0;
  for (uint64_t i = 0; i < records.instructions(); ++i) {
    size_t end = begin + (records.meta[i] & kRecordCountMask);
    if (failed(allocateInstruction(i, begin, end)))
      return failure();
    begin = end;
  }
  header.scratchBytes = scratchTop;
  return success();
}

SmallVector<int32_t> mlir::nki::backend::chooseSpillWindows(
    BufferTable &buffers, const std::vector<Unit> &units,
    const ChunkedVector<SpillEvent> &events) {
  SmallVector<int32_t> windowed;
  for (size_t e = 0; e < events.size(); ++e) {
    int32_t id = units[events[e].unit].buffer;
    Buffer &b = buffers.buffers[id];
    const BufferType &t = buffers.typeOf(b);
    if (b.windowed || b.inPieces() || b.window <= 0)
      continue;
    int64_t window = b.window;
    while (window * nisa::elementBytes(t.dtype) < kMinWindowBytes)
      window *= 2;
    if (window >= t.rowElems)
      continue;
    b.windowed = true;
    b.unitElems = window;
    windowed.push_back(id);
  }
  return windowed;
}
