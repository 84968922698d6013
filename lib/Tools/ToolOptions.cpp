//===- ToolOptions.cpp - the tools' --version and --help ------------------===//

#include "mamba-nki/Tools/ToolOptions.h"
#include "mamba-nki/Version.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

void mamba_tools::printVersion(llvm::raw_ostream &os, llvm::StringRef tool) {
  os << tool << " (mamba-nki) " << MAMBA_NKI_VERSION << "\n"
     << "  built with MLIR/LLVM " << MAMBA_NKI_LLVM_VERSION << "\n";
}

void mamba_tools::setUpCommandLine(
    const char *tool, llvm::ArrayRef<const cl::OptionCategory *> keep) {
  cl::SetVersionPrinter(
      [tool](llvm::raw_ostream &os) { printVersion(os, tool); });
  for (auto &entry : cl::getRegisteredOptions()) {
    cl::Option *option = entry.getValue();
    if (option->getOptionHiddenFlag() != cl::NotHidden)
      continue;
    bool kept = llvm::any_of(option->Categories, [&](cl::OptionCategory *c) {
      // LLVM's own category of --help, --help-list and --version.
      return c->getName() == "Generic Options" || llvm::is_contained(keep, c);
    });
    if (!kept)
      option->setHiddenFlag(cl::Hidden);
  }
}
