//===- Validator.cpp - the rules every .nisa instruction follows ----------===//

#include "mamba-nki/Target/Nisa/Program.h"

#include "Check.h"

#include "llvm/ADT/StringExtras.h"

using namespace nisa;
using llvm::StringRef;

namespace {
/// An operand as the validator's messages name it.
struct Role {
  const char *name;
  FieldSlot slot;
};
constexpr Role kDst{"dst", FieldSlot::Dst}, kSrc0{"src0", FieldSlot::Src0},
    kSrc1{"src1", FieldSlot::Src1}, kScalar0{"scalar0", FieldSlot::Scalar0},
    kArg1{"arg1", FieldSlot::Scalar1}, kBias{"bias", FieldSlot::Bias};
} // namespace

static std::optional<Problem> problem(std::optional<FieldSlot> slot,
                                      const llvm::Twine &message) {
  return Problem{slot, message.str()};
}

/// The queue rules of InstructionSet.def. The message names the rule the
/// instruction breaks: the opcode's only queue if it has one, else the
/// queue's only opcode if it has one, else the queues that may run it.
static std::optional<Problem> checkQueue(const Instruction &in) {
  QueueMask allowed = getOpcodeInfo(in.opcode).queues;
  if (allowed & on(in.queue))
    return std::nullopt;
  QueueMask sameKind = isDmaQueue(in.queue) ? kDmaQueues : ~kDmaQueues;
  auto named = [](Queue q) {
    StringRef engine = engineName(q);
    return engine.empty() ? stringify(q).str()
                          : (stringify(q) + " (" + engine + ")").str();
  };
  if (allowed & sameKind) {
    for (int q = 0; q < kNumQueues; ++q)
      if (allowed == on(Queue(q)))
        return problem(std::nullopt, llvm::Twine(stringify(in.opcode)) +
                                         " runs on " + named(Queue(q)) +
                                         " only");
    std::optional<Opcode> only;
    int runs = 0;
    for (int o = 0; o < kNumOpcodes; ++o)
      if (getOpcodeInfo(Opcode(o)).queues & on(in.queue)) {
        only = Opcode(o);
        ++runs;
      }
    if (runs == 1)
      return problem(std::nullopt,
                     named(in.queue) + " runs " + stringify(*only) + " only");
  }
  // The queues that may run it, in InstructionSet.def's order.
  llvm::SmallVector<std::string, 8> queues;
  for (int q = 0; q < kNumQueues; ++q)
    if (allowed & on(Queue(q)))
      queues.push_back(named(Queue(q)));
  std::string list = queues.front();
  for (size_t i = 1; i < queues.size(); ++i)
    list += (i + 1 == queues.size() ? " or " : ", ") + queues[i];
  return problem(std::nullopt, llvm::Twine(stringify(in.opcode)) + " runs on " +
                                   list + ", not " + named(in.queue));
}

/// `ap` lies inside its memory: partitions, the target's SBUF or PSUM
/// partition, the declared tensor or the scratch area, the tensor's dtype.
static std::optional<Problem> checkAP(const Program &p, Role role,
                                      const AccessPattern &ap) {
  StringRef name = role.name;
  if (ap.rank == 0)
    return problem(role.slot, "operand '" + name + "' has no free dims");
  if (ap.isOnChip()) {
    if (ap.partStart + ap.partCount > kPartitions)
      return problem(role.slot,
                     "operand '" + name + "' uses partitions " +
                         llvm::Twine(ap.partStart) + ".." +
                         llvm::Twine(ap.partStart + ap.partCount - 1) +
                         "; there are " + llvm::Twine(kPartitions));
    if (ap.offset % elementBytes(ap.dtype) != 0)
      return problem(role.slot, "operand '" + name + "' starts at byte 0x" +
                                    llvm::utohexstr(ap.offset, true) +
                                    ", not a multiple of its " +
                                    llvm::Twine(elementBytes(ap.dtype)) +
                                    "-byte elements");
    int64_t capacity = ap.space == Space::sbuf ? sbufPartitionBytes(p.target)
                                               : kPsumPartitionBytes;
    if (ap.offset + ap.spanBytes() > capacity)
      return problem(role.slot,
                     "operand '" + name + "' ends at byte " +
                         llvm::Twine(ap.offset + ap.spanBytes()) + " of a " +
                         stringify(ap.space) + " partition, which has " +
                         llvm::Twine(capacity) + " on " + stringify(p.target));
    return std::nullopt;
  }
  int64_t limit = ap.space == Space::hbm
                      ? p.tensors[ap.tensor].numElements() *
                            elementBytes(p.tensors[ap.tensor].dtype)
                      : p.scratchBytes;
  int64_t end = ap.offset * elementBytes(ap.dtype) + ap.spanBytes();
  if (end > limit)
    return problem(role.slot,
                   "operand '" + name + "' ends at byte " + llvm::Twine(end) +
                       " of " +
                       (ap.space == Space::hbm
                            ? "tensor '" + p.tensors[ap.tensor].name + "'"
                            : std::string("the scratch area")) +
                       ", which has " + llvm::Twine(limit));
  if (ap.space == Space::hbm && ap.dtype != p.tensors[ap.tensor].dtype)
    return problem(role.slot, "operand '" + name + "' reads tensor '" +
                                  p.tensors[ap.tensor].name + "' as " +
                                  stringify(ap.dtype) + ", but it is " +
                                  stringify(p.tensors[ap.tensor].dtype));
  return std::nullopt;
}

/// Every operand of `in` lies inside its memory.
static std::optional<Problem> checkMemories(const Program &p,
                                            const Instruction &in) {
  if (auto e = checkAP(p, kDst, in.dst))
    return e;
  if (in.numSrcs >= 1)
    if (auto e = checkAP(p, kSrc0, in.src0))
      return e;
  if (in.numSrcs >= 2)
    if (auto e = checkAP(p, kSrc1, in.src1))
      return e;
  if (!in.scalar0.isImmediate)
    if (auto e = checkAP(p, kScalar0, in.scalar0.ap))
      return e;
  if (!in.scalar1.isImmediate)
    if (auto e = checkAP(p, kArg1, in.scalar1.ap))
      return e;
  if (in.hasBias)
    if (auto e = checkAP(p, kBias, in.bias))
      return e;
  return std::nullopt;
}

/// A source of an element-wise instruction has the shape of 'dst'.
static std::optional<Problem> sameShape(const Instruction &in, Role role,
                                        const AccessPattern &a) {
  if (a.partCount != in.dst.partCount ||
      a.freeElements() != in.dst.freeElements())
    return problem(role.slot, "operand '" + StringRef(role.name) + "' is " +
                                  llvm::Twine(a.partCount) + " partitions x " +
                                  llvm::Twine(a.freeElements()) +
                                  " elements, but 'dst' is " +
                                  llvm::Twine(in.dst.partCount) + " x " +
                                  llvm::Twine(in.dst.freeElements()));
  return std::nullopt;
}

/// A scalar or bias operand is one element per partition of 'dst'.
static std::optional<Problem> column(const Instruction &in, Role role,
                                     const AccessPattern &a) {
  if (a.partCount != in.dst.partCount || a.freeElements() != 1)
    return problem(role.slot, "operand '" + StringRef(role.name) +
                                  "' must be one element per partition of "
                                  "'dst' ([" +
                                  llvm::Twine(in.dst.partCount) +
                                  ", 1]), got " + llvm::Twine(a.partCount) +
                                  " x " + llvm::Twine(a.freeElements()));
  return std::nullopt;
}

/// dst[M, F] = stationary[K, M]^T x moving[K, F], into PSUM.
static std::optional<Problem> checkMatmul(const Instruction &in) {
  if (in.numSrcs < 2 || in.src0.partCount != in.src1.partCount)
    return problem(FieldSlot::Src1,
                   "matmul's 'moving' must have as many partitions "
                   "(K) as 'stationary'");
  if (in.src0.freeElements() != in.dst.partCount ||
      in.src1.freeElements() != in.dst.freeElements())
    return problem(FieldSlot::Dst,
                   "matmul's 'dst' must be [M, F] = [" +
                       llvm::Twine(in.src0.freeElements()) + ", " +
                       llvm::Twine(in.src1.freeElements()) + "], got [" +
                       llvm::Twine(in.dst.partCount) + ", " +
                       llvm::Twine(in.dst.freeElements()) + "]");
  if (in.dst.space != Space::psum)
    return problem(FieldSlot::Dst, "matmul writes PSUM");
  return std::nullopt;
}

/// The operand shape rules of the opcode (InstructionSet.def).
static std::optional<Problem> checkShapes(const Instruction &in) {
  OperandShape shape = getOpcodeInfo(in.opcode).shape;
  if (shape == OperandShape::Elementwise) {
    if (in.numSrcs < 1)
      return problem(std::nullopt,
                     llvm::Twine(stringify(in.opcode)) + " needs a source");
    if (auto e = sameShape(in, kSrc0, in.src0))
      return e;
    if (in.numSrcs >= 2)
      if (auto e = sameShape(in, kSrc1, in.src1))
        return e;
  }
  if (!in.scalar0.isImmediate)
    if (auto e = column(in, kScalar0, in.scalar0.ap))
      return e;
  if (!in.scalar1.isImmediate)
    if (auto e = column(in, kArg1, in.scalar1.ap))
      return e;
  if (in.hasBias)
    if (auto e = column(in, kBias, in.bias))
      return e;
  if (shape == OperandShape::Matmul)
    if (auto e = checkMatmul(in))
      return e;
  if (shape == OperandShape::Transfer) {
    if (in.dst.isOnChip() == in.src0.isOnChip())
      return problem(std::nullopt, "dma moves between HBM/scratch and SBUF");
    if (in.dst.partCount != in.src0.partCount ||
        in.dst.freeElements() != in.src0.freeElements())
      return problem(std::nullopt, "dma source and destination sizes differ");
  } else if (!in.dst.isOnChip()) {
    return problem(FieldSlot::Dst, "engine instructions write SBUF or PSUM");
  }
  return std::nullopt;
}

std::optional<Problem>
nisa::checkInstruction(const Program &p, const Instruction &in,
                       std::array<uint32_t, kNumQueues> &counts) {
  if (auto e = checkQueue(in))
    return e;
  if (auto e = checkMemories(p, in))
    return e;
  if (auto e = checkShapes(in))
    return e;
  for (const Wait &w : in.waits)
    if (w.value > counts[int(w.queue)])
      return problem(FieldSlot::Wait,
                     "waits for " + llvm::Twine(stringify(w.queue)) + ":" +
                         llvm::Twine(w.value) + ", but only " +
                         llvm::Twine(counts[int(w.queue)]) +
                         " instructions of that queue come before it");
  uint32_t expected = ++counts[int(in.queue)];
  if (in.signal != expected)
    return problem(FieldSlot::Sig, "sig=" + llvm::Twine(in.signal) +
                                       " but this is " + stringify(in.queue) +
                                       "'s instruction " +
                                       llvm::Twine(expected));
  return std::nullopt;
}

llvm::Error Validator::check(const Instruction &in) {
  int64_t id = next++;
  if (std::optional<Problem> e = checkInstruction(header, in, counts))
    return llvm::createStringError(
        std::make_error_code(std::errc::invalid_argument),
        "instruction %lld: %s", (long long)id, e->message.c_str());
  return llvm::Error::success();
}

llvm::Error nisa::validate(const Program &p) {
  Validator validator(p);
  for (const Instruction &in : p.instructions)
    if (llvm::Error e = validator.check(in))
      return e;
  return llvm::Error::success();
}
