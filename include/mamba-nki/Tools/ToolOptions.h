//===- ToolOptions.h - the tools' --version and --help ----------*- C++ -*-===//
//
// Every tool (mamba-opt, mamba-translate, nki-run, mamba-lsp-server,
// mamba-reduce) calls setUpCommandLine first in main:
//   * --version prints the tool, the project's version and the MLIR/LLVM
//     release it was built with (printVersion);
//   * --help shows the tool's own options and MLIR's driver options, but not
//     the ~300 flags that LLVM's and Polly's libraries register when they are
//     loaded (AArch64, AMDGPU, instcombine, ...): every option registered
//     before main is hidden, except the generic ones (--help, --version) and
//     those of the categories named. MLIR's driver options are registered
//     inside main (MlirOptMain, MlirLspServerMain, ...), so they stay.
//     --help-hidden still lists everything.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_TOOLS_TOOLOPTIONS_H
#define MAMBA_NKI_TOOLS_TOOLOPTIONS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace llvm {
class raw_ostream;
namespace cl {
class OptionCategory;
} // namespace cl
} // namespace llvm

namespace mamba_tools {

/// "TOOL (mamba-nki) X.Y.Z" and "  built with MLIR/LLVM A.B.C".
void printVersion(llvm::raw_ostream &os, llvm::StringRef tool);

/// Installs printVersion as --version's printer and hides, from --help, every
/// option registered so far that is neither generic (--help, --version) nor
/// in one of `keep`. `tool` must outlive the program (a string literal).
void setUpCommandLine(
    const char *tool,
    llvm::ArrayRef<const llvm::cl::OptionCategory *> keep = {});

} // namespace mamba_tools

#endif // MAMBA_NKI_TOOLS_TOOLOPTIONS_H
