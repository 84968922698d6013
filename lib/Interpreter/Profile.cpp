//===- Profile.cpp - what neuron-profile would summarise ------------------===//

#include "mamba-nki/Interpreter/Profile.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace nki_run;

/// Rows of the source breakdown that --profile prints per queue.
static constexpr size_t kSourcesShown = 10;

ProfileBuilder::ProfileBuilder(const nisa::Program &program,
                               const TimingParams &params)
    : program(program), params(params),
      contextLoops(program.contexts.size(), 0) {
  p.sbufPeakBytes = program.sbufPeakBytes;
  p.psumPeakBytes = program.psumPeakBytes;
  p.params = params;
}

/// An instruction's activity index: its opcode, or after the opcodes, its
/// DMA kind.
static int activityIndex(const nisa::Instruction &in) {
  if (in.opcode == nisa::Opcode::dma)
    return nisa::kNumOpcodes + int(nisa::dmaKind(in));
  return int(in.opcode);
}

static std::string activityName(int index) {
  if (index >= nisa::kNumOpcodes)
    return nisa::stringify(nisa::DmaKind(index - nisa::kNumOpcodes)).str();
  return nisa::stringify(nisa::Opcode(index)).str();
}

void ProfileBuilder::add(const nisa::Instruction &in,
                         const InstructionTime &time) {
  ++count;
  int q = int(in.queue);
  double busy = (time.end - time.start) / 1000.0;
  p.busyUs[size_t(q)] += busy;
  // Where the time goes: by activity, and by source op and loops.
  int activity = activityIndex(in);
  auto &a = activities[size_t(q)][size_t(activity)];
  ++a.first;
  a.second += busy;
  uint32_t loops = 0;
  if (in.ctx && in.ctx < contextLoops.size()) {
    uint32_t &known = contextLoops[in.ctx];
    if (!known) {
      std::vector<uint32_t> names;
      for (const nisa::LoopLevel &l : program.contexts.levels(in.ctx))
        names.push_back(l.name);
      auto [it, inserted] =
          loopSets.try_emplace(std::move(names), uint32_t(loopSetOf.size()));
      if (inserted)
        loopSetOf.push_back(&it->first);
      known = it->second;
    }
    loops = known;
  }
  auto &s = sources[{q, activity, in.loc, loops}];
  ++s.first;
  s.second += busy;
  p.portSharedUs[size_t(q)] += time.portShared / 1000.0;
  // A queue runs in program order: its first instruction here is its
  // earliest; what it waited for is a stall, not time before its run.
  if (!p.instructions[size_t(q)]++)
    queueFirst[size_t(q)] = time.start - (time.stallOn >= 0 ? time.stall : 0);
  queueLast[size_t(q)] = std::max(queueLast[size_t(q)], time.end);
  first = std::min(first, time.start);
  last = std::max(last, time.end);
  if (time.stallOn >= 0) {
    auto &entry = stalls[{q, time.stallOn}];
    entry.first += time.stall / 1000.0;
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

Profile ProfileBuilder::finish(double totalNs) {
  p.totalUs = totalNs / 1000.0;
  if (count == 0)
    first = 0;
  p.execStartUs = first / 1000.0;
  p.execEndUs = last / 1000.0;
  double peak =
      std::min(params.hbmGBps, params.dmaEngines * params.dmaEngineGBps);
  if (p.totalUs > 0)
    p.dmaUtilizationPct =
        100.0 * double(p.dmaBytes + p.spillSaveBytes + p.spillReloadBytes) /
        (peak * p.totalUs * 1000.0);
  for (int q = 0; q < nisa::kNumQueues; ++q) {
    p.firstStartUs[size_t(q)] = queueFirst[size_t(q)] / 1000.0;
    p.lastEndUs[size_t(q)] = queueLast[size_t(q)] / 1000.0;
  }
  for (auto &[key, value] : stalls) {
    Profile::Stall s{static_cast<nisa::Queue>(key.first),
                     Timeline::stallName(key.second), value.first,
                     value.second};
    p.topStalls.push_back(s);
    if (!nisa::isDmaQueue(s.queue))
      p.engineStalls.push_back(s);
  }
  // By queue, then largest first (the map is ordered by queue already).
  std::stable_sort(p.engineStalls.begin(), p.engineStalls.end(),
                   [](const Profile::Stall &a, const Profile::Stall &b) {
                     return a.queue != b.queue ? a.queue < b.queue
                                               : a.us > b.us;
                   });
  llvm::sort(p.topStalls, [](const Profile::Stall &a, const Profile::Stall &b) {
    return a.us > b.us;
  });
  if (p.topStalls.size() > 8)
    p.topStalls.resize(8);
  for (int q = 0; q < nisa::kNumQueues; ++q)
    for (int a = 0; a < kActivities; ++a)
      if (activities[size_t(q)][size_t(a)].first)
        p.byActivity.push_back({nisa::Queue(q), activityName(a), "", "",
                                activities[size_t(q)][size_t(a)].first,
                                activities[size_t(q)][size_t(a)].second});
  for (const auto &[key, value] : sources) {
    auto [q, a, loc, loops] = key;
    std::string names;
    if (loops)
      for (uint32_t n : *loopSetOf[loops])
        names += (names.empty() ? "" : "/") + program.contexts.name(n).str();
    p.bySource.push_back({nisa::Queue(q), activityName(a),
                          loc < program.locations.size()
                              ? program.locations[loc]
                              : std::string(),
                          names, value.first, value.second});
  }
  auto byQueueThenTime = [](const Profile::Share &x, const Profile::Share &y) {
    return x.queue != y.queue ? x.queue < y.queue : x.us > y.us;
  };
  std::stable_sort(p.byActivity.begin(), p.byActivity.end(), byQueueThenTime);
  std::stable_sort(p.bySource.begin(), p.bySource.end(), byQueueThenTime);
  return p;
}

Profile nki_run::summarize(const nisa::Program &program,
                           const Timeline &timeline,
                           const TimingParams &params) {
  ProfileBuilder builder(program, params);
  for (size_t i = 0; i < program.instructions.size(); ++i)
    builder.add(program.instructions[i],
                {timeline.start[i], timeline.end[i], timeline.stall[i],
                 timeline.stallOn[i], timeline.portShared[i]});
  return builder.finish(timeline.totalNs);
}

Profile nki_run::profile(const nisa::Program &program,
                         const TimingParams &params) {
  ProfileBuilder builder(program, params);
  double total =
      simulate(program, params,
               [&](size_t, const nisa::Instruction &in,
                   const InstructionTime &time) { builder.add(in, time); });
  return builder.finish(total);
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
  for (int q = 0; q < nisa::kNumQueues; ++q)
    if (p.portSharedUs[size_t(q)] > 0)
      os << llvm::format(
          "  %s busy includes %.1f us sharing the SBUF port with DMA\n",
          nisa::stringify(static_cast<nisa::Queue>(q)).str().c_str(),
          p.portSharedUs[size_t(q)]);
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
  // Where each engine's idle time of the execution period goes: its
  // waits, and the time before its first start and after its last end.
  for (int q = 0; q < nisa::kNumQueues; ++q) {
    auto queue = static_cast<nisa::Queue>(q);
    if (nisa::isDmaQueue(queue) || !p.instructions[size_t(q)])
      continue;
    double outside = (p.firstStartUs[size_t(q)] - p.execStartUs) +
                     (p.execEndUs - p.lastEndUs[size_t(q)]);
    os << llvm::format(
        "  %-4s idle %10.1f us:", nisa::stringify(queue).str().c_str(),
        exec - p.busyUs[size_t(q)]);
    int shown = 0;
    for (const Profile::Stall &s : p.engineStalls)
      if (s.queue == queue && shown++ < 4)
        os << llvm::format(" on %s %.1f,", s.on.c_str(), s.us);
    os << llvm::format(" before/after its run %.1f\n", outside);
  }
  // Where each queue's busy time goes.
  auto share = [&](const Profile::Share &s) {
    double busy = p.busyUs[size_t(s.queue)];
    return busy > 0 ? 100.0 * s.us / busy : 0.0;
  };
  if (!p.byActivity.empty())
    os << "  busy time by activity (queue, activity: instructions, busy us, "
          "% of the queue's busy time)\n";
  for (const Profile::Share &s : p.byActivity)
    os << llvm::format("    %-18s %-20s %10lld %10.1f %6.1f%%\n",
                       nisa::stringify(s.queue).str().c_str(),
                       s.activity.c_str(), (long long)s.instructions, s.us,
                       share(s));
  if (!p.bySource.empty())
    os << "  busy time by source op and loops (the largest " << kSourcesShown
       << " per queue; all in --profile-json)\n";
  for (size_t i = 0, shown = 0; i < p.bySource.size(); ++i) {
    const Profile::Share &s = p.bySource[i];
    shown = i > 0 && p.bySource[i - 1].queue == s.queue ? shown + 1 : 0;
    if (shown >= kSourcesShown)
      continue;
    os << llvm::format("    %-18s %-20s %10lld %10.1f %6.1f%%  ",
                       nisa::stringify(s.queue).str().c_str(),
                       s.activity.c_str(), (long long)s.instructions, s.us,
                       share(s))
       << (s.source.empty() ? "(no source)" : s.source)
       << (s.loops.empty() ? " outside loops" : " in " + s.loops) << "\n";
  }
  if (!p.topStalls.empty()) {
    os << "  top stalls (queue waiting on queue: total, count)\n";
    for (const Profile::Stall &s : p.topStalls)
      os << llvm::format("    %-18s on %-32s %10.1f us %8lld\n",
                         nisa::stringify(s.queue).str().c_str(), s.on.c_str(),
                         s.us, (long long)s.count);
  }
}

void nki_run::writeJsonString(llvm::raw_ostream &os, llvm::StringRef s) {
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

void nki_run::writeProfileJson(const Profile &p, nisa::Target target,
                               llvm::raw_ostream &os) {
  double exec = std::max(p.execEndUs - p.execStartUs, 1e-9);
  os << "{\n";
  os << "  \"schema_version\": " << kProfileSchemaVersion << ",\n";
  os << "  \"target\": \"" << nisa::stringify(target) << "\",\n";
  os << "  \"model_params\": {";
  bool firstParam = true;
  p.params.forEach([&](llvm::StringRef name, double value) {
    os << (firstParam ? "" : ", ") << "\"" << name
       << "\": " << llvm::format("%.17g", value);
    firstParam = false;
  });
  os << "},\n";
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
  perQueue("sbuf_port_shared_us", [&](int q) {
    os << llvm::format("%.3f", p.portSharedUs[size_t(q)]);
  });
  os << "  \"dma_bytes\": " << p.dmaBytes << ",\n";
  os << llvm::format("  \"dma_utilization_pct\": %.3f,\n", p.dmaUtilizationPct);
  os << "  \"spill_save_bytes\": " << p.spillSaveBytes << ",\n";
  os << "  \"spill_reload_bytes\": " << p.spillReloadBytes << ",\n";
  os << "  \"sbuf_peak_bytes\": " << p.sbufPeakBytes << ",\n";
  os << "  \"psum_peak_bytes\": " << p.psumPeakBytes << ",\n";
  auto shares = [&](const char *key, const std::vector<Profile::Share> &list,
                    bool sources) {
    os << "  \"" << key << "\": [";
    for (size_t i = 0; i < list.size(); ++i) {
      const Profile::Share &s = list[i];
      double busy = p.busyUs[size_t(s.queue)];
      os << (i ? ",\n    " : "\n    ") << "{\"queue\": \""
         << nisa::stringify(s.queue) << "\", \"activity\": \"" << s.activity
         << "\", ";
      if (sources) {
        os << "\"source\": ";
        writeJsonString(os, s.source);
        os << ", \"loops\": ";
        writeJsonString(os, s.loops);
        os << ", ";
      }
      os << "\"instructions\": " << s.instructions
         << llvm::format(", \"busy_us\": %.3f, \"pct_of_queue_busy\": %.3f}",
                         s.us, busy > 0 ? 100.0 * s.us / busy : 0.0);
    }
    os << (list.empty() ? "],\n" : "\n  ],\n");
  };
  shares("by_activity", p.byActivity, false);
  shares("by_source", p.bySource, true);
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
