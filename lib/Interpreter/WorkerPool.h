//===- WorkerPool.h - threads sharing an instruction's rows -----*- C++ -*-===//
//
// Helper threads that each take a share of an instruction's partitions
// (internal to the interpreter). They spin between instructions: an
// instruction takes microseconds, too little for a condition variable.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_INTERPRETER_WORKERPOOL_H
#define MAMBA_NKI_LIB_INTERPRETER_WORKERPOOL_H

#include "llvm/ADT/STLFunctionalExtras.h"

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace nki_run {

class WorkerPool {
public:
  /// `workers` - 1 helper threads; the caller is worker 0.
  explicit WorkerPool(unsigned workers);
  ~WorkerPool();
  WorkerPool(const WorkerPool &) = delete;
  WorkerPool &operator=(const WorkerPool &) = delete;

  unsigned size() const { return numWorkers; }

  /// Splits rows [0, rows) into size() contiguous shares and runs
  /// `job(worker, begin, end)` on each, the caller's share on the calling
  /// thread; returns when every share is done.
  using Job = llvm::function_ref<void(unsigned, int64_t, int64_t)>;
  void run(int64_t rows, Job job);

private:
  void range(unsigned index, int64_t &begin, int64_t &end) const;
  void loop(unsigned index);

  unsigned numWorkers;
  std::vector<std::thread> threads;
  std::atomic<uint64_t> generation{0};
  std::atomic<unsigned> pending{0};
  std::atomic<bool> stop{false};
  const Job *job = nullptr;
  int64_t rows = 0;
};

/// A pause for spin loops.
inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

} // namespace nki_run

#endif // MAMBA_NKI_LIB_INTERPRETER_WORKERPOOL_H
