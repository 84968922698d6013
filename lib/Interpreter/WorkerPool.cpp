//===- WorkerPool.cpp - threads sharing an instruction's rows -------------===//

#include "WorkerPool.h"

#include <algorithm>

using namespace nki_run;

WorkerPool::WorkerPool(unsigned workers) : numWorkers(std::max(1u, workers)) {
  for (unsigned i = 1; i < numWorkers; ++i)
    threads.emplace_back([this, i] { loop(i); });
}

WorkerPool::~WorkerPool() {
  stop = true;
  generation.fetch_add(1, std::memory_order_release);
  for (std::thread &t : threads)
    t.join();
}

void WorkerPool::range(unsigned index, int64_t &begin, int64_t &end) const {
  begin = rows * index / numWorkers;
  end = rows * (index + 1) / numWorkers;
}

void WorkerPool::loop(unsigned index) {
  uint64_t seen = 0;
  while (true) {
    uint64_t g;
    unsigned spins = 0;
    while ((g = generation.load(std::memory_order_acquire)) == seen) {
      if (stop.load(std::memory_order_relaxed))
        return;
      // Spin briefly (instructions arrive microseconds apart), then give
      // the core away.
      if (++spins < 4096)
        cpuRelax();
      else
        std::this_thread::yield();
    }
    seen = g;
    if (stop.load(std::memory_order_relaxed))
      return;
    int64_t begin, end;
    range(index, begin, end);
    (*job)(index, begin, end);
    pending.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void WorkerPool::run(int64_t numRows, Job work) {
  job = &work;
  rows = numRows;
  pending.store(numWorkers - 1, std::memory_order_relaxed);
  generation.fetch_add(1, std::memory_order_release);
  int64_t begin, end;
  range(0, begin, end);
  work(0, begin, end);
  while (pending.load(std::memory_order_acquire) != 0)
    cpuRelax();
}
