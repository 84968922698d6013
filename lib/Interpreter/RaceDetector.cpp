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

/// A problem found, formatted once the whole stream is known.
struct Finding {
  enum Kind : uint8_t { uninitialised, afterWrite, afterRead } kind;
  bool write;
  int32_t id, other;
  nisa::ByteRange range;
};
} // namespace

struct RaceChecker::Impl {
  Impl(const nisa::Program &header, size_t maxReports);
  using Clock = std::array<uint32_t, nisa::kNumQueues>;
  /// Whether an instruction with `clock` is ordered after `before`.
  bool ordered(const Clock &clock, int64_t before) const {
    return clock[queueOf[size_t(before)]] >= position[size_t(before)];
  }
  /// Instruction `id` (`in`)'s clock: its queue's last, joined with every
  /// clock it waits for.
  Clock clockOf(size_t id, const nisa::Instruction &in);
  /// An access of instruction `id`, on queue `q`.
  void access(int64_t id, int q, const Clock &clock,
              const nisa::AccessPattern &ap, bool write);
  void report(const Finding &f) {
    if (findings.size() < maxReports)
      findings.push_back(f);
  }

  size_t maxReports;
  std::vector<Finding> findings;
  std::string tooLong; // a stream the detector cannot take
  using IntervalMap = nisa::IntervalMap<RaceState>;
  std::vector<IntervalMap> memories;
  std::array<std::vector<Clock>, nisa::kNumQueues> clocks;
  std::array<Clock, nisa::kNumQueues> last{};
  // Each instruction's semaphore value and queue (seen so far): the
  // instructions are not kept.
  std::vector<uint32_t> position;
  std::vector<uint8_t> queueOf;
  size_t next = 0;
};

RaceChecker::Impl::Impl(const nisa::Program &header, size_t maxReports)
    : maxReports(maxReports),
      memories(nisa::numMemoryKeys(header.tensors.size())) {
  // Inputs start initialised.
  for (size_t t = 0; t < header.tensors.size(); ++t)
    if (header.tensors[t].isInput)
      memories[size_t(nisa::tensorKey(int(t)))].forEach(
          0,
          header.tensors[t].numElements() *
              nisa::elementBytes(header.tensors[t].dtype),
          [](int64_t, int64_t, RaceState &s) { s.written = true; });
}

RaceChecker::Impl::Clock
RaceChecker::Impl::clockOf(size_t id, const nisa::Instruction &in) {
  int q = int(in.queue);
  Clock clock = last[q];
  for (const nisa::Wait &w : in.waits) {
    const Clock &c = clocks[int(w.queue)][w.value - 1];
    for (int d = 0; d < nisa::kNumQueues; ++d)
      clock[d] = std::max(clock[d], c[d]);
  }
  position[id] = in.signal;
  queueOf[id] = uint8_t(q);
  clock[q] = in.signal;
  return clock;
}

void RaceChecker::Impl::access(int64_t id, int q, const Clock &clock,
                               const nisa::AccessPattern &ap, bool write) {
  nisa::ByteRange range = nisa::byteRange(ap);
  bool reportedUninit = false;
  auto check = [&](int64_t s0, int64_t s1, RaceState &s) {
    nisa::ByteRange seg{range.key, s0, s1};
    if (!write && !s.written && !reportedUninit) {
      reportedUninit = true;
      report({Finding::uninitialised, write, int32_t(id), -1, seg});
    }
    if (s.writer >= 0 && !ordered(clock, s.writer))
      report({Finding::afterWrite, write, int32_t(id), s.writer, seg});
    if (!write) {
      s.readers[q] = int32_t(id);
      return;
    }
    for (int d = 0; d < nisa::kNumQueues; ++d)
      if (s.readers[d] >= 0 && !ordered(clock, s.readers[d]))
        report({Finding::afterRead, write, int32_t(id), s.readers[d], seg});
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

RaceChecker::RaceChecker(const nisa::Program &header, size_t numInstructions,
                         size_t maxReports)
    : impl(std::make_unique<Impl>(header, maxReports)) {
  // (A hint only: a stream declares its count, which is checked later;
  // beyond a million the arrays grow as instructions come.)
  size_t hint = std::min<size_t>(numInstructions, size_t(1) << 20);
  impl->position.resize(hint);
  impl->queueOf.resize(hint);
}

RaceChecker::~RaceChecker() = default;

void RaceChecker::step(const nisa::Instruction &in) {
  Impl &m = *impl;
  if (!m.tooLong.empty())
    return;
  size_t id = m.next++;
  if (id >= size_t(INT32_MAX)) {
    m.tooLong = "the race check handles at most 2^31 - 1 instructions, and "
                "the stream has more (--no-race-check skips it)";
    return;
  }
  if (m.findings.size() >= m.maxReports)
    return;
  if (id >= m.position.size()) {
    size_t grown = std::max<size_t>(1024, m.position.size() * 2);
    m.position.resize(grown);
    m.queueOf.resize(grown);
  }
  Impl::Clock clock = m.clockOf(id, in);
  nisa::forEachAccess(in, [&](const nisa::AccessPattern &ap, bool write) {
    m.access(int64_t(id), int(in.queue), clock, ap, write);
  });
  m.last[int(in.queue)] = clock;
  m.clocks[int(in.queue)].push_back(clock);
}

std::vector<std::string>
RaceChecker::reports(const nisa::Program &program) const {
  if (!impl->tooLong.empty())
    return {impl->tooLong};
  std::vector<std::string> out;
  for (const Finding &f : impl->findings) {
    const nisa::Program &p = program;
    switch (f.kind) {
    case Finding::uninitialised:
      out.push_back(describe(p, f.id) + " reads " + rangeText(p, f.range) +
                    ", which nothing wrote before");
      break;
    case Finding::afterWrite:
      out.push_back("race: " + describe(p, f.id) +
                    (f.write ? " writes " : " reads ") + rangeText(p, f.range) +
                    " written by " + describe(p, f.other) +
                    ", and no semaphore orders them");
      break;
    case Finding::afterRead:
      out.push_back("race: " + describe(p, f.id) + " writes " +
                    rangeText(p, f.range) + " read by " + describe(p, f.other) +
                    ", and no semaphore orders them");
      break;
    }
  }
  return out;
}

std::vector<std::string> nki_run::findRaces(const nisa::Program &program,
                                            size_t maxReports) {
  if (program.instructions.size() > size_t(INT32_MAX))
    return {"the race check handles at most 2^31 - 1 instructions, and the "
            "stream has " +
            std::to_string(program.instructions.size()) +
            " (--no-race-check skips it)"};
  RaceChecker checker(program, program.instructions.size(), maxReports);
  for (const nisa::Instruction &in : program.instructions)
    checker.step(in);
  return checker.reports(program);
}
