//===- TimingParams.cpp - the timing model's parameters -------------------===//

#include "mamba-nki/Interpreter/TimingParams.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

using namespace nki_run;

TimingParams TimingParams::forTarget(nisa::Target target) {
  TimingParams p;
  mamba_hw::EngineClocks clocks = mamba_hw::engineClocks(target);
  p.actGHz = clocks.scalarGHz;
  p.dveGHz = clocks.vectorGHz;
  p.poolGHz = clocks.gpsimdGHz;
  p.peGHz = clocks.tensorGHz;
  return p;
}

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
          {"sbuf_port_bytes_per_cycle", &p.sbufPortBytesPerCycle, nullptr,
           0.001, 1e9},
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

void TimingParams::forEach(
    llvm::function_ref<void(llvm::StringRef, double)> fn) const {
  TimingParams copy = *this;
  for (const ParamRef &r : refs(copy))
    fn(r.name, r.d ? *r.d : double(*r.i));
}
