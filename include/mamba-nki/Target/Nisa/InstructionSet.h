//===- InstructionSet.h - the .nisa enums and opcode tables -----*- C++ -*-===//
//
// The enums of the instruction set, their spellings and counts, and what each
// opcode allows (queues, fields, operand shapes), all expanded from
// InstructionSet.def. Depends only on LLVM Support.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_TARGET_NISA_INSTRUCTIONSET_H
#define MAMBA_NKI_TARGET_NISA_INSTRUCTIONSET_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>

namespace nisa {

enum class DType : uint8_t {
#define NISA_DTYPE(Name, Bytes) Name,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
enum class Space : uint8_t {
#define NISA_SPACE(Name) Name,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
/// Queues: the compute engines, then DMA queues. Each queue has one
/// semaphore that counts its completed instructions.
enum class Queue : uint8_t {
#define NISA_QUEUE(Name, Spelling, Engine) Name,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
enum class Alu : uint8_t {
#define NISA_ALU(Name) Name,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
enum class Act : uint8_t {
#define NISA_ACT(Name) Name,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
/// A field of an instruction line (`dst=...`, `rev0`, `sig=...`).
enum class Field : uint8_t {
#define NISA_FIELD(Name, Slot) Name,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
enum class Opcode : uint8_t {
#define NISA_OPCODE(Name, Queues, Shape, Legend, Colour) Name,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};

#define NISA_COUNT(...) +1
constexpr int kNumDTypes = 0
#define NISA_DTYPE NISA_COUNT
#include "mamba-nki/Target/Nisa/InstructionSet.def"
    ;
constexpr int kNumSpaces = 0
#define NISA_SPACE NISA_COUNT
#include "mamba-nki/Target/Nisa/InstructionSet.def"
    ;
constexpr int kNumQueues = 0
#define NISA_QUEUE NISA_COUNT
#include "mamba-nki/Target/Nisa/InstructionSet.def"
    ;
constexpr int kNumAlus = 0
#define NISA_ALU NISA_COUNT
#include "mamba-nki/Target/Nisa/InstructionSet.def"
    ;
constexpr int kNumActs = 0
#define NISA_ACT NISA_COUNT
#include "mamba-nki/Target/Nisa/InstructionSet.def"
    ;
constexpr int kNumFields = 0
#define NISA_FIELD NISA_COUNT
#include "mamba-nki/Target/Nisa/InstructionSet.def"
    ;
constexpr int kNumOpcodes = 0
#define NISA_OPCODE NISA_COUNT
#include "mamba-nki/Target/Nisa/InstructionSet.def"
    ;
#undef NISA_COUNT

/// The kernel load/store queues qSyncIO0..3 (the backend spreads loads and
/// stores over them round robin).
constexpr int kNumIoQueues = 4;
static_assert(int(Queue::io0) + kNumIoQueues == int(Queue::spill),
              "the I/O queues are io0..io3, then the spill queue");

llvm::StringRef stringify(DType);
llvm::StringRef stringify(Space);
llvm::StringRef stringify(Queue);
llvm::StringRef stringify(Alu);
llvm::StringRef stringify(Act);
llvm::StringRef stringify(Field);
llvm::StringRef stringify(Opcode);

/// The enumerator spelled `name`, if any.
std::optional<DType> symbolizeDType(llvm::StringRef name);
std::optional<Queue> symbolizeQueue(llvm::StringRef name);
std::optional<Alu> symbolizeAlu(llvm::StringRef name);
std::optional<Act> symbolizeAct(llvm::StringRef name);
std::optional<Field> symbolizeField(llvm::StringRef name);
std::optional<Opcode> symbolizeOpcode(llvm::StringRef name);

int64_t elementBytes(DType);

/// Whether `q` is a DMA queue (InstructionSet.def lists the compute
/// engines first; InstructionSet.cpp checks it).
inline bool isDmaQueue(Queue q) { return q >= Queue::io0; }
/// The compute engine queue `q` is ("ScalarE" for act), "" for a DMA queue.
llvm::StringRef engineName(Queue q);

/// A set of queues.
using QueueMask = uint16_t;
constexpr QueueMask on(Queue q) { return QueueMask(1u << unsigned(q)); }
constexpr QueueMask kDmaQueues = on(Queue::io0) | on(Queue::io1) |
                                 on(Queue::io2) | on(Queue::io3) |
                                 on(Queue::spill);
/// The engines that compute element-wise: ScalarE, VectorE, GpSimdE.
constexpr QueueMask kElementwiseQueues =
    on(Queue::act) | on(Queue::dve) | on(Queue::pool);
/// The engines with a two-tensor ALU and a fill: VectorE and GpSimdE
/// (NKI's nisa.tensor_tensor and nisa.memset; not ScalarE).
constexpr QueueMask kVectorQueues = on(Queue::dve) | on(Queue::pool);
static_assert(kNumQueues <= 16, "a QueueMask holds every queue");

/// The part of an Instruction a field sets.
enum class FieldSlot : uint8_t {
  Dst,     // dst
  Src0,    // src0 (numSrcs >= 1)
  Src1,    // src1 (numSrcs = 2)
  Func,    // func
  Scalar0, // scalar0
  Scalar1, // scalar1
  Bias,    // bias (hasBias)
  Op0,     // op0
  Op1,     // op1 (hasOp1)
  Rev0,    // rev0
  Rev1,    // rev1
  Value,   // value
  Wait,    // waits
  Sig,     // signal
  Ctx,     // ctx
  Loc,     // loc
};
namespace detail {
inline constexpr FieldSlot kFieldSlots[] = {
#define NISA_FIELD(Name, Slot) FieldSlot::Slot,
#include "mamba-nki/Target/Nisa/InstructionSet.def"
};
} // namespace detail
inline FieldSlot slotOf(Field field) { return detail::kFieldSlots[int(field)]; }

/// How an opcode uses a field (InstructionSet.def, NISA_OPERAND).
enum class OperandUse : uint8_t { Required, Optional, Paired };
struct Operand {
  Field field;
  OperandUse use;
};

/// How an opcode's operand shapes relate (InstructionSet.def, NISA_OPCODE).
enum class OperandShape : uint8_t { Transfer, Elementwise, Matmul, Fill };

/// What InstructionSet.def says about an opcode.
struct OpcodeInfo {
  QueueMask queues;
  OperandShape shape;
  /// Its fields, in the printer's order (wait, sig and loc follow them).
  llvm::ArrayRef<Operand> operands;
  /// Its entry in the timeline's legend ("" for DMAs, drawn by direction).
  const char *legend;
  const char *colour;
};
const OpcodeInfo &getOpcodeInfo(Opcode opcode);

} // namespace nisa

#endif // MAMBA_NKI_TARGET_NISA_INSTRUCTIONSET_H
