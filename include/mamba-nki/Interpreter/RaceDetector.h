//===- RaceDetector.h - unordered accesses in a .nisa stream ----*- C++ -*-===//

#ifndef MAMBA_NKI_INTERPRETER_RACEDETECTOR_H
#define MAMBA_NKI_INTERPRETER_RACEDETECTOR_H

#include "mamba-nki/Target/Nisa/Program.h"

#include <memory>
#include <string>
#include <vector>

namespace nki_run {

/// Checks that every access is ordered after the last conflicting access
/// (queue order and semaphore waits, transitively) and that nothing reads
/// memory never written. Returns the first `maxReports` problems, each
/// naming the two instructions (empty: the stream is race-free).
std::vector<std::string> findRaces(const nisa::Program &program,
                                   size_t maxReports = 10);

/// findRaces one instruction at a time, as a parser reads them: what it
/// keeps of each is its queue and semaphore value, so it can trail the
/// parse on another thread.
class RaceChecker {
public:
  /// `header`: the stream's tensors (its instructions are not read);
  /// `numInstructions`: how many there will be (a hint).
  RaceChecker(const nisa::Program &header, size_t numInstructions,
              size_t maxReports = 10);
  ~RaceChecker();
  RaceChecker(const RaceChecker &) = delete;
  RaceChecker &operator=(const RaceChecker &) = delete;
  /// The stream's next instruction.
  void step(const nisa::Instruction &in);
  /// findRaces' result for the instructions stepped, `program` being the
  /// whole stream (for the instructions' names in the messages).
  std::vector<std::string> reports(const nisa::Program &program) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl;
};

} // namespace nki_run

#endif // MAMBA_NKI_INTERPRETER_RACEDETECTOR_H
