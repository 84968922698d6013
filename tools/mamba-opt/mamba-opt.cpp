//===- mamba-opt.cpp - mamba-nki optimizer driver -------------------------===//
//
// MlirOptMain with only what mamba-nki needs: the dialects and passes of
// mamba-nki/InitAll.h (registering everything costs a minute of compile and
// 70 MB), with --version and a --help without LLVM's backend flags
// (mamba-nki/Tools/ToolOptions.h).
//
// Around MlirOptMain's own flags and processing: input nested deeper than
// mamba_tools::kMaxNesting is refused with a located error before it is
// parsed, the work runs on a thread whose stack grows with the input (the
// parser, verifier and printer recurse), and an output that cannot be
// written is an error naming it (docs/fuzzing.md).
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/InitAll.h"
#include "mamba-nki/Tools/InputLimits.h"
#include "mamba-nki/Tools/ToolOptions.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cstdio>

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mamba_tools::checkStandardOutputAtExit("mamba-opt");
  mamba_tools::setUpCommandLine("mamba-opt");
  mlir::DialectRegistry registry;
  mlir::mamba::registerAllDialects(registry);
  mlir::mamba::registerAllPasses();

  // --help lists the passes and pipelines first (LLVM prints categories in
  // the order of their names). The list is MlirOptMain's: made here, before
  // registerAndParseCLIOptions makes it again (a no-op) and parses.
  static llvm::cl::OptionCategory passCategory("Available passes and pipelines",
                                               "one or more, run in order");
  mlir::MlirOptMainConfig::registerCLOptions(registry);
  if (llvm::cl::Option *passList =
          llvm::cl::getRegisteredOptions().lookup("mamba-v1"))
    passList->addCategory(passCategory);

  auto [inputFilename, outputFilename] = mlir::registerAndParseCLIOptions(
      argc, argv, "mamba-nki optimizer driver\n", registry);
  mlir::MlirOptMainConfig config =
      mlir::MlirOptMainConfig::createFromCLOptions();
  int status = 0;
  if (config.shouldShowDialects()) {
    status = mlir::asMainReturnCode(mlir::MlirOptMain(
        llvm::outs(), llvm::MemoryBuffer::getMemBuffer(""), registry, config));
  } else {
    if (inputFilename == "-" &&
        llvm::sys::Process::FileDescriptorIsDisplayed(fileno(stdin)))
      llvm::errs() << "(processing input from stdin now, hit ctrl-c/ctrl-d "
                      "to interrupt)\n";
    std::string error;
    std::unique_ptr<llvm::MemoryBuffer> input =
        mlir::openInputFile(inputFilename, &error);
    if (!input) {
      llvm::errs() << error << "\n";
      return 1;
    }
    if (!mamba_tools::checkNesting(*input, "mamba-opt",
                                   config.inputSplitMarker()))
      return 1;
    std::unique_ptr<llvm::ToolOutputFile> output =
        mlir::openOutputFile(outputFilename, &error);
    if (!output) {
      llvm::errs() << error << "\n";
      return 1;
    }
    size_t stack = mamba_tools::stackBytesFor(input->getBufferSize());
    status = mamba_tools::runWithStack(stack, [&] {
      return mlir::asMainReturnCode(
          mlir::MlirOptMain(output->os(), std::move(input), registry, config));
    });
    if (!mamba_tools::closeAndCheck(output->os(), "mamba-opt", outputFilename))
      return 1;
    if (status == 0)
      output->keep();
  }
  // What went to llvm::outs() (--show-dialects, remarks) must have arrived.
  if (!mamba_tools::closeAndCheck(llvm::outs(), "mamba-opt", "-"))
    return 1;
  return status;
}
