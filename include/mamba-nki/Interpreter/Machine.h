//===- Machine.h - execute a .nisa stream -----------------------*- C++ -*-===//
//
// One NeuronCore's memories and the kernel's HBM tensors, and the execution
// of instructions on them (lib/Interpreter: Memory.cpp holds the memories,
// Ops.cpp what each opcode computes, WorkerPool.cpp the threads).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_INTERPRETER_MACHINE_H
#define MAMBA_NKI_INTERPRETER_MACHINE_H

#include "mamba-nki/Target/Nisa/Program.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <memory>
#include <vector>

namespace nki_run {

class Machine {
public:
  /// `threads` > 1 splits the partitions across threads. `windows`: run
  /// instructions a block of partitions at a time, several instructions per
  /// block where that gives the same results (Machine.cpp), or else one
  /// instruction at a time (for comparison: nki-run --no-windows).
  explicit Machine(const nisa::Program &program, unsigned threads = 1,
                   bool windows = true);
  ~Machine();

  /// Sets HBM tensor `index` (values converted to its dtype).
  void setTensor(size_t index, llvm::ArrayRef<float> values);
  /// The same, taking `values` over instead of copying them when the
  /// tensor is f32 (`values` is left empty either way).
  void adoptTensor(size_t index, std::vector<float> &&values);
  /// Reads HBM tensor `index` as floats.
  std::vector<float> getTensor(size_t index) const;
  /// HBM tensor `index` itself when it is f32 (no copy), else empty.
  llvm::ArrayRef<float> tensorF32(size_t index) const;

  /// Executes the instructions in `order` (an order the hardware could
  /// produce). `progress(done)` is called now and then.
  void run(llvm::ArrayRef<uint32_t> order,
           llvm::function_ref<void(size_t)> progress = nullptr);

  /// Executes one instruction.
  void execute(const nisa::Instruction &in);

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace nki_run

#endif // MAMBA_NKI_INTERPRETER_MACHINE_H
