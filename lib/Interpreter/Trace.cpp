//===- Trace.cpp - a Timeline as Chrome trace-event JSON ------------------===//
//
// A row per queue and a slice per instruction, named by what it does (the
// opcode, or a DMA's kind), with its source location, loop context and
// stall; flow arrows from the instruction whose semaphore released a
// stalled wait to the wait; counter tracks for SBUF and PSUM occupancy and
// DMA bandwidth. Times are printed on a whole-nanosecond grid, so that the
// slices of one row, which the model runs one after another, never overlap.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Interpreter/Trace.h"
#include "mamba-nki/Interpreter/Profile.h"

#include "llvm/Support/Format.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <vector>

using namespace nki_run;

namespace {
/// A time on the trace's grid: whole nanoseconds, printed as microseconds
/// with three decimals (exactly).
struct Ns {
  int64_t ns;
};
llvm::raw_ostream &operator<<(llvm::raw_ostream &os, Ns t) {
  int64_t v = t.ns < 0 ? -t.ns : t.ns;
  return os << (t.ns < 0 ? "-" : "") << v / 1000 << '.'
            << llvm::format("%03d", int(v % 1000));
}
int64_t grid(double ns) { return int64_t(std::llround(ns)); }

/// Bytes per partition of SBUF or PSUM that hold data still to be read:
/// an address range is live from the start of the instruction that writes
/// it to the end of the last one that reads it before it is written again
/// (or to the writer's end, when nothing reads it). Changes of the total,
/// in time order, are the counter's samples.
class Occupancy {
public:
  void write(int64_t from, int64_t to, int64_t start, int64_t end) {
    if (to <= from)
      return;
    split(from);
    split(to);
    for (auto it = live.lower_bound(from);
         it != live.end() && it->first < to;) {
      close(it->first, it->second);
      it = live.erase(it);
    }
    live[from] = {to, start, end};
  }
  void read(int64_t from, int64_t to, int64_t end) {
    auto it = live.upper_bound(from);
    if (it != live.begin())
      --it;
    for (; it != live.end() && it->first < to; ++it)
      if (it->second.to > from)
        it->second.lastUse = std::max(it->second.lastUse, end);
  }
  /// The samples: (time, bytes), one per time the total changes.
  std::vector<std::pair<int64_t, int64_t>> samples() {
    for (auto &[from, seg] : live)
      close(from, seg);
    live.clear();
    std::sort(changes.begin(), changes.end());
    std::vector<std::pair<int64_t, int64_t>> out;
    int64_t total = 0;
    for (size_t i = 0; i < changes.size(); ++i) {
      total += changes[i].second;
      if (i + 1 < changes.size() && changes[i + 1].first == changes[i].first)
        continue;
      if (out.empty() || out.back().second != total)
        out.push_back({changes[i].first, total});
    }
    return out;
  }

private:
  struct Segment {
    int64_t to, start, lastUse;
  };
  void split(int64_t at) {
    auto it = live.upper_bound(at);
    if (it == live.begin())
      return;
    --it;
    if (it->first < at && it->second.to > at) {
      Segment right = it->second;
      it->second.to = at;
      live[at] = right;
    }
  }
  void close(int64_t from, const Segment &s) {
    changes.push_back({s.start, s.to - from});
    changes.push_back({s.lastUse, -(s.to - from)});
  }
  std::map<int64_t, Segment> live; // by first byte
  std::vector<std::pair<int64_t, int64_t>> changes;
};
} // namespace

void nki_run::writeTrace(const nisa::Program &program, const Timeline &t,
                         llvm::raw_ostream &os) {
  size_t n = program.instructions.size();
  os << "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n";
  os << "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 0, "
        "\"args\": {\"name\": \"NeuronCore ("
     << nisa::stringify(program.target) << " model)\"}}";
  for (int q = 0; q < nisa::kNumQueues; ++q)
    os << ",\n{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 0, "
          "\"tid\": "
       << q << ", \"args\": {\"name\": \""
       << nisa::stringify(static_cast<nisa::Queue>(q)) << "\"}}";
  // Each queue's instructions by position: a wait on value v of queue q is
  // released by byQueue[q][v - 1].
  std::array<std::vector<uint32_t>, nisa::kNumQueues> byQueue;
  for (size_t i = 0; i < n; ++i)
    byQueue[size_t(program.instructions.queue(i))].push_back(uint32_t(i));
  Occupancy sbuf, psum;
  // DMA bandwidth: +bytes/ns at a transfer's start, - at its end (kernel
  // I/O and spill traffic apart).
  std::vector<std::pair<int64_t, std::array<double, 2>>> bandwidth;
  int64_t flows = 0;
  for (size_t i = 0; i < n; ++i) {
    nisa::Instruction in = program.instructions[i];
    int64_t start = grid(t.start[i]), end = grid(t.end[i]);
    os << ",\n{\"name\": \"" << nisa::activityName(in)
       << "\", \"ph\": \"X\", \"pid\": 0, \"tid\": " << int(in.queue)
       << ", \"ts\": " << Ns{start} << ", \"dur\": " << Ns{end - start}
       << ", \"args\": {\"id\": " << i << ", \"opcode\": \""
       << nisa::stringify(in.opcode) << "\", \"loc\": ";
    writeJsonString(os, program.locations[in.loc]);
    if (in.ctx && in.ctx < program.contexts.size()) {
      os << ", \"ctx\": ";
      writeJsonString(os, program.contexts.describe(in.ctx));
    }
    int on = t.stallOn[i];
    if (on >= 0) {
      std::string name = Timeline::stallName(on);
      os << ", \"stall_us\": " << Ns{grid(t.stall[i])} << ", \"stalled_on\": \""
         << name << "\"";
    }
    // The wait that held it, as an arrow from the instruction whose
    // semaphore released it.
    int64_t releasedBy = -1;
    if (on >= 0 && on < Timeline::kPortStall)
      for (const nisa::Wait &w : in.waits)
        if (int(w.queue) == on && w.value >= 1 &&
            w.value <= byQueue[size_t(on)].size())
          releasedBy = byQueue[size_t(on)][w.value - 1];
    if (releasedBy >= 0)
      os << ", \"released_by\": " << releasedBy;
    os << "}}";
    if (releasedBy >= 0) {
      size_t r = size_t(releasedBy);
      int64_t rs = grid(t.start[r]), re = grid(t.end[r]);
      // The arrow leaves the releasing slice at its last nanosecond and
      // binds to the waiting slice's start.
      int64_t from = std::max(rs, re - 1);
      os << ",\n{\"name\": \"semaphore\", \"cat\": \"wait\", \"ph\": \"s\", "
            "\"id\": "
         << flows
         << ", \"pid\": 0, \"tid\": " << int(program.instructions.queue(r))
         << ", \"ts\": " << Ns{from} << "}";
      os << ",\n{\"name\": \"semaphore\", \"cat\": \"wait\", \"ph\": \"f\", "
            "\"bp\": \"e\", \"id\": "
         << flows << ", \"pid\": 0, \"tid\": " << int(in.queue)
         << ", \"ts\": " << Ns{start} << "}";
      ++flows;
    }
    nisa::forEachAccess(in, [&](const nisa::AccessPattern &ap, bool isWrite) {
      if (!ap.isOnChip())
        return;
      Occupancy &o = ap.space == nisa::Space::sbuf ? sbuf : psum;
      int64_t from = ap.offset, to = ap.offset + ap.spanBytes();
      if (isWrite)
        o.write(from, to, start, end);
      else
        o.read(from, to, end);
    });
    if (in.opcode == nisa::Opcode::dma && end > start) {
      double rate = double(nisa::dmaBytes(in)) / double(end - start);
      int k = in.queue == nisa::Queue::spill ? 1 : 0;
      std::array<double, 2> up{}, down{};
      up[size_t(k)] = rate;
      down[size_t(k)] = -rate;
      bandwidth.push_back({start, up});
      bandwidth.push_back({end, down});
    }
  }
  auto counter = [&](const char *name, const char *key,
                     const std::vector<std::pair<int64_t, int64_t>> &s) {
    for (const auto &[time, bytes] : s)
      os << ",\n{\"name\": \"" << name << "\", \"ph\": \"C\", \"pid\": 0, "
         << "\"ts\": " << Ns{time} << ", \"args\": {\"" << key
         << "\": " << bytes << "}}";
  };
  counter("SBUF occupancy", "bytes per partition", sbuf.samples());
  counter("PSUM occupancy", "bytes per partition", psum.samples());
  std::stable_sort(
      bandwidth.begin(), bandwidth.end(),
      [](const auto &a, const auto &b) { return a.first < b.first; });
  std::array<double, 2> rate{};
  for (size_t k = 0; k < bandwidth.size(); ++k) {
    rate[0] += bandwidth[k].second[0];
    rate[1] += bandwidth[k].second[1];
    if (k + 1 < bandwidth.size() &&
        bandwidth[k + 1].first == bandwidth[k].first)
      continue;
    // bytes/ns = GB/s; sums of many terms are rounded to the printed digits.
    os << ",\n{\"name\": \"DMA bandwidth\", \"ph\": \"C\", \"pid\": 0, "
       << "\"ts\": " << Ns{bandwidth[k].first}
       << llvm::format(", \"args\": {\"kernel_io_gbps\": %.3f, "
                       "\"spill_gbps\": %.3f}}",
                       std::max(0.0, rate[0]), std::max(0.0, rate[1]));
  }
  os << "\n]}\n";
}
