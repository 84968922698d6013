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
#include <cmath>
#include <cstring>

using namespace nki_run;
using nisa::Opcode;

//===----------------------------------------------------------------------===//
// Race detection
//===----------------------------------------------------------------------===//

namespace {
struct RaceState {
  bool written = false;
  int64_t writer = -1; // instruction id
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
  std::string mem = r.key == 0   ? "sbuf"
                    : r.key == 1 ? "psum"
                    : r.key == 2 ? "scratch"
                                 : "hbm." + p.tensors[r.key - 3].name;
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
  std::vector<nisa::IntervalMap<RaceState>> memories(3 + p.tensors.size());
  // Inputs start initialised.
  for (size_t t = 0; t < p.tensors.size(); ++t)
    if (p.tensors[t].isInput)
      memories[3 + t].forEach(
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
          range.start, range.end,
          [&](int64_t s0, int64_t s1, RaceState &s) {
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
    if (in.numSrcs >= 1) access(in.src0, false);
    if (in.numSrcs >= 2) access(in.src1, false);
    if (!in.scalar0.isImmediate) access(in.scalar0.ap, false);
    if (!in.scalar1.isImmediate) access(in.scalar1.ap, false);
    if (in.hasBias) access(in.bias, false);
    access(in.dst, true);
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

Machine::Machine(const nisa::Program &program)
    : program(program), sbufStride(nisa::sbufPartitionBytes(program.target)) {
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
    return hbm[size_t(ap.tensor)].data() + (ap.offset + row * ap.partStride) * eb;
  }
  return nullptr;
}

template <typename Fn>
static void forEachElement(const nisa::AccessPattern &ap, Fn &&fn) {
  int32_t s0 = ap.rank > 0 ? ap.sizes[0] : 1, s1 = ap.rank > 1 ? ap.sizes[1] : 1,
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

float Machine::scalar(const nisa::Scalar &s, int64_t row) {
  if (s.isImmediate)
    return s.value;
  float v;
  gather(s.ap, row, &v);
  return v;
}

static inline float alu(nisa::Alu op, float x, float y) {
  switch (op) {
  case nisa::Alu::bypass: return x;
  case nisa::Alu::add: return x + y;
  case nisa::Alu::subtract: return x - y;
  case nisa::Alu::multiply: return x * y;
  case nisa::Alu::divide: return x / y;
  case nisa::Alu::max: return std::max(x, y);
  case nisa::Alu::min: return std::min(x, y);
  }
  return x;
}

static inline float activate(nisa::Act f, float x) {
  switch (f) {
  case nisa::Act::identity: return x;
  case nisa::Act::exp: return std::exp(x);
  case nisa::Act::log: return std::log(x);
  case nisa::Act::relu: return x > 0 ? x : 0.0f;
  case nisa::Act::sigmoid: return 1.0f / (1.0f + std::exp(-x));
  case nisa::Act::silu: return x / (1.0f + std::exp(-x));
  case nisa::Act::softplus: return x > 20.0f ? x : std::log1p(std::exp(x));
  case nisa::Act::tanh: return std::tanh(x);
  case nisa::Act::square: return x * x;
  case nisa::Act::sqrt: return std::sqrt(x);
  }
  return x;
}

void Machine::execute(const nisa::Instruction &in) {
  const nisa::AccessPattern &dst = in.dst;
  int64_t n = dst.freeElements();
  int64_t rows = dst.partCount;
  a.resize(size_t(std::max<int64_t>(n, 1)));
  switch (in.opcode) {
  case Opcode::dma:
  case Opcode::tensor_copy:
    for (int64_t r = 0; r < rows; ++r) {
      gather(in.src0, r, a.data());
      scatter(dst, r, a.data());
    }
    return;
  case Opcode::memset:
    std::fill(a.begin(), a.begin() + n, in.value);
    for (int64_t r = 0; r < rows; ++r)
      scatter(dst, r, a.data());
    return;
  case Opcode::activation:
    for (int64_t r = 0; r < rows; ++r) {
      gather(in.src0, r, a.data());
      float scale = scalar(in.scalar0, r);
      float bias = 0.0f;
      if (in.hasBias)
        gather(in.bias, r, &bias);
      if (in.hasBias)
        for (int64_t i = 0; i < n; ++i)
          a[i] = activate(in.func, a[i] * scale + bias);
      else
        for (int64_t i = 0; i < n; ++i)
          a[i] = activate(in.func, a[i] * scale);
      scatter(dst, r, a.data());
    }
    return;
  case Opcode::tensor_scalar:
    for (int64_t r = 0; r < rows; ++r) {
      gather(in.src0, r, a.data());
      float s0 = scalar(in.scalar0, r);
      float s1 = in.hasOp1 ? scalar(in.scalar1, r) : 0.0f;
      for (int64_t i = 0; i < n; ++i) {
        float t = in.rev0 ? alu(in.op0, s0, a[i]) : alu(in.op0, a[i], s0);
        if (in.hasOp1)
          t = in.rev1 ? alu(in.op1, s1, t) : alu(in.op1, t, s1);
        a[i] = t;
      }
      scatter(dst, r, a.data());
    }
    return;
  case Opcode::tensor_tensor:
    b.resize(a.size());
    for (int64_t r = 0; r < rows; ++r) {
      gather(in.src0, r, a.data());
      gather(in.src1, r, b.data());
      switch (in.op0) {
      case nisa::Alu::add:
        for (int64_t i = 0; i < n; ++i) a[i] += b[i];
        break;
      case nisa::Alu::multiply:
        for (int64_t i = 0; i < n; ++i) a[i] *= b[i];
        break;
      default:
        for (int64_t i = 0; i < n; ++i) a[i] = alu(in.op0, a[i], b[i]);
      }
      scatter(dst, r, a.data());
    }
    return;
  case Opcode::tensor_tensor_scan:
    b.resize(a.size());
    for (int64_t r = 0; r < rows; ++r) {
      gather(in.src0, r, a.data());
      gather(in.src1, r, b.data());
      float prev = scalar(in.scalar0, r);
      if (in.op0 == nisa::Alu::multiply && in.op1 == nisa::Alu::add) {
        for (int64_t i = 0; i < n; ++i) {
          float t = a[i] * prev; // two roundings, never fused
          prev = t + b[i];
          a[i] = prev;
        }
      } else {
        for (int64_t i = 0; i < n; ++i) {
          prev = alu(in.op1, alu(in.op0, a[i], prev), b[i]);
          a[i] = prev;
        }
      }
      scatter(dst, r, a.data());
    }
    return;
  case Opcode::matmul: {
    // dst[m, f] = sum_k stationary[k, m] * moving[k, f]
    int64_t k = in.src0.partCount, m = in.src0.freeElements(),
            f = in.src1.freeElements();
    b.assign(size_t(k * m), 0.0f);
    c.assign(size_t(k * f), 0.0f);
    for (int64_t r = 0; r < k; ++r) {
      gather(in.src0, r, b.data() + r * m);
      gather(in.src1, r, c.data() + r * f);
    }
    a.resize(size_t(f));
    for (int64_t row = 0; row < m && row < rows; ++row) {
      for (int64_t j = 0; j < f; ++j) {
        float acc = 0.0f;
        for (int64_t r = 0; r < k; ++r)
          acc += b[r * m + row] * c[r * f + j];
        a[j] = acc;
      }
      scatter(dst, row, a.data());
    }
    return;
  }
  }
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
