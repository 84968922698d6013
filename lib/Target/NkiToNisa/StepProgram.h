//===- StepProgram.h - a kernel compiled to steps over value slots -*- C++
//-*-===//
//
// Private to the backend. The first stage: the kernel function becomes a
// short list of steps (loops, index arithmetic, views, allocations, nki ops)
// over numbered value slots, so that unrolling it (Unroller.h) touches no
// MLIR data structure but the ops it reports errors on. The static part of
// each instruction (opcode, engine, attributes, immediates, location) is
// prepared once per op (NkiOpLowering.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_TARGET_NKITONISA_STEPPROGRAM_H
#define MAMBA_NKI_LIB_TARGET_NKITONISA_STEPPROGRAM_H

#include "Buffers.h"
#include "VInstr.h"

#include "mamba-nki/Target/Nisa/Program.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <array>
#include <vector>

namespace mlir {
namespace nki {
namespace backend {

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

enum class StepKind : uint8_t { arith, loop, subview, expand, alloc, nki };
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
  // expand (memref.expand_shape of `source`): result dim k has size
  // sizes[k].value and splits source dim groupOf[k]; `rank` result dims.
  std::array<uint8_t, kMaxRank> groupOf{};
  uint8_t rank = 0;
  // alloc: its BufferType and the view of a new instance (id unset).
  int32_t type = -1;
  View base;
  // nki: index into StepProgram::nkiSteps.
  int32_t nki = -1;
  // loop: its name (an index into the header's LoopContexts names).
  uint32_t loopName = 0;
  // alloc: the location that names the buffer's spill DMAs.
  uint32_t loc = 0;
};

/// An nki op, ready to become instructions: everything static is in the
/// template; operands are view slots per role.
struct NkiStep {
  Operation *op;
  int32_t step = -1; // its index in StepProgram::steps
  bool broadcast = false;
  bool ioQueue = false; // a DMA: round-robin over the IO queues
  bool scan = false;    // operands must be one contiguous run
  nisa::Instruction tmpl;
  std::array<int32_t, kNumRoles> operand;
  // Location indices: named after the destination buffer when the op has
  // no NameLoc; for a broadcast, also its PSUM chunks' and the ones row's.
  uint32_t loc = 0, tempLoc = 0, onesLoc = 0;
};

/// A kernel function, compiled.
struct StepProgram {
  std::vector<Step> steps;
  std::vector<NkiStep> nkiSteps;
  /// The view of each HBM tensor: view slot t holds tensor t.
  std::vector<View> argViews;
  int32_t numIntSlots = 0, numViewSlots = 0;
  /// The type of the [1, 128] ones row that partition broadcasts use.
  int32_t onesType = -1;
};

/// Compiles `func` into `program`: declares its HBM tensors (the memref
/// arguments) and the instructions' locations in `header`, and the buffer
/// types in `buffers`. Emits a located error for what it cannot translate.
LogicalResult compileSteps(func::FuncOp func, nisa::Program &header,
                           BufferTable &buffers, StepProgram &program);

/// The .nisa dtype of an f32 or bf16 element type.
inline nisa::DType dtypeOf(Type t) {
  return t.isBF16() ? nisa::DType::bf16 : nisa::DType::f32;
}

} // namespace backend
} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_LIB_TARGET_NKITONISA_STEPPROGRAM_H
