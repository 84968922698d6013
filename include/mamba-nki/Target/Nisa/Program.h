//===- Program.h - the NeuronCore instruction stream (.nisa) ----*- C++ -*-===//
//
// In-memory form of a `.nisa` instruction stream: a fully unrolled list of
// engine and DMA instructions with physical access patterns and semaphore
// waits. Printed and parsed by the functions below (docs/nisa.md describes
// the text format). Depends only on LLVM Support, so that tools other than
// the compiler (the interpreter) can use it.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_TARGET_NISA_PROGRAM_H
#define MAMBA_NKI_TARGET_NISA_PROGRAM_H

#include "mamba-nki/Support/Hardware.h"
#include "mamba-nki/Target/Nisa/InstructionSet.h"
#include "mamba-nki/Target/Nisa/MemoryKey.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nisa {

constexpr int kFormatVersion = 1;
constexpr int kMaxFreeDims = 3;
/// The largest HBM tensor a stream may declare (64 GiB of f32).
constexpr int64_t kMaxTensorElements = int64_t(1) << 34;

/// The NeuronCore a stream is for (mamba-nki/Support/Hardware.h).
using Target = mamba_hw::Target;
inline llvm::StringRef stringify(Target t) { return mamba_hw::targetName(t); }

/// Which memory an instruction reads or writes, and how.
///
/// On-chip (sbuf, psum): partitions [partStart, partStart + partCount),
/// starting `offset` bytes into each partition, then up to three free dims
/// (size, stride in elements), outermost first.
/// Off-chip (hbm, scratch): `partCount` rows `partStride` elements apart
/// (the rows map to partitions of the on-chip side), starting `offset`
/// elements into tensor `tensor` (hbm) or the scratch area, then free dims.
struct AccessPattern {
  Space space = Space::sbuf;
  DType dtype = DType::f32;
  uint8_t rank = 0; // free dims in use
  int16_t tensor = -1;
  int32_t partStart = 0;
  int32_t partCount = 0;
  int64_t partStride = 0; // off-chip only
  int64_t offset = 0;
  std::array<int32_t, kMaxFreeDims> sizes{};
  std::array<int32_t, kMaxFreeDims> strides{};

  bool isOnChip() const { return space == Space::sbuf || space == Space::psum; }
  /// Elements per partition (product of free sizes).
  int64_t freeElements() const;
  /// Byte extent of one partition's access, from the first to the last
  /// element touched (on-chip), or of the whole access (off-chip).
  int64_t spanBytes() const;
  bool operator==(const AccessPattern &other) const;
};

/// A scalar operand: an immediate or a [P, 1] access pattern.
struct Scalar {
  bool isImmediate = true;
  float value = 0.0f;
  AccessPattern ap;
};

struct Wait {
  Queue queue;
  uint32_t value; // wait until the queue's semaphore reaches this
};

struct Instruction {
  Queue queue = Queue::dve;
  Opcode opcode = Opcode::memset;
  // Operation attributes (meaning depends on the opcode).
  Act func = Act::identity;
  Alu op0 = Alu::bypass, op1 = Alu::bypass;
  bool hasOp1 = false, rev0 = false, rev1 = false;
  float value = 0.0f; // memset value
  // Operands: dst, then up to two tensor sources (dma/copy: src0 only;
  // matmul: src0 = stationary, src1 = moving).
  AccessPattern dst, src0, src1;
  uint8_t numSrcs = 0;
  Scalar scalar0; // activation scale, tensor_scalar arg0, scan initial
  Scalar scalar1; // tensor_scalar arg1
  bool hasBias = false;
  AccessPattern bias;
  llvm::SmallVector<Wait, 2> waits;
  uint32_t signal = 0; // the queue's semaphore after this instruction
  uint32_t loc = 0;    // index into Program::locations (0: none)
};

/// Calls `fn(ap, isWrite)` for every access pattern `in` uses: the reads
/// first, then the write (so that an in-place update sees the old writer).
template <typename Fn> void forEachAccess(const Instruction &in, Fn &&fn) {
  if (in.numSrcs >= 1)
    fn(in.src0, false);
  if (in.numSrcs >= 2)
    fn(in.src1, false);
  if (!in.scalar0.isImmediate)
    fn(in.scalar0.ap, false);
  if (!in.scalar1.isImmediate)
    fn(in.scalar1.ap, false);
  if (in.hasBias)
    fn(in.bias, false);
  fn(in.dst, true);
}

/// What a DMA moves: per partition, the elements of its on-chip side
/// (its two sides have as many; the validator checks it) at that side's
/// element size, and in all, that times the partitions. The statistics,
/// the profile and the timing model all count DMA traffic with these.
const AccessPattern &dmaOnChipSide(const Instruction &dma);
int64_t dmaBytesPerPartition(const Instruction &dma);
int64_t dmaBytes(const Instruction &dma);

/// What a DMA is for: on the spill queue, a save when it writes off chip
/// (the scratch area) and a reload when it writes on chip; on the I/O
/// queues, a load when it writes on chip, else a store.
enum class DmaKind : uint8_t { load, store, spillSave, spillReload };
DmaKind dmaKind(const Instruction &dma);

struct TensorDecl {
  std::string name;
  DType dtype = DType::f32;
  bool isInput = false, isOutput = false;
  llvm::SmallVector<int64_t, 4> shape;
  int64_t numElements() const;
};

/// What a stream computes, when its producer says so: the header's optional
/// `kernel` line (docs/nisa.md), which nki-run's --check reads.
/// `kernel selective_scan delta_softplus=0|1` is the one kernel known.
struct KernelInfo {
  static constexpr llvm::StringLiteral kSelectiveScan = "selective_scan";
  std::string name = kSelectiveScan.str();
  /// mamba_ssm's delta_softplus: softplus is applied to delta (+ bias).
  bool deltaSoftplus = false;
  bool operator==(const KernelInfo &o) const {
    return name == o.name && deltaSoftplus == o.deltaSoftplus;
  }
};

struct Program {
  int version = kFormatVersion;
  Target target = Target::trn1;
  std::optional<KernelInfo> kernel; // the `kernel` line, when present
  std::vector<TensorDecl> tensors;
  int64_t scratchBytes = 0;
  int64_t sbufPeakBytes = 0; // per partition
  int64_t psumPeakBytes = 0; // per partition
  std::vector<std::string> locations{""};
  std::vector<Instruction> instructions;

  int findTensor(llvm::StringRef name) const;
};

/// The memory and byte range `ap` touches (see MemoryKey.h).
ByteRange byteRange(const AccessPattern &ap);

/// Prints `program` in the .nisa text format.
void print(const Program &program, llvm::raw_ostream &os);

/// The same text, one piece at a time, for producers that stream
/// instructions rather than hold them (the backend): the header of `header`
/// (whose own instruction list is ignored) announcing `numInstructions`,
/// then each instruction with its position, then the end line.
void printHeader(const Program &header, int64_t numInstructions,
                 llvm::raw_ostream &os);
void printInstruction(const Program &header, int64_t id, const Instruction &in,
                      llvm::raw_ostream &os);
void printEnd(llvm::raw_ostream &os);

/// Parses .nisa text. Errors are "<bufferName>:line:col: message".
llvm::Expected<Program> parse(llvm::StringRef text,
                              llvm::StringRef bufferName = "<nisa>");

/// Checks what the parser cannot: operands within the target's memories and
/// declared tensors, semaphore values consistent with queue order, waits on
/// earlier instructions only. Errors name the instruction.
llvm::Error validate(const Program &program);

/// validate(), one instruction at a time: checks each instruction of a
/// stream against `header` (tensors, target, scratch size) and the
/// instructions checked before it.
class Validator {
public:
  explicit Validator(const Program &header) : header(header) {}
  llvm::Error check(const Instruction &in);

private:
  const Program &header;
  std::array<uint32_t, kNumQueues> counts{};
  int64_t next = 0;
};

/// Instruction counts, memory peaks and traffic.
struct Stats {
  std::array<int64_t, kNumQueues> perQueue{};
  int64_t instructions = 0, waits = 0;
  int64_t dmaBytes = 0, spillSaveBytes = 0, spillReloadBytes = 0;
};
Stats computeStats(const Program &program);
void printStats(const Program &program, llvm::raw_ostream &os);

/// Per-target capacities (mamba-nki/Support/Hardware.h, docs/hardware.md
/// §4), under the names the format library and its users know.
using mamba_hw::sbufPartitionBytes;
constexpr int64_t kPsumPartitionBytes = mamba_hw::kPsumPartitionBytes;
constexpr int64_t kPsumBankBytes = mamba_hw::kPsumBankBytes;
constexpr int kPartitions = int(mamba_hw::kPartitions);

} // namespace nisa

#endif // MAMBA_NKI_TARGET_NISA_PROGRAM_H
