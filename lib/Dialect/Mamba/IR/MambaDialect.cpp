//===- MambaDialect.cpp - the mamba dialect -------------------------------===//

#include "mamba-nki/Dialect/Mamba/IR/MambaDialect.h"
#include "mamba-nki/Dialect/Mamba/IR/MambaOps.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"

using namespace mlir;
using namespace mlir::mamba;

#include "mamba-nki/Dialect/Mamba/IR/MambaDialect.cpp.inc"

void MambaDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "mamba-nki/Dialect/Mamba/IR/MambaOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// SelectiveScanOp
//===----------------------------------------------------------------------===//

namespace {
/// One operand of selective_scan with the names of its dimensions and
/// whether it may be bf16.
struct ScanOperand {
  Value value;
  StringRef name;
  SmallVector<StringRef, 4> dims;
  bool allowBf16 = false;
  MemRefType type() const { return cast<MemRefType>(value.getType()); }
};
} // namespace

static LogicalResult verifyOperand(Operation *op, const ScanOperand &operand) {
  MemRefType type = operand.type();
  std::optional<nki::MemorySpace> space = nki::getMemorySpace(type);
  if (!space || *space != nki::MemorySpace::hbm)
    return op->emitOpError() << "operand '" << operand.name
                             << "' must be in HBM (no memory space or "
                                "#nki.mem<hbm>), got "
                             << type.getMemorySpace();
  Type element = type.getElementType();
  if (!element.isF32() && !(operand.allowBf16 && element.isBF16()))
    return op->emitOpError() << "operand '" << operand.name << "' must be "
                             << (operand.allowBf16 ? "f32 or bf16" : "f32")
                             << ", got " << element;
  if (type.getRank() != static_cast<int64_t>(operand.dims.size())) {
    InFlightDiagnostic diag = op->emitOpError() << "operand '" << operand.name
                                                << "' must have rank "
                                                << operand.dims.size() << " [";
    llvm::interleaveComma(operand.dims, diag);
    return diag << "], got rank " << type.getRank();
  }
  for (auto [i, size] : llvm::enumerate(type.getShape()))
    if (size == 0)
      return op->emitOpError() << "operand '" << operand.name << "' dim " << i
                               << " (" << operand.dims[i] << ") is empty";
  return success();
}

/// `a` dim `ai` must equal `b` dim `bi` when both are static.
static LogicalResult verifyDimMatch(Operation *op, const ScanOperand &a,
                                    unsigned ai, const ScanOperand &b,
                                    unsigned bi) {
  int64_t aSize = a.type().getDimSize(ai);
  int64_t bSize = b.type().getDimSize(bi);
  if (ShapedType::isDynamic(aSize) || ShapedType::isDynamic(bSize) ||
      aSize == bSize)
    return success();
  return op->emitOpError() << "operand '" << a.name << "' dim " << ai << " ("
                           << a.dims[ai] << ") is " << aSize << " but '"
                           << b.name << "' dim " << bi << " (" << b.dims[bi]
                           << ") is " << bSize;
}

/// B or C: its dims by form (rank 3 variable, 4 grouped, 2 constant).
static FailureOr<ScanOperand> projection(Operation *op, Value value,
                                         StringRef name) {
  ScanOperand operand{value, name, {}, /*allowBf16=*/true};
  switch (operand.type().getRank()) {
  case 3:
    operand.dims = {"batch", "state", "seq_len"};
    return operand;
  case 4:
    operand.dims = {"batch", "groups", "state", "seq_len"};
    return operand;
  case 2:
    operand.dims = {"channels", "state"};
    return operand;
  default:
    return op->emitOpError()
           << "operand '" << name
           << "' must have rank 3 [batch, state, seq_len] (variable), 4 "
              "[batch, groups, state, seq_len] (grouped) or 2 [channels, "
              "state] (constant), got rank "
           << operand.type().getRank();
  }
}

/// A [channels, state] or [batch, ...] dim is compared with its first
/// occurrence: `delta` (batch, channels, seq_len) or `A` (state).
static LogicalResult verifyProjection(Operation *op, const ScanOperand &bc,
                                      const ScanOperand &delta,
                                      const ScanOperand &a) {
  if (failed(verifyOperand(op, bc)))
    return failure();
  unsigned rank = bc.dims.size();
  if (rank == 2)
    return success(succeeded(verifyDimMatch(op, bc, 0, delta, 1)) &&
                   succeeded(verifyDimMatch(op, bc, 1, a, 1)));
  if (failed(verifyDimMatch(op, bc, 0, delta, 0)) ||
      failed(verifyDimMatch(op, bc, rank - 2, a, 1)) ||
      failed(verifyDimMatch(op, bc, rank - 1, delta, 2)))
    return failure();
  if (rank == 4) {
    int64_t groups = bc.type().getDimSize(1);
    int64_t channels = delta.type().getDimSize(1);
    if (!ShapedType::isDynamic(groups) && !ShapedType::isDynamic(channels) &&
        channels % groups != 0)
      return op->emitOpError() << "operand '" << bc.name << "' has " << groups
                               << " groups, which does not divide the "
                               << channels << " channels of 'delta'";
  }
  return success();
}

LogicalResult SelectiveScanOp::verify() {
  // Nothing the user wrote is ignored: the op's only attribute is
  // delta_softplus.
  for (NamedAttribute attr : (*this)->getDiscardableAttrs())
    return emitOpError() << "has unknown attribute '" << attr.getName().str()
                         << "' (the only attribute is 'delta_softplus'; D, z, "
                            "delta_bias, initial_state and final_state are "
                            "operands)";
  ScanOperand delta{
      getDelta(), "delta", {"batch", "channels", "seq_len"}, true};
  ScanOperand u{getU(), "u", {"batch", "channels", "seq_len"}, true};
  ScanOperand a{getA(), "A", {"channels", "state"}};
  ScanOperand out{getOut(), "out", {"batch", "channels", "seq_len"}, true};
  for (const ScanOperand *operand : {&delta, &u, &a, &out})
    if (failed(verifyOperand(*this, *operand)))
      return failure();
  for (unsigned i = 0; i < 3; ++i)
    if (failed(verifyDimMatch(*this, u, i, delta, i)) ||
        failed(verifyDimMatch(*this, out, i, delta, i)))
      return failure();
  if (failed(verifyDimMatch(*this, a, 0, delta, 1)))
    return failure();
  for (auto [value, name] : {std::pair<Value, StringRef>{getB(), "B"},
                             std::pair<Value, StringRef>{getC(), "C"}}) {
    FailureOr<ScanOperand> bc = projection(*this, value, name);
    if (failed(bc) || failed(verifyProjection(*this, *bc, delta, a)))
      return failure();
  }
  if (Value z = getZ()) {
    ScanOperand gate{z, "z", {"batch", "channels", "seq_len"}, true};
    if (failed(verifyOperand(*this, gate)))
      return failure();
    for (unsigned i = 0; i < 3; ++i)
      if (failed(verifyDimMatch(*this, gate, i, delta, i)))
        return failure();
  }
  for (auto [value, name] :
       {std::pair<Value, StringRef>{getD(), "D"},
        std::pair<Value, StringRef>{getDeltaBias(), "delta_bias"}}) {
    if (!value)
      continue;
    ScanOperand perChannel{value, name, {"channels"}};
    if (failed(verifyOperand(*this, perChannel)) ||
        failed(verifyDimMatch(*this, perChannel, 0, delta, 1)))
      return failure();
  }
  for (auto [value, name] :
       {std::pair<Value, StringRef>{getInitialState(), "initial_state"},
        std::pair<Value, StringRef>{getFinalState(), "final_state"}}) {
    if (!value)
      continue;
    ScanOperand state{value, name, {"batch", "channels", "state"}};
    if (failed(verifyOperand(*this, state)) ||
        failed(verifyDimMatch(*this, state, 0, delta, 0)) ||
        failed(verifyDimMatch(*this, state, 1, delta, 1)) ||
        failed(verifyDimMatch(*this, state, 2, a, 1)))
      return failure();
  }
  // The results are written while the inputs are read: no tensor may be
  // both.
  std::pair<Value, StringRef> inputs[] = {{getDelta(), "delta"},
                                          {getU(), "u"},
                                          {getA(), "A"},
                                          {getB(), "B"},
                                          {getC(), "C"},
                                          {getD(), "D"},
                                          {getZ(), "z"},
                                          {getDeltaBias(), "delta_bias"},
                                          {getInitialState(), "initial_state"}};
  for (auto [result, resultName] :
       {std::pair<Value, StringRef>{getOut(), "out"},
        std::pair<Value, StringRef>{getFinalState(), "final_state"}}) {
    if (!result)
      continue;
    for (auto [input, inputName] : inputs)
      if (input == result)
        return emitOpError()
               << "'" << resultName << "' is also the input '" << inputName
               << "'; the results must be tensors "
                  "of their own";
  }
  if (getFinalState() == getOut())
    return emitOpError("'out' and 'final_state' must be different tensors");
  return success();
}

#define GET_OP_CLASSES
#include "mamba-nki/Dialect/Mamba/IR/MambaOps.cpp.inc"
