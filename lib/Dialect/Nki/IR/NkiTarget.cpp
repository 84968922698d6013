//===- NkiTarget.cpp - NeuronCore memory rules and targets ----------------===//

#include "mamba-nki/Dialect/Nki/IR/NkiTarget.h"
#include "mamba-nki/Dialect/Nki/IR/NkiDialect.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace mlir::nki;

const TargetInfo &mlir::nki::getTargetInfo(Target target) {
  // docs/hardware.md §4, through mamba-nki/Support/Hardware.h.
  static const TargetInfo trn1{
      Target::trn1, mamba_hw::sbufPartitionBytes(mamba_hw::Target::trn1),
      mamba_hw::psumPartitionBytes(mamba_hw::Target::trn1)};
  static const TargetInfo trn2{
      Target::trn2, mamba_hw::sbufPartitionBytes(mamba_hw::Target::trn2),
      mamba_hw::psumPartitionBytes(mamba_hw::Target::trn2)};
  return target == Target::trn2 ? trn2 : trn1;
}

Target mlir::nki::getTarget(Operation *op) {
  for (Operation *cur = op; cur; cur = cur->getParentOp())
    if (auto attr =
            cur->getAttrOfType<TargetAttr>(NkiDialect::getTargetAttrName()))
      return attr.getValue();
  return Target::trn1;
}

std::optional<MemorySpace> mlir::nki::getMemorySpace(MemRefType type) {
  Attribute space = type.getMemorySpace();
  if (!space)
    return MemorySpace::hbm;
  if (auto attr = dyn_cast<MemorySpaceAttr>(space))
    return attr.getValue();
  return std::nullopt;
}

int64_t mlir::nki::getElementBytes(Type elementType) {
  if (elementType.isF32())
    return 4;
  if (elementType.isBF16())
    return 2;
  return 0;
}

bool mlir::nki::isSupportedElementType(Type elementType) {
  return getElementBytes(elementType) != 0;
}

int64_t mlir::nki::getFreeElements(MemRefType type) {
  // Saturate instead of overflowing on absurd static shapes: the verifiers
  // then report "too large" rather than a wrapped-around size.
  uint64_t n = 1;
  for (int64_t d : type.getShape().drop_front()) {
    if (d < 0)
      return ShapedType::kDynamic;
    n = llvm::SaturatingMultiply(n, static_cast<uint64_t>(d));
  }
  return static_cast<int64_t>(
      std::min<uint64_t>(n, std::numeric_limits<int64_t>::max() / 8));
}

int64_t mlir::nki::getBlockBytes(MemRefType type) {
  int64_t bytes = getFreeBytes(type);
  if (type.getRank() <= 2 || type.getDimSize(1) <= 0)
    return bytes;
  return bytes / type.getDimSize(1);
}
