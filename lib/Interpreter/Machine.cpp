//===- Machine.cpp - execute a .nisa stream -------------------------------===//
//
// Runs each instruction row by row (a partition each on chip), the rows
// split across the worker threads, with the semantics of Ops.cpp on the
// memories of Memory.cpp.
//
// Instructions run in windows: a run of consecutive instructions whose rows
// cannot see each other across partitions is executed a block of partitions
// at a time, every instruction of the window on the block before the next
// block (see Window below). A block's rows stay in the CPU's caches from one
// instruction to the next, instead of 128 rows streaming through memory per
// instruction, and the threads meet once per window, not per instruction.
// The order of the accesses to any one location is the sequential order, so
// the results are the same bits.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Interpreter/Machine.h"

#include "Memory.h"
#include "Ops.h"
#include "WorkerPool.h"

#include <algorithm>
#include <cstring>

using namespace nki_run;

namespace {
/// Partitions per block of a window (the scan interleaves 8 chains). A
/// block's share of SBUF is then at most 8 x 192 KiB, mostly in L2.
constexpr int64_t kBlockPartitions = 8;
/// Instructions per window at most (their decoded copies are kept).
constexpr size_t kMaxWindow = 512;

/// Whether the rows of `ap`, when it is written off chip, are far enough
/// apart to be written by different threads.
bool rowsDisjoint(const nisa::AccessPattern &ap) {
  int64_t eb = nisa::elementBytes(ap.dtype);
  return ap.isOnChip() ||
         ap.partStride * eb >=
             ap.spanBytes() - (ap.partCount - 1) * ap.partStride * eb;
}

/// A run of consecutive instructions executed a block of partitions at a
/// time: every member on the first block, then every member on each other
/// block. Row r of an instruction touches, on chip, partition
/// partStart + r of each of its operands, and off chip, its row of an HBM
/// tensor or of the scratch area. An instruction joins when:
///  - its on-chip operands all start at the same partition: row r is then
///    partition p of each, as for every member, so two members meet on chip
///    only in one partition, in one block, where they run in order;
///  - its off-chip accesses overlap no other member's unless both only read
///    (off-chip rows do not follow the blocks), and the rows of an off-chip
///    destination are disjoint (as for any split of its rows across
///    threads);
///  - if it is a matmul, whose rows read partitions [0, K) of its sources:
///    either it is the first member, and its operands are gathered before
///    the window starts, or its sources lie in the window's first block.
///    That block runs first, alone, and gathers the operands as it reaches
///    the matmul, when exactly the members before it have written them; the
///    other blocks' rows of the matmul then read the gathered copy. The
///    first block is then only as many partitions as those sources need
///    (one, for a broadcast row), since nothing else runs meanwhile.
class Window {
public:
  struct Member {
    nisa::Instruction in;
    int64_t start = 0, rows = 0; // partitions [start, start + rows)
    enum { none, before, inFirstBlock } gather = none;
    MatmulOperands operands; // a matmul's
  };

  /// Adds `in` if it can join.
  bool admit(const nisa::Instruction &in) {
    bool isMatmul = in.opcode == nisa::Opcode::matmul;
    int64_t start = -1;
    bool ok = true;
    llvm::SmallVector<OffChip, 2> offChip;
    nisa::forEachAccess(in, [&](const nisa::AccessPattern &ap, bool write) {
      if (isMatmul && !write)
        return; // gathered, see below
      if (ap.isOnChip()) {
        if (start >= 0 && start != ap.partStart)
          ok = false;
        start = ap.partStart;
        return;
      }
      if (write && !rowsDisjoint(ap))
        ok = false;
      int64_t lo = ap.offset * nisa::elementBytes(ap.dtype);
      offChip.push_back({ap.space, ap.tensor, lo, lo + ap.spanBytes(), write});
    });
    if (!ok || start < 0)
      return false;
    for (const OffChip &a : offChip)
      for (const OffChip &b : accesses)
        if (a.space == b.space && a.tensor == b.tensor && a.lo < b.hi &&
            b.lo < a.hi && (a.write || b.write))
          return false;
    int64_t rows = ops::rowCount(in);
    int64_t newLo = std::min(lo, start), newHi = std::max(hi, start + rows);
    auto gather = Member::none;
    if (isMatmul) {
      int64_t k0 = std::min(in.src0.partStart, in.src1.partStart);
      int64_t k1 = std::max(in.src0.partStart + in.src0.partCount,
                            in.src1.partStart + in.src1.partCount);
      if (members.empty())
        gather = Member::before;
      else if (k0 >= firstBlockLo() &&
               k1 <= firstBlockLo() + kBlockPartitions && newLo == lo)
        gather = Member::inFirstBlock;
      else
        return false;
      if (gather == Member::inFirstBlock)
        gatherHi = std::max(gatherHi, k1);
    } else if (start < firstBlockLo() && gathersInFirstBlock) {
      return false; // the first block would move under a gathered matmul
    }
    accesses.append(offChip.begin(), offChip.end());
    Member &m = members.emplace_back();
    m.in = in;
    m.start = start;
    m.rows = rows;
    m.gather = gather;
    gathersInFirstBlock |= gather == Member::inFirstBlock;
    lo = newLo;
    hi = newHi;
    return true;
  }

  /// The first partition of the first block.
  int64_t firstBlockLo() const { return lo; }
  /// The end of the first block when it gathers matmul operands: the
  /// partitions those sources need.
  int64_t firstBlockHi() const { return std::min(hi, gatherHi); }

  void clear() {
    members.clear();
    accesses.clear();
    lo = INT64_MAX;
    hi = 0;
    gatherHi = 0;
    gathersInFirstBlock = false;
  }

  std::vector<Member> members;
  int64_t lo = INT64_MAX, hi = 0; // the partitions the members touch
  int64_t gatherHi = 0;           // end of the in-first-block matmuls' sources
  bool gathersInFirstBlock = false;

private:
  struct OffChip {
    nisa::Space space;
    int16_t tensor;
    int64_t lo, hi; // bytes
    bool write;
  };
  llvm::SmallVector<OffChip, 8> accesses;
};
} // namespace

struct Machine::Impl {
  Impl(const nisa::Program &program, unsigned threads, bool windows)
      : memories(program), pool(threads), workers(pool.size()),
        windows(windows) {}

  /// Rows [begin, end) of `in`, on one thread.
  void executeRows(const nisa::Instruction &in, int64_t begin, int64_t end,
                   Worker &w);
  /// Every member of `window`, a block of partitions at a time.
  void executeWindow(Window &window);

  Memories memories;
  WorkerPool pool;
  std::vector<Worker> workers; // [0] is the calling thread's
  bool windows;
};

Machine::Machine(const nisa::Program &program, unsigned threads, bool windows)
    : impl(std::make_unique<Impl>(program, threads, windows)) {}

Machine::~Machine() = default;

void Machine::setTensor(size_t index, llvm::ArrayRef<float> values) {
  Memories &m = impl->memories;
  const nisa::TensorDecl &t = m.program.tensors[index];
  Memories::HbmTensor &storage = m.hbm[index];
  storage.adopted.clear();
  storage.adopted.shrink_to_fit();
  storage.bytes.resize(size_t(t.numElements() * nisa::elementBytes(t.dtype)));
  if (t.dtype == nisa::DType::f32) {
    std::memcpy(storage.data(), values.data(), values.size() * 4);
    return;
  }
  auto *out = reinterpret_cast<uint16_t *>(storage.data());
  for (size_t i = 0; i < values.size(); ++i)
    out[i] = floatToBf16(values[i]);
}

void Machine::adoptTensor(size_t index, std::vector<float> &&values) {
  Memories &m = impl->memories;
  const nisa::TensorDecl &t = m.program.tensors[index];
  if (t.dtype != nisa::DType::f32 || values.size() != size_t(t.numElements())) {
    setTensor(index, values);
    values = {};
    return;
  }
  Memories::HbmTensor &storage = m.hbm[index];
  storage.bytes = {};
  storage.adopted = std::move(values);
  values = {};
}

llvm::ArrayRef<float> Machine::tensorF32(size_t index) const {
  const Memories &m = impl->memories;
  const nisa::TensorDecl &t = m.program.tensors[index];
  if (t.dtype != nisa::DType::f32 || !m.hbm[index].data())
    return {};
  return {reinterpret_cast<const float *>(m.hbm[index].data()),
          size_t(t.numElements())};
}

std::vector<float> Machine::getTensor(size_t index) const {
  const Memories &m = impl->memories;
  const nisa::TensorDecl &t = m.program.tensors[index];
  std::vector<float> values(size_t(t.numElements()));
  if (!m.hbm[index].data())
    return values; // an input never set (nor run): zeros
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

void Machine::Impl::executeWindow(Window &window) {
  for (Window::Member &m : window.members)
    if (m.gather == Window::Member::before)
      ops::gatherMatmul(m.in, memories, m.operands);
  // Partitions [begin, end) of every member, in order.
  auto block = [&](unsigned worker, int64_t begin, int64_t end) {
    Worker &w = workers[worker];
    for (Window::Member &m : window.members) {
      int64_t r0 = std::max<int64_t>(0, begin - m.start),
              r1 = std::min(m.rows, end - m.start);
      if (m.gather == Window::Member::inFirstBlock && begin == window.lo)
        ops::gatherMatmul(m.in, memories, m.operands);
      if (r0 >= r1)
        continue;
      w.matmul = &m.operands;
      executeRows(m.in, r0, r1, w);
    }
  };
  int64_t first = window.lo;
  if (window.gathersInFirstBlock) {
    block(0, first, window.firstBlockHi());
    first = window.firstBlockHi();
  }
  int64_t partitions = window.hi - first;
  if (partitions <= 0)
    return;
  if (pool.size() == 1 || partitions < 2 * kBlockPartitions) {
    for (int64_t b = first; b < window.hi; b += kBlockPartitions)
      block(0, b, std::min(window.hi, b + kBlockPartitions));
    return;
  }
  pool.run(
      partitions,
      [&](unsigned worker, int64_t begin, int64_t end) {
        block(worker, first + begin, first + end);
      },
      kBlockPartitions);
}

void Machine::execute(const nisa::Instruction &in) {
  impl->memories.allocateUnsetInputs();
  const nisa::AccessPattern &dst = in.dst;
  int64_t rows = ops::rowCount(in);
  if (in.opcode == nisa::Opcode::matmul)
    ops::gatherMatmul(in, impl->memories, impl->memories.matmul);
  for (Worker &w : impl->workers)
    w.matmul = &impl->memories.matmul;
  // Rows write disjoint memory on chip (one partition each); off chip only
  // when they are far enough apart.
  if (impl->pool.size() == 1 || rows < 16 || !rowsDisjoint(dst)) {
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
  impl->memories.allocateUnsetInputs();
  Window window;
  size_t reported = 0;
  const size_t maxWindow = impl->windows ? kMaxWindow : 0;
  for (size_t i = 0; i < order.size();) {
    window.clear();
    while (i < order.size() && window.members.size() < maxWindow) {
      if (!window.admit(program.instructions[order[i]]))
        break;
      ++i;
    }
    if (window.members.empty())
      execute(program.instructions[order[i++]]); // cannot be split by rows
    else
      impl->executeWindow(window);
    if (progress && i - reported >= 1024) {
      progress(i);
      reported = i;
    }
  }
  if (progress)
    progress(order.size());
}
