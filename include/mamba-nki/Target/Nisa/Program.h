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
#include <iterator>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
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

/// An instruction's waits, held inline (an Instruction is trivially
/// copyable, which makes the copies InstructionList hands out cheap): at
/// most kMaxWaits, one per queue's semaphore being all an instruction can
/// need (the parser refuses more, docs/nisa.md).
class WaitList {
public:
  static constexpr size_t kMaxWaits = kNumQueues;
  size_t size() const { return count; }
  bool empty() const { return count == 0; }
  const Wait *begin() const { return items; }
  const Wait *end() const { return items + count; }
  const Wait &operator[](size_t i) const { return items[i]; }
  Wait &operator[](size_t i) { return items[i]; }
  void clear() { count = 0; }
  /// Adds a wait; more than kMaxWaits is a fatal error (the parser checks
  /// the count first, the backend makes at most one per other queue).
  void push_back(const Wait &w) {
    if (count == kMaxWaits)
      tooMany();
    items[count++] = w;
  }
  void resize(size_t n) {
    if (n > kMaxWaits)
      tooMany();
    for (size_t i = count; i < n; ++i)
      items[i] = Wait{Queue(0), 0};
    count = uint8_t(n);
  }

private:
  [[noreturn]] static void tooMany();
  Wait items[kMaxWaits] = {};
  uint8_t count = 0;
};

struct Instruction {
  Queue queue = Queue::dve;
  Opcode opcode = Opcode::memset;
  // Operation attributes (meaning depends on the opcode; a matmul's `acc`
  // flag is rev0).
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
  WaitList waits;
  uint32_t signal = 0; // the queue's semaphore after this instruction
  uint32_t loc = 0;    // index into Program::locations (0: none)
  uint32_t ctx = 0;    // index into Program::contexts (0: outside loops)
};

static_assert(std::is_trivially_copyable_v<Instruction>,
              "InstructionList hands out copies of instructions");

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
  if (in.opcode == Opcode::matmul && in.rev0) // acc: dst += ...
    fn(in.dst, false);
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
/// "load", "store", "spill_save", "spill_reload".
llvm::StringRef stringify(DmaKind kind);
/// What an instruction is called in profiles and traces: its opcode, or
/// for a DMA its kind (a load, a store, a spill save or reload).
llvm::StringRef activityName(const Instruction &in);

/// A stream's instructions, held compactly: each is a fixed 44-byte record
/// (the enums and flags, the semaphore and location, and its six access
/// patterns as indices into a table of the distinct patterns the list
/// holds, index 0 the default pattern) and its waits and non-zero floats
/// in a shared pool; sizeof(Instruction) has room for six patterns inline.
/// An unrolled stream has few distinct patterns (1,410 among the 272,097
/// operands of v3 at (1, 8192, 4096, 16)). Instructions are decoded on
/// access, in a few copies; reading is safe from several threads at once.
///
/// Elements are values, not references: `const Instruction &in =
/// list[i];` and `for (const Instruction &in : list)` bind to a decoded
/// copy (which C++ keeps alive for the reference); to change one, push_back
/// a new list. Every field of an Instruction round-trips exactly.
class InstructionList {
public:
  InstructionList();
  InstructionList(const std::vector<Instruction> &instructions);
  InstructionList(const InstructionList &other);
  InstructionList(InstructionList &&other) noexcept;
  InstructionList &operator=(const InstructionList &other);
  InstructionList &operator=(InstructionList &&other) noexcept;
  ~InstructionList();

  size_t size() const { return count; }
  bool empty() const { return count == 0; }
  /// A hint: `n` instructions will be pushed (nothing is allocated ahead).
  void reserve(size_t n) { (void)n; }
  void clear();
  void push_back(const Instruction &in);
  /// Instruction `i`, decoded. Callers such as the race detector look up
  /// the same few instructions again and again: each thread keeps the last
  /// ones it decoded, by list generation and index (a list's records never
  /// change under a generation: push_back only adds). Inline, so that a
  /// caller reading one field of the copy lets the compiler drop the rest.
  Instruction operator[](size_t i) const {
    const CachedInstruction &slot = cacheSlot(i);
    if (slot.generation == generation && slot.index == i)
      return slot.instruction();
    return decodeCached(i);
  }
  /// Decodes instruction `i` into `out` (every field is set).
  void decode(size_t i, Instruction &out) const;
  /// Instruction `i`'s queue, without decoding the rest.
  Queue queue(size_t i) const { return Queue(record(i).queue); }
  /// The distinct access patterns held (the default one included).
  size_t distinctPatterns() const { return patterns.size(); }
  /// The heap bytes held (records, pool, patterns and their index).
  size_t memoryBytes() const;

  class const_iterator {
  public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Instruction;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Instruction;
    const_iterator(const InstructionList *list, size_t i) : list(list), i(i) {}
    Instruction operator*() const { return (*list)[i]; }
    const_iterator &operator++() {
      ++i;
      return *this;
    }
    bool operator==(const const_iterator &o) const { return i == o.i; }
    bool operator!=(const const_iterator &o) const { return i != o.i; }

  private:
    const InstructionList *list;
    size_t i;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

  struct Record {
    uint8_t queue, opcode, func, op0, op1, numSrcs;
    uint16_t flags; // InstructionList.cpp: kFlag*, and the wait count
    uint32_t signal, loc;
    uint32_t patterns[6]; // dst src0 src1 scalar0 scalar1 bias
    uint32_t pool;        // where its waits and floats start in `pool`
  };
  static_assert(sizeof(Record) == 44, "a record is 44 bytes");

private:
  /// Records are allocated 2^kBlockShift at a time (nothing is copied to
  /// grow).
  static constexpr unsigned kBlockShift = 12;
  const Record &record(size_t i) const {
    return blocks[i >> kBlockShift][i & ((size_t(1) << kBlockShift) - 1)];
  }
  uint32_t intern(const AccessPattern &ap);
  /// A decoded instruction, in storage that needs no initialisation (so
  /// the thread's cache needs no guard): generation 0 is no list's.
  struct CachedInstruction {
    uint64_t generation;
    size_t index;
    alignas(Instruction) unsigned char bytes[sizeof(Instruction)];
    const Instruction &instruction() const {
      return *std::launder(reinterpret_cast<const Instruction *>(bytes));
    }
  };
  /// 256 slots (125 KB a thread): the race detector's lookups of earlier
  /// instructions mostly hit.
  static constexpr size_t kCacheSlots = 256;
  static CachedInstruction &cacheSlot(size_t i) {
    static thread_local CachedInstruction cache[kCacheSlots];
    return cache[i % kCacheSlots];
  }
  /// Decodes instruction `i` into its cache slot.
  const Instruction &decodeCached(size_t i) const;

  /// Names this list's records (a thread's cache of decoded instructions
  /// is keyed by it): new for each list, and again when records change.
  uint64_t generation;
  size_t count = 0;
  std::vector<std::unique_ptr<Record[]>> blocks;
  std::vector<uint32_t> pool;
  std::vector<AccessPattern> patterns;
  /// Each pattern's index in `patterns`, for push_back (built again after
  /// a copy, when first needed).
  struct PatternIndex;
  std::unique_ptr<PatternIndex> index;
};

/// One loop around an instruction: the loop's name (LoopContexts::name)
/// and the iteration, counted from 0.
struct LoopLevel {
  uint32_t name = 0;
  uint32_t iteration = 0;
  bool operator==(const LoopLevel &o) const {
    return name == o.name && iteration == o.iteration;
  }
};

/// The loop-body instances a stream's instructions come from: context c is
/// the loops around them, outermost first, with their iterations (context
/// 0: no loop). Each is held once (8 bytes a loop), and an instruction
/// names it by its index (Instruction::ctx); the text format declares each
/// on a `ctx` line before the first instruction in it (docs/nisa.md).
class LoopContexts {
public:
  /// Deeper nests are refused by the parser (the backend never makes them:
  /// its input nests at most 1000 brackets).
  static constexpr size_t kMaxDepth = 1024;
  LoopContexts();
  /// Contexts, context 0 included.
  size_t size() const { return starts.size() - 1; }
  llvm::ArrayRef<LoopLevel> levels(uint32_t ctx) const {
    return llvm::ArrayRef<LoopLevel>(pool).slice(starts[ctx],
                                                 starts[ctx + 1] - starts[ctx]);
  }
  /// A new context; returns its index.
  uint32_t add(llvm::ArrayRef<LoopLevel> levels);
  /// The index of loop name `name`, added when new.
  uint32_t nameIndex(llvm::StringRef name);
  llvm::StringRef name(uint32_t index) const { return names[index]; }
  size_t numNames() const { return names.size(); }
  /// "channel_tile=1 state=3 seq_tile=7" ("" for context 0).
  std::string describe(uint32_t ctx) const;
  /// The loops alone, outermost first: "channel_tile/state/seq_tile".
  std::string loops(uint32_t ctx) const;
  bool operator==(const LoopContexts &o) const;
  size_t memoryBytes() const;

private:
  std::vector<std::string> names;
  std::vector<uint32_t> starts; // context c: pool[starts[c], starts[c+1])
  std::vector<LoopLevel> pool;
};

/// Whether `name` may name a loop in a `ctx` line: a letter or '_', then
/// letters, digits, '_' or '.'.
bool isLoopName(llvm::StringRef name);

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
  /// Source locations (0: none), which Instruction::loc indexes; the
  /// parser and the backend keep each text once.
  std::vector<std::string> locations{""};
  /// The loop contexts, which Instruction::ctx indexes.
  LoopContexts contexts;
  InstructionList instructions;

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
/// The `ctx` line of context `ctx` of `header` (printed before the first
/// instruction in it; contexts are declared in order, from 1).
void printContext(const Program &header, uint32_t ctx, llvm::raw_ostream &os);

/// Parses .nisa text. Errors are "<bufferName>:line:col: message".
llvm::Expected<Program> parse(llvm::StringRef text,
                              llvm::StringRef bufferName = "<nisa>");
/// What parseFile() tells as it reads: the header (tensors, target, ...;
/// no instructions yet), then each instruction once it is validated, in
/// order. A consumer that needs only the instructions one at a time (the
/// race check) can so run beside the parse.
class ParseObserver {
public:
  virtual ~ParseObserver();
  /// `numInstructions`: as many as the header announces.
  virtual void header(const Program &header, size_t numInstructions) {}
  virtual void instruction(const Instruction &in) {}
};

/// Parses the .nisa file at `path` ("-": standard input) as parse() does,
/// reading it a piece at a time (a stream's text is never held whole),
/// telling `observer` (when given) as it goes. Errors are parse()'s, or
/// "cannot read '<path>': <reason>".
llvm::Expected<Program> parseFile(llvm::StringRef path,
                                  ParseObserver *observer = nullptr);

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
