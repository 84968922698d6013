//===- InstructionSet.cpp - spellings and opcode tables -------------------===//
//
// Every table here is expanded from InstructionSet.def; the static_asserts
// check that each has one entry per enumerator and that the lists keep the
// shape the code relies on.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Target/Nisa/InstructionSet.h"

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

template <typename E, size_t N>
static std::optional<E> lookup(const char *const (&names)[N], StringRef name) {
  for (size_t i = 0; i < N; ++i)
    if (name == names[i])
      return static_cast<E>(i);
  return std::nullopt;
}

std::optional<DType> nisa::symbolizeDType(StringRef name) {
  return lookup<DType>(kDTypeNames, name);
}
std::optional<Queue> nisa::symbolizeQueue(StringRef name) {
  return lookup<Queue>(kQueueNames, name);
}
std::optional<Alu> nisa::symbolizeAlu(StringRef name) {
  return lookup<Alu>(kAluNames, name);
}
std::optional<Act> nisa::symbolizeAct(StringRef name) {
  return lookup<Act>(kActNames, name);
}
std::optional<Field> nisa::symbolizeField(StringRef name) {
  return lookup<Field>(kFieldNames, name);
}
std::optional<Opcode> nisa::symbolizeOpcode(StringRef name) {
  return lookup<Opcode>(kOpcodeNames, name);
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
