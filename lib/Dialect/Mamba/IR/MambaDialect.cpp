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
/// One operand of selective_scan with the names of its dimensions.
struct ScanOperand {
  Value value;
  StringRef name;
  SmallVector<StringRef, 3> dims;
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
  if (!type.getElementType().isF32())
    return op->emitOpError() << "operand '" << operand.name
                             << "' must be f32, got " << type.getElementType();
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

LogicalResult SelectiveScanOp::verify() {
  ScanOperand delta{getDelta(), "delta", {"batch", "channels", "seq_len"}};
  ScanOperand u{getU(), "u", {"batch", "channels", "seq_len"}};
  ScanOperand a{getA(), "A", {"channels", "state"}};
  ScanOperand b{getB(), "B", {"batch", "state", "seq_len"}};
  ScanOperand c{getC(), "C", {"batch", "state", "seq_len"}};
  ScanOperand out{getOut(), "out", {"batch", "channels", "seq_len"}};
  for (const ScanOperand *operand : {&delta, &u, &a, &b, &c, &out})
    if (failed(verifyOperand(*this, *operand)))
      return failure();
  // Every dimension is compared against its first occurrence in `delta`
  // (batch, channels, seq_len) or `A` (state).
  for (unsigned i = 0; i < 3; ++i)
    if (failed(verifyDimMatch(*this, u, i, delta, i)) ||
        failed(verifyDimMatch(*this, out, i, delta, i)))
      return failure();
  if (failed(verifyDimMatch(*this, a, 0, delta, 1)))
    return failure();
  for (const ScanOperand *bc : {&b, &c})
    if (failed(verifyDimMatch(*this, *bc, 0, delta, 0)) ||
        failed(verifyDimMatch(*this, *bc, 1, a, 1)) ||
        failed(verifyDimMatch(*this, *bc, 2, delta, 2)))
      return failure();
  return success();
}

#define GET_OP_CLASSES
#include "mamba-nki/Dialect/Mamba/IR/MambaOps.cpp.inc"
