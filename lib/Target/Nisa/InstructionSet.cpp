//===- InstructionSet.cpp - spellings and opcode tables -------------------===//
//
// Every table here is expanded from InstructionSet.def; the static_asserts
// check that each has one entry per enumerator and that the lists keep the
// shape the code relies on.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Target/Nisa/InstructionSet.h"

#include "llvm/ADT/SmallVector.h"

#include <cstring>
#include <iterator>

using namespace nisa;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Spellings
//===----------------------------------------------------------------------===//

namespace {
constexpr const char *kDTypeNames[] = {
#define NISA_DTYPE(Name, Bytes) #Name,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
constexpr int64_t kDTypeBytes[] = {
#define NISA_DTYPE(Name, Bytes) Bytes,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
constexpr const char *kSpaceNames[] = {
#define NISA_SPACE(Name) #Name,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
constexpr const char *kQueueNames[] = {
#define NISA_QUEUE(Name, Spelling, Engine) Spelling,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
constexpr const char *kEngineNames[] = {
#define NISA_QUEUE(Name, Spelling, Engine) Engine,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
constexpr const char *kAluNames[] = {
#define NISA_ALU(Name) #Name,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
constexpr const char *kActNames[] = {
#define NISA_ACT(Name) #Name,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
constexpr const char *kFieldNames[] = {
#define NISA_FIELD(Name, Slot) #Name,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
constexpr FieldSlot kFieldSlots[] = {
#define NISA_FIELD(Name, Slot) FieldSlot::Slot,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
constexpr const char *kOpcodeNames[] = {
#define NISA_OPCODE(Name, Queues, Shape, Legend, Colour) #Name,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
} // namespace

static_assert(std::size(kDTypeNames) == kNumDTypes, "a name per DType");
static_assert(std::size(kDTypeBytes) == kNumDTypes, "a size per DType");
static_assert(std::size(kSpaceNames) == kNumSpaces, "a name per Space");
static_assert(std::size(kQueueNames) == kNumQueues, "a name per Queue");
static_assert(std::size(kEngineNames) == kNumQueues, "an engine per Queue");
static_assert(std::size(kAluNames) == kNumAlus, "a name per Alu");
static_assert(std::size(kActNames) == kNumActs, "a name per Act");
static_assert(std::size(kFieldNames) == kNumFields, "a name per Field");
static_assert(std::size(kFieldSlots) == kNumFields, "a slot per Field");
static_assert(std::size(kOpcodeNames) == kNumOpcodes, "a name per Opcode");

/// isDmaQueue() is a comparison: the engines must come first.
static constexpr bool enginesFirst() {
  for (int q = 0; q < kNumQueues; ++q)
    if ((kEngineNames[q][0] == '\0') != (q >= int(Queue::io0)))
      return false;
  return true;
}
static_assert(enginesFirst(), "InstructionSet.def: engine queues, then DMA");

StringRef nisa::stringify(DType d) { return kDTypeNames[int(d)]; }
StringRef nisa::stringify(Space s) { return kSpaceNames[int(s)]; }
StringRef nisa::stringify(Queue q) { return kQueueNames[int(q)]; }
StringRef nisa::stringify(Alu a) { return kAluNames[int(a)]; }
StringRef nisa::stringify(Act a) { return kActNames[int(a)]; }
StringRef nisa::stringify(Field f) { return kFieldNames[int(f)]; }
StringRef nisa::stringify(Opcode o) { return kOpcodeNames[int(o)]; }
StringRef nisa::engineName(Queue q) { return kEngineNames[int(q)]; }
int64_t nisa::elementBytes(DType d) { return kDTypeBytes[int(d)]; }
FieldSlot nisa::slotOf(Field f) { return kFieldSlots[int(f)]; }

namespace {
/// A table of spellings, looked up by hash (the parser looks up every word
/// of a stream): a word of up to 16 characters is two integers, compared
/// at once; longer spellings are compared as strings.
template <size_t N> class Spellings {
public:
  explicit Spellings(const char *const (&names)[N]) {
    for (int16_t &slot : slots)
      slot = -1;
    for (size_t i = 0; i < N; ++i) {
      StringRef name = names[i];
      refs[i] = name;
      if (name.size() > 16) {
        longOnes.push_back(i);
        continue;
      }
      keys[i] = keyOf(name);
      size_t s = slotOf(keys[i]);
      while (slots[s] >= 0)
        s = (s + 1) & (kSlots - 1);
      slots[s] = int16_t(i);
    }
  }
  template <typename E> std::optional<E> lookup(StringRef name) const {
    if (name.size() > 16) {
      for (size_t i : longOnes)
        if (refs[i] == name)
          return static_cast<E>(i);
      return std::nullopt;
    }
    Key key = keyOf(name);
    for (size_t s = slotOf(key); slots[s] >= 0; s = (s + 1) & (kSlots - 1))
      if (keys[size_t(slots[s])] == key)
        return static_cast<E>(slots[s]);
    return std::nullopt;
  }

private:
  struct Key {
    uint64_t lo = 0, hi = 0, size = 0;
    bool operator==(const Key &o) const {
      return lo == o.lo && hi == o.hi && size == o.size;
    }
  };
  static Key keyOf(StringRef name) {
    // Byte by byte: spellings are short, and a call to memcpy costs more.
    Key k;
    size_t n = name.size();
    for (size_t i = 0; i < n && i < 8; ++i)
      k.lo |= uint64_t(uint8_t(name[i])) << (8 * i);
    for (size_t i = 8; i < n; ++i)
      k.hi |= uint64_t(uint8_t(name[i])) << (8 * (i - 8));
    k.size = n;
    return k;
  }
  /// A power of two, at least four times the spellings.
  static constexpr size_t kSlots = [] {
    size_t n = 64;
    while (n < 4 * N)
      n *= 2;
    return n;
  }();
  static size_t slotOf(const Key &k) {
    uint64_t h = (k.lo ^ (k.hi * 0x9e3779b97f4a7c15ull) ^ k.size) *
                 0xff51afd7ed558ccdull;
    return size_t(h >> 40) & (kSlots - 1);
  }
  StringRef refs[N];
  Key keys[N];
  int16_t slots[kSlots];
  llvm::SmallVector<size_t, 2> longOnes;
};
template <size_t N> Spellings(const char *const (&)[N]) -> Spellings<N>;
} // namespace

std::optional<DType> nisa::symbolizeDType(StringRef name) {
  static const Spellings spellings(kDTypeNames);
  return spellings.lookup<DType>(name);
}
std::optional<Queue> nisa::symbolizeQueue(StringRef name) {
  static const Spellings spellings(kQueueNames);
  return spellings.lookup<Queue>(name);
}
std::optional<Alu> nisa::symbolizeAlu(StringRef name) {
  static const Spellings spellings(kAluNames);
  return spellings.lookup<Alu>(name);
}
std::optional<Act> nisa::symbolizeAct(StringRef name) {
  static const Spellings spellings(kActNames);
  return spellings.lookup<Act>(name);
}
std::optional<Field> nisa::symbolizeField(StringRef name) {
  static const Spellings spellings(kFieldNames);
  return spellings.lookup<Field>(name);
}
std::optional<Opcode> nisa::symbolizeOpcode(StringRef name) {
  static const Spellings spellings(kOpcodeNames);
  return spellings.lookup<Opcode>(name);
}

//===----------------------------------------------------------------------===//
// Opcodes
//===----------------------------------------------------------------------===//

namespace {
/// Every NISA_OPERAND, in order, and the opcode it belongs to.
constexpr Operand kOperands[] = {
#define NISA_OPERAND(O, F, Use) {Field::F, OperandUse::Use},
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
constexpr Opcode kOperandOpcodes[] = {
#define NISA_OPERAND(O, F, Use) Opcode::O,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
constexpr int kNumOperands = int(std::size(kOperands));

struct OperandRange {
  int begin = 0, count = 0;
};
/// Each opcode's entries in kOperands.
struct OperandRanges {
  OperandRange of[kNumOpcodes];
};
constexpr OperandRanges operandRanges() {
  OperandRanges r{};
  for (int i = kNumOperands - 1; i >= 0; --i) {
    OperandRange &range = r.of[int(kOperandOpcodes[i])];
    range.begin = i;
    ++range.count;
  }
  return r;
}
constexpr OperandRanges kOperandRanges = operandRanges();

/// The parser, the printer and the validator rely on this shape of the
/// lists: an opcode's operands are one run of entries, each field at most
/// once, at most one pair of Paired fields, and never the fields every
/// line has (wait, sig, loc).
constexpr bool operandsWellFormed() {
  for (int o = 0; o < kNumOpcodes; ++o) {
    OperandRange range = kOperandRanges.of[o];
    int paired = 0;
    for (int i = range.begin; i < range.begin + range.count; ++i) {
      if (int(kOperandOpcodes[i]) != o)
        return false; // not one run
      FieldSlot slot = kFieldSlots[int(kOperands[i].field)];
      if (slot == FieldSlot::Wait || slot == FieldSlot::Sig ||
          slot == FieldSlot::Loc)
        return false;
      paired += kOperands[i].use == OperandUse::Paired;
      for (int j = range.begin; j < i; ++j)
        if (kOperands[j].field == kOperands[i].field)
          return false;
    }
    if (paired != 0 && paired != 2)
      return false;
  }
  return true;
}
static_assert(operandsWellFormed(),
              "InstructionSet.def: each opcode's NISA_OPERANDs together, "
              "each field once, Paired fields in twos");

const OpcodeInfo kOpcodeInfos[] = {
#define NISA_OPCODE(Name, Queues, Shape, Legend, Colour)                       \
  {Queues, OperandShape::Shape,                                                \
   llvm::ArrayRef<Operand>(                                                    \
       kOperands + kOperandRanges.of[int(Opcode::Name)].begin,                 \
       size_t(kOperandRanges.of[int(Opcode::Name)].count)),                    \
   Legend, Colour},
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
static_assert(std::size(kOpcodeInfos) == kNumOpcodes, "an entry per Opcode");
} // namespace

const OpcodeInfo &nisa::getOpcodeInfo(Opcode o) { return kOpcodeInfos[int(o)]; }
