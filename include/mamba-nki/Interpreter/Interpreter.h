//===- Interpreter.h - execute a .nisa stream -------------------*- C++ -*-===//

#ifndef MAMBA_NKI_INTERPRETER_INTERPRETER_H
#define MAMBA_NKI_INTERPRETER_INTERPRETER_H

#include "mamba-nki/Target/Nisa/Program.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace nki_run {

/// Checks that every access is ordered after the last conflicting access
/// (queue order and semaphore waits, transitively) and that nothing reads
/// memory never written. Returns the first `maxReports` problems, each
/// naming the two instructions (empty: the stream is race-free).
std::vector<std::string> findRaces(const nisa::Program &program,
                                   size_t maxReports = 10);

/// The memories of one NeuronCore and the kernel's HBM tensors.
class Machine {
public:
  /// `threads` > 1 splits each instruction's partitions across threads
  /// (the extra threads spin while a run is in progress).
  explicit Machine(const nisa::Program &program, unsigned threads = 1);
  ~Machine();

  /// Sets HBM tensor `index` (values converted to its dtype).
  void setTensor(size_t index, llvm::ArrayRef<float> values);
  /// Reads HBM tensor `index` as floats.
  std::vector<float> getTensor(size_t index) const;

  /// Executes the instructions in `order` (an order the hardware could
  /// produce). `progress(done)` is called now and then.
  void run(llvm::ArrayRef<uint32_t> order,
           llvm::function_ref<void(size_t)> progress = nullptr);

  struct Worker; // per-thread row buffers

private:
  void execute(const nisa::Instruction &in);
  void executeRows(const nisa::Instruction &in, int64_t begin, int64_t end,
                   Worker &w);
  uint8_t *rowBase(const nisa::AccessPattern &ap, int64_t row);
  void gather(const nisa::AccessPattern &ap, int64_t row, float *out);
  void scatter(const nisa::AccessPattern &ap, int64_t row, const float *in);
  const float *input(const nisa::AccessPattern &ap, int64_t row,
                     std::vector<float> &tmp);
  float *output(const nisa::AccessPattern &ap, int64_t row,
                std::vector<float> &tmp);
  void commit(const nisa::AccessPattern &ap, int64_t row, float *data,
              std::vector<float> &tmp);
  float scalar(const nisa::Scalar &s, int64_t row);

  const nisa::Program &program;
  int64_t sbufStride;
  std::vector<uint8_t> sbuf, psum, scratch;
  std::vector<std::vector<uint8_t>> hbm;
  std::vector<float> matA, matB; // matmul operands
  struct Pool;
  std::unique_ptr<Pool> pool;
};

} // namespace nki_run

#endif // MAMBA_NKI_INTERPRETER_INTERPRETER_H
