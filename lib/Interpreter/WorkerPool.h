//===- WorkerPool.h - threads sharing an instruction's rows -----*- C++ -*-===//
//
// Helper threads that each take a share of an instruction's partitions
// (internal to the interpreter). Between instructions they spin briefly (an
// instruction takes microseconds), then block on a condition variable, and
// so does the caller waiting for the shares: a thread that keeps spinning
// holds a core that the others, or another process, need.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_INTERPRETER_WORKERPOOL_H
#define MAMBA_NKI_LIB_INTERPRETER_WORKERPOOL_H

#include "llvm/ADT/STLFunctionalExtras.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
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

  /// Splits rows [0, rows) into contiguous
  /// chunks and runs `job(worker, begin, end)` on each, on whichever thread
  /// (the caller included) claims it first; `worker` is that thread's index.
  /// Chunks are at least `minChunk` rows (and a multiple of it, but the
  /// last). Returns when every chunk is done.
  using Job = llvm::function_ref<void(unsigned, int64_t, int64_t)>;
  void run(int64_t rows, Job job, int64_t minChunk = 4);

private:
  void drain(unsigned index, uint64_t generation);
  void loop(unsigned index);

  unsigned numWorkers;
  std::vector<std::thread> threads;
  std::atomic<uint64_t> work{0}; // generation | chunks | next (see .cpp)
  std::atomic<int64_t> done{0};  // chunks of this instruction done
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable started;  // a new generation (or stop)
  std::condition_variable finished; // pending reached 0
  const Job *job = nullptr;
  int64_t rows = 0, chunkRows = 0;
};

/// A pause for spin loops.
inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

} // namespace nki_run

#endif // MAMBA_NKI_LIB_INTERPRETER_WORKERPOOL_H
