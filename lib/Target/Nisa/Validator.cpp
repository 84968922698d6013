//===- Validator.cpp - the rules every .nisa instruction follows ----------===//

#include "mamba-nki/Target/Nisa/Program.h"

#include "Check.h"

#include "llvm/ADT/StringExtras.h"

using namespace nisa;
using llvm::StringRef;

static std::optional<Problem> problem(llvm::StringRef field,
                                      const llvm::Twine &message) {
  return Problem{field.str(), message.str()};
}

static std::optional<Problem> checkAP(const Program &p, StringRef role,
                                      const AccessPattern &ap) {
  if (ap.rank == 0)
    return problem(role, "operand '" + role + "' has no free dims");
  if (ap.isOnChip()) {
    if (ap.partStart + ap.partCount > kPartitions)
      return problem(role, "operand '" + role + "' uses partitions " +
                               llvm::Twine(ap.partStart) + ".." +
                               llvm::Twine(ap.partStart + ap.partCount - 1) +
                               "; there are " + llvm::Twine(kPartitions));
    if (ap.offset % elementBytes(ap.dtype) != 0)
      return problem(role, "operand '" + role + "' starts at byte 0x" +
                               llvm::utohexstr(ap.offset, true) +
                               ", not a multiple of its " +
                               llvm::Twine(elementBytes(ap.dtype)) +
                               "-byte elements");
    int64_t capacity = ap.space == Space::sbuf ? sbufPartitionBytes(p.target)
                                               : kPsumPartitionBytes;
    if (ap.offset + ap.spanBytes() > capacity)
      return problem(role,
                     "operand '" + role + "' ends at byte " +
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
    return problem(role, "operand '" + role + "' ends at byte " +
                             llvm::Twine(end) + " of " +
                             (ap.space == Space::hbm
                                  ? "tensor '" + p.tensors[ap.tensor].name + "'"
                                  : std::string("the scratch area")) +
                             ", which has " + llvm::Twine(limit));
  if (ap.space == Space::hbm && ap.dtype != p.tensors[ap.tensor].dtype)
    return problem(role, "operand '" + role + "' reads tensor '" +
                             p.tensors[ap.tensor].name + "' as " +
                             stringify(ap.dtype) + ", but it is " +
                             stringify(p.tensors[ap.tensor].dtype));
  return std::nullopt;
}

/// Checks one instruction; `counts` holds each queue's instructions so far
/// and is advanced past this one.
std::optional<Problem>
nisa::checkInstruction(const Program &p, const Instruction &in,
                       std::array<uint32_t, kNumQueues> &counts) {
  bool dma = isDmaQueue(in.queue);
  if (dma != (in.opcode == Opcode::dma))
    return problem("", llvm::Twine(stringify(in.opcode)) +
                           " cannot run on queue " + stringify(in.queue));
  if (in.opcode == Opcode::activation && in.queue != Queue::act)
    return problem("", "activation runs on act (ScalarE) only");
  if (in.opcode == Opcode::matmul && in.queue != Queue::pe)
    return problem("", "matmul runs on pe (TensorE) only");
  if (in.queue == Queue::pe && in.opcode != Opcode::matmul)
    return problem("", "pe (TensorE) runs matmul only");
  if (in.opcode == Opcode::tensor_tensor_scan && in.queue != Queue::dve)
    return problem("", "tensor_tensor_scan runs on dve (VectorE) only");
  if (auto e = checkAP(p, "dst", in.dst))
    return e;
  if (in.numSrcs >= 1)
    if (auto e = checkAP(p, "src0", in.src0))
      return e;
  if (in.numSrcs >= 2)
    if (auto e = checkAP(p, "src1", in.src1))
      return e;
  if (!in.scalar0.isImmediate)
    if (auto e = checkAP(p, "scalar0", in.scalar0.ap))
      return e;
  if (!in.scalar1.isImmediate)
    if (auto e = checkAP(p, "arg1", in.scalar1.ap))
      return e;
  if (in.hasBias)
    if (auto e = checkAP(p, "bias", in.bias))
      return e;
  // Operand shapes: what the engines read must match what they write.
  auto sameShape = [&](llvm::StringRef role,
                       const AccessPattern &a) -> std::optional<Problem> {
    if (a.partCount != in.dst.partCount ||
        a.freeElements() != in.dst.freeElements())
      return problem(
          role, "operand '" + role + "' is " + llvm::Twine(a.partCount) +
                    " partitions x " + llvm::Twine(a.freeElements()) +
                    " elements, but 'dst' is " + llvm::Twine(in.dst.partCount) +
                    " x " + llvm::Twine(in.dst.freeElements()));
    return std::nullopt;
  };
  auto column = [&](llvm::StringRef role,
                    const AccessPattern &a) -> std::optional<Problem> {
    if (a.partCount != in.dst.partCount || a.freeElements() != 1)
      return problem(role, "operand '" + role +
                               "' must be one element per partition of 'dst' "
                               "([" +
                               llvm::Twine(in.dst.partCount) + ", 1]), got " +
                               llvm::Twine(a.partCount) + " x " +
                               llvm::Twine(a.freeElements()));
    return std::nullopt;
  };
  if (!dma && in.opcode != Opcode::matmul && in.opcode != Opcode::memset) {
    if (in.numSrcs < 1)
      return problem("", llvm::Twine(stringify(in.opcode)) + " needs a source");
    if (auto e = sameShape("src0", in.src0))
      return e;
    if (in.numSrcs >= 2)
      if (auto e = sameShape("src1", in.src1))
        return e;
  }
  if (!in.scalar0.isImmediate)
    if (auto e = column("scalar0", in.scalar0.ap))
      return e;
  if (!in.scalar1.isImmediate)
    if (auto e = column("arg1", in.scalar1.ap))
      return e;
  if (in.hasBias)
    if (auto e = column("bias", in.bias))
      return e;
  if (in.opcode == Opcode::matmul) {
    // dst[M, F] = stationary[K, M]^T x moving[K, F]
    if (in.numSrcs < 2 || in.src0.partCount != in.src1.partCount)
      return problem("src1", "matmul's 'moving' must have as many partitions "
                             "(K) as 'stationary'");
    if (in.src0.freeElements() != in.dst.partCount ||
        in.src1.freeElements() != in.dst.freeElements())
      return problem("dst", "matmul's 'dst' must be [M, F] = [" +
                                llvm::Twine(in.src0.freeElements()) + ", " +
                                llvm::Twine(in.src1.freeElements()) +
                                "], got [" + llvm::Twine(in.dst.partCount) +
                                ", " + llvm::Twine(in.dst.freeElements()) +
                                "]");
    if (in.dst.space != Space::psum)
      return problem("dst", "matmul writes PSUM");
  }
  if (dma) {
    if (in.dst.isOnChip() == in.src0.isOnChip())
      return problem("", "dma moves between HBM/scratch and SBUF");
    if (in.dst.partCount != in.src0.partCount ||
        in.dst.freeElements() != in.src0.freeElements())
      return problem("", "dma source and destination sizes differ");
  } else if (!in.dst.isOnChip()) {
    return problem("dst", "engine instructions write SBUF or PSUM");
  }
  for (const Wait &w : in.waits)
    if (w.value > counts[int(w.queue)])
      return problem("wait", "waits for " + llvm::Twine(stringify(w.queue)) +
                                 ":" + llvm::Twine(w.value) + ", but only " +
                                 llvm::Twine(counts[int(w.queue)]) +
                                 " instructions of that queue come before it");
  uint32_t expected = ++counts[int(in.queue)];
  if (in.signal != expected)
    return problem("sig", "sig=" + llvm::Twine(in.signal) + " but this is " +
                              stringify(in.queue) + "'s instruction " +
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
