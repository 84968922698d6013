//===- mamba-opt.cpp - mamba-nki optimizer driver -------------------------===//
//
// MlirOptMain with only what mamba-nki needs: the func, arith, scf, memref,
// nki and mamba dialects and the canonicalize, cse and loop-invariant-code-
// motion passes (registering everything costs a minute of compile and 70 MB).
//
// Around MlirOptMain's own flags and processing: input nested deeper than
// mamba_tools::kMaxNesting is refused with a located error before it is
// parsed, the work runs on a thread whose stack grows with the input (the
// parser, verifier and printer recurse), and an output that cannot be
// written is an error naming it (docs/fuzzing.md).
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Conversion/Passes.h"
#include "mamba-nki/Dialect/Mamba/IR/MambaDialect.h"
#include "mamba-nki/Dialect/Nki/IR/NkiDialect.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"
#include "mamba-nki/Pipelines/Pipelines.h"
#include "mamba-nki/Tools/InputLimits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cstdio>

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mamba_tools::checkStandardOutputAtExit("mamba-opt");
  mlir::DialectRegistry registry;
  registry.insert<mlir::arith::ArithDialect, mlir::func::FuncDialect,
                  mlir::memref::MemRefDialect, mlir::scf::SCFDialect,
                  mlir::nki::NkiDialect, mlir::mamba::MambaDialect>();

  mlir::mamba::registerMambaConversionPasses();
  mlir::nki::registerNkiTransformsPasses();
  mlir::mamba::registerMambaPipelines();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerLoopInvariantCodeMotionPass();

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
