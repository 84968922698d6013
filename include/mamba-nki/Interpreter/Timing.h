//===- Timing.h - when each instruction of a stream would run --*- C++ -*-===//
//
// A discrete-event model of one NeuronCore: each engine and each DMA queue
// runs its instructions in order; an instruction starts when its queue is
// free and every semaphore it waits on has been raised; durations follow the
// instruction cost formulas of ../shared/FACTS.md §3-4. Every parameter is in
// TimingParams (docs/interpreter.md lists each with its source).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_INTERPRETER_TIMING_H
#define MAMBA_NKI_INTERPRETER_TIMING_H

#include "mamba-nki/Target/Nisa/Program.h"

#include <vector>

namespace nki_run {

struct TimingParams {
  // Engine clocks in GHz (FACTS.md §4).
  double actGHz = 1.4, dveGHz = 1.12, poolGHz = 1.4, peGHz = 2.8;
  // Minimum initiation interval of an engine instruction, cycles (FACTS §3).
  double minII = 64;
  // Fixed cost added to every engine instruction, cycles (FACTS §3: about
  // 100 cycles of static overhead per instruction).
  double staticOverhead = 100;
  // DMA (FACTS §4): 16 engines of ~27 GB/s, each serving 8 partitions; HBM
  // bandwidth per core; a fixed cost per transfer.
  double dmaEngineGBps = 27, hbmGBps = 410, dmaFixedNs = 2000;
  int dmaEngines = 16, partitionsPerDmaEngine = 8;

  static TimingParams forTarget(nisa::Target target);
};

struct Timeline {
  std::vector<double> start, end; // ns, per instruction
  std::vector<uint32_t> order;    // instruction ids by start time
  double totalNs = 0;
};

/// Duration of one instruction in ns.
double duration(const nisa::Instruction &in, const TimingParams &params);

/// Simulates the stream (in O(n log n)).
Timeline simulate(const nisa::Program &program, const TimingParams &params);

} // namespace nki_run

#endif // MAMBA_NKI_INTERPRETER_TIMING_H
