//===- NkiToNisa.cpp - lower nki IR to a NeuronCore instruction stream ----===//
//
// Three steps, each over the whole stream:
//  1. Unroll: walk the function, executing scf.for loops and index
//     arithmetic, and emit one virtual instruction per nki op (a partition
//     broadcast becomes TensorE matmuls against a ones row, through PSUM bank
//     by bank). Operands refer to buffer instances: each executed nki.alloc
//     is a new instance.
//  2. Allocate: give every instance (or every block of a [P, blocks, ...]
//     buffer accessed one block at a time) an address, next-fit so that the
//     buffers of consecutive iterations differ and engines can overlap; when
//     SBUF is full, spill the resident buffer used furthest in the future to
//     an HBM scratch area and reload it before its next use, on the spill
//     queue.
//  3. Synchronise: every read-after-write, write-after-read and
//     write-after-write on overlapping addresses between different queues
//     becomes a semaphore wait, unless an earlier wait already implies it
//     (tracked with a vector clock per instruction).
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Target/Nisa/NkiToNisa.h"
#include "mamba-nki/Target/Nisa/IntervalMap.h"
#include "mamba-nki/Dialect/Mamba/IR/MambaOps.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <map>

using namespace mlir;
using namespace mlir::nki;

namespace {

//===----------------------------------------------------------------------===//
// Step 1: unroll
//===----------------------------------------------------------------------===//

/// A buffer instance: one execution of an nki.alloc (or a temporary).
struct Buffer {
  std::string name; // the nki.alloc's name, if any
  nisa::Space space;
  nisa::DType dtype;
  int64_t partitions;
  int64_t rowElems; // elements per partition
  SmallVector<int64_t, 4> shape;
  // Block structure ([P, blocks, ...] accessed one block at a time).
  bool blocked = false;
  int64_t blockElems = 0;
  int32_t firstUnit = -1;
};

/// A memref value during unrolling: a view of a function argument (HBM) or
/// of a buffer instance, as an element offset and strided dims.
struct View {
  bool isHbm = false;
  int32_t id = -1; // tensor index or buffer id
  int64_t offset = 0;
  SmallVector<int64_t, 4> sizes, strides;
  nisa::DType dtype = nisa::DType::f32;
};

/// Roles of an instruction's access patterns, to address them uniformly.
enum Role { kDst, kSrc0, kSrc1, kScalar0, kScalar1, kBias, kNumRoles };

struct VInstr {
  nisa::Instruction in;
  std::array<int32_t, kNumRoles> buffer; // buffer id, or -1
  Operation *op = nullptr;
  VInstr() { buffer.fill(-1); }
};

nisa::AccessPattern *roleAP(nisa::Instruction &in, int role) {
  switch (role) {
  case kDst: return &in.dst;
  case kSrc0: return in.numSrcs >= 1 ? &in.src0 : nullptr;
  case kSrc1: return in.numSrcs >= 2 ? &in.src1 : nullptr;
  case kScalar0: return in.scalar0.isImmediate ? nullptr : &in.scalar0.ap;
  case kScalar1: return in.scalar1.isImmediate ? nullptr : &in.scalar1.ap;
  case kBias: return in.hasBias ? &in.bias : nullptr;
  }
  return nullptr;
}

bool roleWrites(int role) { return role == kDst; }

class Unroller {
public:
  Unroller(func::FuncOp func, nisa::Program &program, int64_t maxInstructions)
      : func(func), program(program), maxInstructions(maxInstructions) {}

  LogicalResult run();

  std::vector<Buffer> buffers;
  std::vector<VInstr> instrs;

private:
  LogicalResult walk(Block &block);
  LogicalResult visit(Operation *op);
  LogicalResult lowerNki(Operation *op);
  FailureOr<int64_t> integer(Operation *op, Value v) {
    auto it = ints.find(v);
    if (it != ints.end())
      return it->second;
    if (std::optional<int64_t> c = getConstantIntValue(v))
      return *c;
    return failure();
  }
  FailureOr<nisa::AccessPattern> pattern(Operation *op, Value v,
                                         int32_t &bufferId);
  LogicalResult emit(VInstr vi, Operation *op);
  uint32_t location(Location loc, StringRef fallbackName);
  int32_t newBuffer(nisa::Space space, nisa::DType dtype,
                    ArrayRef<int64_t> shape);
  nisa::Queue engineQueue(Engine engine);

  func::FuncOp func;
  nisa::Program &program;
  int64_t maxInstructions;
  DenseMap<Value, int64_t> ints;
  DenseMap<Value, View> views;
  llvm::StringMap<uint32_t> locIndex;
  int32_t onesBuffer = -1;
  int nextIoQueue = 0;
  int64_t instructionBudgetUsed = 0;
};

nisa::DType dtypeOf(Type t) {
  return t.isBF16() ? nisa::DType::bf16 : nisa::DType::f32;
}

uint32_t Unroller::location(Location loc, StringRef fallbackName) {
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
  std::string text = name.empty() ? where
                     : where.empty() ? name
                                     : name + "@" + where;
  if (text.empty())
    return 0;
  auto [it, inserted] =
      locIndex.try_emplace(text, uint32_t(program.locations.size()));
  if (inserted)
    program.locations.push_back(text);
  return it->second;
}

int32_t Unroller::newBuffer(nisa::Space space, nisa::DType dtype,
                            ArrayRef<int64_t> shape) {
  Buffer b;
  b.space = space;
  b.dtype = dtype;
  b.shape.assign(shape.begin(), shape.end());
  b.partitions = shape[0];
  b.rowElems = 1;
  for (int64_t d : shape.drop_front())
    b.rowElems *= d;
  buffers.push_back(std::move(b));
  return int32_t(buffers.size() - 1);
}

nisa::Queue Unroller::engineQueue(Engine engine) {
  switch (engine) {
  case Engine::scalar: return nisa::Queue::act;
  case Engine::vector: return nisa::Queue::dve;
  case Engine::gpsimd: return nisa::Queue::pool;
  case Engine::tensor: return nisa::Queue::pe;
  }
  return nisa::Queue::dve;
}

LogicalResult Unroller::run() {
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
    nisa::TensorDecl t;
    if (auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                      "nki.name"))
      t.name = name.getValue().str();
    else
      t.name = "arg" + std::to_string(arg.getArgNumber());
    if (program.findTensor(t.name) >= 0)
      return func.emitError() << "two arguments are named '" << t.name << "'";
    t.dtype = dtypeOf(type.getElementType());
    t.shape.assign(type.getShape().begin(), type.getShape().end());
    View v;
    v.isHbm = true;
    v.id = int32_t(program.tensors.size());
    v.dtype = t.dtype;
    v.sizes.assign(type.getShape().begin(), type.getShape().end());
    int64_t stride = 1;
    v.strides.resize(v.sizes.size());
    for (int d = int(v.sizes.size()) - 1; d >= 0; --d) {
      v.strides[d] = stride;
      stride *= v.sizes[d];
    }
    views[arg] = v;
    program.tensors.push_back(std::move(t));
  }
  return walk(func.getBody().front());
}

LogicalResult Unroller::walk(Block &block) {
  for (Operation &op : block)
    if (failed(visit(&op)))
      return failure();
  return success();
}

LogicalResult Unroller::visit(Operation *op) {
  if (isa<func::ReturnOp, scf::YieldOp>(op))
    return success();
  if (auto c = dyn_cast<arith::ConstantOp>(op)) {
    if (auto i = dyn_cast<IntegerAttr>(c.getValue()))
      ints[c.getResult()] = i.getInt();
    return success();
  }
  auto binary = [&](auto fn) -> LogicalResult {
    FailureOr<int64_t> a = integer(op, op->getOperand(0));
    FailureOr<int64_t> b = integer(op, op->getOperand(1));
    if (failed(a) || failed(b))
      return op->emitError("cannot evaluate index operands");
    std::optional<int64_t> r = fn(*a, *b);
    if (!r)
      return op->emitError("index arithmetic error (division by zero)");
    ints[op->getResult(0)] = *r;
    return success();
  };
  using I = int64_t;
  using O = std::optional<int64_t>;
  if (isa<arith::AddIOp>(op)) return binary([](I a, I b) -> O { return a + b; });
  if (isa<arith::SubIOp>(op)) return binary([](I a, I b) -> O { return a - b; });
  if (isa<arith::MulIOp>(op)) return binary([](I a, I b) -> O { return a * b; });
  if (isa<arith::DivSIOp, arith::DivUIOp, arith::FloorDivSIOp>(op))
    return binary([](I a, I b) -> O { return b ? O(a / b) : std::nullopt; });
  if (isa<arith::RemSIOp, arith::RemUIOp>(op))
    return binary([](I a, I b) -> O { return b ? O(a % b) : std::nullopt; });
  if (isa<arith::MinSIOp, arith::MinUIOp>(op))
    return binary([](I a, I b) -> O { return std::min(a, b); });
  if (isa<arith::MaxSIOp, arith::MaxUIOp>(op))
    return binary([](I a, I b) -> O { return std::max(a, b); });
  if (isa<arith::IndexCastOp>(op)) {
    FailureOr<int64_t> a = integer(op, op->getOperand(0));
    if (failed(a))
      return op->emitError("cannot evaluate index operand");
    ints[op->getResult(0)] = *a;
    return success();
  }
  if (auto forOp = dyn_cast<scf::ForOp>(op)) {
    if (forOp.getNumRegionIterArgs())
      return op->emitError("loops carrying values (iter_args) cannot be "
                           "unrolled into the instruction stream");
    FailureOr<int64_t> lb = integer(op, forOp.getLowerBound());
    FailureOr<int64_t> ub = integer(op, forOp.getUpperBound());
    FailureOr<int64_t> step = integer(op, forOp.getStep());
    if (failed(lb) || failed(ub) || failed(step))
      return op->emitError("loop bounds must be computable at compile time");
    if (*step <= 0)
      return op->emitError("loop step must be positive, got ") << *step;
    for (int64_t iv = *lb; iv < *ub; iv += *step) {
      ints[forOp.getInductionVar()] = iv;
      if (failed(walk(*forOp.getBody())))
        return failure();
    }
    return success();
  }
  if (auto subview = dyn_cast<memref::SubViewOp>(op)) {
    auto it = views.find(subview.getSource());
    if (it == views.end())
      return op->emitError("view of an unknown buffer");
    const View &src = it->second;
    View v;
    v.isHbm = src.isHbm;
    v.id = src.id;
    v.dtype = src.dtype;
    v.offset = src.offset;
    SmallVector<OpFoldResult> offsets = subview.getMixedOffsets();
    SmallVector<OpFoldResult> sizes = subview.getMixedSizes();
    SmallVector<OpFoldResult> strides = subview.getMixedStrides();
    llvm::SmallBitVector dropped = subview.getDroppedDims();
    for (unsigned d = 0; d < offsets.size(); ++d) {
      auto value = [&](OpFoldResult ofr) -> FailureOr<int64_t> {
        if (auto attr = dyn_cast<Attribute>(ofr))
          return cast<IntegerAttr>(attr).getInt();
        return integer(op, cast<Value>(ofr));
      };
      FailureOr<int64_t> off = value(offsets[d]);
      FailureOr<int64_t> size = value(sizes[d]);
      FailureOr<int64_t> stride = value(strides[d]);
      if (failed(off) || failed(size) || failed(stride))
        return op->emitError("cannot evaluate the view's offsets or sizes");
      if (*off < 0 || *size < 0 || *off + (*size - 1) * *stride >= src.sizes[d])
        return op->emitError("view [")
               << *off << ", +" << *size << "] is out of bounds of dim " << d
               << " (size " << src.sizes[d] << ")";
      v.offset += *off * src.strides[d];
      if (!dropped.test(d)) {
        v.sizes.push_back(*size);
        v.strides.push_back(*stride * src.strides[d]);
      }
    }
    views[subview.getResult()] = v;
    return success();
  }
  if (auto alloc = dyn_cast<AllocOp>(op)) {
    MemRefType type = alloc.getType();
    nisa::Space space = getMemorySpace(type) == MemorySpace::psum
                            ? nisa::Space::psum
                            : nisa::Space::sbuf;
    View v;
    v.id = newBuffer(space, dtypeOf(type.getElementType()), type.getShape());
    if (std::optional<StringRef> name = alloc.getName())
      buffers[v.id].name = name->str();
    v.dtype = buffers[v.id].dtype;
    v.sizes.assign(type.getShape().begin(), type.getShape().end());
    v.strides.resize(v.sizes.size());
    int64_t stride = 1;
    for (int d = int(v.sizes.size()) - 1; d >= 0; --d) {
      v.strides[d] = stride;
      stride *= v.sizes[d];
    }
    views[alloc.getResult()] = v;
    return success();
  }
  if (isa<NkiDialect>(op->getDialect()))
    return lowerNki(op);
  return op->emitError("cannot translate '")
         << op->getName()
         << "' to the instruction stream (expected nki ops, scf.for, "
            "memref.subview and index arithmetic)";
}

FailureOr<nisa::AccessPattern> Unroller::pattern(Operation *op, Value value,
                                                 int32_t &bufferId) {
  auto it = views.find(value);
  if (it == views.end()) {
    op->emitError("operand is not a known buffer view");
    return failure();
  }
  const View &v = it->second;
  nisa::AccessPattern ap;
  ap.dtype = v.dtype;
  SmallVector<std::pair<int64_t, int64_t>> dims; // free dims
  for (size_t d = 1; d < v.sizes.size(); ++d)
    if (v.sizes[d] != 1)
      dims.push_back({v.sizes[d], v.strides[d]});
  // Merge contiguous dims: (a, s*b) (b, s) -> (a*b, s).
  SmallVector<std::pair<int64_t, int64_t>> merged;
  for (auto dim : dims) {
    if (!merged.empty() &&
        merged.back().second == dim.first * dim.second) {
      merged.back() = {merged.back().first * dim.first, dim.second};
      continue;
    }
    merged.push_back(dim);
  }
  if (merged.empty())
    merged.push_back({1, 1});
  if (merged.size() > size_t(nisa::kMaxFreeDims)) {
    op->emitError("access pattern needs more than ")
        << nisa::kMaxFreeDims << " free dims";
    return failure();
  }
  ap.rank = uint8_t(merged.size());
  for (size_t i = 0; i < merged.size(); ++i) {
    if (merged[i].first > INT32_MAX || merged[i].second > INT32_MAX ||
        merged[i].second < 0) {
      op->emitError("access pattern dims exceed 32 bits");
      return failure();
    }
    ap.sizes[i] = int32_t(merged[i].first);
    ap.strides[i] = int32_t(merged[i].second);
  }
  int64_t rows = v.sizes.empty() ? 1 : v.sizes[0];
  if (v.isHbm) {
    ap.space = nisa::Space::hbm;
    ap.tensor = int16_t(v.id);
    ap.partCount = int32_t(rows);
    ap.partStride = v.sizes.empty() ? 0 : v.strides[0];
    ap.offset = v.offset;
    bufferId = -1;
    return ap;
  }
  const Buffer &b = buffers[v.id];
  ap.space = b.space;
  if (rows > 1 && v.strides[0] != b.rowElems) {
    op->emitError("view's dim 0 is not the partition dim of its buffer");
    return failure();
  }
  ap.partStart = int32_t(v.offset / b.rowElems);
  ap.partCount = int32_t(rows);
  ap.offset = v.offset % b.rowElems; // elements, until allocation
  bufferId = v.id;
  return ap;
}

LogicalResult Unroller::emit(VInstr vi, Operation *op) {
  if (++instructionBudgetUsed > maxInstructions)
    return op->emitError("the unrolled instruction stream exceeds ")
           << maxInstructions
           << " instructions; raise the limit with --nisa-max-instructions";
  // Without a NameLoc (IR printed without debug info), name the instruction
  // after the buffer it writes.
  StringRef fallback =
      vi.buffer[kDst] >= 0 ? StringRef(buffers[vi.buffer[kDst]].name) : "";
  vi.in.loc = location(op->getLoc(), fallback);
  vi.op = op;
  instrs.push_back(std::move(vi));
  return success();
}

LogicalResult Unroller::lowerNki(Operation *op) {
  VInstr vi;
  nisa::Instruction &in = vi.in;
  auto set = [&](int role, nisa::AccessPattern &slot, Value v) {
    FailureOr<nisa::AccessPattern> ap = pattern(op, v, vi.buffer[role]);
    if (failed(ap))
      return failure();
    slot = *ap;
    return success();
  };
  auto scalar = [&](int role, nisa::Scalar &slot, Value v,
                    FloatAttr imm) -> LogicalResult {
    if (v) {
      slot.isImmediate = false;
      return set(role, slot.ap, v);
    }
    slot.isImmediate = true;
    slot.value = imm ? float(imm.getValueAsDouble()) : 1.0f;
    return success();
  };
  auto alu = [](AluOp a) { return static_cast<nisa::Alu>(uint32_t(a)); };

  if (isa<LoadOp, StoreOp>(op)) {
    // Both DMAs: operand 0 is the source, operand 1 the destination.
    in.opcode = nisa::Opcode::dma;
    in.queue = static_cast<nisa::Queue>(int(nisa::Queue::io0) + nextIoQueue);
    nextIoQueue = (nextIoQueue + 1) % nisa::kNumIoQueues;
    in.numSrcs = 1;
    if (failed(set(kDst, in.dst, op->getOperand(1))) ||
        failed(set(kSrc0, in.src0, op->getOperand(0))))
      return failure();
    return emit(std::move(vi), op);
  }
  if (auto memset = dyn_cast<MemsetOp>(op)) {
    in.opcode = nisa::Opcode::memset;
    in.queue = engineQueue(memset.getEffectiveEngine());
    in.value = float(memset.getValue().convertToDouble());
    if (failed(set(kDst, in.dst, memset.getDst())))
      return failure();
    return emit(std::move(vi), op);
  }
  if (auto act = dyn_cast<ActivationOp>(op)) {
    in.opcode = nisa::Opcode::activation;
    in.queue = nisa::Queue::act;
    in.func = static_cast<nisa::Act>(uint32_t(act.getFunc()));
    in.numSrcs = 1;
    if (failed(set(kDst, in.dst, act.getDst())) ||
        failed(set(kSrc0, in.src0, act.getData())) ||
        failed(scalar(kScalar0, in.scalar0, act.getScale(),
                      act.getScaleImmAttr())))
      return failure();
    if (act.getBias()) {
      in.hasBias = true;
      if (failed(set(kBias, in.bias, act.getBias())))
        return failure();
    }
    return emit(std::move(vi), op);
  }
  if (auto ts = dyn_cast<TensorScalarOp>(op)) {
    in.opcode = nisa::Opcode::tensor_scalar;
    in.queue = engineQueue(ts.getEffectiveEngine());
    in.numSrcs = 1;
    in.op0 = alu(ts.getOp0());
    in.rev0 = ts.getReverse0();
    if (failed(set(kDst, in.dst, ts.getDst())) ||
        failed(set(kSrc0, in.src0, ts.getData())) ||
        failed(scalar(kScalar0, in.scalar0, ts.getOperand0(),
                      ts.getImm0Attr())))
      return failure();
    if (ts.getOp1()) {
      in.hasOp1 = true;
      in.op1 = alu(*ts.getOp1());
      in.rev1 = ts.getReverse1();
      if (failed(scalar(kScalar1, in.scalar1, ts.getOperand1(),
                        ts.getImm1Attr())))
        return failure();
    }
    return emit(std::move(vi), op);
  }
  if (auto tt = dyn_cast<TensorTensorOp>(op)) {
    in.opcode = nisa::Opcode::tensor_tensor;
    in.queue = engineQueue(tt.getEffectiveEngine());
    in.op0 = alu(tt.getOp());
    in.numSrcs = 2;
    if (failed(set(kDst, in.dst, tt.getDst())) ||
        failed(set(kSrc0, in.src0, tt.getLhs())) ||
        failed(set(kSrc1, in.src1, tt.getRhs())))
      return failure();
    return emit(std::move(vi), op);
  }
  if (auto scan = dyn_cast<TensorTensorScanOp>(op)) {
    in.opcode = nisa::Opcode::tensor_tensor_scan;
    in.queue = nisa::Queue::dve;
    in.op0 = alu(scan.getOp0());
    in.op1 = alu(scan.getOp1());
    in.numSrcs = 2;
    if (failed(set(kDst, in.dst, scan.getDst())) ||
        failed(set(kSrc0, in.src0, scan.getData0())) ||
        failed(set(kSrc1, in.src1, scan.getData1())) ||
        failed(scalar(kScalar0, in.scalar0, scan.getInitial(),
                      scan.getInitialImmAttr())))
      return failure();
    if (in.dst.rank != 1 || in.src0.rank != 1 || in.src1.rank != 1)
      return op->emitError("a scan's operands must be one contiguous run of "
                           "elements per partition");
    return emit(std::move(vi), op);
  }
  if (auto copy = dyn_cast<TensorCopyOp>(op)) {
    in.opcode = nisa::Opcode::tensor_copy;
    in.queue = engineQueue(copy.getEffectiveEngine());
    in.numSrcs = 1;
    if (failed(set(kDst, in.dst, copy.getDst())) ||
        failed(set(kSrc0, in.src0, copy.getSrc())))
      return failure();
    return emit(std::move(vi), op);
  }
  if (auto bcast = dyn_cast<PartitionBroadcastOp>(op)) {
    int32_t srcBuf = -1, dstBuf = -1;
    FailureOr<nisa::AccessPattern> src = pattern(op, bcast.getSrc(), srcBuf);
    FailureOr<nisa::AccessPattern> dst = pattern(op, bcast.getDst(), dstBuf);
    if (failed(src) || failed(dst))
      return failure();
    if (src->rank != 1 || dst->rank != 1)
      return op->emitError("a broadcast row must be one contiguous run of "
                           "elements");
    int64_t partitions = dst->partCount;
    // The ones row [1, 128] that TensorE multiplies by: set once.
    if (onesBuffer < 0) {
      onesBuffer = newBuffer(nisa::Space::sbuf, nisa::DType::f32,
                             {1, nisa::kPartitions});
      buffers[onesBuffer].name = "ones";
      VInstr ones;
      ones.in.opcode = nisa::Opcode::memset;
      ones.in.queue = nisa::Queue::pool;
      ones.in.value = 1.0f;
      ones.in.dst.space = nisa::Space::sbuf;
      ones.in.dst.partCount = 1;
      ones.in.dst.rank = 1;
      ones.in.dst.sizes[0] = nisa::kPartitions;
      ones.in.dst.strides[0] = 1;
      ones.buffer[kDst] = onesBuffer;
      if (failed(emit(std::move(ones), op)))
        return failure();
    }
    nisa::AccessPattern onesAP;
    onesAP.space = nisa::Space::sbuf;
    onesAP.partCount = 1;
    onesAP.rank = 1;
    onesAP.sizes[0] = int32_t(partitions);
    onesAP.strides[0] = 1;
    auto matmul = [&](const nisa::AccessPattern &out, int32_t outBuf,
                      const nisa::AccessPattern &row) {
      VInstr mm;
      mm.in.opcode = nisa::Opcode::matmul;
      mm.in.queue = nisa::Queue::pe;
      mm.in.numSrcs = 2;
      mm.in.dst = out;
      mm.in.src0 = onesAP;
      mm.in.src1 = row;
      mm.buffer[kDst] = outBuf;
      mm.buffer[kSrc0] = onesBuffer;
      mm.buffer[kSrc1] = srcBuf;
      return emit(std::move(mm), op);
    };
    if (dst->space == nisa::Space::psum)
      return matmul(*dst, dstBuf, *src);
    // SBUF destination: one PSUM bank at a time, then a ScalarE copy out.
    const int64_t bankElems = nisa::kPsumBankBytes / 4;
    int64_t length = dst->sizes[0];
    for (int64_t start = 0; start < length; start += bankElems) {
      int64_t chunk = std::min(bankElems, length - start);
      int32_t tmp = newBuffer(nisa::Space::psum, nisa::DType::f32,
                              {partitions, chunk});
      nisa::AccessPattern tmpAP;
      tmpAP.space = nisa::Space::psum;
      tmpAP.partCount = int32_t(partitions);
      tmpAP.rank = 1;
      tmpAP.sizes[0] = int32_t(chunk);
      tmpAP.strides[0] = 1;
      nisa::AccessPattern rowChunk = *src;
      rowChunk.offset += start * src->strides[0];
      rowChunk.sizes[0] = int32_t(chunk);
      nisa::AccessPattern dstChunk = *dst;
      dstChunk.offset += start * dst->strides[0];
      dstChunk.sizes[0] = int32_t(chunk);
      if (failed(matmul(tmpAP, tmp, rowChunk)))
        return failure();
      VInstr cp;
      cp.in.opcode = nisa::Opcode::tensor_copy;
      cp.in.queue = nisa::Queue::act;
      cp.in.numSrcs = 1;
      cp.in.dst = dstChunk;
      cp.in.src0 = tmpAP;
      cp.buffer[kDst] = dstBuf;
      cp.buffer[kSrc0] = tmp;
      if (failed(emit(std::move(cp), op)))
        return failure();
    }
    return success();
  }
  return op->emitError("cannot translate '") << op->getName() << "'";
}

//===----------------------------------------------------------------------===//
// Step 2: allocate
//===----------------------------------------------------------------------===//

/// Free space of one memory, next-fit.
class Arena {
public:
  Arena(int64_t capacity, int64_t align) : capacity(capacity), align(align) {
    free[0] = capacity;
  }
  /// An address for `size` bytes at or after the cursor, wrapping around.
  std::optional<int64_t> allocate(int64_t size) {
    size = (size + align - 1) / align * align;
    auto tryFrom = [&](int64_t from) -> std::optional<int64_t> {
      for (auto it = free.begin(); it != free.end(); ++it) {
        int64_t start = std::max(it->first, from);
        start = (start + align - 1) / align * align;
        int64_t end = it->first + it->second;
        if (start + size > end)
          continue;
        int64_t blockStart = it->first, blockEnd = end;
        free.erase(it);
        if (start > blockStart)
          free[blockStart] = start - blockStart;
        if (start + size < blockEnd)
          free[start + size] = blockEnd - (start + size);
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
    auto next = free.lower_bound(start);
    int64_t s = start, e = start + size;
    if (next != free.end() && next->first == e) {
      e = next->first + next->second;
      next = free.erase(next);
    }
    if (next != free.begin()) {
      auto prev = std::prev(next);
      if (prev->first + prev->second == s) {
        s = prev->first;
        free.erase(prev);
      }
    }
    free[s] = e - s;
  }
  int64_t used = 0;
  int64_t capacity;

private:
  int64_t align;
  int64_t cursor = 0;
  std::map<int64_t, int64_t> free; // start -> size
};

/// An allocation unit: a buffer instance, or one block of a blocked one.
struct Unit {
  int32_t buffer;
  int64_t bytes;     // per partition
  int64_t address = -1;
  int64_t scratch = -1; // byte offset of its spill slot
  bool dirty = false;   // written since it was last saved
  bool saved = false;   // its scratch slot holds its data
  size_t nextUse = 0;   // index into uses
  std::vector<uint32_t> uses; // instruction indices, ascending, unique
};

class Allocator {
public:
  Allocator(Unroller &u, nisa::Program &program)
      : buffers(u.buffers), instrs(u.instrs), program(program),
        sbuf(nisa::sbufPartitionBytes(program.target), 64),
        psum(nisa::kPsumPartitionBytes, nisa::kPsumBankBytes) {}

  /// Allocates and passes each resulting instruction (spills included), in
  /// order, to `sink`.
  LogicalResult run(llvm::function_ref<void(nisa::Instruction &&)> sink);

private:
  int32_t unitOf(const VInstr &vi, int role) const;
  LogicalResult makeResident(int32_t unit, uint32_t at,
                             ArrayRef<int32_t> pinned, bool &compacted);
  void spill(int32_t unit);
  VInstr spillDma(int32_t unit, bool save);

  std::vector<Buffer> &buffers;
  std::vector<VInstr> &instrs;
  nisa::Program &program;
  llvm::function_ref<void(nisa::Instruction &&)> emit;
  std::vector<Unit> units;
  std::vector<int32_t> resident; // sbuf units in memory
  Arena sbuf, psum;
  int64_t scratchTop = 0;
};

int32_t Allocator::unitOf(const VInstr &vi, int role) const {
  int32_t b = vi.buffer[role];
  if (b < 0)
    return -1;
  const Buffer &buf = buffers[b];
  if (!buf.blocked)
    return buf.firstUnit;
  const nisa::AccessPattern *ap =
      roleAP(const_cast<nisa::Instruction &>(vi.in), role);
  return buf.firstUnit + int32_t(ap->offset / buf.blockElems);
}

VInstr Allocator::spillDma(int32_t id, bool save) {
  Unit &u = units[id];
  const Buffer &b = buffers[u.buffer];
  int64_t eb = nisa::elementBytes(b.dtype);
  int64_t elems = u.bytes / eb;
  nisa::AccessPattern onChip;
  onChip.space = nisa::Space::sbuf;
  onChip.dtype = b.dtype;
  onChip.partCount = int32_t(b.partitions);
  onChip.offset = u.address;
  onChip.rank = 1;
  onChip.sizes[0] = int32_t(elems);
  onChip.strides[0] = 1;
  nisa::AccessPattern off = onChip;
  off.space = nisa::Space::scratch;
  off.partStride = elems;
  off.offset = u.scratch / eb;
  VInstr vi;
  vi.in.opcode = nisa::Opcode::dma;
  vi.in.queue = nisa::Queue::spill;
  vi.in.numSrcs = 1;
  vi.in.dst = save ? off : onChip;
  vi.in.src0 = save ? onChip : off;
  return vi;
}

void Allocator::spill(int32_t id) {
  Unit &u = units[id];
  // Save only data that scratch does not already hold (a buffer never
  // written holds no data at all).
  if (u.dirty) {
    if (u.scratch < 0) {
      u.scratch = scratchTop;
      scratchTop += u.bytes * buffers[u.buffer].partitions;
    }
    emit(std::move(spillDma(id, /*save=*/true).in));
    u.dirty = false;
    u.saved = true;
  }
  sbuf.release(u.address, u.bytes);
  u.address = -1;
  llvm::erase(resident, id);
}

LogicalResult Allocator::makeResident(int32_t id, uint32_t at,
                                      ArrayRef<int32_t> pinned,
                                      bool &compacted) {
  Unit &u = units[id];
  if (u.address >= 0)
    return success();
  const Buffer &b = buffers[u.buffer];
  Operation *op = instrs[at].op;
  if (b.space == nisa::Space::psum) {
    std::optional<int64_t> addr = psum.allocate(u.bytes);
    if (!addr)
      return op->emitError("PSUM is full: more than ")
             << nisa::kPsumPartitionBytes / nisa::kPsumBankBytes
             << " banks of PSUM tiles are live at once here";
    u.address = *addr;
    program.psumPeakBytes = std::max(program.psumPeakBytes, psum.used);
    return success();
  }
  if (u.bytes > sbuf.capacity)
    return op->emitError("a buffer of ")
           << u.bytes << " bytes per partition cannot fit SBUF ("
           << sbuf.capacity << " bytes per partition)";
  while (true) {
    if (std::optional<int64_t> addr = sbuf.allocate(u.bytes)) {
      u.address = *addr;
      break;
    }
    // Evict the resident unit whose next use is furthest away.
    int32_t victim = -1;
    uint32_t furthest = 0;
    for (int32_t r : resident) {
      if (llvm::is_contained(pinned, r))
        continue;
      Unit &c = units[r];
      uint32_t next = c.nextUse < c.uses.size() ? c.uses[c.nextUse]
                                                : UINT32_MAX;
      if (victim < 0 || next > furthest) {
        victim = r;
        furthest = next;
      }
    }
    if (victim < 0) {
      // Only this instruction's own operands are left, and they fragment
      // SBUF: move them out too; the caller places them again, largest
      // first.
      SmallVector<int32_t> others;
      for (int32_t r : resident)
        if (r != id)
          others.push_back(r);
      int64_t total = u.bytes;
      for (int32_t p : pinned)
        if (p != id && buffers[units[p].buffer].space == nisa::Space::sbuf)
          total += units[p].bytes;
      if (others.empty() || total > sbuf.capacity)
        return op->emitError("does not fit in SBUF even with spills: this "
                             "instruction's operands need ")
               << total << " bytes per partition at once; SBUF has "
               << sbuf.capacity;
      for (int32_t r : others)
        spill(r);
      compacted = true;
      continue;
    }
    spill(victim);
  }
  resident.push_back(id);
  program.sbufPeakBytes = std::max(program.sbufPeakBytes, sbuf.used);
  if (u.saved) // its data lives in scratch: reload it
    emit(std::move(spillDma(id, /*save=*/false).in));
  return success();
}

LogicalResult
Allocator::run(llvm::function_ref<void(nisa::Instruction &&)> sink) {
  emit = sink;
  // Which buffers are accessed one block at a time.
  std::vector<bool> multiBlock(buffers.size(), false);
  for (Buffer &b : buffers)
    if (b.shape.size() >= 3) {
      b.blockElems = b.rowElems / b.shape[1];
      b.blocked = true;
    }
  for (const VInstr &vi : instrs)
    for (int role = 0; role < kNumRoles; ++role) {
      int32_t id = vi.buffer[role];
      if (id < 0 || !buffers[id].blocked)
        continue;
      const nisa::AccessPattern *ap =
          roleAP(const_cast<nisa::Instruction &>(vi.in), role);
      int64_t eb = nisa::elementBytes(ap->dtype);
      int64_t first = ap->offset, last = ap->offset + ap->spanBytes() / eb - 1;
      if (first / buffers[id].blockElems != last / buffers[id].blockElems)
        buffers[id].blocked = false;
    }
  for (size_t id = 0; id < buffers.size(); ++id) {
    Buffer &b = buffers[id];
    b.firstUnit = int32_t(units.size());
    int64_t eb = nisa::elementBytes(b.dtype);
    int64_t count = b.blocked ? b.shape[1] : 1;
    int64_t bytes = (b.blocked ? b.blockElems : b.rowElems) * eb;
    for (int64_t k = 0; k < count; ++k) {
      Unit u;
      u.buffer = int32_t(id);
      u.bytes = bytes;
      units.push_back(std::move(u));
    }
  }
  for (size_t i = 0; i < instrs.size(); ++i)
    for (int role = 0; role < kNumRoles; ++role) {
      int32_t unit = unitOf(instrs[i], role);
      if (unit < 0)
        continue;
      std::vector<uint32_t> &uses = units[unit].uses;
      if (uses.empty() || uses.back() != i)
        uses.push_back(uint32_t(i));
    }

  SmallVector<int32_t, kNumRoles> pinned;
  for (size_t i = 0; i < instrs.size(); ++i) {
    VInstr &vi = instrs[i];
    pinned.clear();
    for (int role = 0; role < kNumRoles; ++role) {
      int32_t unit = unitOf(vi, role);
      if (unit >= 0 && !llvm::is_contained(pinned, unit))
        pinned.push_back(unit);
    }
    // Largest first, so that a compaction can place them all.
    llvm::stable_sort(pinned, [&](int32_t a, int32_t b) {
      return units[a].bytes > units[b].bytes;
    });
    for (int round = 0;; ++round) {
      bool compacted = false;
      for (int32_t unit : pinned)
        if (failed(makeResident(unit, uint32_t(i), pinned, compacted)))
          return failure();
      if (!compacted)
        break;
      if (round == 2)
        return vi.op->emitError("internal error: SBUF compaction did not "
                                "converge");
    }
    // Physical addresses.
    for (int role = 0; role < kNumRoles; ++role) {
      int32_t unit = unitOf(vi, role);
      if (unit < 0)
        continue;
      nisa::AccessPattern *ap = roleAP(vi.in, role);
      const Buffer &b = buffers[vi.buffer[role]];
      int64_t blockStart =
          b.blocked ? (unit - b.firstUnit) * b.blockElems : 0;
      ap->offset = units[unit].address +
                   (ap->offset - blockStart) * nisa::elementBytes(ap->dtype);
      if (roleWrites(role))
        units[unit].dirty = true;
    }
    emit(std::move(vi.in));
    // Advance use cursors; free units not used again.
    for (int32_t unit : pinned) {
      Unit &u = units[unit];
      ++u.nextUse;
      if (u.nextUse == u.uses.size()) {
        if (buffers[u.buffer].space == nisa::Space::psum) {
          psum.release(u.address, u.bytes);
        } else {
          sbuf.release(u.address, u.bytes);
          llvm::erase(resident, unit);
        }
        u.address = -1;
      }
    }
  }
  program.scratchBytes = scratchTop;
  return success();
}

//===----------------------------------------------------------------------===//
// Step 3: synchronise
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
  explicit Synchroniser(nisa::Program &program)
      : program(program), memories(3 + program.tensors.size()) {}

  void add(nisa::Instruction &&in) {
    int q = int(in.queue);
    uint32_t position = ++counts[q];
    in.signal = position;
    Clock deps{};
    auto touch = [&](const nisa::AccessPattern &ap, bool write) {
      nisa::ByteRange range = nisa::byteRange(ap);
      memories[range.key].forEach(
          range.start, range.end, [&](int64_t, int64_t, HazardState &s) {
            if (s.writerQueue >= 0)
              deps[s.writerQueue] = std::max(deps[s.writerQueue], s.writer);
            if (write) {
              for (int d = 0; d < nisa::kNumQueues; ++d)
                deps[d] = std::max(deps[d], s.readers[d]);
              s.writerQueue = int8_t(q);
              s.writer = position;
              s.readers.fill(0);
            } else {
              s.readers[q] = std::max(s.readers[q], position);
            }
          });
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
    program.instructions.push_back(std::move(in));
  }

private:
  const Clock &clockOf(nisa::Queue queue, uint32_t position) {
    return clocks[int(queue)][position - 1];
  }

  nisa::Program &program;
  std::vector<nisa::IntervalMap<HazardState>> memories;
  std::array<uint32_t, nisa::kNumQueues> counts{};
  std::array<Clock, nisa::kNumQueues> lastClock{};
  std::array<std::vector<Clock>, nisa::kNumQueues> clocks;
};

} // namespace

FailureOr<nisa::Program> mlir::nki::translateToNisa(func::FuncOp func,
                                                    const NisaOptions &options) {
  nisa::Program program;
  program.target = options.target ? *options.target
                   : getTarget(func) == Target::trn2 ? nisa::Target::trn2
                                                     : nisa::Target::trn1;
  Unroller unroller(func, program, options.maxInstructions);
  if (failed(unroller.run()))
    return failure();
  // Roles of the HBM tensors.
  for (const VInstr &vi : unroller.instrs) {
    if (vi.in.opcode != nisa::Opcode::dma)
      continue;
    if (vi.in.dst.space == nisa::Space::hbm)
      program.tensors[vi.in.dst.tensor].isOutput = true;
    if (vi.in.src0.space == nisa::Space::hbm)
      program.tensors[vi.in.src0.tensor].isInput = true;
  }
  for (nisa::TensorDecl &t : program.tensors)
    if (!t.isOutput)
      t.isInput = true;

  // Allocation feeds the synchroniser directly: no second copy of the
  // stream.
  Synchroniser sync(program);
  program.instructions.reserve(unroller.instrs.size());
  Allocator allocator(unroller, program);
  if (failed(allocator.run(
          [&](nisa::Instruction &&in) { sync.add(std::move(in)); })))
    return failure();
  if (llvm::Error e = nisa::validate(program)) {
    func.emitError() << "internal error: the emitted stream is invalid: "
                     << llvm::toString(std::move(e));
    return failure();
  }
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
static llvm::cl::opt<int64_t> clMaxInstructions(
    "nisa-max-instructions",
    llvm::cl::desc("fail if the unrolled stream would exceed this many "
                   "instructions"),
    llvm::cl::init(20'000'000));
static llvm::cl::opt<std::string>
    clFunction("nisa-function",
               llvm::cl::desc("the kernel function to emit (default: the "
                              "only func.func in the module)"),
               llvm::cl::init(""));

static LogicalResult emitNisa(Operation *op, llvm::raw_ostream &os) {
  NisaOptions options;
  options.maxInstructions = clMaxInstructions;
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
    if (!f.isExternal() &&
        (clFunction.empty() || f.getSymName() == clFunction))
      funcs.push_back(f);
  });
  if (funcs.size() != 1)
    return op->emitError("expected exactly one kernel function")
           << (clFunction.empty() ? "" : " named '" + clFunction + "'")
           << ", found " << funcs.size()
           << (clFunction.empty() ? " (select one with --nisa-function)" : "");
  if (!funcs.front()->walk([](mamba::SelectiveScanOp) {
         return WalkResult::interrupt();
       }).wasInterrupted()) {
    FailureOr<nisa::Program> program = translateToNisa(funcs.front(), options);
    if (failed(program))
      return failure();
    nisa::print(*program, os);
    return success();
  }
  return funcs.front()->emitError(
      "the kernel still contains mamba.selective_scan; lower it first "
      "(mamba-opt --mamba-v1, --mamba-v2 or --mamba-v3)");
}

static LogicalResult readNisa(const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
                              llvm::function_ref<void(const nisa::Program &)>
                                  use) {
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
