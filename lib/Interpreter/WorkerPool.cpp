//===- WorkerPool.cpp - threads sharing an instruction's rows -------------===//

#include "WorkerPool.h"

#include <algorithm>

using namespace nki_run;

/// How long a thread spins before it blocks: instructions arrive
/// microseconds apart on a quiet machine, so a short spin saves the wake-up;
/// on a busy one a spinning thread would hold a core the others need.
static constexpr unsigned kSpins = 2048;
static constexpr unsigned kYields = 4096;

// `work`: the generation (bits 32..63), the number of chunks of the current
// instruction (16..31) and the next chunk to claim (0..15). A thread claims
// a chunk by a compare-and-swap that also checks the generation, so a thread
// that wakes late never takes a chunk of an instruction that is gone, and
// the instruction's fields are read only by a thread holding one of its
// chunks (the caller does not move on before every chunk is done).
static uint64_t generationOf(uint64_t w) { return w >> 32; }
static uint64_t limitOf(uint64_t w) { return (w >> 16) & 0xffff; }
static uint64_t nextOf(uint64_t w) { return w & 0xffff; }

WorkerPool::WorkerPool(unsigned workers) : numWorkers(std::max(1u, workers)) {
  for (unsigned i = 1; i < numWorkers; ++i)
    threads.emplace_back([this, i] { loop(i); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stop.store(true, std::memory_order_release);
    work.store((generationOf(work.load()) + 1) << 32,
               std::memory_order_release);
  }
  started.notify_all();
  for (std::thread &t : threads)
    t.join();
}

void WorkerPool::drain(unsigned index, uint64_t generation) {
  uint64_t w = work.load(std::memory_order_acquire);
  while (generationOf(w) == generation && nextOf(w) < limitOf(w)) {
    if (!work.compare_exchange_weak(w, w + 1, std::memory_order_acq_rel,
                                    std::memory_order_acquire))
      continue; // `w` reloaded
    // Chunk nextOf(w) is ours: the instruction cannot change under us.
    int64_t begin = int64_t(nextOf(w)) * chunkRows;
    int64_t end = std::min(rows, begin + chunkRows);
    (*job)(index, begin, end);
    if (done.fetch_add(1, std::memory_order_acq_rel) + 1 ==
        int64_t(limitOf(w))) {
      // The last chunk: wake the caller if it blocked. Taking the mutex
      // orders this after the caller's check of `done`.
      std::lock_guard<std::mutex> lock(mutex);
      finished.notify_one();
    }
    w = work.load(std::memory_order_acquire);
  }
}

void WorkerPool::loop(unsigned index) {
  uint64_t seen = 0;
  while (true) {
    uint64_t g = generationOf(work.load(std::memory_order_acquire));
    for (unsigned spins = 0; g == seen && spins < kSpins; ++spins) {
      cpuRelax();
      g = generationOf(work.load(std::memory_order_acquire));
    }
    // Then offer the core for a while (a wake-up from blocking costs tens
    // of microseconds, longer than most gaps between instructions).
    for (unsigned yields = 0; g == seen && yields < kYields; ++yields) {
      std::this_thread::yield();
      g = generationOf(work.load(std::memory_order_acquire));
    }
    if (g == seen) {
      // Block until the next instruction (or the end). The generation
      // changes under the mutex, so the wake-up cannot be missed.
      std::unique_lock<std::mutex> lock(mutex);
      started.wait(lock, [&] {
        return generationOf(work.load(std::memory_order_acquire)) != seen;
      });
      g = generationOf(work.load(std::memory_order_acquire));
    }
    seen = g;
    if (stop.load(std::memory_order_acquire))
      return;
    drain(index, seen);
  }
}

void WorkerPool::run(int64_t numRows, Job workToDo, int64_t minChunk) {
  // Chunks of rows (about eight per thread), claimed by whichever thread is
  // free: a helper that the OS does not schedule (another process has its
  // core) leaves its share to the others instead of holding everyone up,
  // and holds up at most one small chunk.
  job = &workToDo;
  rows = numRows;
  minChunk = std::max<int64_t>(1, minChunk);
  chunkRows = std::max<int64_t>({minChunk, numRows / (int64_t(numWorkers) * 8),
                                 (numRows + 0xfffe) / 0xffff});
  chunkRows = (chunkRows + minChunk - 1) / minChunk * minChunk;
  int64_t chunks = (numRows + chunkRows - 1) / chunkRows;
  done.store(0, std::memory_order_relaxed);
  uint64_t generation = generationOf(work.load(std::memory_order_relaxed)) + 1;
  {
    std::lock_guard<std::mutex> lock(mutex);
    work.store(generation << 32 | uint64_t(chunks) << 16,
               std::memory_order_release);
  }
  started.notify_all();
  drain(0, generation);
  for (unsigned spins = 0;
       done.load(std::memory_order_acquire) != chunks && spins < kSpins;
       ++spins)
    cpuRelax();
  if (done.load(std::memory_order_acquire) != chunks) {
    std::unique_lock<std::mutex> lock(mutex);
    finished.wait(
        lock, [&] { return done.load(std::memory_order_acquire) == chunks; });
  }
}
