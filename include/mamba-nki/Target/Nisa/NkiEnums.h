//===- NkiEnums.h - the nki dialect's enums as .nisa's ----------*- C++ -*-===//
//
// Conversions from the nki dialect's enums (NkiAttrs.td) to the .nisa ones
// (InstructionSet.def), for the backend. ALU operations and activation
// functions are the same lists in the same order, which the static_asserts
// below check value by value, so converting them is a cast; engines map to
// queues by name. Header-only, and the only place that includes both the
// dialect and the .nisa enums: the .nisa library itself needs no MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_TARGET_NISA_NKIENUMS_H
#define MAMBA_NKI_TARGET_NISA_NKIENUMS_H

#include "mamba-nki/Dialect/Nki/IR/NkiAttrs.h"
#include "mamba-nki/Dialect/Nki/IR/NkiTarget.h"
#include "mamba-nki/Target/Nisa/InstructionSet.h"
#include "mamba-nki/Target/Nisa/Program.h"

namespace nisa {

static_assert(mlir::nki::getMaxEnumValForAluOp() + 1 == unsigned(kNumAlus),
              "nki::AluOp and nisa::Alu have as many values");
#define NISA_ALU(Name)                                                         \
  static_assert(uint32_t(mlir::nki::AluOp::Name) == uint32_t(Alu::Name),       \
                "nki::AluOp::" #Name " is nisa::Alu::" #Name);
#include "mamba-nki/Target/Nisa/InstructionSet.def"

static_assert(mlir::nki::getMaxEnumValForActivationFunction() + 1 ==
                  unsigned(kNumActs),
              "nki::ActivationFunction and nisa::Act have as many values");
#define NISA_ACT(Name)                                                         \
  static_assert(uint32_t(mlir::nki::ActivationFunction::Name) ==               \
                    uint32_t(Act::Name),                                       \
                "nki::ActivationFunction::" #Name " is nisa::Act::" #Name);
#include "mamba-nki/Target/Nisa/InstructionSet.def"

constexpr Alu toNisa(mlir::nki::AluOp op) { return Alu(uint32_t(op)); }
constexpr Act toNisa(mlir::nki::ActivationFunction f) {
  return Act(uint32_t(f));
}
constexpr Target toNisa(mlir::nki::Target target) {
  return mlir::nki::toHardware(target);
}

/// The queue of an engine (docs/nisa.md: ScalarE is act, VectorE dve,
/// GpSimdE pool, TensorE pe).
constexpr Queue toNisa(mlir::nki::Engine engine) {
  switch (engine) {
  case mlir::nki::Engine::scalar:
    return Queue::act;
  case mlir::nki::Engine::vector:
    return Queue::dve;
  case mlir::nki::Engine::gpsimd:
    return Queue::pool;
  case mlir::nki::Engine::tensor:
    return Queue::pe;
  }
  return Queue::dve;
}
static_assert(mlir::nki::getMaxEnumValForEngine() == 3,
              "toNisa(Engine) maps every engine");

} // namespace nisa

#endif // MAMBA_NKI_TARGET_NISA_NKIENUMS_H
