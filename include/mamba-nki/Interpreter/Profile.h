//===- Profile.h - what neuron-profile would summarise ----------*- C++ -*-===//
//
// The summary of a Timeline (nki-run --profile, --profile-json): latency,
// per-queue activity, DMA traffic, memory peaks, top stalls.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_INTERPRETER_PROFILE_H
#define MAMBA_NKI_INTERPRETER_PROFILE_H

#include "mamba-nki/Interpreter/Timing.h"

#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cmath>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace nki_run {

struct Profile {
  double totalUs = 0, execStartUs = 0, execEndUs = 0;
  std::array<double, nisa::kNumQueues> busyUs{};
  /// Of busyUs, the time spent sharing the SBUF port with DMA transfers.
  std::array<double, nisa::kNumQueues> portSharedUs{};
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
  /// Every stall of the engine queues, by queue then largest first.
  std::vector<Stall> engineStalls;
  /// Per queue: when it first ran or waited, and its last end (us; 0 when
  /// it ran nothing).
  std::array<double, nisa::kNumQueues> firstStartUs{}, lastEndUs{};
  /// Where a queue's busy time goes: per activity (an opcode, or a DMA's
  /// kind: nisa::activityName), and per activity, source op (the `loc`)
  /// and loops around it (their names, outermost first: "batch/state");
  /// by queue, then largest first.
  struct Share {
    nisa::Queue queue;
    std::string activity, source, loops; // source, loops: bySource only
    int64_t instructions = 0;
    double us = 0;
  };
  std::vector<Share> byActivity, bySource;
  /// The parameters the model ran with.
  TimingParams params;
};

/// The version of writeProfileJson's layout (docs/interpreter.md).
constexpr int kProfileSchemaVersion = 2;

/// A Profile, from each instruction's time in program order.
class ProfileBuilder {
public:
  ProfileBuilder(const nisa::Program &program, const TimingParams &params);
  void add(const nisa::Instruction &in, const InstructionTime &time);
  Profile finish(double totalNs);

private:
  const nisa::Program &program;
  const TimingParams &params;
  Profile p;
  /// Per queue and activity (opcode, then the DMA kinds).
  static constexpr int kActivities = nisa::kNumOpcodes + 4;
  std::array<std::array<std::pair<int64_t, double>, kActivities>,
             nisa::kNumQueues>
      activities{};
  /// Per (queue, activity, location, loop names): the loop names of each
  /// context, interned (0: none yet), and the sums.
  std::vector<uint32_t> contextLoops;
  std::map<std::vector<uint32_t>, uint32_t> loopSets;
  std::vector<const std::vector<uint32_t> *> loopSetOf{nullptr};
  std::map<std::tuple<int, int, uint32_t, uint32_t>, std::pair<int64_t, double>>
      sources;
  size_t count = 0;
  double first = INFINITY, last = 0;
  std::array<double, nisa::kNumQueues> queueFirst{}, queueLast{};
  std::map<std::pair<int, int>, std::pair<double, int64_t>> stalls;
};

Profile summarize(const nisa::Program &program, const Timeline &timeline,
                  const TimingParams &params);
/// summarize(program, simulate(program, params), params), without keeping
/// the timeline.
Profile profile(const nisa::Program &program, const TimingParams &params);
void printProfile(const Profile &profile, nisa::Target target,
                  llvm::raw_ostream &os);
/// The profile as JSON (schema kProfileSchemaVersion), with the target
/// and the parameters the model ran with.
void writeProfileJson(const Profile &profile, nisa::Target target,
                      llvm::raw_ostream &os);
/// `s` as a JSON string literal (quotes, backslashes and control characters
/// escaped); shared by the profile and the trace writers.
void writeJsonString(llvm::raw_ostream &os, llvm::StringRef s);

} // namespace nki_run

#endif // MAMBA_NKI_INTERPRETER_PROFILE_H
