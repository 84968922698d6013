//===- InstructionList.cpp - a stream's instructions, held compactly ------===//
//
// An instruction is a fixed Record: its enums, flags, semaphore and
// location, and its six access patterns as indices into `patterns` (each
// distinct pattern once; 0 is the default pattern, which stands for an
// operand the instruction does not have). What varies in length or is
// rare goes to `pool`, from Record::pool on: the wait count when it does
// not fit in the flags, each wait as (queue, value), then `value`,
// `scalar0.value` and `scalar1.value` when they are not +0.0f (as bits),
// and the loop context when there is one.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Target/Nisa/Program.h"

#include "llvm/Support/ErrorHandling.h"

#include <algorithm>
#include <atomic>
#include <cstring>

using namespace nisa;

namespace {
enum : uint16_t {
  kFlagHasOp1 = 1 << 0,
  kFlagRev0 = 1 << 1,
  kFlagRev1 = 1 << 2,
  kFlagHasBias = 1 << 3,
  kFlagImm0 = 1 << 4,
  kFlagImm1 = 1 << 5,
  kFlagValue = 1 << 6,
  kFlagValue0 = 1 << 7,
  kFlagValue1 = 1 << 8,
  // Bits 9..12: the wait count, kManyWaits: the count is in the pool.
  kWaitShift = 9,
  kWaitMask = 15 << kWaitShift,
  kManyWaits = 15,
  // Bit 13: a loop context, in the pool after the floats.
  kFlagCtx = 1 << 13,
};

uint32_t bitsOf(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  return bits;
}
float floatOf(uint32_t bits) {
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

/// Every field of a pattern, packed: two patterns are equal (operator==)
/// exactly when their keys are.
struct PatternKey {
  explicit PatternKey(const AccessPattern &a)
      : words{uint64_t(uint8_t(a.space)) | uint64_t(uint8_t(a.dtype)) << 8 |
                  uint64_t(a.rank) << 16 | uint64_t(uint16_t(a.tensor)) << 32,
              uint64_t(uint32_t(a.partStart)) | uint64_t(uint32_t(a.partCount))
                                                    << 32,
              uint64_t(a.partStride),
              uint64_t(a.offset),
              uint64_t(uint32_t(a.sizes[0])) | uint64_t(uint32_t(a.sizes[1]))
                                                   << 32,
              uint64_t(uint32_t(a.sizes[2])) | uint64_t(uint32_t(a.strides[0]))
                                                   << 32,
              uint64_t(uint32_t(a.strides[1])) |
                  uint64_t(uint32_t(a.strides[2])) << 32} {}
  bool operator==(const PatternKey &o) const {
    uint64_t diff = 0;
    for (int i = 0; i < 7; ++i)
      diff |= words[i] ^ o.words[i];
    return diff == 0;
  }
  uint64_t hash() const {
    // Independent products (no chain through the words), then mixed.
    uint64_t h =
        words[0] * 0x9e3779b97f4a7c15ull ^ words[1] * 0xc2b2ae3d27d4eb4full ^
        words[2] * 0x165667b19e3779f9ull ^ words[3] * 0xd6e8feb86659fd93ull ^
        words[4] * 0xff51afd7ed558ccdull ^ words[5] * 0xc4ceb9fe1a85ec53ull ^
        words[6] * 0x94d049bb133111ebull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
  }
  uint64_t words[7];
};
static_assert(kMaxFreeDims == 3, "PatternKey packs three free dims");
} // namespace

/// Each distinct pattern's index in the table: open addressing over
/// `slots` (index + 1, 0 for none), a power of two at most half full, with
/// each pattern's key.
struct InstructionList::PatternIndex {
  explicit PatternIndex(const std::vector<AccessPattern> &table) {
    for (const AccessPattern &ap : table)
      find(PatternKey(ap), uint32_t(keys.size()));
  }
  /// The index of the pattern with `key`, or `next` (which the caller
  /// appends to the table) if there is none.
  uint32_t find(const PatternKey &key, uint32_t next) {
    if (2 * (keys.size() + 1) > slots.size())
      grow();
    size_t mask = slots.size() - 1;
    for (size_t s = size_t(key.hash()) & mask;; s = (s + 1) & mask) {
      if (!slots[s]) {
        slots[s] = next + 1;
        keys.push_back(key);
        return next;
      }
      if (keys[slots[s] - 1] == key)
        return slots[s] - 1;
    }
  }
  void grow() {
    slots.assign(std::max<size_t>(64, 2 * slots.size()), 0);
    size_t mask = slots.size() - 1;
    for (uint32_t i = 0; i < keys.size(); ++i) {
      size_t s = size_t(keys[i].hash()) & mask;
      while (slots[s])
        s = (s + 1) & mask;
      slots[s] = i + 1;
    }
  }
  std::vector<uint32_t> slots;
  std::vector<PatternKey> keys; // of each pattern in the table
};

static uint64_t newGeneration() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

InstructionList::InstructionList()
    : generation(newGeneration()), patterns{AccessPattern()} {}

InstructionList::InstructionList(const std::vector<Instruction> &instructions)
    : InstructionList() {
  for (const Instruction &in : instructions)
    push_back(in);
}

InstructionList::InstructionList(const InstructionList &other)
    : InstructionList() {
  *this = other;
}

InstructionList::InstructionList(InstructionList &&other) noexcept
    : InstructionList() {
  *this = std::move(other);
}

InstructionList &InstructionList::operator=(const InstructionList &other) {
  if (this == &other)
    return *this;
  count = other.count;
  blocks.clear();
  constexpr size_t perBlock = size_t(1) << kBlockShift;
  for (const std::unique_ptr<Record[]> &b : other.blocks) {
    blocks.emplace_back(new Record[perBlock]);
    std::memcpy(blocks.back().get(), b.get(), perBlock * sizeof(Record));
  }
  pool = other.pool;
  patterns = other.patterns;
  index.reset();
  generation = newGeneration();
  return *this;
}

InstructionList &InstructionList::operator=(InstructionList &&other) noexcept {
  if (this == &other)
    return *this;
  // The records move, and their generation with them.
  generation = other.generation;
  count = other.count;
  blocks = std::move(other.blocks);
  pool = std::move(other.pool);
  patterns = std::move(other.patterns);
  index = std::move(other.index);
  other.clear();
  return *this;
}

InstructionList::~InstructionList() = default;

void InstructionList::clear() {
  generation = newGeneration();
  count = 0;
  blocks.clear();
  pool.clear();
  patterns.assign(1, AccessPattern());
  index.reset();
}

uint32_t InstructionList::intern(const AccessPattern &ap) {
  static const PatternKey kDefault{AccessPattern()};
  PatternKey key(ap);
  if (key == kDefault)
    return 0;
  if (!index)
    index = std::make_unique<PatternIndex>(patterns);
  if (patterns.size() > UINT32_MAX)
    llvm::report_fatal_error("nisa::InstructionList: more than 2^32 "
                             "distinct access patterns");
  uint32_t next = uint32_t(patterns.size());
  uint32_t found = index->find(key, next);
  if (found == next)
    patterns.push_back(ap);
  return found;
}

void InstructionList::push_back(const Instruction &in) {
  constexpr size_t perBlock = size_t(1) << kBlockShift;
  if (count == blocks.size() * perBlock)
    blocks.emplace_back(new Record[perBlock]);
  Record &r = blocks.back()[count & (perBlock - 1)];
  r.queue = uint8_t(in.queue);
  r.opcode = uint8_t(in.opcode);
  r.func = uint8_t(in.func);
  r.op0 = uint8_t(in.op0);
  r.op1 = uint8_t(in.op1);
  r.numSrcs = in.numSrcs;
  r.signal = in.signal;
  r.loc = in.loc;
  r.patterns[0] = intern(in.dst);
  r.patterns[1] = intern(in.src0);
  r.patterns[2] = intern(in.src1);
  r.patterns[3] = intern(in.scalar0.ap);
  r.patterns[4] = intern(in.scalar1.ap);
  r.patterns[5] = intern(in.bias);

  uint16_t flags = 0;
  if (in.hasOp1)
    flags |= kFlagHasOp1;
  if (in.rev0)
    flags |= kFlagRev0;
  if (in.rev1)
    flags |= kFlagRev1;
  if (in.hasBias)
    flags |= kFlagHasBias;
  if (in.scalar0.isImmediate)
    flags |= kFlagImm0;
  if (in.scalar1.isImmediate)
    flags |= kFlagImm1;
  uint32_t v = bitsOf(in.value), v0 = bitsOf(in.scalar0.value),
           v1 = bitsOf(in.scalar1.value);
  if (v)
    flags |= kFlagValue;
  if (v0)
    flags |= kFlagValue0;
  if (v1)
    flags |= kFlagValue1;
  size_t waits = in.waits.size();
  if (pool.size() + 2 * waits + 5 > UINT32_MAX)
    llvm::report_fatal_error("nisa::InstructionList: more than 2^32 words "
                             "of waits and immediates");
  r.pool = uint32_t(pool.size());
  if (waits < kManyWaits) {
    flags |= uint16_t(waits << kWaitShift);
  } else {
    flags |= uint16_t(kManyWaits << kWaitShift);
    pool.push_back(uint32_t(waits));
  }
  for (const Wait &w : in.waits) {
    pool.push_back(uint32_t(w.queue));
    pool.push_back(w.value);
  }
  if (v)
    pool.push_back(v);
  if (v0)
    pool.push_back(v0);
  if (v1)
    pool.push_back(v1);
  if (in.ctx) {
    flags |= kFlagCtx;
    pool.push_back(in.ctx);
  }
  r.flags = flags;
  ++count;
}

/// Sets the fields of `in` from record `r`; `fresh`: `in` is a default
/// Instruction, so that the fields at their default need not be written.
template <bool fresh>
static inline void decodeRecord(const InstructionList::Record &r,
                                const AccessPattern *table,
                                const uint32_t *pool, Instruction &in) {
  in.queue = Queue(r.queue);
  in.opcode = Opcode(r.opcode);
  in.func = Act(r.func);
  in.op0 = Alu(r.op0);
  in.op1 = Alu(r.op1);
  in.numSrcs = r.numSrcs;
  in.signal = r.signal;
  in.loc = r.loc;
  auto pattern = [&](uint32_t index, AccessPattern &out) {
    if (!fresh || index)
      out = table[index];
  };
  pattern(r.patterns[0], in.dst);
  pattern(r.patterns[1], in.src0);
  pattern(r.patterns[2], in.src1);
  pattern(r.patterns[3], in.scalar0.ap);
  pattern(r.patterns[4], in.scalar1.ap);
  pattern(r.patterns[5], in.bias);
  uint16_t flags = r.flags;
  in.hasOp1 = flags & kFlagHasOp1;
  in.rev0 = flags & kFlagRev0;
  in.rev1 = flags & kFlagRev1;
  in.hasBias = flags & kFlagHasBias;
  in.scalar0.isImmediate = flags & kFlagImm0;
  in.scalar1.isImmediate = flags & kFlagImm1;
  const uint32_t *p = pool + r.pool;
  size_t waits = (flags & kWaitMask) >> kWaitShift;
  if (waits == kManyWaits)
    waits = *p++;
  if (!fresh || waits) {
    in.waits.resize(waits);
    for (size_t k = 0; k < waits; ++k, p += 2) {
      in.waits[k].queue = Queue(p[0]);
      in.waits[k].value = p[1];
    }
  }
  if (!fresh || (flags & (kFlagValue | kFlagValue0 | kFlagValue1))) {
    in.value = flags & kFlagValue ? floatOf(*p++) : 0.0f;
    in.scalar0.value = flags & kFlagValue0 ? floatOf(*p++) : 0.0f;
    in.scalar1.value = flags & kFlagValue1 ? floatOf(*p++) : 0.0f;
  }
  if (!fresh || (flags & kFlagCtx))
    in.ctx = flags & kFlagCtx ? *p : 0;
}

const Instruction &InstructionList::decodeCached(size_t i) const {
  CachedInstruction &slot = cacheSlot(i);
  // Instruction is trivially destructible: the slot's last one need not
  // be destroyed.
  static_assert(std::is_trivially_destructible_v<Instruction>);
  // Copied from a default instruction (a few wide stores) rather than
  // constructed (a store per field).
  static const Instruction kDefault;
  Instruction *in = new (slot.bytes) Instruction(kDefault);
  decodeRecord<true>(record(i), patterns.data(), pool.data(), *in);
  slot.generation = generation;
  slot.index = i;
  return *in;
}

void InstructionList::decode(size_t i, Instruction &in) const {
  decodeRecord<false>(record(i), patterns.data(), pool.data(), in);
}

size_t InstructionList::memoryBytes() const {
  size_t bytes = blocks.size() * (sizeof(Record) << kBlockShift) +
                 blocks.capacity() * sizeof(blocks[0]) +
                 pool.capacity() * sizeof(uint32_t) +
                 patterns.capacity() * sizeof(AccessPattern);
  if (index)
    bytes += index->slots.capacity() * sizeof(uint32_t) +
             index->keys.capacity() * sizeof(PatternKey);
  return bytes;
}
