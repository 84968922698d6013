//===- NkiToNisa.cpp - lower nki IR to a NeuronCore instruction stream ----===//
//
// The stream of a large kernel has millions of instructions, so it is never
// held in memory. Instead:
//
//  1. Compile: the function becomes a small step list (loops, index
//     arithmetic, views, allocations, nki ops) over numbered value slots.
//  2. Record: unroll the steps once. Each instruction leaves only which
//     allocation units it uses (a buffer instance, or one block of a
//     [P, blocks, ...] buffer accessed one block at a time): a few bytes.
//  3. Allocate, on those records alone: give every unit an SBUF or PSUM
//     address, next-fit so that the buffers of consecutive iterations differ
//     and engines can overlap; when SBUF is full, spill the resident unit
//     used furthest in the future (Belady) to an HBM scratch area and reload
//     it before its next use, on the spill queue. The result is an address
//     per record and a list of spill events. If buffers spilled whose
//     unsplittable accesses each stay within a window, they become windowed
//     (their DMAs and memsets are split at window boundaries while
//     unrolling) and steps 2-3 run again, so that spills move windows, not
//     whole buffers. The header (peaks, scratch size, instruction count) is
//     now known.
//  4. Stream: unroll again. Each instruction gets its addresses, spill
//     events are interleaved, and every read-after-write, write-after-read
//     and write-after-write on overlapping addresses between different
//     queues becomes a semaphore wait unless an earlier wait already implies
//     it (vector clocks). Each instruction is validated and handed to the
//     consumer, then forgotten.
//
// Memory is a few tens of bytes per instruction (records, one vector clock)
// whatever the text size; docs/nisa.md has the figures.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Target/NkiToNisa/NkiToNisa.h"
#include "mamba-nki/Dialect/Mamba/IR/MambaOps.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Target/Nisa/IntervalMap.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <map>
#include <memory>

using namespace mlir;
using namespace mlir::nki;

NisaConsumer::~NisaConsumer() = default;

namespace {

/// An append-only array stored in fixed chunks: growing it never copies, so
/// its peak memory is its size (a std::vector briefly holds both the old and
/// the new array when it grows).
template <typename T, size_t kChunk = size_t(1) << 14> class ChunkedVector {
public:
  void push_back(const T &value) {
    if (count % kChunk == 0)
      chunks.emplace_back(new T[kChunk]);
    chunks[count / kChunk][count % kChunk] = value;
    ++count;
  }
  T &operator[](size_t i) { return chunks[i / kChunk][i % kChunk]; }
  const T &operator[](size_t i) const { return chunks[i / kChunk][i % kChunk]; }
  size_t size() const { return count; }

private:
  std::vector<std::unique_ptr<T[]>> chunks;
  size_t count = 0;
};

//===----------------------------------------------------------------------===//
// Step 1: compile the function into steps
//===----------------------------------------------------------------------===//

/// Memref ranks the unroller handles.
constexpr int kMaxRank = 6;

/// An integer operand: a constant, or the slot of a computed value.
struct IntRef {
  int32_t slot = -1;
  int64_t value = 0;
};

/// A memref value during unrolling: a view of an HBM tensor (a function
/// argument) or of a buffer instance, as an element offset and strided dims.
struct View {
  bool isHbm = false;
  uint8_t rank = 0;
  nisa::DType dtype = nisa::DType::f32;
  int32_t id = -1; // tensor index or buffer instance
  int64_t offset = 0;
  std::array<int64_t, kMaxRank> sizes{}, strides{};
};

/// What one allocation holds: an nki.alloc's type, or a temporary the
/// backend adds (a broadcast's PSUM chunk, the ones row).
struct BufferType {
  nisa::Space space;
  nisa::DType dtype;
  int64_t partitions;
  int64_t rowElems;   // elements per partition
  int64_t blocks = 0; // [P, blocks, ...] buffers (rank >= 3): dim 1
  int64_t blockElems = 0;
};

/// A buffer instance: one execution of an allocation.
struct Buffer {
  int32_t type;
  int32_t firstUnit = -1;
  /// The step that made it (an nki.alloc, or the op needing a temporary).
  int32_t origin = -1;
  /// Allocated window by window: a DMA or memset that crosses windows is
  /// split at their boundaries.
  bool windowed = false;
  /// Elements per partition of each allocation unit when the instance is
  /// allocated in pieces: the blocks of a [P, blocks, ...] buffer while
  /// every access stays within one block, or windows (below); 0: whole.
  int64_t unitElems = 0;
  /// The smallest power-of-two window (elements per partition) such that
  /// every access the backend cannot split stays within one aligned window;
  /// 0 while no access constrains it.
  int64_t window = 0;
  bool inPieces() const { return unitElems > 0; }
};
static_assert(sizeof(Buffer) == 32, "one per buffer instance: keep it small");

/// Spilled buffers are re-allocated in windows of at least this many bytes
/// per partition (a PSUM bank's worth: 512 f32).
constexpr int64_t kMinWindowBytes = 2048;

/// Roles of an instruction's access patterns, to address them uniformly.
enum Role { kDst, kSrc0, kSrc1, kScalar0, kScalar1, kBias, kNumRoles };

nisa::AccessPattern *roleAP(nisa::Instruction &in, int role) {
  switch (role) {
  case kDst:
    return &in.dst;
  case kSrc0:
    return in.numSrcs >= 1 ? &in.src0 : nullptr;
  case kSrc1:
    return in.numSrcs >= 2 ? &in.src1 : nullptr;
  case kScalar0:
    return in.scalar0.isImmediate ? nullptr : &in.scalar0.ap;
  case kScalar1:
    return in.scalar1.isImmediate ? nullptr : &in.scalar1.ap;
  case kBias:
    return in.hasBias ? &in.bias : nullptr;
  }
  return nullptr;
}

/// An instruction as the unroller produces it: on-chip operands still name
/// a buffer instance and an element offset into one of its partitions.
struct VInstr {
  nisa::Instruction in;
  std::array<int32_t, kNumRoles> buffer;
};

/// Makes `vi` a fresh instruction without operands.
void reset(VInstr &vi, nisa::Opcode opcode, nisa::Queue queue, uint8_t numSrcs,
           uint32_t loc) {
  vi.in = nisa::Instruction();
  vi.buffer.fill(-1);
  vi.in.opcode = opcode;
  vi.in.queue = queue;
  vi.in.numSrcs = numSrcs;
  vi.in.loc = loc;
}

/// `elems` contiguous f32 elements in each of `partitions` partitions, at
/// the start of a buffer.
nisa::AccessPattern rowsAP(nisa::Space space, int64_t partitions,
                           int64_t elems) {
  nisa::AccessPattern ap;
  ap.space = space;
  ap.partCount = int32_t(partitions);
  ap.rank = 1;
  ap.sizes[0] = int32_t(elems);
  ap.strides[0] = 1;
  return ap;
}

/// The on-chip operand at which the backend may split `in` into pieces
/// without changing what it computes: a DMA's on-chip side or a memset's
/// destination, when it is one contiguous run per partition (and a DMA's
/// other side one strided run). -1 for every other instruction.
int splittableRole(const nisa::Instruction &in) {
  if (in.opcode == nisa::Opcode::memset)
    return in.dst.rank == 1 && in.dst.strides[0] == 1 ? kDst : -1;
  if (in.opcode != nisa::Opcode::dma || in.dst.rank != 1 || in.src0.rank != 1)
    return -1;
  int role = in.dst.isOnChip() ? kDst : kSrc0;
  const nisa::AccessPattern &onChip = role == kDst ? in.dst : in.src0;
  return onChip.strides[0] == 1 ? role : -1;
}

enum class StepKind : uint8_t { arith, loop, subview, alloc, nki };
enum class ArithKind : uint8_t { add, sub, mul, div, rem, min, max, cast };

struct Step {
  StepKind kind;
  Operation *op;
  int32_t result = -1; // int slot (arith, the loop's iv) or view slot
  // arith: result = lhs <arith> rhs.
  ArithKind arith = ArithKind::add;
  IntRef lhs, rhs;
  // loop: the body is steps (this, end).
  IntRef lb, ub, step;
  uint32_t end = 0;
  // subview of `source`; bit d of `dropped`: dim d is dropped.
  int32_t source = -1;
  uint8_t sourceRank = 0;
  uint32_t dropped = 0;
  std::array<IntRef, kMaxRank> offsets, sizes, strides;
  // alloc: its BufferType and the view of a new instance (id unset).
  int32_t type = -1;
  View base;
  // nki: index into Kernel::nkiSteps.
  int32_t nki = -1;
};

/// An nki op, ready to become instructions: everything static is in the
/// template; operands are view slots per role.
struct NkiStep {
  Operation *op;
  int32_t step = -1; // its index in Kernel::steps
  bool broadcast = false;
  bool ioQueue = false; // a DMA: round-robin over the IO queues
  bool scan = false;    // operands must be one contiguous run
  nisa::Instruction tmpl;
  std::array<int32_t, kNumRoles> operand;
  // Location indices: named after the destination buffer when the op has
  // no NameLoc; for a broadcast, also its PSUM chunks' and the ones row's.
  uint32_t loc = 0, tempLoc = 0, onesLoc = 0;
};

nisa::DType dtypeOf(Type t) {
  return t.isBF16() ? nisa::DType::bf16 : nisa::DType::f32;
}

/// The function, compiled into steps, and the machinery to unroll it.
class Kernel {
public:
  Kernel(func::FuncOp func, nisa::Program &header, int64_t maxInstructions)
      : func(func), header(header), maxInstructions(maxInstructions) {}

  /// Declares the HBM tensors in the header and compiles the body.
  LogicalResult compile();

  /// Unrolls the steps, calling `sink(VInstr &, Operation *)` for every
  /// instruction in order; stops at the first failure (the sink's or a
  /// located error). The first run creates the buffer instances; later runs
  /// (`replay`) create the same ones again, in the same order.
  template <typename Sink> LogicalResult run(Sink &sink, bool replay);

  /// The op that produced instruction `index` of the unrolled stream (for
  /// errors found after unrolling).
  Operation *opOfInstruction(uint64_t index);
  /// The op that made buffer instance `id`.
  Operation *originOf(const Buffer &b) const { return steps[b.origin].op; }

  std::vector<BufferType> types;
  ChunkedVector<Buffer> buffers;

private:
  // Compilation.
  LogicalResult compileBlock(Block &block);
  LogicalResult compileOp(Operation *op);
  LogicalResult compileNki(Operation *op);
  FailureOr<IntRef> intRef(Operation *user, Value v, StringRef what);
  FailureOr<IntRef> intRef(Operation *user, OpFoldResult ofr, StringRef what);
  FailureOr<int32_t> viewSlot(Operation *user, Value v);
  int32_t newIntSlot(Value v);
  int32_t newViewSlot(Value v, StringRef rootName);
  uint32_t location(Location loc, StringRef fallbackName);
  int32_t typeFor(nisa::Space space, nisa::DType dtype,
                  ArrayRef<int64_t> shape);

  // Unrolling.
  template <typename Sink>
  LogicalResult exec(uint32_t begin, uint32_t end, Sink &sink);
  template <typename Sink>
  LogicalResult lowerNki(const NkiStep &ns, Sink &sink);
  template <typename Sink>
  LogicalResult emit(VInstr &vi, Operation *op, Sink &sink);
  int64_t get(const IntRef &r) const {
    return r.slot >= 0 ? ints[r.slot] : r.value;
  }
  FailureOr<int32_t> newBuffer(int32_t origin, int32_t type);
  LogicalResult pattern(Operation *op, const View &v, nisa::AccessPattern &ap,
                        int32_t &bufferId);

  func::FuncOp func;
  nisa::Program &header;
  int64_t maxInstructions;

  // Compile-time state.
  DenseMap<Value, int32_t> intSlots, viewSlots;
  std::vector<StringRef> slotRootNames; // the alloc's name, per view slot
  llvm::StringMap<uint32_t> locIndex;
  std::map<std::tuple<int, int, int64_t, int64_t, int64_t>, int32_t> typeIndex;
  std::vector<Step> steps;
  std::vector<NkiStep> nkiSteps;
  std::vector<View> argViews; // per HBM tensor
  int32_t onesType = -1;

  // Run-time state.
  std::vector<int64_t> ints;
  std::vector<View> views;
  bool replay = false;
  uint64_t buffersMade = 0, emitted = 0, iterations = 0;
  uint64_t maxIterations() const {
    return uint64_t(std::max<int64_t>(maxInstructions, 0)) * 8 + 1024;
  }
  int32_t onesBuffer = -1;
  int nextIoQueue = 0;
};

uint32_t Kernel::location(Location loc, StringRef fallbackName) {
  std::string name = fallbackName.str(), where;
  if (auto named = dyn_cast<NameLoc>(loc)) {
    name = named.getName().str();
    loc = named.getChildLoc();
  }
  if (auto fused = dyn_cast<FusedLoc>(loc))
    if (!fused.getLocations().empty())
      loc = fused.getLocations().front();
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    where = (llvm::sys::path::filename(file.getFilename().getValue()) + ":" +
             Twine(file.getLine()) + ":" + Twine(file.getColumn()))
                .str();
  std::string text = name.empty()    ? where
                     : where.empty() ? name
                                     : name + "@" + where;
  if (text.empty())
    return 0;
  auto [it, inserted] =
      locIndex.try_emplace(text, uint32_t(header.locations.size()));
  if (inserted)
    header.locations.push_back(text);
  return it->second;
}

int32_t Kernel::typeFor(nisa::Space space, nisa::DType dtype,
                        ArrayRef<int64_t> shape) {
  BufferType t;
  t.space = space;
  t.dtype = dtype;
  t.partitions = shape[0];
  t.rowElems = 1;
  for (int64_t d : shape.drop_front())
    t.rowElems *= d;
  if (shape.size() >= 3 && shape[1] > 0 && t.rowElems / shape[1] > 0) {
    t.blocks = shape[1];
    t.blockElems = t.rowElems / shape[1];
  }
  auto key = std::make_tuple(int(space), int(dtype), t.partitions, t.rowElems,
                             t.blocks);
  auto [it, inserted] = typeIndex.try_emplace(key, int32_t(types.size()));
  if (inserted)
    types.push_back(t);
  return it->second;
}

int32_t Kernel::newIntSlot(Value v) {
  int32_t slot = int32_t(ints.size());
  ints.push_back(0);
  intSlots[v] = slot;
  return slot;
}

int32_t Kernel::newViewSlot(Value v, StringRef rootName) {
  int32_t slot = int32_t(views.size());
  views.emplace_back();
  slotRootNames.push_back(rootName);
  viewSlots[v] = slot;
  return slot;
}

FailureOr<IntRef> Kernel::intRef(Operation *user, Value v, StringRef what) {
  IntRef r;
  auto it = intSlots.find(v);
  if (it != intSlots.end()) {
    r.slot = it->second;
    return r;
  }
  if (std::optional<int64_t> c = getConstantIntValue(v)) {
    r.value = *c;
    return r;
  }
  return user->emitError("cannot evaluate ") << what << " at compile time";
}

FailureOr<IntRef> Kernel::intRef(Operation *user, OpFoldResult ofr,
                                 StringRef what) {
  if (auto attr = dyn_cast<Attribute>(ofr)) {
    IntRef r;
    r.value = cast<IntegerAttr>(attr).getInt();
    return r;
  }
  return intRef(user, cast<Value>(ofr), what);
}

FailureOr<int32_t> Kernel::viewSlot(Operation *user, Value v) {
  auto it = viewSlots.find(v);
  if (it == viewSlots.end())
    return user->emitError("operand is not a known buffer view");
  return it->second;
}

LogicalResult Kernel::compile() {
  // HBM tensors: the function's memref arguments.
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type)
      return func.emitError() << "argument #" << arg.getArgNumber()
                              << " is not a memref; kernel arguments are HBM "
                                 "tensors";
    if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
        !isSupportedElementType(type.getElementType()) ||
        getMemorySpace(type) != MemorySpace::hbm)
      return func.emitError()
             << "argument #" << arg.getArgNumber()
             << " must be a static, identity-layout f32/bf16 memref in HBM, "
                "got "
             << type;
    if (type.getRank() > kMaxRank)
      return func.emitError()
             << "argument #" << arg.getArgNumber() << " has rank "
             << type.getRank() << "; the backend handles memrefs of rank up to "
             << kMaxRank;
    int64_t elements = 1;
    for (int64_t d : type.getShape()) {
      if (d <= 0)
        return func.emitError() << "argument #" << arg.getArgNumber()
                                << " is empty (" << type << ")";
      if (elements > nisa::kMaxTensorElements / d)
        return func.emitError()
               << "argument #" << arg.getArgNumber() << " (" << type
               << ") has more than 2^34 elements, the largest tensor a "
                  ".nisa stream holds";
      elements *= d;
    }
    nisa::TensorDecl t;
    if (auto name =
            func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "nki.name"))
      t.name = name.getValue().str();
    else
      t.name = "arg" + std::to_string(arg.getArgNumber());
    if (header.findTensor(t.name) >= 0)
      return func.emitError() << "two arguments are named '" << t.name << "'";
    t.dtype = dtypeOf(type.getElementType());
    t.shape.assign(type.getShape().begin(), type.getShape().end());
    View v;
    v.isHbm = true;
    v.id = int32_t(header.tensors.size());
    v.dtype = t.dtype;
    v.rank = uint8_t(type.getRank());
    int64_t stride = 1;
    for (int d = int(v.rank) - 1; d >= 0; --d) {
      v.sizes[d] = type.getDimSize(d);
      v.strides[d] = stride;
      stride *= v.sizes[d];
    }
    newViewSlot(arg, "");
    argViews.push_back(v);
    header.tensors.push_back(std::move(t));
  }
  onesType =
      typeFor(nisa::Space::sbuf, nisa::DType::f32, {1, nisa::kPartitions});
  return compileBlock(func.getBody().front());
}

LogicalResult Kernel::compileBlock(Block &block) {
  for (Operation &op : block)
    if (failed(compileOp(&op)))
      return failure();
  return success();
}

LogicalResult Kernel::compileOp(Operation *op) {
  if (isa<func::ReturnOp, scf::YieldOp, arith::ConstantOp>(op))
    return success(); // constants are read where they are used
  auto arith = [&](ArithKind kind, bool unary = false) -> LogicalResult {
    Step s;
    s.kind = StepKind::arith;
    s.op = op;
    s.arith = kind;
    FailureOr<IntRef> lhs = intRef(op, op->getOperand(0), "index operands");
    if (failed(lhs))
      return failure();
    s.lhs = *lhs;
    if (!unary) {
      FailureOr<IntRef> rhs = intRef(op, op->getOperand(1), "index operands");
      if (failed(rhs))
        return failure();
      s.rhs = *rhs;
    }
    s.result = newIntSlot(op->getResult(0));
    steps.push_back(s);
    return success();
  };
  if (isa<arith::AddIOp>(op))
    return arith(ArithKind::add);
  if (isa<arith::SubIOp>(op))
    return arith(ArithKind::sub);
  if (isa<arith::MulIOp>(op))
    return arith(ArithKind::mul);
  if (isa<arith::DivSIOp, arith::DivUIOp, arith::FloorDivSIOp>(op))
    return arith(ArithKind::div);
  if (isa<arith::RemSIOp, arith::RemUIOp>(op))
    return arith(ArithKind::rem);
  if (isa<arith::MinSIOp, arith::MinUIOp>(op))
    return arith(ArithKind::min);
  if (isa<arith::MaxSIOp, arith::MaxUIOp>(op))
    return arith(ArithKind::max);
  if (isa<arith::IndexCastOp>(op))
    return arith(ArithKind::cast, true);
  if (auto forOp = dyn_cast<scf::ForOp>(op)) {
    if (forOp.getNumRegionIterArgs())
      return op->emitError("loops carrying values (iter_args) cannot be "
                           "unrolled into the instruction stream");
    Step s;
    s.kind = StepKind::loop;
    s.op = op;
    FailureOr<IntRef> lb = intRef(op, forOp.getLowerBound(), "loop bounds");
    FailureOr<IntRef> ub = intRef(op, forOp.getUpperBound(), "loop bounds");
    FailureOr<IntRef> step = intRef(op, forOp.getStep(), "loop bounds");
    if (failed(lb) || failed(ub) || failed(step))
      return failure();
    s.lb = *lb;
    s.ub = *ub;
    s.step = *step;
    if (s.step.slot < 0 && s.step.value <= 0)
      return op->emitError("loop step must be positive, got ") << s.step.value;
    s.result = newIntSlot(forOp.getInductionVar());
    size_t index = steps.size();
    steps.push_back(s);
    if (failed(compileBlock(*forOp.getBody())))
      return failure();
    steps[index].end = uint32_t(steps.size());
    return success();
  }
  if (auto subview = dyn_cast<memref::SubViewOp>(op)) {
    FailureOr<int32_t> source = viewSlot(op, subview.getSource());
    if (failed(source))
      return op->emitError("view of an unknown buffer");
    Step s;
    s.kind = StepKind::subview;
    s.op = op;
    s.source = *source;
    s.sourceRank = uint8_t(subview.getSourceType().getRank());
    SmallVector<OpFoldResult> offsets = subview.getMixedOffsets();
    SmallVector<OpFoldResult> sizes = subview.getMixedSizes();
    SmallVector<OpFoldResult> strides = subview.getMixedStrides();
    llvm::SmallBitVector dropped = subview.getDroppedDims();
    for (unsigned d = 0; d < offsets.size(); ++d) {
      FailureOr<IntRef> off = intRef(op, offsets[d], "the view's offsets");
      FailureOr<IntRef> size = intRef(op, sizes[d], "the view's sizes");
      FailureOr<IntRef> stride = intRef(op, strides[d], "the view's strides");
      if (failed(off) || failed(size) || failed(stride))
        return failure();
      s.offsets[d] = *off;
      s.sizes[d] = *size;
      s.strides[d] = *stride;
      if (dropped.test(d))
        s.dropped |= 1u << d;
    }
    s.result = newViewSlot(subview.getResult(), slotRootNames[*source]);
    steps.push_back(s);
    return success();
  }
  if (auto alloc = dyn_cast<AllocOp>(op)) {
    MemRefType type = alloc.getType();
    if (type.getRank() > kMaxRank || type.getRank() < 1)
      return op->emitError("the backend handles buffers of rank 1 to ")
             << kMaxRank;
    Step s;
    s.kind = StepKind::alloc;
    s.op = op;
    nisa::Space space = getMemorySpace(type) == MemorySpace::psum
                            ? nisa::Space::psum
                            : nisa::Space::sbuf;
    s.type = typeFor(space, dtypeOf(type.getElementType()), type.getShape());
    s.base.dtype = dtypeOf(type.getElementType());
    s.base.rank = uint8_t(type.getRank());
    int64_t stride = 1;
    for (int d = int(s.base.rank) - 1; d >= 0; --d) {
      s.base.sizes[d] = type.getDimSize(d);
      s.base.strides[d] = stride;
      stride *= s.base.sizes[d];
    }
    std::optional<StringRef> name = alloc.getName();
    s.result = newViewSlot(alloc.getResult(), name ? *name : StringRef());
    steps.push_back(s);
    return success();
  }
  if (isa<NkiDialect>(op->getDialect()))
    return compileNki(op);
  return op->emitError("cannot translate '")
         << op->getName()
         << "' to the instruction stream (expected nki ops, scf.for, "
            "memref.subview and index arithmetic)";
}

LogicalResult Kernel::compileNki(Operation *op) {
  NkiStep ns;
  ns.op = op;
  ns.operand.fill(-1);
  nisa::Instruction &in = ns.tmpl;
  auto set = [&](int role, Value v) -> LogicalResult {
    FailureOr<int32_t> slot = viewSlot(op, v);
    if (failed(slot))
      return failure();
    ns.operand[role] = *slot;
    return success();
  };
  auto scalar = [&](int role, nisa::Scalar &slot, Value v,
                    FloatAttr imm) -> LogicalResult {
    if (v) {
      slot.isImmediate = false;
      return set(role, v);
    }
    slot.isImmediate = true;
    slot.value = imm ? float(imm.getValueAsDouble()) : 1.0f;
    return success();
  };
  auto alu = [](AluOp a) { return static_cast<nisa::Alu>(uint32_t(a)); };
  auto engineQueue = [](Engine engine) {
    switch (engine) {
    case Engine::scalar:
      return nisa::Queue::act;
    case Engine::vector:
      return nisa::Queue::dve;
    case Engine::gpsimd:
      return nisa::Queue::pool;
    case Engine::tensor:
      return nisa::Queue::pe;
    }
    return nisa::Queue::dve;
  };

  LogicalResult result = success();
  Value dst;
  if (isa<LoadOp, StoreOp>(op)) {
    // Both DMAs: operand 0 is the source, operand 1 the destination.
    in.opcode = nisa::Opcode::dma;
    ns.ioQueue = true;
    in.numSrcs = 1;
    dst = op->getOperand(1);
    result = LogicalResult::success(succeeded(set(kDst, dst)) &&
                                    succeeded(set(kSrc0, op->getOperand(0))));
  } else if (auto memset = dyn_cast<MemsetOp>(op)) {
    in.opcode = nisa::Opcode::memset;
    in.queue = engineQueue(memset.getEffectiveEngine());
    in.value = float(memset.getValue().convertToDouble());
    dst = memset.getDst();
    result = set(kDst, dst);
  } else if (auto act = dyn_cast<ActivationOp>(op)) {
    in.opcode = nisa::Opcode::activation;
    in.queue = nisa::Queue::act;
    in.func = static_cast<nisa::Act>(uint32_t(act.getFunc()));
    in.numSrcs = 1;
    dst = act.getDst();
    result = LogicalResult::success(
        succeeded(set(kDst, dst)) && succeeded(set(kSrc0, act.getData())) &&
        succeeded(scalar(kScalar0, in.scalar0, act.getScale(),
                         act.getScaleImmAttr())));
    if (succeeded(result) && act.getBias()) {
      in.hasBias = true;
      result = set(kBias, act.getBias());
    }
  } else if (auto ts = dyn_cast<TensorScalarOp>(op)) {
    in.opcode = nisa::Opcode::tensor_scalar;
    in.queue = engineQueue(ts.getEffectiveEngine());
    in.numSrcs = 1;
    in.op0 = alu(ts.getOp0());
    in.rev0 = ts.getReverse0();
    dst = ts.getDst();
    result = LogicalResult::success(
        succeeded(set(kDst, dst)) && succeeded(set(kSrc0, ts.getData())) &&
        succeeded(
            scalar(kScalar0, in.scalar0, ts.getOperand0(), ts.getImm0Attr())));
    if (succeeded(result) && ts.getOp1()) {
      in.hasOp1 = true;
      in.op1 = alu(*ts.getOp1());
      in.rev1 = ts.getReverse1();
      result = scalar(kScalar1, in.scalar1, ts.getOperand1(), ts.getImm1Attr());
    }
  } else if (auto tt = dyn_cast<TensorTensorOp>(op)) {
    in.opcode = nisa::Opcode::tensor_tensor;
    in.queue = engineQueue(tt.getEffectiveEngine());
    in.op0 = alu(tt.getOp());
    in.numSrcs = 2;
    dst = tt.getDst();
    result = LogicalResult::success(succeeded(set(kDst, dst)) &&
                                    succeeded(set(kSrc0, tt.getLhs())) &&
                                    succeeded(set(kSrc1, tt.getRhs())));
  } else if (auto scan = dyn_cast<TensorTensorScanOp>(op)) {
    in.opcode = nisa::Opcode::tensor_tensor_scan;
    in.queue = nisa::Queue::dve;
    in.op0 = alu(scan.getOp0());
    in.op1 = alu(scan.getOp1());
    in.numSrcs = 2;
    ns.scan = true;
    dst = scan.getDst();
    result = LogicalResult::success(
        succeeded(set(kDst, dst)) && succeeded(set(kSrc0, scan.getData0())) &&
        succeeded(set(kSrc1, scan.getData1())) &&
        succeeded(scalar(kScalar0, in.scalar0, scan.getInitial(),
                         scan.getInitialImmAttr())));
  } else if (auto copy = dyn_cast<TensorCopyOp>(op)) {
    in.opcode = nisa::Opcode::tensor_copy;
    in.queue = engineQueue(copy.getEffectiveEngine());
    in.numSrcs = 1;
    dst = copy.getDst();
    result = LogicalResult::success(succeeded(set(kDst, dst)) &&
                                    succeeded(set(kSrc0, copy.getSrc())));
  } else if (auto bcast = dyn_cast<PartitionBroadcastOp>(op)) {
    ns.broadcast = true;
    dst = bcast.getDst();
    result = LogicalResult::success(succeeded(set(kDst, dst)) &&
                                    succeeded(set(kSrc0, bcast.getSrc())));
    ns.tempLoc = location(op->getLoc(), "");
    ns.onesLoc = location(op->getLoc(), "ones");
  } else {
    return op->emitError("cannot translate '") << op->getName() << "'";
  }
  if (failed(result))
    return failure();
  // Without a NameLoc (IR printed without debug info), an instruction is
  // named after the buffer it writes.
  ns.loc = location(op->getLoc(), slotRootNames[ns.operand[kDst]]);
  Step s;
  s.kind = StepKind::nki;
  s.op = op;
  s.nki = int32_t(nkiSteps.size());
  ns.step = int32_t(steps.size());
  nkiSteps.push_back(ns);
  steps.push_back(s);
  return success();
}

//===----------------------------------------------------------------------===//
// Unrolling
//===----------------------------------------------------------------------===//

template <typename Sink> LogicalResult Kernel::run(Sink &sink, bool isReplay) {
  replay = isReplay;
  buffersMade = 0;
  emitted = 0;
  iterations = 0;
  onesBuffer = -1;
  nextIoQueue = 0;
  for (size_t t = 0; t < argViews.size(); ++t)
    views[t] = argViews[t];
  return exec(0, uint32_t(steps.size()), sink);
}

template <typename Sink>
LogicalResult Kernel::exec(uint32_t begin, uint32_t end, Sink &sink) {
  for (uint32_t i = begin; i < end; ++i) {
    const Step &s = steps[i];
    switch (s.kind) {
    case StepKind::arith: {
      // Two's complement, as arith defines it (no C++ overflow).
      int64_t a = get(s.lhs), b = get(s.rhs), r = 0;
      uint64_t ua = uint64_t(a), ub = uint64_t(b);
      switch (s.arith) {
      case ArithKind::add:
        r = int64_t(ua + ub);
        break;
      case ArithKind::sub:
        r = int64_t(ua - ub);
        break;
      case ArithKind::mul:
        r = int64_t(ua * ub);
        break;
      case ArithKind::div:
      case ArithKind::rem:
        if (b == 0)
          return s.op->emitError("index arithmetic error (division by zero)");
        if (b == -1) // INT64_MIN / -1 wraps
          r = s.arith == ArithKind::div ? int64_t(0 - ua) : 0;
        else
          r = s.arith == ArithKind::div ? a / b : a % b;
        break;
      case ArithKind::min:
        r = std::min(a, b);
        break;
      case ArithKind::max:
        r = std::max(a, b);
        break;
      case ArithKind::cast:
        r = a;
        break;
      }
      ints[s.result] = r;
      break;
    }
    case StepKind::loop: {
      int64_t lb = get(s.lb), ub = get(s.ub), step = get(s.step);
      if (step <= 0)
        return s.op->emitError("loop step must be positive, got ") << step;
      // Trip count without overflow; the iterations of all loops are
      // limited too, so that loops emitting nothing cannot run for ever.
      uint64_t span = ub > lb ? uint64_t(ub) - uint64_t(lb) : 0;
      uint64_t trips = span / uint64_t(step) + (span % uint64_t(step) != 0);
      iterations += trips;
      if (trips > maxIterations() || iterations > maxIterations())
        return s.op->emitError("the loops run more than ")
               << maxIterations()
               << " iterations in all (8 per allowed instruction); raise "
                  "the limit with --nisa-max-instructions";
      for (uint64_t k = 0; k < trips; ++k) {
        ints[s.result] = int64_t(uint64_t(lb) + k * uint64_t(step));
        if (failed(exec(i + 1, s.end, sink)))
          return failure();
      }
      i = s.end - 1;
      break;
    }
    case StepKind::subview: {
      const View &src = views[s.source];
      View v;
      v.isHbm = src.isHbm;
      v.id = src.id;
      v.dtype = src.dtype;
      v.offset = src.offset;
      for (unsigned d = 0; d < s.sourceRank; ++d) {
        int64_t off = get(s.offsets[d]), size = get(s.sizes[d]),
                stride = get(s.strides[d]), last = 0, scaled = 0;
        if (stride <= 0)
          return s.op->emitError("view strides must be positive, got ")
                 << stride << " in dim " << d;
        if (off < 0 || size < 0 ||
            llvm::MulOverflow(std::max<int64_t>(size - 1, 0), stride, last) ||
            llvm::AddOverflow(last, off, last) || last >= src.sizes[d])
          return s.op->emitError("view [")
                 << off << ", +" << size << "] is out of bounds of dim " << d
                 << " (size " << src.sizes[d] << ")";
        if (llvm::MulOverflow(stride, src.strides[d], scaled))
          return s.op->emitError("view stride ")
                 << stride << " in dim " << d << " overflows 64 bits";
        v.offset += off * src.strides[d]; // within the source: no overflow
        if (!(s.dropped & (1u << d))) {
          v.sizes[v.rank] = size;
          v.strides[v.rank] = scaled;
          ++v.rank;
        }
      }
      views[s.result] = v;
      break;
    }
    case StepKind::alloc: {
      FailureOr<int32_t> id = newBuffer(int32_t(i), s.type);
      if (failed(id))
        return failure();
      View v = s.base;
      v.id = *id;
      views[s.result] = v;
      break;
    }
    case StepKind::nki:
      if (failed(lowerNki(nkiSteps[s.nki], sink)))
        return failure();
      break;
    }
  }
  return success();
}

FailureOr<int32_t> Kernel::newBuffer(int32_t origin, int32_t type) {
  Operation *op = steps[origin].op;
  int32_t id = int32_t(buffersMade++);
  if (!replay) {
    if (buffersMade > uint64_t(INT32_MAX))
      return op->emitError("more than 2^31 buffer instances");
    Buffer b;
    b.type = type;
    b.origin = origin;
    b.unitElems = types[type].blocks > 0 ? types[type].blockElems : 0;
    buffers.push_back(b);
  } else if (size_t(id) >= buffers.size() || buffers[id].type != type) {
    return op->emitError("internal error: the second unrolling diverged from "
                         "the first");
  }
  return id;
}

LogicalResult Kernel::pattern(Operation *op, const View &v,
                              nisa::AccessPattern &ap, int32_t &bufferId) {
  ap.dtype = v.dtype;
  // Free dims (of size > 1), merging contiguous ones: (a, s*b) (b, s) ->
  // (a*b, s).
  std::array<std::pair<int64_t, int64_t>, kMaxRank> merged;
  int rank = 0;
  for (int d = 1; d < v.rank; ++d) {
    if (v.sizes[d] == 1)
      continue;
    if (rank > 0 && merged[rank - 1].second == v.sizes[d] * v.strides[d]) {
      merged[rank - 1] = {merged[rank - 1].first * v.sizes[d], v.strides[d]};
      continue;
    }
    merged[rank++] = {v.sizes[d], v.strides[d]};
  }
  if (rank == 0)
    merged[rank++] = {1, 1};
  if (rank > nisa::kMaxFreeDims)
    return op->emitError("access pattern needs more than ")
           << nisa::kMaxFreeDims << " free dims";
  ap.rank = uint8_t(rank);
  for (int i = 0; i < rank; ++i) {
    if (merged[i].first > INT32_MAX || merged[i].second > INT32_MAX ||
        merged[i].second < 0)
      return op->emitError("access pattern dims exceed 32 bits");
    ap.sizes[i] = int32_t(merged[i].first);
    ap.strides[i] = int32_t(merged[i].second);
  }
  int64_t rows = v.rank == 0 ? 1 : v.sizes[0];
  if (v.isHbm) {
    ap.space = nisa::Space::hbm;
    ap.tensor = int16_t(v.id);
    ap.partCount = int32_t(rows);
    ap.partStride = v.rank == 0 ? 0 : v.strides[0];
    ap.offset = v.offset;
    bufferId = -1;
    return success();
  }
  const BufferType &t = types[buffers[v.id].type];
  ap.space = t.space;
  if (rows > 1 && v.strides[0] != t.rowElems)
    return op->emitError("view's dim 0 is not the partition dim of its "
                         "buffer");
  // Usually the view starts in partition 0: no division.
  ap.partStart = v.offset < t.rowElems ? 0 : int32_t(v.offset / t.rowElems);
  ap.partCount = int32_t(rows);
  ap.offset = v.offset < t.rowElems ? v.offset
                                    : v.offset % t.rowElems; // elements, until
                                                             // allocation
  bufferId = v.id;
  return success();
}

template <typename Sink>
LogicalResult Kernel::emit(VInstr &vi, Operation *op, Sink &sink) {
  auto deliver = [&](VInstr &in) -> LogicalResult {
    if (int64_t(++emitted) > maxInstructions)
      return op->emitError("the unrolled instruction stream exceeds ")
             << maxInstructions
             << " instructions; raise the limit with --nisa-max-instructions";
    return sink(in, op);
  };
  // A DMA or memset over several windows of a windowed buffer: one
  // instruction per window.
  int role = splittableRole(vi.in);
  if (role < 0 || vi.buffer[role] < 0 || !buffers[vi.buffer[role]].windowed ||
      buffers[vi.buffer[role]].unitElems <= 0)
    return deliver(vi);
  int64_t window = buffers[vi.buffer[role]].unitElems;
  const nisa::AccessPattern &whole = *roleAP(vi.in, role);
  int64_t lo = whole.offset, hi = whole.offset + whole.sizes[0];
  if (lo / window == (hi - 1) / window)
    return deliver(vi);
  int otherRole = role == kDst ? kSrc0 : kDst; // a DMA's off-chip side
  for (int64_t start = lo; start < hi;) {
    int64_t end = std::min(hi, (start / window + 1) * window);
    VInstr piece = vi;
    nisa::AccessPattern &onChip = *roleAP(piece.in, role);
    onChip.offset = start;
    onChip.sizes[0] = int32_t(end - start);
    if (piece.in.opcode == nisa::Opcode::dma) {
      nisa::AccessPattern &offChip = *roleAP(piece.in, otherRole);
      offChip.offset += (start - lo) * offChip.strides[0];
      offChip.sizes[0] = int32_t(end - start);
    }
    if (failed(deliver(piece)))
      return failure();
    start = end;
  }
  return success();
}

template <typename Sink>
LogicalResult Kernel::lowerNki(const NkiStep &ns, Sink &sink) {
  Operation *op = ns.op;
  VInstr vi;
  vi.buffer.fill(-1);
  if (!ns.broadcast) {
    vi.in = ns.tmpl;
    if (ns.ioQueue) {
      vi.in.queue =
          static_cast<nisa::Queue>(int(nisa::Queue::io0) + nextIoQueue);
      nextIoQueue = (nextIoQueue + 1) % nisa::kNumIoQueues;
    }
    for (int role = 0; role < kNumRoles; ++role)
      if (ns.operand[role] >= 0)
        if (failed(pattern(op, views[ns.operand[role]], *roleAP(vi.in, role),
                           vi.buffer[role])))
          return failure();
    if (ns.scan &&
        (vi.in.dst.rank != 1 || vi.in.src0.rank != 1 || vi.in.src1.rank != 1))
      return op->emitError("a scan's operands must be one contiguous run of "
                           "elements per partition");
    vi.in.loc = ns.loc;
    return emit(vi, op, sink);
  }

  // A partition broadcast: TensorE multiplies a ones row [1, P] by the
  // source row, into PSUM.
  nisa::AccessPattern src, dst;
  int32_t srcBuf = -1, dstBuf = -1;
  if (failed(pattern(op, views[ns.operand[kSrc0]], src, srcBuf)) ||
      failed(pattern(op, views[ns.operand[kDst]], dst, dstBuf)))
    return failure();
  if (src.rank != 1 || dst.rank != 1)
    return op->emitError("a broadcast row must be one contiguous run of "
                         "elements");
  int64_t partitions = dst.partCount;
  // The ones row: set once.
  if (onesBuffer < 0) {
    FailureOr<int32_t> id = newBuffer(ns.step, onesType);
    if (failed(id))
      return failure();
    onesBuffer = *id;
    reset(vi, nisa::Opcode::memset, nisa::Queue::pool, 0, ns.onesLoc);
    vi.in.value = 1.0f;
    vi.in.dst = rowsAP(nisa::Space::sbuf, 1, nisa::kPartitions);
    vi.buffer[kDst] = onesBuffer;
    if (failed(emit(vi, op, sink)))
      return failure();
  }
  nisa::AccessPattern onesAP = rowsAP(nisa::Space::sbuf, 1, partitions);
  auto matmul = [&](const nisa::AccessPattern &out, int32_t outBuf,
                    const nisa::AccessPattern &row, uint32_t loc) {
    reset(vi, nisa::Opcode::matmul, nisa::Queue::pe, 2, loc);
    vi.in.dst = out;
    vi.in.src0 = onesAP;
    vi.in.src1 = row;
    vi.buffer[kDst] = outBuf;
    vi.buffer[kSrc0] = onesBuffer;
    vi.buffer[kSrc1] = srcBuf;
    return emit(vi, op, sink);
  };
  if (dst.space == nisa::Space::psum)
    return matmul(dst, dstBuf, src, ns.loc);
  // SBUF destination: one PSUM bank at a time, then a ScalarE copy out.
  const int64_t bankElems = nisa::kPsumBankBytes / 4;
  int64_t length = dst.sizes[0];
  for (int64_t start = 0; start < length; start += bankElems) {
    int64_t chunk = std::min(bankElems, length - start);
    FailureOr<int32_t> tmp =
        newBuffer(ns.step, typeFor(nisa::Space::psum, nisa::DType::f32,
                                   {partitions, chunk}));
    if (failed(tmp))
      return failure();
    nisa::AccessPattern tmpAP = rowsAP(nisa::Space::psum, partitions, chunk);
    nisa::AccessPattern rowChunk = src;
    rowChunk.offset += start * src.strides[0];
    rowChunk.sizes[0] = int32_t(chunk);
    nisa::AccessPattern dstChunk = dst;
    dstChunk.offset += start * dst.strides[0];
    dstChunk.sizes[0] = int32_t(chunk);
    if (failed(matmul(tmpAP, *tmp, rowChunk, ns.tempLoc)))
      return failure();
    reset(vi, nisa::Opcode::tensor_copy, nisa::Queue::act, 1, ns.loc);
    vi.in.dst = dstChunk;
    vi.in.src0 = tmpAP;
    vi.buffer[kDst] = dstBuf;
    vi.buffer[kSrc0] = *tmp;
    if (failed(emit(vi, op, sink)))
      return failure();
  }
  return success();
}

Operation *Kernel::opOfInstruction(uint64_t index) {
  Operation *found = nullptr;
  uint64_t seen = 0;
  auto finder = [&](VInstr &, Operation *op) -> LogicalResult {
    if (seen++ != index)
      return success();
    found = op;
    return failure(); // stop here; nothing to report
  };
  (void)run(finder, /*replay=*/true);
  return found ? found : func.getOperation();
}

//===----------------------------------------------------------------------===//
// Step 2: record
//===----------------------------------------------------------------------===//

constexpr uint32_t kNever = UINT32_MAX;
/// Flag in Records::meta: the instruction's first record is its write.
constexpr uint8_t kFirstIsWrite = 0x8;

/// What the recording pass keeps: per instruction, how many of its operands
/// are on-chip buffers (at most kNumRoles) and whether the first of them is
/// written; per such operand, a record of two words. The words change
/// meaning as the passes go: (buffer instance, block) when recorded, then
/// (unit, next instruction using the unit), then (unit, address).
struct Records {
  ChunkedVector<uint8_t> meta;
  ChunkedVector<uint32_t> unit;
  ChunkedVector<uint32_t> aux;
  uint64_t instructions() const { return meta.size(); }
};

class Recorder {
public:
  Recorder(Kernel &kernel, Records &records, nisa::Program &header)
      : kernel(kernel), records(records), header(header) {}

  LogicalResult operator()(VInstr &vi, Operation *) {
    nisa::Instruction &in = vi.in;
    if (in.opcode == nisa::Opcode::dma) {
      if (in.dst.space == nisa::Space::hbm)
        header.tensors[in.dst.tensor].isOutput = true;
      if (in.src0.space == nisa::Space::hbm)
        header.tensors[in.src0.tensor].isInput = true;
    }
    uint8_t count = 0, flags = 0;
    for (int role = 0; role < kNumRoles; ++role) {
      int32_t id = vi.buffer[role];
      if (id < 0)
        continue;
      Buffer &b = kernel.buffers[id];
      const nisa::AccessPattern *ap = roleAP(in, role);
      int64_t first = ap->offset;
      int64_t last =
          ap->offset + ap->spanBytes() / nisa::elementBytes(ap->dtype) - 1;
      uint32_t block = 0;
      if (b.inPieces()) {
        // In pieces while every access stays within one piece.
        if (first / b.unitElems != last / b.unitElems)
          b.unitElems = 0;
        else
          block = uint32_t(first / b.unitElems);
      }
      if (role != splittableRole(in)) {
        // The window must hold this access: double it until it does
        // (a power-of-two window holding an access holds it when doubled).
        int64_t w = std::max<int64_t>(b.window, 1);
        while (w < last - first + 1)
          w *= 2;
        while (first / w != last / w)
          w *= 2;
        b.window = w;
      }
      if (role == kDst)
        flags = kFirstIsWrite;
      records.unit.push_back(uint32_t(id));
      records.aux.push_back(block);
      ++count;
    }
    records.meta.push_back(uint8_t(count | flags));
    return success();
  }

private:
  Kernel &kernel;
  Records &records;
  nisa::Program &header;
};

//===----------------------------------------------------------------------===//
// Step 3: allocate
//===----------------------------------------------------------------------===//

/// Free space of one memory, next-fit. The free blocks are few (SBUF holds
/// at most a few hundred buffers), so they live in a sorted vector.
class Arena {
public:
  Arena(int64_t capacity, int64_t align) : capacity(capacity), align(align) {
    free.push_back({0, capacity});
  }
  /// An address for `size` bytes at or after the cursor, wrapping around.
  std::optional<int64_t> allocate(int64_t size) {
    size = (size + align - 1) / align * align;
    auto tryFrom = [&](int64_t from) -> std::optional<int64_t> {
      // Blocks that end before `from` cannot hold it: start at the block
      // holding `from`, if any.
      size_t k = firstAfter(from);
      if (k > 0)
        --k;
      for (; k < free.size(); ++k) {
        Block block = free[k];
        int64_t start = std::max(block.start, from);
        start = (start + align - 1) / align * align;
        int64_t end = block.start + block.size;
        if (start + size > end)
          continue;
        // Replace the block by what is left of it on either side.
        bool before = start > block.start, after = start + size < end;
        if (before && after) {
          free[k].size = start - block.start;
          free.insert(free.begin() + k + 1,
                      {start + size, end - (start + size)});
        } else if (before) {
          free[k].size = start - block.start;
        } else if (after) {
          free[k] = {start + size, end - (start + size)};
        } else {
          free.erase(free.begin() + k);
        }
        cursor = start + size;
        used += size;
        return start;
      }
      return std::nullopt;
    };
    if (auto a = tryFrom(cursor))
      return a;
    return tryFrom(0);
  }
  void release(int64_t start, int64_t size) {
    size = (size + align - 1) / align * align;
    used -= size;
    size_t next = firstAfter(start); // the first block after the range
    int64_t s = start, e = start + size;
    if (next < free.size() && free[next].start == e) {
      e += free[next].size;
      free.erase(free.begin() + next);
    }
    if (next > 0 && free[next - 1].start + free[next - 1].size == s) {
      free[next - 1].size = e - free[next - 1].start;
      return;
    }
    free.insert(free.begin() + next, {s, e - s});
  }
  int64_t used = 0;
  int64_t capacity;

private:
  struct Block {
    int64_t start, size;
  };
  /// The index of the first block starting after `at`.
  size_t firstAfter(int64_t at) const {
    return size_t(std::upper_bound(
                      free.begin(), free.end(), at,
                      [](int64_t v, const Block &b) { return v < b.start; }) -
                  free.begin());
  }
  int64_t align;
  int64_t cursor = 0;
  std::vector<Block> free; // sorted by start, never adjacent
};

/// An allocation unit: a buffer instance, or one piece (block or window) of
/// one.
struct Unit {
  int64_t bytes;        // per partition
  int64_t scratch = -1; // byte offset of its spill slot
  int32_t buffer;
  int32_t address = -1;
  uint32_t next = kNever; // the next instruction that uses it
  bool dirty = false;     // written since it was last saved
  bool saved = false;     // its scratch slot holds its data
};

/// A spill DMA to insert before instruction `at`: save `unit` from
/// `address` to its scratch slot, or reload it there.
struct SpillEvent {
  uint32_t at;
  uint32_t unit;
  int32_t address;
  bool save;
};

class Allocator {
public:
  Allocator(Kernel &kernel, Records &records, std::vector<Unit> &units,
            ChunkedVector<SpillEvent> &events, nisa::Program &header)
      : kernel(kernel), records(records), units(units), events(events),
        header(header), sbuf(nisa::sbufPartitionBytes(header.target), 64),
        psum(nisa::kPsumPartitionBytes, nisa::kPsumBankBytes) {}

  /// Turns records into units and next uses, then allocates: every record
  /// gets its unit's address at that instruction, spills become events,
  /// and the header gets the peaks and the scratch size.
  LogicalResult run();

private:
  void makeUnits();
  void linkNextUses();
  LogicalResult makeResident(uint32_t unit, uint32_t at,
                             ArrayRef<uint32_t> pinned, bool &compacted);
  void spill(uint32_t unit, uint32_t at);
  const BufferType &typeOf(const Unit &u) {
    return kernel.types[kernel.buffers[u.buffer].type];
  }
  int64_t unitCount(const Buffer &b) {
    int64_t rowElems = kernel.types[b.type].rowElems;
    return b.inPieces() ? (rowElems + b.unitElems - 1) / b.unitElems : 1;
  }

  Kernel &kernel;
  Records &records;
  std::vector<Unit> &units;
  ChunkedVector<SpillEvent> &events;
  nisa::Program &header;
  std::vector<uint32_t> resident; // sbuf units in memory
  Arena sbuf, psum;
  int64_t scratchTop = 0;
};

void Allocator::makeUnits() {
  size_t total = 0;
  for (size_t id = 0; id < kernel.buffers.size(); ++id) {
    const Buffer &b = kernel.buffers[id];
    total += size_t(unitCount(b));
  }
  units.reserve(total);
  for (size_t id = 0; id < kernel.buffers.size(); ++id) {
    Buffer &b = kernel.buffers[id];
    const BufferType &t = kernel.types[b.type];
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
    const Buffer &b = kernel.buffers[records.unit[r]];
    records.unit[r] =
        uint32_t(b.firstUnit) + (b.inPieces() ? records.aux[r] : 0);
  }
}

void Allocator::linkNextUses() {
  std::vector<uint32_t> lastSeen(units.size(), kNever);
  size_t end = records.unit.size();
  for (uint64_t i = records.instructions(); i-- > 0;) {
    size_t begin = end - (records.meta[i] & 0x7);
    for (size_t r = begin; r < end; ++r)
      records.aux[r] = lastSeen[records.unit[r]];
    for (size_t r = begin; r < end; ++r)
      lastSeen[records.unit[r]] = uint32_t(i);
    end = begin;
  }
}

void Allocator::spill(uint32_t id, uint32_t at) {
  Unit &u = units[id];
  // Save only data that scratch does not already hold (a buffer never
  // written holds no data at all).
  if (u.dirty) {
    if (u.scratch < 0) {
      u.scratch = scratchTop;
      scratchTop += u.bytes * typeOf(u).partitions;
    }
    events.push_back(SpillEvent{at, id, u.address, /*save=*/true});
    u.dirty = false;
    u.saved = true;
  }
  sbuf.release(u.address, u.bytes);
  u.address = -1;
  llvm::erase(resident, id);
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
      return kernel.opOfInstruction(at)->emitError("PSUM is full: more than ")
             << nisa::kPsumPartitionBytes / nisa::kPsumBankBytes
             << " banks of PSUM tiles are live at once here";
    u.address = int32_t(*addr);
    header.psumPeakBytes = std::max(header.psumPeakBytes, psum.used);
    return success();
  }
  if (u.bytes > sbuf.capacity)
    return kernel.opOfInstruction(at)->emitError("a buffer of ")
           << u.bytes << " bytes per partition cannot fit SBUF ("
           << sbuf.capacity << " bytes per partition)";
  while (true) {
    if (std::optional<int64_t> addr = sbuf.allocate(u.bytes)) {
      u.address = int32_t(*addr);
      break;
    }
    // Evict the resident unit whose next use is furthest away.
    int64_t victim = -1;
    uint32_t furthest = 0;
    for (uint32_t r : resident) {
      if (llvm::is_contained(pinned, r))
        continue;
      if (victim < 0 || units[r].next > furthest) {
        victim = r;
        furthest = units[r].next;
      }
    }
    if (victim < 0) {
      // Only this instruction's own operands are left, and they fragment
      // SBUF: move them out too; the caller places them again, largest
      // first.
      SmallVector<uint32_t> others;
      for (uint32_t r : resident)
        if (r != id)
          others.push_back(r);
      int64_t total = u.bytes;
      for (uint32_t p : pinned)
        if (p != id && typeOf(units[p]).space == nisa::Space::sbuf)
          total += units[p].bytes;
      if (others.empty() || total > sbuf.capacity)
        return kernel.opOfInstruction(at)->emitError(
                   "does not fit in SBUF even with spills: this "
                   "instruction's operands need ")
               << total << " bytes per partition at once; SBUF has "
               << sbuf.capacity;
      for (uint32_t r : others)
        spill(r, at);
      compacted = true;
      continue;
    }
    spill(uint32_t(victim), at);
  }
  resident.push_back(id);
  header.sbufPeakBytes = std::max(header.sbufPeakBytes, sbuf.used);
  if (u.saved) // its data lives in scratch: reload it
    events.push_back(SpillEvent{at, id, u.address, /*save=*/false});
  return success();
}

LogicalResult Allocator::run() {
  makeUnits();
  linkNextUses();
  SmallVector<uint32_t, kNumRoles> pinned;
  size_t begin = 0;
  for (uint64_t i = 0; i < records.instructions(); ++i) {
    uint8_t meta = records.meta[i];
    size_t end = begin + (meta & 0x7);
    pinned.clear();
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
        return kernel.opOfInstruction(i)->emitError(
            "internal error: SBUF compaction did not converge");
    }
    for (size_t r = begin; r < end; ++r) {
      Unit &u = units[records.unit[r]];
      records.aux[r] = uint32_t(u.address);
      if (r == begin && (meta & kFirstIsWrite))
        u.dirty = true;
    }
    // Free units not used again.
    for (uint32_t unit : pinned) {
      Unit &u = units[unit];
      if (u.next != kNever)
        continue;
      if (typeOf(u).space == nisa::Space::psum) {
        psum.release(u.address, u.bytes);
      } else {
        sbuf.release(u.address, u.bytes);
        llvm::erase(resident, unit);
      }
      u.address = -1;
    }
    begin = end;
  }
  header.scratchBytes = scratchTop;
  return success();
}

//===----------------------------------------------------------------------===//
// Step 4: stream (addresses, spills, semaphores)
//===----------------------------------------------------------------------===//

using Clock = std::array<uint32_t, nisa::kNumQueues>;

/// Last writer and latest reader per queue of an address range.
struct HazardState {
  int8_t writerQueue = -1;
  uint32_t writer = 0;
  std::array<uint32_t, nisa::kNumQueues> readers{};
};

class Synchroniser {
public:
  explicit Synchroniser(const nisa::Program &header)
      : memories(3 + header.tensors.size()) {}

  /// Sets the instruction's semaphore value and the waits it needs.
  void add(nisa::Instruction &in) {
    int q = int(in.queue);
    uint32_t position = ++counts[q];
    in.signal = position;
    Clock deps{};
    auto touch = [&](const nisa::AccessPattern &ap, bool write) {
      nisa::ByteRange range = nisa::byteRange(ap);
      nisa::IntervalMap<HazardState> &memory = memories[range.key];
      if (!write) {
        memory.forEach(
            range.start, range.end, [&](int64_t, int64_t, HazardState &s) {
              if (s.writerQueue >= 0)
                deps[s.writerQueue] = std::max(deps[s.writerQueue], s.writer);
              s.readers[q] = std::max(s.readers[q], position);
            });
        return;
      }
      // A write depends on the last writer and every reader since, and
      // leaves the range with one state: this instruction wrote it.
      HazardState written;
      written.writerQueue = int8_t(q);
      written.writer = position;
      memory.forEachThenAssign(
          range.start, range.end,
          [&](int64_t, int64_t, const HazardState &s) {
            if (s.writerQueue >= 0)
              deps[s.writerQueue] = std::max(deps[s.writerQueue], s.writer);
            for (int d = 0; d < nisa::kNumQueues; ++d)
              deps[d] = std::max(deps[d], s.readers[d]);
          },
          written);
    };
    // Reads first, then the write, so that an in-place update (dst == src)
    // depends on the previous writer once.
    nisa::forEachAccess(in, touch);

    // Same-queue order is implicit; what this queue already knows is free.
    Clock known = lastClock[q];
    SmallVector<nisa::Wait, 4> candidates;
    for (int d = 0; d < nisa::kNumQueues; ++d)
      if (d != q && deps[d] > known[d])
        candidates.push_back({static_cast<nisa::Queue>(d), deps[d]});
    // Drop a wait implied by another candidate's knowledge.
    in.waits.clear();
    for (const nisa::Wait &w : candidates) {
      bool implied = false;
      for (const nisa::Wait &other : candidates)
        if (&other != &w &&
            clockOf(other.queue, other.value)[int(w.queue)] >= w.value)
          implied = true;
      if (!implied)
        in.waits.push_back(w);
    }
    Clock clock = known;
    for (const nisa::Wait &w : in.waits) {
      const Clock &c = clockOf(w.queue, w.value);
      for (int d = 0; d < nisa::kNumQueues; ++d)
        clock[d] = std::max(clock[d], c[d]);
    }
    clock[q] = position;
    lastClock[q] = clock;
    clocks[q].push_back(clock);
  }

private:
  const Clock &clockOf(nisa::Queue queue, uint32_t position) {
    return clocks[int(queue)][position - 1];
  }

  std::vector<nisa::IntervalMap<HazardState>> memories;
  std::array<uint32_t, nisa::kNumQueues> counts{};
  std::array<Clock, nisa::kNumQueues> lastClock{};
  std::array<ChunkedVector<Clock>, nisa::kNumQueues> clocks;
};

class Streamer {
public:
  Streamer(Kernel &kernel, Records &records, std::vector<Unit> &units,
           ChunkedVector<SpillEvent> &events, const nisa::Program &header,
           NisaConsumer &consumer)
      : kernel(kernel), records(records), units(units), events(events),
        consumer(consumer), sync(header), validator(header) {}

  LogicalResult operator()(VInstr &vi, Operation *op) {
    uint64_t i = index++;
    while (nextEvent < events.size() && events[nextEvent].at == i) {
      nisa::Instruction dma = spillDma(events[nextEvent++]);
      if (failed(deliver(dma, op)))
        return failure();
    }
    uint8_t meta = records.meta[i];
    size_t r = nextRecord;
    for (int role = 0; role < kNumRoles; ++role) {
      int32_t id = vi.buffer[role];
      if (id < 0)
        continue;
      const Buffer &b = kernel.buffers[id];
      uint32_t unit = records.unit[r];
      if (r - nextRecord >= size_t(meta & 0x7) || units[unit].buffer != id)
        return op->emitError("internal error: the second unrolling diverged "
                             "from the first");
      nisa::AccessPattern *ap = roleAP(vi.in, role);
      int64_t blockStart =
          b.inPieces() ? int64_t(unit - uint32_t(b.firstUnit)) * b.unitElems
                       : 0;
      ap->offset = int64_t(records.aux[r]) +
                   (ap->offset - blockStart) * nisa::elementBytes(ap->dtype);
      ++r;
    }
    nextRecord = r;
    return deliver(vi.in, op);
  }

private:
  nisa::Instruction spillDma(const SpillEvent &e) {
    const Unit &u = units[e.unit];
    const BufferType &t = kernel.types[kernel.buffers[u.buffer].type];
    int64_t eb = nisa::elementBytes(t.dtype);
    int64_t elems = u.bytes / eb;
    nisa::AccessPattern onChip = rowsAP(nisa::Space::sbuf, t.partitions, elems);
    onChip.dtype = t.dtype;
    onChip.offset = e.address;
    nisa::AccessPattern off = onChip;
    off.space = nisa::Space::scratch;
    off.partStride = elems;
    off.offset = u.scratch / eb;
    nisa::Instruction in;
    in.opcode = nisa::Opcode::dma;
    in.queue = nisa::Queue::spill;
    in.numSrcs = 1;
    in.dst = e.save ? off : onChip;
    in.src0 = e.save ? onChip : off;
    return in;
  }

  LogicalResult deliver(nisa::Instruction &in, Operation *op) {
    sync.add(in);
    if (llvm::Error e = validator.check(in))
      return op->emitError("internal error: the emitted stream is invalid: ")
             << llvm::toString(std::move(e));
    consumer.instruction(int64_t(emitted++), in);
    return success();
  }

  Kernel &kernel;
  Records &records;
  std::vector<Unit> &units;
  ChunkedVector<SpillEvent> &events;
  NisaConsumer &consumer;
  Synchroniser sync;
  nisa::Validator validator;
  uint64_t index = 0, emitted = 0;
  size_t nextEvent = 0, nextRecord = 0;
};

/// Collects a stream into a Program.
class Collector : public NisaConsumer {
public:
  explicit Collector(nisa::Program &program) : program(program) {}
  void header(const nisa::Program &header, int64_t count) override {
    program = header;
    program.instructions.reserve(size_t(count));
  }
  void instruction(int64_t, const nisa::Instruction &in) override {
    program.instructions.push_back(in);
  }

private:
  nisa::Program &program;
};

} // namespace

LogicalResult mlir::nki::translateToNisa(func::FuncOp func,
                                         const NisaOptions &options,
                                         NisaConsumer &consumer) {
  nisa::Program header;
  header.target = options.target                    ? *options.target
                  : getTarget(func) == Target::trn2 ? nisa::Target::trn2
                                                    : nisa::Target::trn1;
  Kernel kernel(func, header, options.maxInstructions);
  if (failed(kernel.compile()))
    return failure();
  // Record and allocate; if that spills, allocate the spilled buffers
  // window by window and do it again.
  auto records = std::make_unique<Records>();
  std::vector<Unit> units;
  auto events = std::make_unique<ChunkedVector<SpillEvent>>();
  auto recordAndAllocate = [&](bool replay) -> LogicalResult {
    Recorder recorder(kernel, *records, header);
    if (failed(kernel.run(recorder, replay)))
      return failure();
    if (records->instructions() >= kNever)
      return func.emitError("the unrolled stream has more than 2^32 "
                            "instructions");
    header.sbufPeakBytes = header.psumPeakBytes = header.scratchBytes = 0;
    Allocator allocator(kernel, *records, units, *events, header);
    return allocator.run();
  };
  if (failed(recordAndAllocate(/*replay=*/false)))
    return failure();
  if (options.windowSpills && events->size() > 0) {
    // Which instances spilled, and can be cut into windows of at least
    // kMinWindowBytes that hold every access that cannot be split.
    // Per op that made windowed instances: how many, and the window.
    llvm::MapVector<Operation *, std::pair<int64_t, int64_t>> windowed;
    for (size_t e = 0; e < events->size(); ++e) {
      Buffer &b = kernel.buffers[units[(*events)[e].unit].buffer];
      const BufferType &t = kernel.types[b.type];
      if (b.windowed || b.inPieces() || b.window <= 0)
        continue;
      int64_t window = b.window;
      while (window * nisa::elementBytes(t.dtype) < kMinWindowBytes)
        window *= 2;
      if (window >= t.rowElems)
        continue;
      b.windowed = true;
      b.unitElems = window;
      auto [it, inserted] =
          windowed.try_emplace(kernel.originOf(b), std::make_pair(0, window));
      ++it->second.first;
      (void)inserted;
    }
    // Say so: the stream's DMAs and memsets of these buffers are split.
    for (auto &[op, info] : windowed) {
      auto alloc = dyn_cast<AllocOp>(op);
      std::optional<StringRef> name = alloc ? alloc.getName() : std::nullopt;
      int64_t eb = 4;
      if (alloc)
        eb = nisa::elementBytes(dtypeOf(alloc.getType().getElementType()));
      op->emitRemark() << (name ? "'" + name->str() + "'" : "this buffer")
                       << " spilled, so it is allocated in windows of "
                       << info.second << " elements (" << info.second * eb
                       << " bytes) per partition and its DMAs and memsets "
                          "are split at window boundaries ("
                       << info.first
                       << (info.first == 1 ? " instance" : " instances")
                       << "; --nisa-window-spills=false keeps it whole)";
    }
    if (!windowed.empty()) {
      records = std::make_unique<Records>();
      events = std::make_unique<ChunkedVector<SpillEvent>>();
      units.clear();
      units.shrink_to_fit();
      if (failed(recordAndAllocate(/*replay=*/true)))
        return failure();
    }
  }
  // Tensors no instruction writes are inputs.
  for (nisa::TensorDecl &t : header.tensors)
    if (!t.isOutput)
      t.isInput = true;

  consumer.header(header, int64_t(records->instructions() + events->size()));
  Streamer streamer(kernel, *records, units, *events, header, consumer);
  return kernel.run(streamer, /*replay=*/true);
}

FailureOr<nisa::Program>
mlir::nki::translateToNisa(func::FuncOp func, const NisaOptions &options) {
  nisa::Program program;
  Collector collector(program);
  if (failed(translateToNisa(func, options, collector)))
    return failure();
  return program;
}

//===----------------------------------------------------------------------===//
// mlir-translate registrations
//===----------------------------------------------------------------------===//

static llvm::cl::opt<std::string>
    clTarget("nisa-target",
             llvm::cl::desc("NeuronCore to emit for: trn1 or trn2 (default: "
                            "the module's nki.target, else trn1)"),
             llvm::cl::init(""));
namespace {
/// --nisa-max-instructions: a count from 0 to 10^12 (the backend allows 8
/// loop iterations per instruction, which must fit 64 bits); a negative or
/// larger value is a command-line error naming the flag.
struct InstructionLimitParser : llvm::cl::parser<long long> {
  static constexpr long long kMax = 1'000'000'000'000;
  using llvm::cl::parser<long long>::parser;
  bool parse(llvm::cl::Option &option, StringRef name, StringRef arg,
             long long &value) {
    if (llvm::cl::parser<long long>::parse(option, name, arg, value))
      return true;
    if (value < 0 || value > kMax)
      return option.error("must be a count from 0 to 1000000000000, got '" +
                          arg + "'");
    return false;
  }
};
} // namespace

static llvm::cl::opt<long long, false, InstructionLimitParser>
    clMaxInstructions(
        "nisa-max-instructions",
        llvm::cl::desc("fail if the unrolled stream would exceed this many "
                       "instructions (0 to 10^12, default 20,000,000)"),
        llvm::cl::init(20'000'000));
static llvm::cl::opt<bool> clWindowSpills(
    "nisa-window-spills",
    llvm::cl::desc("when allocation spills, allocate spilled buffers in "
                   "windows so that spills move windows, not whole buffers "
                   "(default on)"),
    llvm::cl::init(true));
static llvm::cl::opt<std::string>
    clFunction("nisa-function",
               llvm::cl::desc("the kernel function to emit (default: the "
                              "only func.func in the module)"),
               llvm::cl::init(""));

static LogicalResult emitNisa(Operation *op, llvm::raw_ostream &os) {
  NisaOptions options;
  options.maxInstructions = int64_t(clMaxInstructions);
  options.windowSpills = clWindowSpills;
  if (!clTarget.empty()) {
    if (clTarget == "trn1")
      options.target = nisa::Target::trn1;
    else if (clTarget == "trn2")
      options.target = nisa::Target::trn2;
    else
      return op->emitError("--nisa-target must be trn1 or trn2, got '")
             << clTarget << "'";
  }
  SmallVector<func::FuncOp> funcs;
  op->walk([&](func::FuncOp f) {
    if (!f.isExternal() && (clFunction.empty() || f.getSymName() == clFunction))
      funcs.push_back(f);
  });
  if (funcs.size() != 1)
    return op->emitError("expected exactly one kernel function")
           << (clFunction.empty() ? "" : " named '" + clFunction + "'")
           << ", found " << funcs.size()
           << (clFunction.empty() ? " (select one with --nisa-function)" : "");
  if (funcs.front()
          ->walk([](mamba::SelectiveScanOp) { return WalkResult::interrupt(); })
          .wasInterrupted())
    return funcs.front()->emitError(
        "the kernel still contains mamba.selective_scan; lower it first "
        "(mamba-opt --mamba-v1, --mamba-v2 or --mamba-v3)");
  // Print as the instructions come: the stream is never held in memory.
  // Large writes: a stream can be hundreds of megabytes.
  os.SetBufferSize(1 << 20);
  struct Printer : NisaConsumer {
    explicit Printer(llvm::raw_ostream &os) : os(os) {}
    void header(const nisa::Program &h, int64_t count) override {
      program = &h;
      nisa::printHeader(h, count, os);
    }
    void instruction(int64_t id, const nisa::Instruction &in) override {
      nisa::printInstruction(*program, id, in, os);
    }
    llvm::raw_ostream &os;
    const nisa::Program *program = nullptr;
  } printer(os);
  LogicalResult result = translateToNisa(funcs.front(), options, printer);
  if (succeeded(result))
    nisa::printEnd(os);
  // The buffer set above must reach `os`'s destination now: a string stream
  // (--split-input-file) is read as soon as this returns.
  os.flush();
  return result;
}

static LogicalResult
readNisa(const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
         llvm::function_ref<void(const nisa::Program &)> use) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr->getMemoryBuffer(sourceMgr->getMainFileID());
  llvm::Expected<nisa::Program> program =
      nisa::parse(buffer->getBuffer(), buffer->getBufferIdentifier());
  if (!program) {
    llvm::errs() << llvm::toString(program.takeError()) << "\n";
    return failure();
  }
  use(*program);
  return success();
}

void mlir::nki::registerNisaTranslations() {
  static TranslateFromMLIRRegistration toNisa(
      "nki-to-nisa",
      "lower an nki kernel to a NeuronCore instruction stream (.nisa)",
      emitNisa, [](DialectRegistry &registry) {
        registry.insert<arith::ArithDialect, func::FuncDialect,
                        memref::MemRefDialect, scf::SCFDialect, NkiDialect,
                        mamba::MambaDialect>();
      });
  static TranslateRegistration roundTrip(
      "nisa-roundtrip", "parse a .nisa stream and print it again",
      [](const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
         llvm::raw_ostream &os, MLIRContext *) {
        return readNisa(sourceMgr,
                        [&](const nisa::Program &p) { nisa::print(p, os); });
      });
  static TranslateRegistration stats(
      "nisa-stats",
      "print instruction counts per queue, SBUF/PSUM peaks and spill traffic "
      "of a .nisa stream",
      [](const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
         llvm::raw_ostream &os, MLIRContext *) {
        return readNisa(sourceMgr, [&](const nisa::Program &p) {
          nisa::printStats(p, os);
        });
      });
}
