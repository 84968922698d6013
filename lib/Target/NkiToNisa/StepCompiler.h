//===- StepCompiler.h - compiling a kernel to a StepProgram -------*- C++
//-*-===//
//
// Private to the backend: the state of one compileSteps() (StepProgram.h),
// split over StepCompiler.cpp (arguments, loops, index arithmetic, views,
// allocations, locations) and NkiOpLowering.cpp (the instruction template
// of each nki op).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_TARGET_NKITONISA_STEPCOMPILER_H
#define MAMBA_NKI_LIB_TARGET_NKITONISA_STEPCOMPILER_H

#include "StepProgram.h"

#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

namespace mlir {
namespace nki {
namespace backend {

class StepCompiler {
public:
  StepCompiler(func::FuncOp func, nisa::Program &header, BufferTable &buffers,
               StepProgram &program)
      : func(func), header(header), buffers(buffers), program(program) {}

  /// Declares the HBM tensors in the header and compiles the body.
  LogicalResult compile();

private:
  // StepCompiler.cpp.
  LogicalResult compileArgument(BlockArgument arg);
  LogicalResult compileBlock(Block &block);
  LogicalResult compileOp(Operation *op);
  LogicalResult compileArith(Operation *op, ArithKind kind, bool unary);
  LogicalResult compileFor(scf::ForOp forOp);
  LogicalResult compileSubview(memref::SubViewOp subview);
  LogicalResult compileExpand(memref::ExpandShapeOp expand);
  LogicalResult compileAlloc(AllocOp alloc);

  FailureOr<IntRef> intRef(Operation *user, Value v, StringRef what);
  FailureOr<IntRef> intRef(Operation *user, OpFoldResult ofr, StringRef what);
  FailureOr<int32_t> viewSlot(Operation *user, Value v);
  int32_t newIntSlot(Value v);
  int32_t newViewSlot(Value v, StringRef rootName);
  /// The index in the header's locations of `loc` as the stream names it
  /// (`name@file:line:col`, the position in the user's file when `loc`
  /// holds one), `fallbackName` when it has no NameLoc (or always, with
  /// `preferFallback`, when there is one).
  uint32_t location(Location loc, StringRef fallbackName,
                    bool preferFallback = false);
  /// The index in the header's loop names of `forOp`'s name.
  uint32_t loopName(scf::ForOp forOp);

  // NkiOpLowering.cpp: an nki op's instruction template.
  LogicalResult compileNki(Operation *op);
  LogicalResult lowerDma(NkiStep &ns, Operation *op);
  LogicalResult lower(NkiStep &ns, LoadOp op) { return lowerDma(ns, op); }
  LogicalResult lower(NkiStep &ns, StoreOp op) { return lowerDma(ns, op); }
  LogicalResult lower(NkiStep &ns, MemsetOp op);
  LogicalResult lower(NkiStep &ns, ActivationOp op);
  LogicalResult lower(NkiStep &ns, TensorScalarOp op);
  LogicalResult lower(NkiStep &ns, TensorTensorOp op);
  LogicalResult lower(NkiStep &ns, TensorTensorScanOp op);
  LogicalResult lower(NkiStep &ns, TensorCopyOp op);
  LogicalResult lower(NkiStep &ns, PartitionBroadcastOp op);
  LogicalResult lower(NkiStep &ns, MatmulOp op);
  /// Operand `role` of `ns` is the view `v`.
  LogicalResult setOperand(NkiStep &ns, int role, Value v);
  /// A scalar operand: the [P, 1] view `v` when there is one, else the
  /// immediate `imm` (1.0 when absent).
  LogicalResult setScalar(NkiStep &ns, int role, nisa::Scalar &slot, Value v,
                          FloatAttr imm);

  func::FuncOp func;
  nisa::Program &header;
  BufferTable &buffers;
  StepProgram &program;

  DenseMap<Value, int32_t> intSlots, viewSlots;
  std::vector<StringRef> slotRootNames; // the alloc's name, per view slot
  llvm::StringMap<uint32_t> locIndex;
};

} // namespace backend
} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_LIB_TARGET_NKITONISA_STEPCOMPILER_H
