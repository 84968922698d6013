//===- RaceDetector.h - unordered accesses in a .nisa stream ----*- C++ -*-===//

#ifndef MAMBA_NKI_INTERPRETER_RACEDETECTOR_H
#define MAMBA_NKI_INTERPRETER_RACEDETECTOR_H

#include "mamba-nki/Target/Nisa/Program.h"

#include <string>
#include <vector>

namespace nki_run {

/// Checks that every access is ordered after the last conflicting access
/// (queue order and semaphore waits, transitively) and that nothing reads
/// memory never written. Returns the first `maxReports` problems, each
/// naming the two instructions (empty: the stream is race-free).
std::vector<std::string> findRaces(const nisa::Program &program,
                                   size_t maxReports = 10);

} // namespace nki_run

#endif // MAMBA_NKI_INTERPRETER_RACEDETECTOR_H
