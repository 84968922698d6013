//===- NkiUtils.cpp - helpers shared by nki passes ------------------------===//

#include "mamba-nki/Dialect/Nki/IR/NkiUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

Value mlir::nki::getIndexConstant(OpBuilder &builder, Operation *anchor,
                                  int64_t value) {
  Operation *isolated = anchor;
  while (isolated->getParentOp() &&
         !isolated->hasTrait<OpTrait::IsIsolatedFromAbove>())
    isolated = isolated->getParentOp();
  Block &entry = isolated->getRegion(0).front();
  for (Operation &op : entry) {
    auto constant = dyn_cast<arith::ConstantIndexOp>(op);
    if (constant && constant.value() == value)
      return constant;
  }
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(&entry);
  return builder.create<arith::ConstantIndexOp>(anchor->getLoc(), value);
}
