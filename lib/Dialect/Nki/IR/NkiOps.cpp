//===- NkiOps.cpp - nki operations ----------------------------------------===//
//
// Custom assembly directives and the verifiers that encode the NeuronCore
// rules of docs/hardware.md §3-4. Every diagnostic names the operand and the
// numbers involved.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::nki;

//===----------------------------------------------------------------------===//
// Custom directives
//===----------------------------------------------------------------------===//

using UnresolvedOperand = OpAsmParser::UnresolvedOperand;

/// scalar-value ::= float-literal | ssa-id `:` memref-type
static ParseResult parseScalarArg(OpAsmParser &parser,
                                  std::optional<UnresolvedOperand> &operand,
                                  Type &type, FloatAttr &imm) {
  UnresolvedOperand value;
  OptionalParseResult parsedOperand = parser.parseOptionalOperand(value);
  if (parsedOperand.has_value()) {
    if (failed(*parsedOperand))
      return failure();
    operand = value;
    return parser.parseColonType(type);
  }
  double number = 0.0;
  if (parser.parseFloat(number))
    return failure();
  imm = parser.getBuilder().getF32FloatAttr(static_cast<float>(number));
  return success();
}

static void printScalarArg(OpAsmPrinter &printer, Operation *, Value operand,
                           Type type, FloatAttr imm) {
  if (operand) {
    printer << operand << " : " << type;
    return;
  }
  if (imm)
    printer.printAttributeWithoutType(imm);
}

/// activation-args ::= (`scale` `(` scalar-value `)`)?
///                     (`bias` `(` ssa-id `:` memref-type `)`)?
static ParseResult parseActivationArgs(OpAsmParser &parser,
                                       std::optional<UnresolvedOperand> &scale,
                                       Type &scaleType, FloatAttr &scaleImm,
                                       std::optional<UnresolvedOperand> &bias,
                                       Type &biasType) {
  if (succeeded(parser.parseOptionalKeyword("scale"))) {
    if (parser.parseLParen() ||
        parseScalarArg(parser, scale, scaleType, scaleImm) ||
        parser.parseRParen())
      return failure();
  }
  if (succeeded(parser.parseOptionalKeyword("bias"))) {
    UnresolvedOperand value;
    if (parser.parseLParen() || parser.parseOperand(value) ||
        parser.parseColonType(biasType) || parser.parseRParen())
      return failure();
    bias = value;
  }
  return success();
}

static void printActivationArgs(OpAsmPrinter &printer, Operation *op,
                                Value scale, Type scaleType, FloatAttr scaleImm,
                                Value bias, Type biasType) {
  // Each clause prints its own leading space so that an activation without
  // scale or bias prints as `exp(%x : T) into ...`.
  if (scale || scaleImm) {
    printer << " scale(";
    printScalarArg(printer, op, scale, scaleType, scaleImm);
    printer << ")";
  }
  if (bias)
    printer << " bias(" << bias << " : " << biasType << ")";
}

static ParseResult parseAluOp(OpAsmParser &parser, AluOpAttr &attr) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return failure();
  std::optional<AluOp> op = symbolizeAluOp(keyword);
  if (!op)
    return parser.emitError(loc) << "unknown ALU operation '" << keyword << "'";
  attr = AluOpAttr::get(parser.getContext(), *op);
  return success();
}

/// One `[reversed] op ( scalar-value )` clause of tensor_scalar.
static ParseResult parseScalarClause(OpAsmParser &parser, AluOpAttr &op,
                                     std::optional<UnresolvedOperand> &operand,
                                     Type &type, FloatAttr &imm,
                                     UnitAttr &reversed) {
  if (succeeded(parser.parseOptionalKeyword("reversed")))
    reversed = parser.getBuilder().getUnitAttr();
  return failure(parseAluOp(parser, op) || parser.parseLParen() ||
                 parseScalarArg(parser, operand, type, imm) ||
                 parser.parseRParen());
}

static void printScalarClause(OpAsmPrinter &printer, Operation *op,
                              AluOpAttr alu, Value operand, Type type,
                              FloatAttr imm, UnitAttr reversed) {
  if (reversed)
    printer << "reversed ";
  printer << stringifyAluOp(alu.getValue()) << "(";
  printScalarArg(printer, op, operand, type, imm);
  printer << ")";
}

/// tensor-scalar-args ::= clause (`,` clause)?
static ParseResult
parseTensorScalarArgs(OpAsmParser &parser, AluOpAttr &op0,
                      std::optional<UnresolvedOperand> &operand0, Type &type0,
                      FloatAttr &imm0, UnitAttr &reverse0, AluOpAttr &op1,
                      std::optional<UnresolvedOperand> &operand1, Type &type1,
                      FloatAttr &imm1, UnitAttr &reverse1) {
  if (parseScalarClause(parser, op0, operand0, type0, imm0, reverse0))
    return failure();
  if (succeeded(parser.parseOptionalComma()))
    return parseScalarClause(parser, op1, operand1, type1, imm1, reverse1);
  return success();
}

static void printTensorScalarArgs(OpAsmPrinter &printer, Operation *op,
                                  AluOpAttr op0, Value operand0, Type type0,
                                  FloatAttr imm0, UnitAttr reverse0,
                                  AluOpAttr op1, Value operand1, Type type1,
                                  FloatAttr imm1, UnitAttr reverse1) {
  printScalarClause(printer, op, op0, operand0, type0, imm0, reverse0);
  if (op1) {
    printer << ", ";
    printScalarClause(printer, op, op1, operand1, type1, imm1, reverse1);
  }
}

//===----------------------------------------------------------------------===//
// Verifier helpers
//===----------------------------------------------------------------------===//

static StringRef spaceName(MemorySpace space) {
  switch (space) {
  case MemorySpace::hbm:
    return "HBM";
  case MemorySpace::sbuf:
    return "SBUF";
  case MemorySpace::psum:
    return "PSUM";
  }
  return "?";
}

static std::string shapeString(MemRefType type) {
  std::string str;
  llvm::raw_string_ostream os(str);
  llvm::interleave(
      type.getShape(), os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << "?";
        else
          os << d;
      },
      "x");
  return str;
}

/// Static shape, rank >= 2, 1..128 partitions, non-empty, f32/bf16. `what`
/// names the checked value in diagnostics ("operand 'dst'", "buffer").
static LogicalResult verifyTileShape(Operation *op, MemRefType type,
                                     const Twine &what) {
  if (!type.hasStaticShape())
    return op->emitOpError()
           << what << " must have a static shape, got " << type;
  if (type.getRank() < 2)
    return op->emitOpError()
           << what
           << " must have rank >= 2 (partition dim, then free dims), got rank "
           << type.getRank();
  if (llvm::any_of(type.getShape(), [](int64_t d) { return d <= 0; }))
    return op->emitOpError()
           << what << " is empty (shape " << shapeString(type) << ")";
  if (getPartitions(type) > kMaxPartitions)
    return op->emitOpError()
           << what << " spans " << getPartitions(type)
           << " partitions; a tile spans at most " << kMaxPartitions;
  if (!isSupportedElementType(type.getElementType()))
    return op->emitOpError()
           << what << " has element type " << type.getElementType()
           << "; engines compute on f32 or bf16";
  return success();
}

/// Memory space of `value`, or an error if it is not an nki one.
static FailureOr<MemorySpace> verifyMemorySpace(Operation *op, Value value,
                                                StringRef name) {
  auto type = cast<MemRefType>(value.getType());
  std::optional<MemorySpace> space = getMemorySpace(type);
  if (!space)
    return op->emitOpError() << "operand '" << name << "' has memory space "
                             << type.getMemorySpace()
                             << ", which is not an nki memory space "
                                "(#nki.mem<hbm|sbuf|psum>)";
  return *space;
}

/// A view in SBUF or PSUM that `engine` (if given) can access.
static LogicalResult verifyOnChipView(Operation *op, Value value,
                                      StringRef name,
                                      std::optional<Engine> engine) {
  FailureOr<MemorySpace> space = verifyMemorySpace(op, value, name);
  if (failed(space))
    return failure();
  if (*space == MemorySpace::hbm)
    return op->emitOpError()
           << "operand '" << name << "' must be in SBUF or PSUM, but is in HBM";
  auto type = cast<MemRefType>(value.getType());
  if (failed(verifyTileShape(op, type, "operand '" + name + "'")))
    return failure();
  if (*space == MemorySpace::sbuf &&
      getFreeElements(type) > kMaxSbufFreeElements)
    return op->emitOpError()
           << "operand '" << name << "' has " << getFreeElements(type)
           << " elements per partition; an SBUF tile holds "
              "at most "
           << kMaxSbufFreeElements;
  if (*space == MemorySpace::psum && getFreeBytes(type) > kPsumBankBytes)
    return op->emitOpError()
           << "operand '" << name << "' uses " << getFreeBytes(type)
           << " bytes per partition of PSUM; a PSUM tile "
              "must fit one "
           << kPsumBankBytes << "-byte bank";
  if (engine == Engine::gpsimd && *space == MemorySpace::psum)
    return op->emitOpError() << "operand '" << name
                             << "' is in PSUM, which GpSimdE cannot access";
  return success();
}

static LogicalResult verifySameShape(Operation *op, Value a, StringRef aName,
                                     Value b, StringRef bName) {
  auto aType = cast<MemRefType>(a.getType());
  auto bType = cast<MemRefType>(b.getType());
  if (aType.getShape() != bType.getShape())
    return op->emitOpError()
           << "operand '" << aName << "' has shape " << shapeString(aType)
           << " but '" << bName << "' has shape " << shapeString(bType)
           << "; the shapes must match";
  return success();
}

/// A per-partition scalar operand: an fp32 `[P, 1]` view where P is the
/// partition count of `ref`, broadcast along the free dimension.
static LogicalResult verifyPartitionScalar(Operation *op, Value value,
                                           StringRef name, Value ref,
                                           StringRef refName,
                                           std::optional<Engine> engine) {
  if (failed(verifyOnChipView(op, value, name, engine)))
    return failure();
  auto type = cast<MemRefType>(value.getType());
  int64_t partitions = getPartitions(cast<MemRefType>(ref.getType()));
  if (type.getRank() != 2 || type.getDimSize(0) != partitions ||
      type.getDimSize(1) != 1)
    return op->emitOpError()
           << "operand '" << name << "' must be a [" << partitions
           << ", 1] view (one value per "
           << "partition of '" << refName << "'), got " << shapeString(type);
  if (!type.getElementType().isF32())
    return op->emitOpError() << "operand '" << name << "' must be f32, got "
                             << type.getElementType();
  return success();
}

/// Exactly one of a scalar operand and its immediate.
static LogicalResult verifyOneOf(Operation *op, Value operand, Attribute imm,
                                 StringRef name) {
  if (operand && imm)
    return op->emitOpError() << "'" << name
                             << "' is given both as a view and as an "
                                "immediate";
  if (!operand && !imm)
    return op->emitOpError() << "'" << name << "' needs a view or an immediate";
  return success();
}

//===----------------------------------------------------------------------===//
// EngineOpInterface
//===----------------------------------------------------------------------===//

LogicalResult mlir::nki::detail::verifyNoDiscardableAttrs(Operation *op) {
  auto discardable = op->getDiscardableAttrs();
  if (discardable.empty())
    return success();
  InFlightDiagnostic diag = op->emitOpError()
                            << "has unknown attribute '"
                            << (*discardable.begin()).getName().str() << "'";
  SmallVector<StringAttr> own;
  for (StringAttr name : op->getName().getAttributeNames())
    if (name.getValue() != "operandSegmentSizes")
      own.push_back(name);
  if (own.empty())
    return diag << " (it has no attributes)";
  diag << " (its attributes: ";
  llvm::interleaveComma(own, diag,
                        [&](StringAttr name) { diag << name.getValue(); });
  return diag << ")";
}

LogicalResult mlir::nki::detail::verifyEngineOp(Operation *op) {
  auto engineOp = cast<EngineOpInterface>(op);
  std::optional<Engine> engine = engineOp.getEngine();
  if (!engine || engineOp.isEngineSupported(*engine))
    return success();
  SmallString<64> supported;
  for (uint32_t i = 0; i <= getMaxEnumValForEngine(); ++i) {
    auto candidate = static_cast<Engine>(i);
    if (!engineOp.isEngineSupported(candidate))
      continue;
    if (!supported.empty())
      supported += ", ";
    supported += stringifyEngine(candidate);
  }
  return op->emitOpError() << "cannot run on " << stringifyEngine(*engine)
                           << "; supported engines: " << supported;
}

#include "mamba-nki/Dialect/Nki/IR/NkiInterfaces.cpp.inc"

//===----------------------------------------------------------------------===//
// AllocOp
//===----------------------------------------------------------------------===//

void AllocOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  std::optional<StringRef> name = getName();
  setNameFn(getResult(), name && !name->empty() ? *name : "buf");
}

LogicalResult AllocOp::verify() {
  MemRefType type = getType();
  std::optional<MemorySpace> space = getMemorySpace(type);
  if (!space)
    return emitOpError() << "must allocate in SBUF or PSUM "
                            "(#nki.mem<sbuf|psum>), got memory space "
                         << type.getMemorySpace();
  if (*space == MemorySpace::hbm)
    return emitOpError() << "must allocate in SBUF or PSUM "
                            "(#nki.mem<sbuf|psum>), got HBM";
  if (!type.getLayout().isIdentity())
    return emitOpError() << "buffer must have an identity layout, got "
                         << type.getLayout();
  if (failed(verifyTileShape(*this, type, "buffer")))
    return failure();
  if (*space == MemorySpace::sbuf) {
    // SBUF capacity is a property of the whole program (how many buffers
    // are live at once, what spills): nki-check-capacity and the backend
    // check it. Here only sizes beyond any on-chip memory are refused, so
    // that size arithmetic stays exact.
    if (getFreeBytes(type) > kMaxBufferBytes)
      return emitOpError() << "buffer needs " << getFreeBytes(type)
                           << " bytes per partition, beyond any on-chip "
                              "memory (at most "
                           << kMaxBufferBytes << ")";
  } else if (getFreeBytes(type) > kPsumPartitionBytes) {
    int64_t bytes = getFreeBytes(type);
    return emitOpError() << "buffer needs " << bytes
                         << " bytes per partition but PSUM has "
                         << kPsumPartitionBytes << " (over by "
                         << bytes - kPsumPartitionBytes << ")";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// DMA
//===----------------------------------------------------------------------===//

/// A DMA between an HBM view and an SBUF view.
static LogicalResult verifyDma(Operation *op, Value hbm, StringRef hbmName,
                               Value sbuf, StringRef sbufName) {
  FailureOr<MemorySpace> hbmSpace = verifyMemorySpace(op, hbm, hbmName);
  if (failed(hbmSpace))
    return failure();
  if (*hbmSpace != MemorySpace::hbm)
    return op->emitOpError()
           << "operand '" << hbmName << "' must be in HBM, but is in "
           << spaceName(*hbmSpace);
  auto hbmType = cast<MemRefType>(hbm.getType());
  if (!hbmType.hasStaticShape())
    return op->emitOpError() << "operand '" << hbmName
                             << "' must have a static shape, got " << hbmType;
  FailureOr<MemorySpace> sbufSpace = verifyMemorySpace(op, sbuf, sbufName);
  if (failed(sbufSpace))
    return failure();
  if (*sbufSpace != MemorySpace::sbuf)
    return op->emitOpError()
           << "operand '" << sbufName << "' must be in SBUF, but is in "
           << spaceName(*sbufSpace);
  if (failed(verifyOnChipView(op, sbuf, sbufName, std::nullopt)) ||
      failed(verifySameShape(op, hbm, hbmName, sbuf, sbufName)))
    return failure();
  Type hbmElement = hbmType.getElementType();
  Type sbufElement = cast<MemRefType>(sbuf.getType()).getElementType();
  if (hbmElement != sbufElement)
    return op->emitOpError()
           << "DMA does not convert element types: '" << hbmName << "' is "
           << hbmElement << ", '" << sbufName << "' is " << sbufElement;
  return success();
}

LogicalResult LoadOp::verify() {
  return verifyDma(*this, getSrc(), "src", getDst(), "dst");
}

LogicalResult StoreOp::verify() {
  return verifyDma(*this, getDst(), "dst", getSrc(), "src");
}

//===----------------------------------------------------------------------===//
// Engine instructions
//===----------------------------------------------------------------------===//

LogicalResult MemsetOp::verify() {
  return verifyOnChipView(*this, getDst(), "dst", getEffectiveEngine());
}

LogicalResult ActivationOp::verify() {
  Engine engine = getEffectiveEngine();
  if (failed(verifyOnChipView(*this, getData(), "data", engine)) ||
      failed(verifyOnChipView(*this, getDst(), "dst", engine)) ||
      failed(verifySameShape(*this, getData(), "data", getDst(), "dst")))
    return failure();
  if (getScale() && getScaleImm())
    return emitOpError()
           << "'scale' is given both as a view and as an immediate";
  if (getScale() && failed(verifyPartitionScalar(*this, getScale(), "scale",
                                                 getData(), "data", engine)))
    return failure();
  if (getBias() && failed(verifyPartitionScalar(*this, getBias(), "bias",
                                                getData(), "data", engine)))
    return failure();
  return success();
}

LogicalResult TensorScalarOp::verify() {
  Engine engine = getEffectiveEngine();
  if (failed(verifyOnChipView(*this, getData(), "data", engine)) ||
      failed(verifyOnChipView(*this, getDst(), "dst", engine)) ||
      failed(verifySameShape(*this, getData(), "data", getDst(), "dst")) ||
      failed(verifyOneOf(*this, getOperand0(), getImm0Attr(), "operand0")))
    return failure();
  if (getOperand0() &&
      failed(verifyPartitionScalar(*this, getOperand0(), "operand0", getData(),
                                   "data", engine)))
    return failure();
  if (!getOp1()) {
    if (getOperand1() || getImm1Attr() || getReverse1())
      return emitOpError() << "has a second scalar operand but no 'op1'";
    return success();
  }
  if (failed(verifyOneOf(*this, getOperand1(), getImm1Attr(), "operand1")))
    return failure();
  if (getOperand1() &&
      failed(verifyPartitionScalar(*this, getOperand1(), "operand1", getData(),
                                   "data", engine)))
    return failure();
  return success();
}

LogicalResult TensorTensorOp::verify() {
  Engine engine = getEffectiveEngine();
  if (failed(verifyOnChipView(*this, getLhs(), "lhs", engine)) ||
      failed(verifyOnChipView(*this, getRhs(), "rhs", engine)) ||
      failed(verifyOnChipView(*this, getDst(), "dst", engine)) ||
      failed(verifySameShape(*this, getLhs(), "lhs", getRhs(), "rhs")) ||
      failed(verifySameShape(*this, getLhs(), "lhs", getDst(), "dst")))
    return failure();
  if (getMemorySpace(getLhs().getType()) == MemorySpace::psum &&
      getMemorySpace(getRhs().getType()) == MemorySpace::psum)
    return emitOpError() << "inputs 'lhs' and 'rhs' are both in PSUM; at most "
                            "one input of tensor_tensor may be in PSUM";
  return success();
}

LogicalResult TensorTensorScanOp::verify() {
  Engine engine = getEffectiveEngine();
  if (failed(verifyOnChipView(*this, getData0(), "data0", engine)) ||
      failed(verifyOnChipView(*this, getData1(), "data1", engine)) ||
      failed(verifyOnChipView(*this, getDst(), "dst", engine)) ||
      failed(
          verifySameShape(*this, getData0(), "data0", getData1(), "data1")) ||
      failed(verifySameShape(*this, getData0(), "data0", getDst(), "dst")))
    return failure();
  if (getData0().getType().getRank() != 2)
    return emitOpError() << "scans one free dimension: operands must have "
                            "rank 2 ([partitions, length]), got rank "
                         << getData0().getType().getRank();
  if (failed(verifyOneOf(*this, getInitial(), getInitialImmAttr(), "initial")))
    return failure();
  if (getInitial() &&
      failed(verifyPartitionScalar(*this, getInitial(), "initial", getData0(),
                                   "data0", engine)))
    return failure();
  return success();
}

LogicalResult TensorCopyOp::verify() {
  Engine engine = getEffectiveEngine();
  if (failed(verifyOnChipView(*this, getSrc(), "src", engine)) ||
      failed(verifyOnChipView(*this, getDst(), "dst", engine)) ||
      failed(verifySameShape(*this, getSrc(), "src", getDst(), "dst")))
    return failure();
  return success();
}

LogicalResult PartitionBroadcastOp::verify() {
  Engine engine = getEffectiveEngine();
  if (failed(verifyOnChipView(*this, getSrc(), "src", engine)) ||
      failed(verifyOnChipView(*this, getDst(), "dst", engine)))
    return failure();
  MemRefType srcType = getSrc().getType();
  MemRefType dstType = getDst().getType();
  if (getMemorySpace(srcType) != MemorySpace::sbuf)
    return emitOpError() << "operand 'src' must be in SBUF (TensorE reads "
                            "SBUF), but is in PSUM";
  if (getPartitions(srcType) != 1)
    return emitOpError() << "operand 'src' must span 1 partition, got "
                         << getPartitions(srcType);
  if (srcType.getShape().drop_front() != dstType.getShape().drop_front())
    return emitOpError() << "free dims of 'src' (" << shapeString(srcType)
                         << ") and 'dst' (" << shapeString(dstType)
                         << ") must match";
  if (getMemorySpace(dstType) == MemorySpace::psum &&
      !dstType.getElementType().isF32())
    return emitOpError() << "a PSUM destination must be f32 (TensorE "
                            "accumulates in fp32), got "
                         << dstType.getElementType();
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  Engine engine = getEffectiveEngine();
  if (failed(verifyOnChipView(*this, getStationary(), "stationary", engine)) ||
      failed(verifyOnChipView(*this, getMoving(), "moving", engine)) ||
      failed(verifyOnChipView(*this, getDst(), "dst", engine)))
    return failure();
  MemRefType stationary = getStationary().getType();
  MemRefType moving = getMoving().getType();
  MemRefType dst = getDst().getType();
  for (auto [type, name] : {std::pair(stationary, "stationary"),
                            std::pair(moving, "moving"), std::pair(dst, "dst")})
    if (type.getRank() != 2)
      return emitOpError() << "operand '" << name
                           << "' must have rank 2 (partitions, then one free "
                              "dim), got shape "
                           << shapeString(type);
  for (auto [type, name] :
       {std::pair(stationary, "stationary"), std::pair(moving, "moving")})
    if (getMemorySpace(type) != MemorySpace::sbuf)
      return emitOpError() << "operand '" << name
                           << "' must be in SBUF (TensorE reads SBUF), but is "
                              "in PSUM";
  if (getMemorySpace(dst) != MemorySpace::psum)
    return emitOpError() << "operand 'dst' must be in PSUM (TensorE writes "
                            "PSUM), but is in SBUF";
  if (!dst.getElementType().isF32())
    return emitOpError() << "operand 'dst' must be f32 (TensorE accumulates "
                            "in fp32), got "
                         << dst.getElementType();
  if (stationary.getElementType() != moving.getElementType())
    return emitOpError() << "operands 'stationary' and 'moving' must have the "
                            "same element type, got "
                         << stationary.getElementType() << " and "
                         << moving.getElementType();
  int64_t k = getPartitions(stationary);
  if (getPartitions(moving) != k)
    return emitOpError() << "operands 'stationary' (" << shapeString(stationary)
                         << ") and 'moving' (" << shapeString(moving)
                         << ") must span the same partitions (the "
                            "contraction dim), got "
                         << k << " and " << getPartitions(moving);
  int64_t m = stationary.getDimSize(1), n = moving.getDimSize(1);
  if (m > kMaxMatmulStationaryFree)
    return emitOpError() << "operand 'stationary' has free size " << m
                         << "; TensorE takes at most "
                         << kMaxMatmulStationaryFree;
  if (n > kMaxMatmulMovingFree)
    return emitOpError() << "operand 'moving' has free size " << n
                         << "; TensorE takes at most " << kMaxMatmulMovingFree;
  if (dst.getDimSize(0) != m || dst.getDimSize(1) != n)
    return emitOpError() << "operand 'dst' must have shape " << m << "x" << n
                         << " (stationary's free size x moving's), got "
                         << shapeString(dst);
  return success();
}

#define GET_OP_CLASSES
#include "mamba-nki/Dialect/Nki/IR/NkiOps.cpp.inc"
