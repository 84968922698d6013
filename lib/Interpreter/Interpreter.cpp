//===- Interpreter.cpp - execute a .nisa stream ---------------------------===//
//
// Functional semantics in fp32 (bf16 converted at loads and stores, rounding
// to nearest even): each instruction gathers a partition's operands into
// float rows, computes, and scatters the result. The arithmetic of an
// element does not depend on how the kernel was tiled, so v1, v2 and v3 of
// a kernel give bit-identical results.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Interpreter/Interpreter.h"
#include "mamba-nki/Target/Nisa/IntervalMap.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <thread>

using namespace nki_run;
using nisa::Opcode;

namespace nki_run {
/// out[i] = exp(in[i]), vectorised, the same arithmetic for every element
/// whatever its position (VectorMath.cpp); `in` may equal `out`.
void expRow(const float *in, float *out, int64_t n);
} // namespace nki_run

//===----------------------------------------------------------------------===//
// Race detection
//===----------------------------------------------------------------------===//

namespace {
struct RaceState {
  bool written = false;
  int64_t writer = -1;                           // instruction id
  std::array<int64_t, nisa::kNumQueues> readers; // latest reader per queue
  RaceState() { readers.fill(-1); }
};

std::string describe(const nisa::Program &p, int64_t id) {
  const nisa::Instruction &in = p.instructions[size_t(id)];
  std::string s = "instruction " + std::to_string(id) + " (" +
                  nisa::stringify(in.queue).str() + " " +
                  nisa::stringify(in.opcode).str();
  if (in.loc)
    s += " \"" + p.locations[in.loc] + "\"";
  return s + ")";
}

std::string rangeText(const nisa::Program &p, const nisa::ByteRange &r) {
  std::string mem =
      r.key == nisa::kSbufKey   ? "sbuf"
      : r.key == nisa::kPsumKey ? "psum"
      : r.key == nisa::kScratchKey
          ? "scratch"
          : "hbm." + p.tensors[size_t(nisa::keyTensor(r.key))].name;
  std::string s;
  llvm::raw_string_ostream os(s);
  os << mem << " bytes [0x" << llvm::format_hex_no_prefix(r.start, 1) << ", 0x"
     << llvm::format_hex_no_prefix(r.end, 1) << ")";
  return s;
}
} // namespace

std::vector<std::string> nki_run::findRaces(const nisa::Program &p,
                                            size_t maxReports) {
  using Clock = std::array<uint32_t, nisa::kNumQueues>;
  std::vector<std::string> reports;
  std::vector<nisa::IntervalMap<RaceState>> memories(
      nisa::numMemoryKeys(p.tensors.size()));
  // Inputs start initialised.
  for (size_t t = 0; t < p.tensors.size(); ++t)
    if (p.tensors[t].isInput)
      memories[size_t(nisa::tensorKey(int(t)))].forEach(
          0,
          p.tensors[t].numElements() * nisa::elementBytes(p.tensors[t].dtype),
          [](int64_t, int64_t, RaceState &s) { s.written = true; });
  std::array<std::vector<Clock>, nisa::kNumQueues> clocks;
  std::array<Clock, nisa::kNumQueues> last{};
  std::vector<uint32_t> position(p.instructions.size());
  auto ordered = [&](const Clock &clock, int64_t before) {
    const nisa::Instruction &b = p.instructions[size_t(before)];
    return clock[int(b.queue)] >= position[size_t(before)];
  };

  for (size_t id = 0; id < p.instructions.size(); ++id) {
    const nisa::Instruction &in = p.instructions[id];
    int q = int(in.queue);
    Clock clock = last[q];
    for (const nisa::Wait &w : in.waits) {
      const Clock &c = clocks[int(w.queue)][w.value - 1];
      for (int d = 0; d < nisa::kNumQueues; ++d)
        clock[d] = std::max(clock[d], c[d]);
    }
    position[id] = in.signal;
    clock[q] = in.signal;
    auto report = [&](std::string text) {
      if (reports.size() < maxReports)
        reports.push_back(std::move(text));
    };
    auto access = [&](const nisa::AccessPattern &ap, bool write) {
      nisa::ByteRange range = nisa::byteRange(ap);
      bool reportedUninit = false;
      memories[range.key].forEach(
          range.start, range.end, [&](int64_t s0, int64_t s1, RaceState &s) {
            nisa::ByteRange seg{range.key, s0, s1};
            if (!write && !s.written && !reportedUninit) {
              reportedUninit = true;
              report(describe(p, int64_t(id)) + " reads " + rangeText(p, seg) +
                     ", which nothing wrote before");
            }
            if (s.writer >= 0 && !ordered(clock, s.writer))
              report("race: " + describe(p, int64_t(id)) +
                     (write ? " writes " : " reads ") + rangeText(p, seg) +
                     " written by " + describe(p, s.writer) +
                     ", and no semaphore orders them");
            if (write) {
              for (int d = 0; d < nisa::kNumQueues; ++d)
                if (s.readers[d] >= 0 && !ordered(clock, s.readers[d]))
                  report("race: " + describe(p, int64_t(id)) + " writes " +
                         rangeText(p, seg) + " read by " +
                         describe(p, s.readers[d]) +
                         ", and no semaphore orders them");
              s.written = true;
              s.writer = int64_t(id);
              s.readers.fill(-1);
            } else {
              s.readers[q] = int64_t(id);
            }
          });
    };
    nisa::forEachAccess(in, access);
    last[q] = clock;
    clocks[q].push_back(clock);
    if (reports.size() >= maxReports)
      break;
  }
  return reports;
}

//===----------------------------------------------------------------------===//
// Machine
//===----------------------------------------------------------------------===//

static float bf16ToFloat(uint16_t v) {
  uint32_t bits = uint32_t(v) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

static uint16_t floatToBf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if (std::isnan(f))
    return uint16_t((bits >> 16) | 0x40);
  uint32_t rounding = 0x7fff + ((bits >> 16) & 1); // to nearest even
  return uint16_t((bits + rounding) >> 16);
}

/// Row buffers of one thread.
struct Machine::Worker {
  std::vector<float> a, b, d;
};

static inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/// Helper threads that each take a share of an instruction's partitions.
/// They spin between instructions: an instruction takes microseconds, too
/// little for a condition variable.
struct Machine::Pool {
  std::vector<std::thread> threads;
  std::vector<Worker> workers; // [0] is the calling thread's
  std::atomic<uint64_t> generation{0};
  std::atomic<unsigned> pending{0};
  std::atomic<bool> stop{false};
  const nisa::Instruction *job = nullptr;
  int64_t rows = 0;
  Machine *machine = nullptr;

  void range(unsigned index, int64_t &begin, int64_t &end) const {
    unsigned n = unsigned(workers.size());
    begin = rows * index / n;
    end = rows * (index + 1) / n;
  }
  void loop(unsigned index) {
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
      machine->executeRows(*job, begin, end, workers[index]);
      pending.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
};

Machine::~Machine() {
  if (!pool)
    return;
  pool->stop = true;
  pool->generation.fetch_add(1, std::memory_order_release);
  for (std::thread &t : pool->threads)
    t.join();
}

Machine::Machine(const nisa::Program &program, unsigned threads)
    : program(program), sbufStride(nisa::sbufPartitionBytes(program.target)),
      pool(std::make_unique<Pool>()) {
  pool->machine = this;
  pool->workers.resize(std::max(1u, threads));
  for (unsigned i = 1; i < pool->workers.size(); ++i)
    pool->threads.emplace_back([this, i] { pool->loop(i); });
  sbuf.assign(size_t(sbufStride) * nisa::kPartitions, 0);
  psum.assign(size_t(nisa::kPsumPartitionBytes) * nisa::kPartitions, 0);
  scratch.assign(size_t(program.scratchBytes), 0);
  for (const nisa::TensorDecl &t : program.tensors)
    hbm.emplace_back(size_t(t.numElements() * nisa::elementBytes(t.dtype)), 0);
}

void Machine::setTensor(size_t index, llvm::ArrayRef<float> values) {
  const nisa::TensorDecl &t = program.tensors[index];
  if (t.dtype == nisa::DType::f32) {
    std::memcpy(hbm[index].data(), values.data(), values.size() * 4);
    return;
  }
  auto *out = reinterpret_cast<uint16_t *>(hbm[index].data());
  for (size_t i = 0; i < values.size(); ++i)
    out[i] = floatToBf16(values[i]);
}

std::vector<float> Machine::getTensor(size_t index) const {
  const nisa::TensorDecl &t = program.tensors[index];
  std::vector<float> values(size_t(t.numElements()));
  if (t.dtype == nisa::DType::f32) {
    std::memcpy(values.data(), hbm[index].data(), values.size() * 4);
  } else {
    auto *in = reinterpret_cast<const uint16_t *>(hbm[index].data());
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = bf16ToFloat(in[i]);
  }
  return values;
}

uint8_t *Machine::rowBase(const nisa::AccessPattern &ap, int64_t row) {
  int64_t eb = nisa::elementBytes(ap.dtype);
  switch (ap.space) {
  case nisa::Space::sbuf:
    return sbuf.data() + (ap.partStart + row) * sbufStride + ap.offset;
  case nisa::Space::psum:
    return psum.data() + (ap.partStart + row) * nisa::kPsumPartitionBytes +
           ap.offset;
  case nisa::Space::scratch:
    return scratch.data() + (ap.offset + row * ap.partStride) * eb;
  case nisa::Space::hbm:
    return hbm[size_t(ap.tensor)].data() +
           (ap.offset + row * ap.partStride) * eb;
  }
  return nullptr;
}

template <typename Fn>
static void forEachElement(const nisa::AccessPattern &ap, Fn &&fn) {
  int32_t s0 = ap.rank > 0 ? ap.sizes[0] : 1,
          s1 = ap.rank > 1 ? ap.sizes[1] : 1,
          s2 = ap.rank > 2 ? ap.sizes[2] : 1;
  int64_t t0 = ap.rank > 0 ? ap.strides[0] : 0,
          t1 = ap.rank > 1 ? ap.strides[1] : 0,
          t2 = ap.rank > 2 ? ap.strides[2] : 0;
  int64_t k = 0;
  for (int32_t i = 0; i < s0; ++i)
    for (int32_t j = 0; j < s1; ++j)
      for (int32_t l = 0; l < s2; ++l)
        fn(k++, i * t0 + j * t1 + l * t2);
}

void Machine::gather(const nisa::AccessPattern &ap, int64_t row, float *out) {
  const uint8_t *base = rowBase(ap, row);
  if (ap.dtype == nisa::DType::f32) {
    if (ap.rank == 1 && ap.strides[0] == 1) {
      std::memcpy(out, base, size_t(ap.sizes[0]) * 4);
      return;
    }
    forEachElement(ap, [&](int64_t k, int64_t e) {
      std::memcpy(out + k, base + e * 4, 4);
    });
    return;
  }
  forEachElement(ap, [&](int64_t k, int64_t e) {
    uint16_t v;
    std::memcpy(&v, base + e * 2, 2);
    out[k] = bf16ToFloat(v);
  });
}

void Machine::scatter(const nisa::AccessPattern &ap, int64_t row,
                      const float *in) {
  uint8_t *base = rowBase(ap, row);
  if (ap.dtype == nisa::DType::f32) {
    if (ap.rank == 1 && ap.strides[0] == 1) {
      std::memcpy(base, in, size_t(ap.sizes[0]) * 4);
      return;
    }
    forEachElement(ap, [&](int64_t k, int64_t e) {
      std::memcpy(base + e * 4, in + k, 4);
    });
    return;
  }
  forEachElement(ap, [&](int64_t k, int64_t e) {
    uint16_t v = floatToBf16(in[k]);
    std::memcpy(base + e * 2, &v, 2);
  });
}

/// Contiguous, aligned fp32 rows are computed in place (streams are
/// validated to be element-aligned; the check keeps the fast path safe).
static bool isDirect(const nisa::AccessPattern &ap) {
  return ap.dtype == nisa::DType::f32 && ap.rank == 1 && ap.strides[0] == 1 &&
         (!ap.isOnChip() || ap.offset % 4 == 0);
}

const float *Machine::input(const nisa::AccessPattern &ap, int64_t row,
                            std::vector<float> &tmp) {
  if (isDirect(ap))
    return reinterpret_cast<const float *>(rowBase(ap, row));
  tmp.resize(size_t(ap.freeElements()));
  gather(ap, row, tmp.data());
  return tmp.data();
}

float *Machine::output(const nisa::AccessPattern &ap, int64_t row,
                       std::vector<float> &tmp) {
  if (isDirect(ap))
    return reinterpret_cast<float *>(rowBase(ap, row));
  tmp.resize(size_t(ap.freeElements()));
  return tmp.data();
}

void Machine::commit(const nisa::AccessPattern &ap, int64_t row, float *data,
                     std::vector<float> &tmp) {
  if (!isDirect(ap))
    scatter(ap, row, data);
}

float Machine::scalar(const nisa::Scalar &s, int64_t row) {
  if (s.isImmediate)
    return s.value;
  float v;
  gather(s.ap, row, &v);
  return v;
}

static inline float alu(nisa::Alu op, float x, float y) {
  switch (op) {
  case nisa::Alu::bypass:
    return x;
  case nisa::Alu::add:
    return x + y;
  case nisa::Alu::subtract:
    return x - y;
  case nisa::Alu::multiply:
    return x * y;
  case nisa::Alu::divide:
    return x / y;
  case nisa::Alu::max:
    return std::max(x, y);
  case nisa::Alu::min:
    return std::min(x, y);
  }
  return x;
}

/// Applies activation `f` to the arguments `t[0, n)` (data * scale + bias,
/// already computed), into `out` (which may be `t`). Every use of exp goes
/// through expRow, so an element's result does not depend on its position
/// in the instruction or on the instruction's length.
static void activateRow(nisa::Act f, float *t, float *out, int64_t n,
                        std::vector<float> &tmp) {
  auto expOf = [&](bool negate) -> float * {
    tmp.resize(size_t(n));
    for (int64_t i = 0; i < n; ++i)
      tmp[size_t(i)] = negate ? -t[i] : t[i];
    expRow(tmp.data(), tmp.data(), n);
    return tmp.data();
  };
  switch (f) {
  case nisa::Act::identity:
    if (out != t)
      std::memmove(out, t, size_t(n) * 4);
    return;
  case nisa::Act::exp:
    expRow(t, out, n);
    return;
  case nisa::Act::log:
    for (int64_t i = 0; i < n; ++i)
      out[i] = std::log(t[i]);
    return;
  case nisa::Act::relu:
    for (int64_t i = 0; i < n; ++i)
      out[i] = t[i] > 0 ? t[i] : 0.0f;
    return;
  case nisa::Act::sigmoid: {
    const float *e = expOf(/*negate=*/true);
    for (int64_t i = 0; i < n; ++i)
      out[i] = 1.0f / (1.0f + e[i]);
    return;
  }
  case nisa::Act::silu: {
    const float *e = expOf(/*negate=*/true);
    for (int64_t i = 0; i < n; ++i)
      out[i] = t[i] / (1.0f + e[i]);
    return;
  }
  case nisa::Act::softplus: {
    // mamba_ssm's threshold: softplus(x) = x for x > 20.
    const float *e = expOf(/*negate=*/false);
    for (int64_t i = 0; i < n; ++i)
      out[i] = t[i] > 20.0f ? t[i] : std::log1p(e[i]);
    return;
  }
  case nisa::Act::tanh:
    for (int64_t i = 0; i < n; ++i)
      out[i] = std::tanh(t[i]);
    return;
  case nisa::Act::square:
    for (int64_t i = 0; i < n; ++i)
      out[i] = t[i] * t[i];
    return;
  case nisa::Act::sqrt:
    for (int64_t i = 0; i < n; ++i)
      out[i] = std::sqrt(t[i]);
    return;
  }
}

/// The selective scan's recurrence on `kLanes` partitions at once: each
/// partition's chain is serial, so interleaving independent chains keeps the
/// CPU busy. Per element the arithmetic is exactly the one-partition loop's.
static constexpr int kLanes = 8;
static void scanLanes(const float *const *x, const float *const *y,
                      float *const *out, float *prev, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    for (int k = 0; k < kLanes; ++k) {
      float t = x[k][i] * prev[k]; // two roundings, never fused
      prev[k] = t + y[k][i];
      out[k][i] = prev[k];
    }
}

void Machine::executeRows(const nisa::Instruction &in, int64_t begin,
                          int64_t end, Worker &w) {
  const nisa::AccessPattern &dst = in.dst;
  const int64_t n = dst.freeElements();
  if (in.opcode == Opcode::tensor_tensor_scan &&
      in.op0 == nisa::Alu::multiply && in.op1 == nisa::Alu::add &&
      isDirect(dst) && isDirect(in.src0) && isDirect(in.src1)) {
    for (; begin + kLanes <= end; begin += kLanes) {
      const float *x[kLanes], *y[kLanes];
      float *out[kLanes], prev[kLanes];
      for (int k = 0; k < kLanes; ++k) {
        x[k] = reinterpret_cast<const float *>(rowBase(in.src0, begin + k));
        y[k] = reinterpret_cast<const float *>(rowBase(in.src1, begin + k));
        out[k] = reinterpret_cast<float *>(rowBase(dst, begin + k));
        prev[k] = scalar(in.scalar0, begin + k);
      }
      scanLanes(x, y, out, prev, n);
    }
  }
  for (int64_t r = begin; r < end; ++r) {
    float *out = output(dst, r, w.d);
    switch (in.opcode) {
    case Opcode::dma:
    case Opcode::tensor_copy: {
      const float *x = input(in.src0, r, w.a);
      if (x != out)
        std::memmove(out, x, size_t(n) * 4);
      break;
    }
    case Opcode::memset:
      std::fill(out, out + n, in.value);
      break;
    case Opcode::activation: {
      const float *x = input(in.src0, r, w.a);
      float scale = scalar(in.scalar0, r);
      // The argument row, computed into `out` (inputs are read before
      // the element is written, so an in-place activation is safe).
      if (in.hasBias) {
        float bias = 0.0f;
        gather(in.bias, r, &bias);
        for (int64_t i = 0; i < n; ++i)
          out[i] = x[i] * scale + bias;
      } else {
        for (int64_t i = 0; i < n; ++i)
          out[i] = x[i] * scale;
      }
      activateRow(in.func, out, out, n, w.b);
      break;
    }
    case Opcode::tensor_scalar: {
      const float *x = input(in.src0, r, w.a);
      float s0 = scalar(in.scalar0, r);
      float s1 = in.hasOp1 ? scalar(in.scalar1, r) : 0.0f;
      for (int64_t i = 0; i < n; ++i) {
        float t = in.rev0 ? alu(in.op0, s0, x[i]) : alu(in.op0, x[i], s0);
        if (in.hasOp1)
          t = in.rev1 ? alu(in.op1, s1, t) : alu(in.op1, t, s1);
        out[i] = t;
      }
      break;
    }
    case Opcode::tensor_tensor: {
      const float *x = input(in.src0, r, w.a);
      const float *y = input(in.src1, r, w.b);
      switch (in.op0) {
      case nisa::Alu::add:
        for (int64_t i = 0; i < n; ++i)
          out[i] = x[i] + y[i];
        break;
      case nisa::Alu::multiply:
        for (int64_t i = 0; i < n; ++i)
          out[i] = x[i] * y[i];
        break;
      default:
        for (int64_t i = 0; i < n; ++i)
          out[i] = alu(in.op0, x[i], y[i]);
      }
      break;
    }
    case Opcode::tensor_tensor_scan: {
      const float *x = input(in.src0, r, w.a);
      const float *y = input(in.src1, r, w.b);
      float prev = scalar(in.scalar0, r);
      if (in.op0 == nisa::Alu::multiply && in.op1 == nisa::Alu::add) {
        for (int64_t i = 0; i < n; ++i) {
          float t = x[i] * prev; // two roundings, never fused
          prev = t + y[i];
          out[i] = prev;
        }
      } else {
        for (int64_t i = 0; i < n; ++i) {
          prev = alu(in.op1, alu(in.op0, x[i], prev), y[i]);
          out[i] = prev;
        }
      }
      break;
    }
    case Opcode::matmul: {
      // dst[m, f] = sum_k stationary[k, m] * moving[k, f]
      int64_t k = in.src0.partCount, m = in.src0.freeElements();
      for (int64_t j = 0; j < n; ++j) {
        float acc = 0.0f;
        for (int64_t kk = 0; kk < k; ++kk)
          acc += matA[size_t(kk * m + r)] * matB[size_t(kk * n + j)];
        out[j] = acc;
      }
      break;
    }
    }
    commit(dst, r, out, w.d);
  }
}

void Machine::execute(const nisa::Instruction &in) {
  const nisa::AccessPattern &dst = in.dst;
  int64_t rows = dst.partCount;
  if (in.opcode == Opcode::matmul) {
    int64_t k = in.src0.partCount, m = in.src0.freeElements(),
            f = in.src1.freeElements();
    matA.assign(size_t(k * m), 0.0f);
    matB.assign(size_t(k * f), 0.0f);
    for (int64_t r = 0; r < k; ++r) {
      gather(in.src0, r, matA.data() + r * m);
      gather(in.src1, r, matB.data() + r * f);
    }
    rows = std::min(rows, m);
  }
  // Rows write disjoint memory on chip (one partition each); off chip only
  // when they are far enough apart.
  bool disjointRows =
      dst.isOnChip() || dst.partStride * nisa::elementBytes(dst.dtype) >=
                            dst.spanBytes() - (dst.partCount - 1) *
                                                  dst.partStride *
                                                  nisa::elementBytes(dst.dtype);
  Pool &p = *pool;
  if (p.workers.size() == 1 || rows < 16 || !disjointRows) {
    executeRows(in, 0, rows, p.workers[0]);
    return;
  }
  p.job = &in;
  p.rows = rows;
  p.pending.store(unsigned(p.workers.size() - 1), std::memory_order_relaxed);
  p.generation.fetch_add(1, std::memory_order_release);
  int64_t begin, end;
  p.range(0, begin, end);
  executeRows(in, begin, end, p.workers[0]);
  while (p.pending.load(std::memory_order_acquire) != 0)
    cpuRelax();
}

void Machine::run(llvm::ArrayRef<uint32_t> order,
                  llvm::function_ref<void(size_t)> progress) {
  for (size_t i = 0; i < order.size(); ++i) {
    execute(program.instructions[order[i]]);
    if (progress && (i & 1023) == 0)
      progress(i);
  }
  if (progress)
    progress(order.size());
}
