//===- Timing.h - when each instruction of a stream would run --*- C++ -*-===//
//
// A discrete-event model of one NeuronCore: each engine and each DMA queue
// runs its instructions in order; an instruction starts when its queue is
// free, every semaphore it waits on has been raised and the shared ports it
// needs are free; durations follow the instruction cost formulas of
// docs/hardware.md §3-4. Every parameter is in TimingParams. What is made of
// a Timeline: Profile.h (the summary), Trace.h (the trace and the picture).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_INTERPRETER_TIMING_H
#define MAMBA_NKI_INTERPRETER_TIMING_H

#include "mamba-nki/Interpreter/TimingParams.h"
#include "mamba-nki/Target/Nisa/Program.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>
#include <vector>

namespace nki_run {

struct Timeline {
  std::vector<double> start, end; // ns, per instruction
  std::vector<uint32_t> order;    // instruction ids by start time
  /// Time an instruction waited after its queue was free, and what held it
  /// last: a semaphore of queue q (q), or a shared port held by queue q
  /// (kPortStall + q); -1 for none.
  std::vector<double> stall;
  std::vector<int8_t> stallOn;
  /// Of an instruction's run (end - start), the time it shared the SBUF port
  /// with DMA transfers (slowed by them: active, not a stall).
  std::vector<double> portShared;
  static constexpr int8_t kPortStall = 32;
  double totalNs = 0; // including launch

  /// What `stallOn` value `on` names: "dve", or "port held by dve".
  static std::string stallName(int on);
};

/// When one instruction runs, and what held it (as in Timeline).
struct InstructionTime {
  double start = 0, end = 0; // ns
  double stall = 0;
  int8_t stallOn = -1;
  double portShared = 0; // ns of the run spent sharing the SBUF port
};
/// Receives each instruction's time, in program order.
using InstructionTimes = llvm::function_ref<void(
    size_t id, const nisa::Instruction &in, const InstructionTime &time)>;

/// Duration of one instruction in ns.
double duration(const nisa::Instruction &in, const TimingParams &params);

/// Simulates the stream (in O(n log n)).
Timeline simulate(const nisa::Program &program, const TimingParams &params);
/// The same simulation, handing each instruction's time to `each` instead
/// of keeping it (what it holds: the ports' future reservations and 8 bytes
/// an instruction); returns Timeline::totalNs.
double simulate(const nisa::Program &program, const TimingParams &params,
                InstructionTimes each);

} // namespace nki_run

#endif // MAMBA_NKI_INTERPRETER_TIMING_H
