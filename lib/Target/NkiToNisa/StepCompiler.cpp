//===- StepCompiler.cpp - a kernel to steps over value slots --------------===//
//
// The function's arguments become HBM tensors; scf.for, index arithmetic,
// memref.subview and nki.alloc become steps; every other nki op becomes an
// instruction template (NkiOpLowering.cpp).
//
//===----------------------------------------------------------------------===//

#include "StepCompiler.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::nki;
using namespace mlir::nki::backend;

LogicalResult backend::compileSteps(func::FuncOp func, nisa::Program &header,
                                    BufferTable &buffers,
                                    StepProgram &program) {
  return StepCompiler(func, header, buffers, program).compile();
}

/// The file position `loc` stands for: of the FileLineColLocs it holds
/// (through names, fusions, call sites and opaque locations, in order), the
/// first in a file rather than a pipe between tools (`<stdin>`, `-`): the
/// user's .mlir when an earlier tool printed the IR with debug info.
static FileLineColLoc userFileLoc(Location loc) {
  FileLineColLoc first, user;
  loc->walk([&](Location l) {
    auto file = dyn_cast<FileLineColLoc>(l);
    if (!file)
      return WalkResult::advance();
    if (!first)
      first = file;
    StringRef name = file.getFilename().getValue();
    if (name != "<stdin>" && name != "-" && !name.empty()) {
      user = file;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return user ? user : first;
}

uint32_t StepCompiler::location(Location loc, StringRef fallbackName,
                                bool preferFallback) {
  auto named = dyn_cast<NameLoc>(loc);
  std::string name = named ? named.getName().str() : "", where;
  if (name.empty() || (preferFallback && !fallbackName.empty()))
    name = fallbackName.str();
  if (FileLineColLoc file = userFileLoc(loc))
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

int32_t StepCompiler::newIntSlot(Value v) {
  int32_t slot = program.numIntSlots++;
  intSlots[v] = slot;
  return slot;
}

int32_t StepCompiler::newViewSlot(Value v, StringRef rootName) {
  int32_t slot = program.numViewSlots++;
  slotRootNames.push_back(rootName);
  viewSlots[v] = slot;
  return slot;
}

FailureOr<IntRef> StepCompiler::intRef(Operation *user, Value v,
                                       StringRef what) {
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

FailureOr<IntRef> StepCompiler::intRef(Operation *user, OpFoldResult ofr,
                                       StringRef what) {
  if (auto attr = dyn_cast<Attribute>(ofr)) {
    IntRef r;
    r.value = cast<IntegerAttr>(attr).getInt();
    return r;
  }
  return intRef(user, cast<Value>(ofr), what);
}

FailureOr<int32_t> StepCompiler::viewSlot(Operation *user, Value v) {
  auto it = viewSlots.find(v);
  if (it == viewSlots.end())
    return user->emitError("operand is not a known buffer view");
  return it->second;
}

LogicalResult StepCompiler::compile() {
  // HBM tensors: the function's memref arguments.
  for (BlockArgument arg : func.getArguments())
    if (failed(compileArgument(arg)))
      return failure();
  program.onesType = buffers.typeFor(nisa::Space::sbuf, nisa::DType::f32,
                                     {1, nisa::kPartitions});
  return compileBlock(func.getBody().front());
}

LogicalResult StepCompiler::compileArgument(BlockArgument arg) {
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
  program.argViews.push_back(v);
  header.tensors.push_back(std::move(t));
  return success();
}

LogicalResult StepCompiler::compileBlock(Block &block) {
  for (Operation &op : block)
    if (failed(compileOp(&op)))
      return failure();
  return success();
}

LogicalResult StepCompiler::compileOp(Operation *op) {
  auto arith = [&](ArithKind kind, bool unary = false) {
    return [this, kind, unary](Operation *op) {
      return compileArith(op, kind, unary);
    };
  };
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      // Constants are read where they are used.
      .Case<func::ReturnOp, scf::YieldOp, arith::ConstantOp>(
          [](Operation *) { return success(); })
      .Case<arith::AddIOp>(arith(ArithKind::add))
      .Case<arith::SubIOp>(arith(ArithKind::sub))
      .Case<arith::MulIOp>(arith(ArithKind::mul))
      .Case<arith::DivSIOp, arith::DivUIOp, arith::FloorDivSIOp>(
          arith(ArithKind::div))
      .Case<arith::RemSIOp, arith::RemUIOp>(arith(ArithKind::rem))
      .Case<arith::MinSIOp, arith::MinUIOp>(arith(ArithKind::min))
      .Case<arith::MaxSIOp, arith::MaxUIOp>(arith(ArithKind::max))
      .Case<arith::IndexCastOp>(arith(ArithKind::cast, /*unary=*/true))
      .Case([&](scf::ForOp forOp) { return compileFor(forOp); })
      .Case([&](memref::SubViewOp subview) { return compileSubview(subview); })
      .Case([&](memref::ExpandShapeOp expand) { return compileExpand(expand); })
      .Case([&](AllocOp alloc) { return compileAlloc(alloc); })
      .Default([&](Operation *op) -> LogicalResult {
        if (isa<NkiDialect>(op->getDialect()))
          return compileNki(op);
        return op->emitError("cannot translate '")
               << op->getName()
               << "' to the instruction stream (expected nki ops, scf.for, "
                  "memref.subview, memref.expand_shape and index "
                  "arithmetic)";
      });
}

LogicalResult StepCompiler::compileArith(Operation *op, ArithKind kind,
                                         bool unary) {
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
  program.steps.push_back(s);
  return success();
}

LogicalResult StepCompiler::compileFor(scf::ForOp forOp) {
  Operation *op = forOp;
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
  s.loopName = loopName(forOp);
  size_t index = program.steps.size();
  program.steps.push_back(s);
  if (failed(compileBlock(*forOp.getBody())))
    return failure();
  program.steps[index].end = uint32_t(program.steps.size());
  return success();
}

uint32_t StepCompiler::loopName(scf::ForOp forOp) {
  // The pipeline's name for the loop (nki.loop), spelt as a ctx line
  // allows: other characters become '_'.
  std::string name = "loop";
  if (auto attr = forOp->getAttrOfType<StringAttr>("nki.loop"))
    if (!attr.getValue().empty())
      name = attr.getValue().str();
  for (char &c : name)
    if (!llvm::isAlnum(c) && c != '_' && c != '.')
      c = '_';
  if (!nisa::isLoopName(name))
    name = "_" + name;
  return header.contexts.nameIndex(name);
}

LogicalResult StepCompiler::compileSubview(memref::SubViewOp subview) {
  Operation *op = subview;
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
  program.steps.push_back(s);
  return success();
}

LogicalResult StepCompiler::compileExpand(memref::ExpandShapeOp expand) {
  Operation *op = expand;
  FailureOr<int32_t> source = viewSlot(op, expand.getSrc());
  if (failed(source))
    return op->emitError("view of an unknown buffer");
  MemRefType type = expand.getResultType();
  if (!type.hasStaticShape())
    return op->emitError("the backend handles static expand_shape results "
                         "only, got ")
           << type;
  if (type.getRank() > kMaxRank)
    return op->emitError("the backend handles views of rank up to ")
           << kMaxRank;
  Step s;
  s.kind = StepKind::expand;
  s.op = op;
  s.source = *source;
  s.sourceRank = uint8_t(expand.getSrcType().getRank());
  s.rank = uint8_t(type.getRank());
  for (auto [group, dims] : llvm::enumerate(expand.getReassociationIndices()))
    for (int64_t d : dims) {
      s.groupOf[size_t(d)] = uint8_t(group);
      s.sizes[size_t(d)].value = type.getDimSize(d);
    }
  s.result = newViewSlot(expand.getResult(), slotRootNames[*source]);
  program.steps.push_back(s);
  return success();
}

LogicalResult StepCompiler::compileAlloc(AllocOp alloc) {
  Operation *op = alloc;
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
  s.type =
      buffers.typeFor(space, dtypeOf(type.getElementType()), type.getShape());
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
  // What a spill of the buffer is called: the buffer, where it is made.
  s.loc = location(op->getLoc(), name ? *name : StringRef(),
                   /*preferFallback=*/true);
  program.steps.push_back(s);
  return success();
}
