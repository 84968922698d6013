//===- Machine.cpp - execute a .nisa stream -------------------------------===//
//
// Runs each instruction row by row (a partition each on chip), the rows
// split across the worker threads, with the semantics of Ops.cpp on the
// memories of Memory.cpp.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Interpreter/Machine.h"

#include "Memory.h"
#include "Ops.h"
#include "WorkerPool.h"

#include <cstring>

using namespace nki_run;

struct Machine::Impl {
  Impl(const nisa::Program &program, unsigned threads)
      : memories(program), pool(threads), workers(pool.size()) {}

  /// Rows [begin, end) of `in`, on one thread.
  void executeRows(const nisa::Instruction &in, int64_t begin, int64_t end,
                   Worker &w);

  Memories memories;
  WorkerPool pool;
  std::vector<Worker> workers; // [0] is the calling thread's
};

Machine::Machine(const nisa::Program &program, unsigned threads)
    : impl(std::make_unique<Impl>(program, threads)) {}

Machine::~Machine() = default;

void Machine::setTensor(size_t index, llvm::ArrayRef<float> values) {
  Memories &m = impl->memories;
  const nisa::TensorDecl &t = m.program.tensors[index];
  if (t.dtype == nisa::DType::f32) {
    std::memcpy(m.hbm[index].data(), values.data(), values.size() * 4);
    return;
  }
  auto *out = reinterpret_cast<uint16_t *>(m.hbm[index].data());
  for (size_t i = 0; i < values.size(); ++i)
    out[i] = floatToBf16(values[i]);
}

std::vector<float> Machine::getTensor(size_t index) const {
  const Memories &m = impl->memories;
  const nisa::TensorDecl &t = m.program.tensors[index];
  std::vector<float> values(size_t(t.numElements()));
  if (t.dtype == nisa::DType::f32) {
    std::memcpy(values.data(), m.hbm[index].data(), values.size() * 4);
  } else {
    auto *in = reinterpret_cast<const uint16_t *>(m.hbm[index].data());
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = bf16ToFloat(in[i]);
  }
  return values;
}

void Machine::Impl::executeRows(const nisa::Instruction &in, int64_t begin,
                                int64_t end, Worker &w) {
  const nisa::AccessPattern &dst = in.dst;
  const int64_t n = dst.freeElements();
  begin = ops::executeTogether(in, memories, begin, end);
  for (int64_t r = begin; r < end; ++r) {
    float *out = memories.output(dst, r, w.d);
    ops::executeRow(in, memories, r, out, n, w);
    memories.commit(dst, r, out);
  }
}

void Machine::execute(const nisa::Instruction &in) {
  const nisa::AccessPattern &dst = in.dst;
  int64_t rows = ops::prepare(in, impl->memories);
  // Rows write disjoint memory on chip (one partition each); off chip only
  // when they are far enough apart.
  bool disjointRows =
      dst.isOnChip() || dst.partStride * nisa::elementBytes(dst.dtype) >=
                            dst.spanBytes() - (dst.partCount - 1) *
                                                  dst.partStride *
                                                  nisa::elementBytes(dst.dtype);
  if (impl->pool.size() == 1 || rows < 16 || !disjointRows) {
    impl->executeRows(in, 0, rows, impl->workers[0]);
    return;
  }
  impl->pool.run(rows, [&](unsigned worker, int64_t begin, int64_t end) {
    impl->executeRows(in, begin, end, impl->workers[worker]);
  });
}

void Machine::run(llvm::ArrayRef<uint32_t> order,
                  llvm::function_ref<void(size_t)> progress) {
  const nisa::Program &program = impl->memories.program;
  for (size_t i = 0; i < order.size(); ++i) {
    execute(program.instructions[order[i]]);
    if (progress && (i & 1023) == 0)
      progress(i);
  }
  if (progress)
    progress(order.size());
}
