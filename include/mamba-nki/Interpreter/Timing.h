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

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <string>
#include <vector>

namespace nki_run {

/// Every parameter of the timing model, in one place (docs/interpreter.md
/// gives each one's source; `--model-params FILE` overrides them).
struct TimingParams {
  // Engine clocks in GHz (FACTS.md §4).
  double actGHz = 1.4, dveGHz = 1.12, poolGHz = 1.4, peGHz = 2.8;
  // Minimum initiation interval of an engine instruction, cycles (FACTS §3).
  double minII = 64;
  // Static overhead of a tiny engine instruction (cost at MIN_II), cycles
  // (FACTS §3: about 100 cycles); longer instructions pipeline it away.
  double staticOverhead = 100;
  // DMA (FACTS §4): 16 engines of ~27 GB/s, each serving 8 partitions; HBM
  // bandwidth per core; a fixed cost per transfer.
  double dmaEngineGBps = 27, hbmGBps = 410, dmaFixedNs = 2000;
  int dmaEngines = 16, partitionsPerDmaEngine = 8;
  // DMA efficiency falls for small rows (FACTS §4: efficient at >= 4 KiB per
  // partition): each partition row of a transfer costs this many extra bytes
  // of bandwidth (calibrated).
  double dmaRowOverheadBytes = 64;
  // Shared ports (FACTS §4): VectorE and GpSimdE take turns on SBUF, VectorE
  // and ScalarE on PSUM. DMA transfers also take turns on the SBUF port with
  // them (calibrated: explains v1's slower steps).
  bool dmaUsesSbufPort = true;
  // Kernel launch and tear-down (calibrated).
  double launchUs = 20;

  static TimingParams forTarget(nisa::Target target);
  /// Applies "name = value" lines from `text` (# comments); errors name the
  /// line and the unknown or malformed parameter.
  llvm::Error parse(llvm::StringRef text, llvm::StringRef bufferName);
  void print(llvm::raw_ostream &os) const;
};

struct Timeline {
  std::vector<double> start, end; // ns, per instruction
  std::vector<uint32_t> order;    // instruction ids by start time
  /// Time an instruction waited after its queue was free, and what held it
  /// last: a semaphore of queue q (q), or a shared port held by queue q
  /// (kPortStall + q); -1 for none.
  std::vector<double> stall;
  std::vector<int8_t> stallOn;
  static constexpr int8_t kPortStall = 32;
  double totalNs = 0; // including launch
};

/// What neuron-profile would summarise.
struct Profile {
  double totalUs = 0, execStartUs = 0, execEndUs = 0;
  std::array<double, nisa::kNumQueues> busyUs{};
  std::array<int64_t, nisa::kNumQueues> instructions{};
  int64_t dmaBytes = 0, spillSaveBytes = 0, spillReloadBytes = 0;
  int64_t sbufPeakBytes = 0, psumPeakBytes = 0;
  double dmaUtilizationPct = 0;
  struct Stall {
    nisa::Queue queue;
    std::string on; // a queue, or the port held by another queue
    double us;
    int64_t count;
  };
  std::vector<Stall> topStalls; // largest first
};

Profile summarize(const nisa::Program &program, const Timeline &timeline,
                  const TimingParams &params);
void printProfile(const Profile &profile, nisa::Target target,
                  llvm::raw_ostream &os);
void writeProfileJson(const Profile &profile, llvm::raw_ostream &os);
/// An SVG picture of the timeline, like neuron-profile's view: a row per
/// engine and DMA queue, instructions as bars coloured by kind (spill traffic
/// in red), over [fromUs, toUs) (toUs <= 0: to the end). When a row has more
/// instructions than pixels, each pixel column shows the kind that was busy
/// longest there, shaded by how busy the queue was.
void writeTimelineSvg(const nisa::Program &program, const Timeline &timeline,
                      double fromUs, double toUs, llvm::raw_ostream &os);

/// Chrome trace-event JSON (Perfetto, chrome://tracing): a row per queue, a
/// slice per instruction named by opcode, with its source location.
void writeTrace(const nisa::Program &program, const Timeline &timeline,
                llvm::raw_ostream &os);

/// Duration of one instruction in ns.
double duration(const nisa::Instruction &in, const TimingParams &params);

/// Simulates the stream (in O(n log n)).
Timeline simulate(const nisa::Program &program, const TimingParams &params);

} // namespace nki_run

#endif // MAMBA_NKI_INTERPRETER_TIMING_H
