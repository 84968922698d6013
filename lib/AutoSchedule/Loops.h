//===- Loops.h - loop-nest queries shared by the auto-scheduler -*- C++ -*-===//
//
// Internal to lib/AutoSchedule: used by the pricing (Pricing.cpp) and the
// search (Search.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_AUTOSCHEDULE_LOOPS_H
#define MAMBA_NKI_LIB_AUTOSCHEDULE_LOOPS_H

#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir {
namespace nki {
/// The only scf.for of `body`, when every other op in it is free of memory
/// effects and has no region; null otherwise.
scf::ForOp onlyLoop(Block &body);
} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_LIB_AUTOSCHEDULE_LOOPS_H
