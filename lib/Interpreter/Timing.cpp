//===- Timing.cpp - when each instruction of a stream would run -----------===//

#include "mamba-nki/Interpreter/Timing.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace nki_run;
using nisa::Opcode;
using nisa::Queue;

TimingParams TimingParams::forTarget(nisa::Target target) {
  TimingParams p;
  if (target == nisa::Target::trn2) {
    // FACTS.md §4, NeuronCore-v3 clocks.
    p.actGHz = 1.2;
    p.dveGHz = 0.96;
    p.poolGHz = 1.2;
    p.peGHz = 2.4;
  }
  return p;
}

static bool inPsum(const nisa::AccessPattern &ap) {
  return ap.space == nisa::Space::psum;
}

double nki_run::duration(const nisa::Instruction &in, const TimingParams &p) {
  if (in.opcode == Opcode::dma) {
    const nisa::AccessPattern &onChip = in.dst.isOnChip() ? in.dst : in.src0;
    double bytes = double(onChip.partCount) * double(onChip.freeElements()) *
                   double(nisa::elementBytes(onChip.dtype));
    int engines = std::min(
        p.dmaEngines,
        (onChip.partCount + p.partitionsPerDmaEngine - 1) /
            p.partitionsPerDmaEngine);
    double gbps = std::min(p.hbmGBps, engines * p.dmaEngineGBps);
    return p.dmaFixedNs + bytes / gbps; // bytes / (GB/s) = ns
  }
  double n = double(in.dst.freeElements());
  double cycles = 0, ghz = 1;
  switch (in.queue) {
  case Queue::act: ghz = p.actGHz; break;
  case Queue::dve: ghz = p.dveGHz; break;
  case Queue::pool: ghz = p.poolGHz; break;
  case Queue::pe: ghz = p.peGHz; break;
  default: break;
  }
  switch (in.opcode) {
  case Opcode::tensor_tensor: {
    // FACTS §3: N if one input is in PSUM or everything is bf16, else 2N.
    bool fast = inPsum(in.src0) || inPsum(in.src1) ||
                (in.src0.dtype == nisa::DType::bf16 &&
                 in.src1.dtype == nisa::DType::bf16 &&
                 in.dst.dtype == nisa::DType::bf16);
    cycles = std::max(p.minII, fast ? n : 2 * n);
    break;
  }
  case Opcode::tensor_tensor_scan:
    cycles = std::max(p.minII, 2 * n);
    break;
  case Opcode::matmul: {
    // FACTS §3: max(min(64, M), F), x4 for fp32.
    double m = double(in.src0.freeElements());
    double f = double(in.src1.freeElements());
    cycles = std::max(std::min(64.0, m), f);
    if (in.src1.dtype == nisa::DType::f32)
      cycles *= 4;
    break;
  }
  default: // activation, tensor_scalar, tensor_copy, memset
    cycles = std::max(p.minII, n);
    break;
  }
  return (cycles + p.staticOverhead) / ghz;
}

Timeline nki_run::simulate(const nisa::Program &program,
                           const TimingParams &params) {
  size_t n = program.instructions.size();
  Timeline t;
  t.start.resize(n);
  t.end.resize(n);
  std::array<double, nisa::kNumQueues> free{};
  std::array<std::vector<uint32_t>, nisa::kNumQueues> byQueue;
  // Program order is a valid issue order (every wait refers to an earlier
  // instruction), so one pass computes every start time.
  for (size_t i = 0; i < n; ++i) {
    const nisa::Instruction &in = program.instructions[i];
    int q = int(in.queue);
    double ready = free[q];
    for (const nisa::Wait &w : in.waits)
      ready = std::max(ready, t.end[byQueue[int(w.queue)][w.value - 1]]);
    t.start[i] = ready;
    t.end[i] = ready + duration(in, params);
    free[q] = t.end[i];
    byQueue[q].push_back(uint32_t(i));
    t.totalNs = std::max(t.totalNs, t.end[i]);
  }
  t.order.resize(n);
  std::iota(t.order.begin(), t.order.end(), 0);
  std::stable_sort(t.order.begin(), t.order.end(),
                   [&](uint32_t a, uint32_t b) { return t.start[a] < t.start[b]; });
  return t;
}
