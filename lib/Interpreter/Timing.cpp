//===- Timing.cpp - when each instruction of a stream would run -----------===//
//
// The cost of each instruction (duration) and the discrete-event simulation
// of a stream over the queues and the shared ports (simulate).
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Interpreter/Timing.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

using namespace nki_run;
using nisa::Opcode;
using nisa::Queue;

static bool inPsum(const nisa::AccessPattern &ap) {
  return ap.space == nisa::Space::psum;
}

/// The partitions a DMA moves (the rows nisa::dmaBytes counts).
static int dmaRows(const nisa::Instruction &in) {
  return nisa::dmaOnChipSide(in).partCount;
}

/// The bytes a DMA costs in bandwidth: its bytes, and each partition row's
/// overhead (small rows are less efficient).
static double dmaCostBytes(const nisa::Instruction &in, const TimingParams &p) {
  double perPartition = double(nisa::dmaBytesPerPartition(in));
  return double(dmaRows(in)) * (perPartition + p.dmaRowOverheadBytes);
}

/// The data-moving part of a DMA, without its fixed latency.
static double dmaTransferNs(const nisa::Instruction &in,
                            const TimingParams &p) {
  double bytes = dmaCostBytes(in, p);
  int engines =
      std::min(p.dmaEngines, (dmaRows(in) + p.partitionsPerDmaEngine - 1) /
                                 p.partitionsPerDmaEngine);
  double gbps = std::min(p.hbmGBps, engines * p.dmaEngineGBps);
  return bytes / gbps; // bytes / (GB/s) = ns
}

double nki_run::duration(const nisa::Instruction &in, const TimingParams &p) {
  if (in.opcode == Opcode::dma) {
    return p.dmaFixedNs + dmaTransferNs(in, p);
  }
  double n = double(in.dst.freeElements());
  double cycles = 0, ghz = 1;
  switch (in.queue) {
  case Queue::act:
    ghz = p.actGHz;
    break;
  case Queue::dve:
    ghz = p.dveGHz;
    break;
  case Queue::pool:
    ghz = p.poolGHz;
    break;
  case Queue::pe:
    ghz = p.peGHz;
    break;
  default:
    break;
  }
  switch (in.opcode) {
  case Opcode::tensor_tensor: {
    // docs/hardware.md §3: N if one input is in PSUM or everything is bf16,
    // else 2N.
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
    // docs/hardware.md §3: max(min(64, M), F), x4 for fp32.
    double m = double(in.src0.freeElements());
    double f = double(in.src1.freeElements());
    cycles = std::max(std::min(64.0, m), f);
    if (in.src1.dtype == nisa::DType::f32)
      cycles *= 4;
    break;
  }
  case Opcode::activation:
  case Opcode::tensor_scalar:
  case Opcode::tensor_copy:
  case Opcode::memset:
    cycles = std::max(p.minII, n);
    break;
  case Opcode::dma: // costed above
    break;
  }
  // The static overhead shows on tiny instructions; longer ones pipeline it
  // away (calibrated against the tutorial's v2 step time).
  if (cycles <= p.minII)
    cycles += p.staticOverhead;
  return cycles / ghz;
}

namespace {
/// A port used by one instruction at a time: reservations are busy
/// intervals; a request takes the earliest gap that fits.
class Port {
public:
  /// Earliest t >= ready with [t, t + d) free; `holder` gets the queue of
  /// the last reservation that pushed it later (or stays).
  double findGap(double ready, double d, int &holder) const {
    double t = ready;
    auto it = busy.upper_bound(t);
    if (it != busy.begin()) {
      auto prev = std::prev(it);
      if (prev->second.end > t) {
        t = prev->second.end;
        holder = prev->second.queue;
      }
    }
    for (; it != busy.end() && it->first < t + d; ++it)
      if (it->second.end > t) {
        t = it->second.end;
        holder = it->second.queue;
      }
    return t;
  }
  /// How long the port is held within [from, to).
  double heldWithin(double from, double to) const {
    double held = 0;
    auto it = busy.upper_bound(from);
    if (it != busy.begin())
      --it;
    for (; it != busy.end() && it->first < to; ++it)
      held += std::max(0.0, std::min(it->second.end, to) -
                                std::max(it->first, from));
    return held;
  }
  void reserve(double t, double d, int queue) {
    if (d <= 0)
      return;
    busy[t] = {t + d, queue};
  }
  /// Forgets the first reservations that end by `t`, when no later request
  /// can be ready before `t`. findGap() answers as before: such a
  /// reservation never pushes a request at or after `t`, and once it is
  /// gone no reservation before it remains to be found in its place.
  void forgetBefore(double t) {
    while (!busy.empty() && busy.begin()->second.end <= t)
      busy.erase(busy.begin());
  }

private:
  struct Interval {
    double end;
    int queue;
  };
  std::map<double, Interval> busy;
};

bool touches(const nisa::Instruction &in, nisa::Space space) {
  bool found = false;
  nisa::forEachAccess(in, [&](const nisa::AccessPattern &a, bool) {
    found |= a.space == space;
  });
  return found;
}
} // namespace

std::string Timeline::stallName(int on) {
  if (on >= kPortStall)
    return "port held by " +
           nisa::stringify(static_cast<nisa::Queue>(on - kPortStall)).str();
  return nisa::stringify(static_cast<nisa::Queue>(on)).str();
}

namespace {
/// The simulation's state: queues and ports.
class Simulator {
public:
  Simulator(const nisa::Program &program, const TimingParams &params)
      : program(program), params(params) {
    for (size_t i = 0, n = program.instructions.size(); i < n; ++i)
      ++left[int(program.instructions.queue(i))];
  }
  /// Times every instruction in program order; returns the total.
  double run(InstructionTimes each);

private:
  InstructionTime step(const nisa::Instruction &in);
  /// When `in` could start on its queue: the queue is free and every
  /// semaphore it waits on is raised (sets `time.stallOn`).
  double readyTime(const nisa::Instruction &in, InstructionTime &time);
  /// When an engine instruction that needs the SBUF and/or PSUM port for
  /// `hold` ns after `lead` ns can start at or after `ready`; reserves the
  /// ports. Sets `time.portShared` to the time DMA transfers held the SBUF
  /// port meanwhile: the engine shares the port with them (it is slowed,
  /// not idle), so that time is part of its run, not a stall.
  double portStart(int q, double ready, double lead, double hold, bool sbufUser,
                   bool psumUser, InstructionTime &time);
  /// Drops the port reservations no later instruction can run into: each
  /// asks for a port at or after its queue is free, and a queue's free
  /// time only grows (durations are >= 0), so the earliest free time of
  /// the queues with instructions left bounds every later request.
  void forgetPast();
  /// A DMA's share of the SBUF port is charged at the port's first free
  /// slot after its transfer starts: the DMA is not delayed, the engines
  /// behind it are (a fluid approximation of bandwidth sharing).
  void chargeDmaShare(const nisa::Instruction &in, double transferStart);

  const nisa::Program &program;
  const TimingParams &params;
  std::array<double, nisa::kNumQueues> free{};
  std::array<size_t, nisa::kNumQueues> left{}; // instructions not yet run
  /// When each queue's instructions end, by position (what a wait on the
  /// queue's semaphore value v waits for is ends[q][v - 1]).
  std::array<std::vector<double>, nisa::kNumQueues> ends;
  double lastEnd = 0;
  // sbufPort: VectorE and GpSimdE, one at a time. psumPort:
  // VectorE and ScalarE, one at a time (docs/hardware.md §4).
  // dmaSbufPort: the DMA transfers' shares of the SBUF port (kept apart: an
  // engine instruction runs through them, stretched).
  Port sbufPort, psumPort, dmaSbufPort;
};
} // namespace

double Simulator::readyTime(const nisa::Instruction &in,
                            InstructionTime &time) {
  double ready = free[int(in.queue)];
  for (const nisa::Wait &w : in.waits) {
    double e = ends[int(w.queue)][w.value - 1];
    if (e > ready) {
      time.stallOn = int8_t(w.queue);
      ready = e;
    }
  }
  return ready;
}

double Simulator::portStart(int q, double ready, double lead, double hold,
                            bool sbufUser, bool psumUser,
                            InstructionTime &time) {
  int holder = -1;
  double at = ready + lead, len = hold;
  // The earliest start at which the engine ports are free for the
  // instruction's run: its hold, stretched by the DMA transfers' share of
  // the SBUF port within that run (the engine flows around them).
  for (int round = 0; round < 64; ++round) {
    double next = at;
    if (sbufUser)
      next = sbufPort.findGap(next, len, holder);
    if (psumUser)
      next = psumPort.findGap(next, len, holder);
    double shared = sbufUser ? dmaSbufPort.heldWithin(next, next + len) : 0.0;
    bool settled = next == at && hold + shared == len;
    at = next;
    len = hold + shared;
    if (settled)
      break;
  }
  time.portShared = len - hold;
  if (at > ready + lead && holder >= 0)
    time.stallOn = int8_t(Timeline::kPortStall + holder);
  if (sbufUser)
    sbufPort.reserve(at, len, q);
  if (psumUser)
    psumPort.reserve(at, len, q);
  return at - lead;
}

void Simulator::chargeDmaShare(const nisa::Instruction &in,
                               double transferStart) {
  // Its share of the port: its bytes at the port's width per VectorE cycle
  // (one element per partition per cycle for fp32 across 128 partitions):
  // a one-partition transfer of 512 elements holds it for 4 cycles, a
  // 128-partition one for 512.
  double share = double(nisa::dmaBytes(in)) /
                 (params.sbufPortBytesPerCycle * params.dveGHz);
  int unused = -1;
  // At the first time neither an engine nor another DMA holds the port.
  double at = transferStart;
  for (int round = 0; round < 64; ++round) {
    double next =
        dmaSbufPort.findGap(sbufPort.findGap(at, share, unused), share, unused);
    if (next == at)
      break;
    at = next;
  }
  dmaSbufPort.reserve(at, share, int(in.queue));
}

void Simulator::forgetPast() {
  double earliest = INFINITY;
  for (int q = 0; q < nisa::kNumQueues; ++q)
    if (left[q])
      earliest = std::min(earliest, free[q]);
  if (earliest == INFINITY)
    return;
  sbufPort.forgetBefore(earliest);
  psumPort.forgetBefore(earliest);
  dmaSbufPort.forgetBefore(earliest);
}

InstructionTime Simulator::step(const nisa::Instruction &in) {
  InstructionTime time;
  int q = int(in.queue);
  double ready = readyTime(in, time);
  double d = duration(in, params);
  bool dma = in.opcode == nisa::Opcode::dma;
  bool sbufUser = (in.queue == Queue::dve || in.queue == Queue::pool) &&
                  touches(in, nisa::Space::sbuf);
  bool psumUser = (in.queue == Queue::dve || in.queue == Queue::act) &&
                  touches(in, nisa::Space::psum);
  // The part of the instruction that needs the ports: all of an engine
  // instruction, the transfer of a DMA (after its fixed latency).
  double lead = dma ? params.dmaFixedNs : 0.0;
  double hold = d - lead;
  double start = ready;
  if (sbufUser || psumUser)
    start = portStart(q, ready, lead, hold, sbufUser, psumUser, time);
  if (dma && params.dmaUsesSbufPort && touches(in, nisa::Space::sbuf))
    chargeDmaShare(in, start + lead);
  time.stall = start - free[q];
  if (time.stall <= 0)
    time.stallOn = -1;
  time.start = start;
  time.end = start + time.portShared + d;
  free[q] = time.end;
  ends[q].push_back(time.end);
  lastEnd = std::max(lastEnd, time.end);
  --left[q];
  forgetPast();
  return time;
}

double Simulator::run(InstructionTimes each) {
  // Program order is a valid issue order (every wait refers to an earlier
  // instruction), so one pass computes every start time.
  nisa::Instruction in;
  for (size_t i = 0, n = program.instructions.size(); i < n; ++i) {
    program.instructions.decode(i, in);
    InstructionTime time = step(in);
    if (each)
      each(i, in, time);
  }
  return lastEnd + params.launchUs * 1000.0;
}

double nki_run::simulate(const nisa::Program &program,
                         const TimingParams &params, InstructionTimes each) {
  return Simulator(program, params).run(each);
}

Timeline nki_run::simulate(const nisa::Program &program,
                           const TimingParams &params) {
  Timeline t;
  size_t n = program.instructions.size();
  t.start.resize(n);
  t.end.resize(n);
  t.stall.resize(n);
  t.stallOn.resize(n);
  t.portShared.resize(n);
  t.totalNs = simulate(
      program, params,
      [&](size_t i, const nisa::Instruction &, const InstructionTime &time) {
        t.start[i] = time.start;
        t.end[i] = time.end;
        t.stall[i] = time.stall;
        t.stallOn[i] = time.stallOn;
        t.portShared[i] = time.portShared;
      });
  t.order.resize(n);
  std::iota(t.order.begin(), t.order.end(), 0);
  std::stable_sort(t.order.begin(), t.order.end(), [&](uint32_t a, uint32_t b) {
    return t.start[a] < t.start[b];
  });
  return t;
}
