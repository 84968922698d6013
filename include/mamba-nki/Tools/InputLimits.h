//===- InputLimits.h - what the MLIR tools refuse, and their stack -*- C++
//-*-===//
//
// MLIR's parser, verifier, printer and walks recurse once per level of
// nesting (and the parser once per term of an affine expression, the printer
// once per level of nested attributes). Deep enough input would overflow the
// stack and crash. So mamba-opt and mamba-translate
//   * refuse MLIR text whose brackets nest deeper than kMaxNesting, with a
//     located error, before parsing it, and
//   * do all their work on a thread whose stack grows with the input
//     (stackBytesFor), so that recursion that no bracket shows (an alias
//     chain `#a1 = [#a0]`, `#a2 = [#a1]`, ..., a sum of a million terms)
//     has room as well.
// docs/fuzzing.md, "Limits on absurd but well-formed input".
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_TOOLS_INPUTLIMITS_H
#define MAMBA_NKI_TOOLS_INPUTLIMITS_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstdint>

namespace llvm {
class MemoryBuffer;
class raw_fd_ostream;
} // namespace llvm

namespace mamba_tools {

/// The deepest nesting of brackets ('{', '(', '[', '<' together) that the
/// tools accept. Kernels nest a handful of levels; the generic form of an op
/// with a region takes two ("({").
constexpr unsigned kMaxNesting = 1000;

/// The offset in `text` of the first opening bracket nested deeper than
/// `limit`, or npos. Strings and `//` comments are skipped; `->` is not a
/// closing bracket. With a split marker (--split-input-file), every chunk is
/// counted on its own, as the tools parse them.
size_t findTooDeepNesting(llvm::StringRef text, unsigned limit = kMaxNesting,
                          llvm::StringRef splitMarker = "");

/// findTooDeepNesting on a whole input: false, after printing a located
/// error ("FILE:LINE:COL: error: nesting deeper than 1000 brackets ...; the
/// TOOL limit") with the line, when it nests too deeply.
bool checkNesting(const llvm::MemoryBuffer &input, llvm::StringRef tool,
                  llvm::StringRef splitMarker = "");

/// The stack the tools run with for `inputBytes` of input: 256 MiB plus 256
/// bytes per input byte, at most 16 GiB. It is reserved, not committed: only
/// what recursion touches becomes memory.
size_t stackBytesFor(uint64_t inputBytes);

/// Runs `fn` on a thread with a stack of `stackBytes` (halved while the
/// system refuses the reservation, down to 64 MiB; on the calling thread if
/// even that fails) and returns what it returns.
int runWithStack(size_t stackBytes, llvm::function_ref<int()> fn);

/// Flushes `os` (and closes it unless it is standard output) and reports a
/// write error naming `name` ("-" is standard output) as "TOOL: error: cannot
/// write 'NAME': REASON"; returns false then. The error is cleared: LLVM would
/// otherwise report it as a fatal "IO failure on output stream" when the stream
/// is destroyed.
bool closeAndCheck(llvm::raw_fd_ostream &os, llvm::StringRef tool,
                   llvm::StringRef name);

/// At exit (after --help or --version too, which exit inside the command
/// line parser), a standard output that could not be written is reported as
/// "TOOL: error: cannot write standard output: REASON" with exit code 1,
/// instead of LLVM's fatal "IO failure on output stream". Call it first in
/// main; `tool` must outlive the program (a string literal).
void checkStandardOutputAtExit(const char *tool);

} // namespace mamba_tools

#endif // MAMBA_NKI_TOOLS_INPUTLIMITS_H
