//===- Check.h - the validator's rules, for the parser (internal) -*- C++
//-*-===//

#ifndef MAMBA_NKI_LIB_TARGET_NISA_CHECK_H
#define MAMBA_NKI_LIB_TARGET_NISA_CHECK_H

#include "mamba-nki/Target/Nisa/Program.h"

#include <array>
#include <optional>
#include <string>

namespace nisa {

/// A rule an instruction breaks: the operand to point at (none: the line),
/// and why.
struct Problem {
  std::optional<FieldSlot> slot;
  std::string message;
};

/// Checks one instruction; `counts` holds each queue's instructions so far
/// and is advanced past this one.
std::optional<Problem>
checkInstruction(const Program &p, const Instruction &in,
                 std::array<uint32_t, kNumQueues> &counts);

} // namespace nisa

#endif // MAMBA_NKI_LIB_TARGET_NISA_CHECK_H
