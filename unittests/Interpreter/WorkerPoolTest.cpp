//===- WorkerPoolTest.cpp - the interpreter's worker pool -----------------===//
//
// Every row of every instruction is run exactly once, by a thread with a
// valid worker index, whatever the number of workers and rows, over many
// instructions in a row (the pool hands out chunks that any thread may
// claim, and blocks its threads between instructions).
//
//===----------------------------------------------------------------------===//

#include "Interpreter/WorkerPool.h"
#include "gtest/gtest.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

using namespace nki_run;

namespace {

TEST(WorkerPoolTest, EveryRowOnceForManyInstructions) {
  for (unsigned workers : {1u, 2u, 3u, 8u}) {
    WorkerPool pool(workers);
    EXPECT_EQ(pool.size(), workers);
    for (int64_t rows : {1, 4, 15, 16, 17, 100, 128, 1000}) {
      for (int instr = 0; instr < 200; ++instr) {
        std::unique_ptr<std::atomic<int>[]> hits(
            new std::atomic<int>[size_t(rows)]);
        for (int64_t r = 0; r < rows; ++r)
          hits[size_t(r)] = 0;
        std::atomic<bool> badWorker{false};
        pool.run(rows, [&](unsigned worker, int64_t begin, int64_t end) {
          if (worker >= workers || begin < 0 || end > rows || begin >= end)
            badWorker = true;
          for (int64_t r = begin; r < end; ++r)
            hits[size_t(r)].fetch_add(1);
        });
        ASSERT_FALSE(badWorker) << workers << " workers, " << rows << " rows";
        for (int64_t r = 0; r < rows; ++r)
          ASSERT_EQ(hits[size_t(r)].load(), 1)
              << "row " << r << " of " << rows << ", " << workers
              << " workers, instruction " << instr;
      }
    }
  }
}

TEST(WorkerPoolTest, ThreadsThatSleepBetweenInstructionsWakeUp) {
  // Gaps longer than the spin make the helpers block; the next instruction
  // must still be run completely.
  WorkerPool pool(3);
  for (int instr = 0; instr < 5; ++instr) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::atomic<int64_t> sum{0};
    pool.run(64, [&](unsigned, int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r)
        sum += r;
    });
    EXPECT_EQ(sum.load(), 64 * 63 / 2);
  }
}

TEST(WorkerPoolTest, OneThreadPerWorkerIndex) {
  // A worker index is one thread's (the interpreter keeps scratch memory
  // per worker): no two chunks run at the same time with the same index.
  WorkerPool pool(4);
  std::vector<std::atomic<int>> busy(4);
  std::atomic<bool> overlap{false};
  for (int instr = 0; instr < 500; ++instr)
    pool.run(128, [&](unsigned worker, int64_t, int64_t) {
      if (busy[worker].fetch_add(1) != 0)
        overlap = true;
      busy[worker].fetch_sub(1);
    });
  EXPECT_FALSE(overlap);
}

} // namespace
