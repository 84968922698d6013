//===- Timing.cpp - when each instruction of a stream would run -----------===//

#include "mamba-nki/Interpreter/Timing.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"

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

/// The partitions a DMA moves (its rows; nisa::dmaBytes counts the same).
static int dmaRows(const nisa::Instruction &in) {
  return in.dst.isOnChip() ? in.dst.partCount : in.src0.partCount;
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
  void reserve(double t, double d, int queue) {
    if (d <= 0)
      return;
    busy[t] = {t + d, queue};
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

Timeline nki_run::simulate(const nisa::Program &program,
                           const TimingParams &params) {
  size_t n = program.instructions.size();
  Timeline t;
  t.start.resize(n);
  t.end.resize(n);
  t.stall.assign(n, 0.0);
  t.stallOn.assign(n, -1);
  std::array<double, nisa::kNumQueues> free{};
  std::array<std::vector<uint32_t>, nisa::kNumQueues> byQueue;
  // sbufPort: VectorE, GpSimdE and DMA transfers, one at a time. psumPort:
  // VectorE and ScalarE, one at a time.
  Port sbufPort, psumPort;
  // Program order is a valid issue order (every wait refers to an earlier
  // instruction), so one pass computes every start time.
  for (size_t i = 0; i < n; ++i) {
    const nisa::Instruction &in = program.instructions[i];
    int q = int(in.queue);
    double ready = free[q];
    for (const nisa::Wait &w : in.waits) {
      double e = t.end[byQueue[int(w.queue)][w.value - 1]];
      if (e > ready) {
        t.stallOn[i] = int8_t(w.queue);
        ready = e;
      }
    }
    double d = duration(in, params);
    bool dma = in.opcode == nisa::Opcode::dma;
    bool sbufUser =
        (in.queue == nisa::Queue::dve || in.queue == nisa::Queue::pool) &&
        touches(in, nisa::Space::sbuf);
    bool psumUser =
        (in.queue == nisa::Queue::dve || in.queue == nisa::Queue::act) &&
        touches(in, nisa::Space::psum);
    // The part of the instruction that needs the ports: all of an engine
    // instruction, the transfer of a DMA (after its fixed latency).
    double lead = dma ? params.dmaFixedNs : 0.0;
    double hold = d - lead;
    double start = ready;
    if (sbufUser || psumUser) {
      int holder = -1;
      double at = ready + lead;
      for (int round = 0; round < 64; ++round) {
        double next = at;
        if (sbufUser)
          next = sbufPort.findGap(next, hold, holder);
        if (psumUser)
          next = psumPort.findGap(next, hold, holder);
        if (next == at)
          break;
        at = next;
      }
      if (at > ready + lead && holder >= 0)
        t.stallOn[i] = int8_t(Timeline::kPortStall + holder);
      start = at - lead;
      if (sbufUser)
        sbufPort.reserve(at, hold, q);
      if (psumUser)
        psumPort.reserve(at, hold, q);
    }
    // A DMA's share of the SBUF port is charged at the port's first free
    // slot after its transfer starts: the DMA is not delayed, the engines
    // behind it are (a fluid approximation of bandwidth sharing).
    if (dma && params.dmaUsesSbufPort && touches(in, nisa::Space::sbuf)) {
      // Its share of the port: its bytes at the DMA system's full rate
      // (a one-partition transfer is slow because it uses one DMA engine,
      // not because it occupies the port longer).
      double bytes = dmaCostBytes(in, params);
      double share = bytes / std::min(params.hbmGBps,
                                      params.dmaEngines * params.dmaEngineGBps);
      int unused = -1;
      double at = sbufPort.findGap(start + lead, share, unused);
      sbufPort.reserve(at, share, q);
    }
    t.stall[i] = start - free[q];
    if (t.stall[i] <= 0)
      t.stallOn[i] = -1;
    t.start[i] = start;
    t.end[i] = start + d;
    free[q] = t.end[i];
    byQueue[q].push_back(uint32_t(i));
    t.totalNs = std::max(t.totalNs, t.end[i]);
  }
  t.totalNs += params.launchUs * 1000.0;
  t.order.resize(n);
  std::iota(t.order.begin(), t.order.end(), 0);
  std::stable_sort(t.order.begin(), t.order.end(), [&](uint32_t a, uint32_t b) {
    return t.start[a] < t.start[b];
  });
  return t;
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

namespace {
/// A parameter, and the range in which the model means something: clocks and
/// bandwidths are positive (they divide), counts of engines and partitions
/// are whole and at least 1, costs are non-negative; the upper bounds keep
/// every duration finite.
struct ParamRef {
  const char *name;
  double *d = nullptr;
  int *i = nullptr;
  double min, max;
};
std::vector<ParamRef> refs(TimingParams &p) {
  return {{"act_ghz", &p.actGHz, nullptr, 0.001, 1000},
          {"dve_ghz", &p.dveGHz, nullptr, 0.001, 1000},
          {"pool_ghz", &p.poolGHz, nullptr, 0.001, 1000},
          {"pe_ghz", &p.peGHz, nullptr, 0.001, 1000},
          {"min_ii_cycles", &p.minII, nullptr, 0, 1e6},
          {"static_overhead_cycles", &p.staticOverhead, nullptr, 0, 1e6},
          {"dma_engine_gbps", &p.dmaEngineGBps, nullptr, 0.001, 1e6},
          {"hbm_gbps", &p.hbmGBps, nullptr, 0.001, 1e6},
          {"dma_fixed_ns", &p.dmaFixedNs, nullptr, 0, 1e9},
          {"dma_engines", nullptr, &p.dmaEngines, 1, 1024},
          {"partitions_per_dma_engine", nullptr, &p.partitionsPerDmaEngine, 1,
           double(nisa::kPartitions)},
          {"dma_row_overhead_bytes", &p.dmaRowOverheadBytes, nullptr, 0, 1e9},
          {"launch_us", &p.launchUs, nullptr, 0, 1e9}};
}
} // namespace

static std::string shortNumber(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", v);
  return text;
}

llvm::Error TimingParams::parse(llvm::StringRef text,
                                llvm::StringRef bufferName) {
  unsigned lineNo = 0;
  std::vector<ParamRef> table = refs(*this);
  while (!text.empty()) {
    auto [line, rest] = text.split('\n');
    text = rest;
    ++lineNo;
    line = line.split('#').first.trim();
    if (line.empty())
      continue;
    auto fail = [&](const llvm::Twine &message) {
      return llvm::createStringError(
          std::make_error_code(std::errc::invalid_argument),
          (bufferName + ":" + llvm::Twine(lineNo) + ": " + message).str());
    };
    auto [key, value] = line.split('=');
    key = key.trim();
    value = value.trim();
    if (!line.contains('='))
      return fail("expected 'name = value', got '" + line + "'");
    auto it =
        llvm::find_if(table, [&](const ParamRef &r) { return key == r.name; });
    if (it == table.end()) {
      std::string known;
      for (const ParamRef &r : table)
        known += (known.empty() ? "" : ", ") + std::string(r.name);
      return fail("unknown parameter '" + key + "' (known: " + known + ")");
    }
    // Every value is checked against its range: a zero engine count or
    // clock, a NaN or an infinity would break the model, not just skew it.
    double v = 0;
    bool number = !value.getAsDouble(v);
    if (it->i) {
      if (!number || !(v >= it->min && v <= it->max) || v != std::floor(v))
        return fail("parameter '" + key + "' needs an integer from " +
                    shortNumber(it->min) + " to " + shortNumber(it->max) +
                    ", got '" + value + "'");
      *it->i = int(v);
      continue;
    }
    if (!number || !(v >= it->min && v <= it->max))
      return fail("parameter '" + key + "' needs a number from " +
                  shortNumber(it->min) + " to " + shortNumber(it->max) +
                  ", got '" + value + "'");
    *it->d = v;
  }
  return llvm::Error::success();
}

void TimingParams::print(llvm::raw_ostream &os) const {
  TimingParams copy = *this;
  for (const ParamRef &r : refs(copy)) {
    os << r.name << " = ";
    if (r.d)
      os << llvm::format("%g", *r.d);
    else
      os << *r.i;
    os << "\n";
  }
}

//===----------------------------------------------------------------------===//
// Profile
//===----------------------------------------------------------------------===//

Profile nki_run::summarize(const nisa::Program &program,
                           const Timeline &timeline,
                           const TimingParams &params) {
  Profile p;
  p.totalUs = timeline.totalNs / 1000.0;
  p.sbufPeakBytes = program.sbufPeakBytes;
  p.psumPeakBytes = program.psumPeakBytes;
  double first = INFINITY, last = 0;
  std::map<std::pair<int, int>, std::pair<double, int64_t>> stalls;
  auto stallName = [](int on) -> std::string {
    if (on >= Timeline::kPortStall)
      return "port held by " + nisa::stringify(static_cast<nisa::Queue>(
                                                   on - Timeline::kPortStall))
                                   .str();
    return nisa::stringify(static_cast<nisa::Queue>(on)).str();
  };
  for (size_t i = 0; i < program.instructions.size(); ++i) {
    const nisa::Instruction &in = program.instructions[i];
    int q = int(in.queue);
    p.busyUs[size_t(q)] += (timeline.end[i] - timeline.start[i]) / 1000.0;
    ++p.instructions[size_t(q)];
    first = std::min(first, timeline.start[i]);
    last = std::max(last, timeline.end[i]);
    if (timeline.stallOn[i] >= 0) {
      auto &entry = stalls[{q, timeline.stallOn[i]}];
      entry.first += timeline.stall[i] / 1000.0;
      ++entry.second;
    }
    if (in.opcode == nisa::Opcode::dma) {
      int64_t bytes = nisa::dmaBytes(in);
      switch (nisa::dmaKind(in)) {
      case nisa::DmaKind::spillSave:
        p.spillSaveBytes += bytes;
        break;
      case nisa::DmaKind::spillReload:
        p.spillReloadBytes += bytes;
        break;
      case nisa::DmaKind::load:
      case nisa::DmaKind::store:
        p.dmaBytes += bytes;
        break;
      }
    }
  }
  if (program.instructions.empty())
    first = 0;
  p.execStartUs = first / 1000.0;
  p.execEndUs = last / 1000.0;
  double peak =
      std::min(params.hbmGBps, params.dmaEngines * params.dmaEngineGBps);
  if (p.totalUs > 0)
    p.dmaUtilizationPct =
        100.0 * double(p.dmaBytes + p.spillSaveBytes + p.spillReloadBytes) /
        (peak * p.totalUs * 1000.0);
  for (auto &[key, value] : stalls)
    p.topStalls.push_back({static_cast<nisa::Queue>(key.first),
                           stallName(key.second), value.first, value.second});
  llvm::sort(p.topStalls, [](const Profile::Stall &a, const Profile::Stall &b) {
    return a.us > b.us;
  });
  if (p.topStalls.size() > 8)
    p.topStalls.resize(8);
  return p;
}

void nki_run::printProfile(const Profile &p, nisa::Target target,
                           llvm::raw_ostream &os) {
  double exec = std::max(p.execEndUs - p.execStartUs, 1e-9);
  os << llvm::format("profile (%s model)\n",
                     nisa::stringify(target).str().c_str());
  os << llvm::format("  total latency        %12.2f us\n", p.totalUs);
  os << llvm::format(
      "  execution period     %12.2f us (first start to last end)\n", exec);
  os << "  queue              instructions   busy us   active%  active% of "
        "execution\n";
  for (int q = 0; q < nisa::kNumQueues; ++q) {
    if (!p.instructions[size_t(q)])
      continue;
    os << llvm::format(
        "  %-18s %12lld %9.1f %8.2f %8.2f\n",
        nisa::stringify(static_cast<nisa::Queue>(q)).str().c_str(),
        (long long)p.instructions[size_t(q)], p.busyUs[size_t(q)],
        100.0 * p.busyUs[size_t(q)] / std::max(p.totalUs, 1e-9),
        100.0 * p.busyUs[size_t(q)] / exec);
  }
  os << llvm::format(
      "  dma bytes            %12lld (kernel i/o), utilisation %.1f%%\n",
      (long long)p.dmaBytes, p.dmaUtilizationPct);
  os << llvm::format("  spill save bytes     %12lld\n",
                     (long long)p.spillSaveBytes);
  os << llvm::format("  spill reload bytes   %12lld\n",
                     (long long)p.spillReloadBytes);
  os << llvm::format("  sbuf peak            %12lld bytes per partition\n",
                     (long long)p.sbufPeakBytes);
  os << llvm::format("  psum peak            %12lld bytes per partition\n",
                     (long long)p.psumPeakBytes);
  if (!p.topStalls.empty()) {
    os << "  top stalls (queue waiting on queue: total, count)\n";
    for (const Profile::Stall &s : p.topStalls)
      os << llvm::format("    %-18s on %-32s %10.1f us %8lld\n",
                         nisa::stringify(s.queue).str().c_str(), s.on.c_str(),
                         s.us, (long long)s.count);
  }
}

void nki_run::writeProfileJson(const Profile &p, llvm::raw_ostream &os) {
  double exec = std::max(p.execEndUs - p.execStartUs, 1e-9);
  os << "{\n";
  os << llvm::format("  \"total_us\": %.3f,\n", p.totalUs);
  os << llvm::format("  \"execution_us\": %.3f,\n", exec);
  auto perQueue = [&](const char *key, auto value) {
    os << "  \"" << key << "\": {";
    bool first = true;
    for (int q = 0; q < nisa::kNumQueues; ++q) {
      if (!p.instructions[size_t(q)])
        continue;
      os << (first ? "" : ", ") << "\""
         << nisa::stringify(static_cast<nisa::Queue>(q)) << "\": ";
      value(q);
      first = false;
    }
    os << "},\n";
  };
  perQueue("engine_active_pct", [&](int q) {
    os << llvm::format("%.3f",
                       100.0 * p.busyUs[size_t(q)] / std::max(p.totalUs, 1e-9));
  });
  perQueue("engine_active_pct_of_execution", [&](int q) {
    os << llvm::format("%.3f", 100.0 * p.busyUs[size_t(q)] / exec);
  });
  perQueue("instructions", [&](int q) { os << p.instructions[size_t(q)]; });
  os << "  \"dma_bytes\": " << p.dmaBytes << ",\n";
  os << llvm::format("  \"dma_utilization_pct\": %.3f,\n", p.dmaUtilizationPct);
  os << "  \"spill_save_bytes\": " << p.spillSaveBytes << ",\n";
  os << "  \"spill_reload_bytes\": " << p.spillReloadBytes << ",\n";
  os << "  \"sbuf_peak_bytes\": " << p.sbufPeakBytes << ",\n";
  os << "  \"psum_peak_bytes\": " << p.psumPeakBytes << ",\n";
  os << "  \"top_stalls\": [";
  for (size_t i = 0; i < p.topStalls.size(); ++i)
    os << (i ? ", " : "")
       << llvm::format("{\"queue\": \"%s\", \"waits_on\": \"%s\", "
                       "\"us\": %.3f, \"count\": %lld}",
                       nisa::stringify(p.topStalls[i].queue).str().c_str(),
                       p.topStalls[i].on.c_str(), p.topStalls[i].us,
                       (long long)p.topStalls[i].count);
  os << "]\n}\n";
}

static void jsonString(llvm::raw_ostream &os, llvm::StringRef s) {
  os << '"';
  for (char c : s) {
    if (c == '"' || c == '\\')
      os << '\\' << c;
    else if (uint8_t(c) < 0x20)
      os << llvm::format("\\u%04x", unsigned(uint8_t(c)));
    else
      os << c;
  }
  os << '"';
}

void nki_run::writeTrace(const nisa::Program &program, const Timeline &t,
                         llvm::raw_ostream &os) {
  os << "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n";
  os << "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 0, "
        "\"args\": {\"name\": \"NeuronCore ("
     << nisa::stringify(program.target) << " model)\"}}";
  for (int q = 0; q < nisa::kNumQueues; ++q)
    os << ",\n{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 0, "
          "\"tid\": "
       << q << ", \"args\": {\"name\": \""
       << nisa::stringify(static_cast<nisa::Queue>(q)) << "\"}}";
  for (size_t i = 0; i < program.instructions.size(); ++i) {
    const nisa::Instruction &in = program.instructions[i];
    os << ",\n{\"name\": \"" << nisa::stringify(in.opcode)
       << "\", \"ph\": \"X\", \"pid\": 0, \"tid\": " << int(in.queue)
       << llvm::format(", \"ts\": %.3f, \"dur\": %.3f", t.start[i] / 1000.0,
                       (t.end[i] - t.start[i]) / 1000.0)
       << ", \"args\": {\"id\": " << i << ", \"loc\": ";
    jsonString(os, program.locations[in.loc]);
    if (t.stallOn[i] >= 0) {
      int on = t.stallOn[i];
      std::string name =
          on >= Timeline::kPortStall
              ? "port held by " +
                    nisa::stringify(
                        static_cast<nisa::Queue>(on - Timeline::kPortStall))
                        .str()
              : nisa::stringify(static_cast<nisa::Queue>(on)).str();
      os << llvm::format(", \"stall_us\": %.3f", t.stall[i] / 1000.0)
         << ", \"stalled_on\": \"" << name << "\"";
    }
    os << "}}";
  }
  os << "\n]}\n";
}

//===----------------------------------------------------------------------===//
// SVG timeline
//===----------------------------------------------------------------------===//

namespace {
/// What a bar shows: an instruction kind, with its colour. DMAs are drawn
/// by direction (load, store, spill traffic), every other opcode as its
/// InstructionSet.def legend entry, in that file's order.
struct Kind {
  const char *name, *colour;
};
constexpr Kind kDmaKinds[] = {{"DMA load", "#4c78a8"},
                              {"DMA store", "#54a24b"},
                              {"spill/reload", "#e45756"}};
constexpr int kNumDmaKinds = 3;

/// The legend, and the first kind of each opcode.
struct Kinds {
  std::vector<Kind> all;
  std::array<int, nisa::kNumOpcodes> first{};
  Kinds() {
    for (int o = 0; o < nisa::kNumOpcodes; ++o) {
      const nisa::OpcodeInfo &info = nisa::getOpcodeInfo(nisa::Opcode(o));
      first[size_t(o)] = int(all.size());
      if (info.shape == nisa::OperandShape::Transfer)
        all.insert(all.end(), std::begin(kDmaKinds), std::end(kDmaKinds));
      else
        all.push_back({info.legend, info.colour});
    }
  }
  int of(const nisa::Instruction &in) const {
    int k = first[size_t(in.opcode)];
    if (in.opcode != nisa::Opcode::dma)
      return k;
    switch (nisa::dmaKind(in)) {
    case nisa::DmaKind::load:
      return k;
    case nisa::DmaKind::store:
      return k + 1;
    case nisa::DmaKind::spillSave:
    case nisa::DmaKind::spillReload:
      return k + 2;
    }
    return k;
  }
};
static_assert(std::size(kDmaKinds) == kNumDmaKinds, "three DMA kinds");

/// A row's title: the engine and its queue ("ScalarE (act)"), or the DMA
/// queue.
std::string queueTitle(nisa::Queue q) {
  llvm::StringRef engine = nisa::engineName(q);
  if (engine.empty())
    return nisa::stringify(q).str();
  return (engine + " (" + nisa::stringify(q) + ")").str();
}
} // namespace

void nki_run::writeTimelineSvg(const nisa::Program &program, const Timeline &t,
                               double fromUs, double toUs,
                               llvm::raw_ostream &os) {
  const int width = 1400, left = 150, right = 20, top = 50, rowHeight = 26,
            rowGap = 6;
  const int plotWidth = width - left - right;
  double end = 0;
  for (double e : t.end)
    end = std::max(end, e);
  double from = std::max(0.0, fromUs * 1000.0);
  double to = toUs > 0 ? toUs * 1000.0 : end;
  if (to <= from)
    to = from + 1;
  double scale = plotWidth / (to - from); // px per ns
  // Busy time per (queue, pixel column, kind), and instruction counts.
  static const Kinds kinds;
  const size_t numKinds = kinds.all.size();
  std::vector<double> busyTimes(size_t(nisa::kNumQueues) * size_t(plotWidth) *
                                numKinds);
  auto busy = [&](int q, int c) {
    return busyTimes.data() +
           (size_t(q) * size_t(plotWidth) + size_t(c)) * numKinds;
  };
  std::array<int64_t, nisa::kNumQueues> count{};
  for (size_t i = 0; i < program.instructions.size(); ++i) {
    double s0 = std::max(t.start[i], from), s1 = std::min(t.end[i], to);
    if (s1 <= s0)
      continue;
    const nisa::Instruction &in = program.instructions[i];
    int q = int(in.queue);
    ++count[size_t(q)];
    int k = kinds.of(in);
    int c0 = int((s0 - from) * scale), c1 = int((s1 - from) * scale);
    for (int c = std::max(c0, 0); c <= std::min(c1, plotWidth - 1); ++c) {
      double p0 = from + c / scale, p1 = from + (c + 1) / scale;
      double overlap = std::min(p1, s1) - std::max(p0, s0);
      if (overlap > 0)
        busy(q, c)[k] += overlap;
    }
  }
  std::vector<int> rows;
  for (int q = 0; q < nisa::kNumQueues; ++q)
    if (count[size_t(q)])
      rows.push_back(q);
  int height = top + int(rows.size()) * (rowHeight + rowGap) + 110;
  os << llvm::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                     "height=\"%d\" font-family=\"sans-serif\" "
                     "font-size=\"12\">\n",
                     width, height);
  os << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  os << llvm::format("<text x=\"%d\" y=\"24\" font-size=\"16\">NeuronCore "
                     "timeline (%s model): %.1f to %.1f us, %zu instructions"
                     "</text>\n",
                     left, nisa::stringify(program.target).str().c_str(),
                     from / 1000.0, to / 1000.0, program.instructions.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    int q = rows[r];
    int y = top + int(r) * (rowHeight + rowGap);
    os << llvm::format("<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s"
                       "</text>\n",
                       left - 8, y + rowHeight / 2 + 4,
                       queueTitle(nisa::Queue(q)).c_str());
    os << llvm::format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                       "fill=\"#f4f4f4\"/>\n",
                       left, y, plotWidth, rowHeight);
    // Runs of pixel columns with the same dominant kind and shade.
    int runStart = -1, runKind = -1, runShade = -1;
    auto flush = [&](int c) {
      if (runStart >= 0 && runKind >= 0)
        os << llvm::format("<rect x=\"%d\" y=\"%d\" width=\"%d\" "
                           "height=\"%d\" fill=\"%s\" "
                           "fill-opacity=\"%.2f\"/>\n",
                           left + runStart, y, c - runStart, rowHeight,
                           kinds.all[size_t(runKind)].colour, runShade / 10.0);
    };
    double pixelNs = 1.0 / scale;
    for (int c = 0; c < plotWidth; ++c) {
      const double *b = busy(q, c);
      int kind = -1;
      double total = 0, best = 0;
      for (int k = 0; k < int(numKinds); ++k) {
        total += b[k];
        if (b[k] > best) {
          best = b[k];
          kind = k;
        }
      }
      int shade =
          kind < 0
              ? -1
              : std::max(2,
                         int(std::lround(10 * std::min(1.0, total / pixelNs))));
      if (kind != runKind || shade != runShade) {
        flush(c);
        runStart = c;
        runKind = kind;
        runShade = shade;
      }
    }
    flush(plotWidth);
  }
  // Time axis.
  int axisY = top + int(rows.size()) * (rowHeight + rowGap) + 4;
  os << llvm::format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                     "stroke=\"black\"/>\n",
                     left, axisY, left + plotWidth, axisY);
  double spanUs = (to - from) / 1000.0;
  double step = std::pow(10.0, std::floor(std::log10(spanUs / 5)));
  if (spanUs / step > 10)
    step *= spanUs / step > 20 ? 5 : 2;
  for (double v = std::ceil(from / 1000.0 / step) * step; v <= to / 1000.0;
       v += step) {
    int x = left + int((v * 1000.0 - from) * scale);
    os << llvm::format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                       "stroke=\"black\"/><text x=\"%d\" y=\"%d\" "
                       "text-anchor=\"middle\">%g</text>\n",
                       x, axisY, x, axisY + 5, x, axisY + 18, v);
  }
  os << llvm::format("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time "
                     "(us)</text>\n",
                     left + plotWidth / 2, axisY + 36);
  // Legend.
  int ly = axisY + 56, lx = left;
  for (const Kind &k : kinds.all) {
    os << llvm::format("<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" "
                       "fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>\n",
                       lx, ly, k.colour, lx + 18, ly + 12, k.name);
    lx += 118;
  }
  os << llvm::format("<text x=\"%d\" y=\"%d\" fill=\"#555\">Each pixel "
                     "column shows the kind busiest there; lighter = the "
                     "queue was busy part of that time.</text>\n",
                     left, ly + 36);
  os << "</svg>\n";
}
