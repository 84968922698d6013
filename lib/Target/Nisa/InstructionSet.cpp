//===- InstructionSet.cpp - spellings and opcode tables -------------------===//
//
// Every table here is expanded from InstructionSet.def; the static_asserts
// check that each has one entry per enumerator and that the lists keep the
// shape the code relies on.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Target/Nisa/InstructionSet.h"

#include "LineReader.h"

#include <array>
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
using detail::kFieldSlots;
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

namespace {
/// A table of spellings, looked up by hash (the parser looks up every word
/// of a stream): by length, first and last character, which pick one
/// spelling or two of every table here, then compared.
template <size_t N> class Spellings {
public:
  explicit Spellings(const char *const (&names)[N]) {
    for (auto &bucket : buckets)
      bucket = {-1, -1};
    for (size_t i = 0; i < N; ++i) {
      refs[i] = names[i];
      auto &bucket = buckets[slotOf(refs[i])];
      if (bucket[0] < 0)
        bucket[0] = int16_t(i);
      else if (bucket[1] < 0)
        bucket[1] = int16_t(i);
      else
        crowded = true; // look everything up one by one
    }
  }
  template <typename E> std::optional<E> lookup(StringRef name) const {
    if (crowded) {
      for (size_t i = 0; i < N; ++i)
        if (refs[i] == name)
          return static_cast<E>(i);
      return std::nullopt;
    }
    for (int16_t i : buckets[slotOf(name)])
      if (i >= 0 && sameShortWord(refs[size_t(i)], name))
        return static_cast<E>(i);
    return std::nullopt;
  }

private:
  static constexpr size_t kSlots = 256;
  static size_t slotOf(StringRef name) {
    if (name.empty())
      return 0;
    return (size_t(uint8_t(name.front())) * 7 +
            size_t(uint8_t(name.back())) * 31 + name.size() * 17) %
           kSlots;
  }
  StringRef refs[N];
  std::array<int16_t, 2> buckets[kSlots];
  bool crowded = false;
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
          slot == FieldSlot::Ctx || slot == FieldSlot::Loc)
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
