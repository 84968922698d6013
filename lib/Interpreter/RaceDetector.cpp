//===- RaceDetector.cpp - unordered accesses in a .nisa stream ------------===//
//
// For every instruction, which earlier instructions it is ordered after
// (its queue's order and its semaphore waits, transitively: a vector clock
// of queue positions), and for every byte of every memory (MemoryKey.h) the
// last writer and the latest reader per queue. An access that conflicts with
// one it is not ordered after is a race; a read of bytes nothing wrote is
// reported too (inputs start written; SBUF, PSUM, scratch and outputs not).
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Interpreter/RaceDetector.h"
#include "mamba-nki/Target/Nisa/IntervalMap.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <array>

using namespace nki_run;

namespace {
/// Instruction ids as 32 bits (findRaces refuses a longer stream; the
/// backend's limit is 20 million).
struct RaceState {
  bool written = false;
  int32_t writer = -1;                           // instruction id
  std::array<int32_t, nisa::kNumQueues> readers; // latest reader per queue
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
  std::string mem =
      r.key == nisa::kSbufKey   ? "sbuf"
      : r.key == nisa::kPsumKey ? "psum"
      : r.key == nisa::kScratchKey
          ? "scratch"
          : "hbm." + p.tensors[size_t(nisa::keyTensor(r.key))].name;
  std::string s;
  llvm::raw_string_ostream os(s);
  os << mem << " bytes [0x" << llvm::format_hex_no_prefix(r.start, 1) << ", 0x"
     << llvm::format_hex_no_prefix(r.end, 1) << ")";
  return s;
}

class RaceDetector {
public:
  RaceDetector(const nisa::Program &p, size_t maxReports);
  std::vector<std::string> run();

private:
  using Clock = std::array<uint32_t, nisa::kNumQueues>;
  /// Whether an instruction with `clock` is ordered after `before`.
  bool ordered(const Clock &clock, int64_t before) const {
    const nisa::Instruction &b = p.instructions[size_t(before)];
    return clock[int(b.queue)] >= position[size_t(before)];
  }
  /// Instruction `id`'s clock: its queue's last, joined with every clock it
  /// waits for.
  Clock clockOf(size_t id);
  void access(int64_t id, const Clock &clock, const nisa::AccessPattern &ap,
              bool write);
  void report(std::string text) {
    if (reports.size() < maxReports)
      reports.push_back(std::move(text));
  }

  const nisa::Program &p;
  size_t maxReports;
  std::vector<std::string> reports;
  using IntervalMap = nisa::IntervalMap<RaceState>;
  std::vector<IntervalMap> memories;
  std::array<std::vector<Clock>, nisa::kNumQueues> clocks;
  std::array<Clock, nisa::kNumQueues> last{};
  std::vector<uint32_t> position;
};
} // namespace

RaceDetector::RaceDetector(const nisa::Program &p, size_t maxReports)
    : p(p), maxReports(maxReports),
      memories(nisa::numMemoryKeys(p.tensors.size())),
      position(p.instructions.size()) {
  // Inputs start initialised.
  for (size_t t = 0; t < p.tensors.size(); ++t)
    if (p.tensors[t].isInput)
      memories[size_t(nisa::tensorKey(int(t)))].forEach(
          0,
          p.tensors[t].numElements() * nisa::elementBytes(p.tensors[t].dtype),
          [](int64_t, int64_t, RaceState &s) { s.written = true; });
}

RaceDetector::Clock RaceDetector::clockOf(size_t id) {
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
  return clock;
}

void RaceDetector::access(int64_t id, const Clock &clock,
                          const nisa::AccessPattern &ap, bool write) {
  int q = int(p.instructions[size_t(id)].queue);
  nisa::ByteRange range = nisa::byteRange(ap);
  bool reportedUninit = false;
  auto check = [&](int64_t s0, int64_t s1, RaceState &s) {
    nisa::ByteRange seg{range.key, s0, s1};
    if (!write && !s.written && !reportedUninit) {
      reportedUninit = true;
      report(describe(p, id) + " reads " + rangeText(p, seg) +
             ", which nothing wrote before");
    }
    if (s.writer >= 0 && !ordered(clock, s.writer))
      report("race: " + describe(p, id) + (write ? " writes " : " reads ") +
             rangeText(p, seg) + " written by " + describe(p, s.writer) +
             ", and no semaphore orders them");
    if (!write) {
      s.readers[q] = int32_t(id);
      return;
    }
    for (int d = 0; d < nisa::kNumQueues; ++d)
      if (s.readers[d] >= 0 && !ordered(clock, s.readers[d]))
        report("race: " + describe(p, id) + " writes " + rangeText(p, seg) +
               " read by " + describe(p, s.readers[d]) +
               ", and no semaphore orders them");
  };
  IntervalMap &memory = memories[size_t(range.key)];
  if (!write) {
    memory.forEach(range.start, range.end, check);
    return;
  }
  // A write leaves the whole range alike (written by `id`, read since by
  // nothing): one segment, so the map does not fragment.
  RaceState written;
  written.written = true;
  written.writer = int32_t(id);
  memory.forEachThenAssign(range.start, range.end, check, written);
}

std::vector<std::string> RaceDetector::run() {
  for (size_t id = 0; id < p.instructions.size(); ++id) {
    const nisa::Instruction &in = p.instructions[id];
    Clock clock = clockOf(id);
    nisa::forEachAccess(in, [&](const nisa::AccessPattern &ap, bool write) {
      access(int64_t(id), clock, ap, write);
    });
    last[int(in.queue)] = clock;
    clocks[int(in.queue)].push_back(clock);
    if (reports.size() >= maxReports)
      break;
  }
  return std::move(reports);
}

std::vector<std::string> nki_run::findRaces(const nisa::Program &program,
                                            size_t maxReports) {
  if (program.instructions.size() > size_t(INT32_MAX))
    return {"the race check handles at most 2^31 - 1 instructions, and the "
            "stream has " +
            std::to_string(program.instructions.size()) +
            " (--no-race-check skips it)"};
  return RaceDetector(program, maxReports).run();
}
