//===- mamba-translate.cpp - mamba-nki translation driver -----------------===//
//
//   mamba-translate --nki-to-nisa kernel.mlir -o kernel.nisa
//   mamba-translate --nki-to-python kernel.mlir -o kernel.py
//   mamba-translate --nisa-stats kernel.nisa
//   mamba-translate --nisa-roundtrip kernel.nisa
//
// mlirTranslateMain's flags and behaviour, except that
//   * exactly one translation is run: two (`--nki-to-nisa --nisa-stats`)
//     are an error naming both, instead of chaining them through a buffer
//     with no name;
//   * input nested deeper than mamba_tools::kMaxNesting is refused with a
//     located error before it is parsed, and the translation runs on a
//     thread whose stack grows with the input (docs/fuzzing.md);
//   * an output that cannot be written is an error naming it.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Target/NkiToNisa/NkiToNisa.h"
#include "mamba-nki/Target/NkiToPython/NkiToPython.h"
#include "mamba-nki/Tools/InputLimits.h"
#include "mamba-nki/Tools/ToolOptions.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Support/ToolUtilities.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;

// --help: "Available translations" first, then MLIR's options, then these.
static llvm::cl::OptionCategory driverCategory("Translation driver options");
static llvm::cl::opt<std::string> inputFilename(llvm::cl::Positional,
                                                llvm::cl::desc("<input file>"),
                                                llvm::cl::init("-"),
                                                llvm::cl::cat(driverCategory));
static llvm::cl::opt<std::string>
    outputFilename("o", llvm::cl::desc("Output filename"),
                   llvm::cl::value_desc("filename"), llvm::cl::init("-"),
                   llvm::cl::cat(driverCategory));
static llvm::cl::opt<bool> allowUnregisteredDialects(
    "allow-unregistered-dialect",
    llvm::cl::desc("Allow operation with no registered dialects"),
    llvm::cl::init(false), llvm::cl::cat(driverCategory));
static llvm::cl::opt<std::string> inputSplitMarker(
    "split-input-file", llvm::cl::ValueOptional, llvm::cl::cat(driverCategory),
    llvm::cl::callback([](const std::string &marker) {
      if (marker.empty()) // the flag without a value: the default marker
        inputSplitMarker.setValue(kDefaultSplitMarker);
    }),
    llvm::cl::desc("Split the input file into chunks using the given or "
                   "default marker and process each chunk independently"),
    llvm::cl::init(""));
static llvm::cl::opt<std::string> outputSplitMarker(
    "output-split-marker",
    llvm::cl::desc("Split marker to use for merging the output"),
    llvm::cl::init(""), llvm::cl::cat(driverCategory));
static llvm::cl::opt<bool> verifyDiagnostics(
    "verify-diagnostics",
    llvm::cl::desc("Check that emitted diagnostics match expected-* lines on "
                   "the corresponding line"),
    llvm::cl::init(false), llvm::cl::cat(driverCategory));
static llvm::cl::opt<bool> errorDiagnosticsOnly(
    "error-diagnostics-only",
    llvm::cl::desc("Filter all non-error diagnostics (discouraged: testing "
                   "only!)"),
    llvm::cl::init(false), llvm::cl::cat(driverCategory));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "mamba-translate") << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mamba_tools::checkStandardOutputAtExit("mamba-translate");
  mamba_tools::setUpCommandLine("mamba-translate", {&driverCategory});
  nki::registerNisaTranslations();
  nki::registerNkiToPythonTranslation();
  static llvm::cl::OptionCategory translationCategory("Available translations",
                                                      "exactly one");
  llvm::cl::list<const Translation *, bool, TranslationParser> translations(
      "", llvm::cl::desc("Translation to perform (exactly one)"),
      llvm::cl::cat(translationCategory));
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerTranslationCLOptions();
  registerDefaultTimingManagerCLOptions();
  llvm::cl::ParseCommandLineOptions(argc, argv, "mamba-nki translation driver");

  if (translations.empty())
    return fail("no translation given: pass --nki-to-nisa, --nisa-stats or "
                "--nisa-roundtrip");
  if (translations.size() != 1) {
    std::string given;
    for (unsigned i = 0; i < translations.size(); ++i) {
      unsigned at = translations.getPosition(i);
      given += (i ? (i + 1 == translations.size() ? " and " : ", ") : "") +
               std::string(at < unsigned(argc) ? argv[at] : "?");
    }
    return fail("one translation at a time, got " + given +
                " (pipe one into the next: mamba-translate --nki-to-nisa "
                "k.mlir | mamba-translate --nisa-stats)");
  }
  const Translation &translation = *translations.front();

  DefaultTimingManager timingManager;
  applyDefaultTimingManagerCLOptions(timingManager);
  TimingScope timing = timingManager.getRootScope();

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      translation.getInputAlignment()
          ? openInputFile(inputFilename, *translation.getInputAlignment(),
                          &error)
          : openInputFile(inputFilename, &error);
  if (!input) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (!mamba_tools::checkNesting(*input, "mamba-translate", inputSplitMarker))
    return 1;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << error << "\n";
    return 1;
  }

  auto processChunk = [&](std::unique_ptr<llvm::MemoryBuffer> chunk,
                          llvm::raw_ostream &os) -> LogicalResult {
    // Translations expect a NUL-terminated buffer, which a chunk is not.
    if (!chunk->getBuffer().ends_with('\0'))
      chunk = llvm::MemoryBuffer::getMemBufferCopy(
          chunk->getBuffer(), chunk->getBufferIdentifier());
    TimingScope translationTiming = timing.nest(translation.getDescription());
    MLIRContext context;
    context.allowUnregisteredDialects(allowUnregisteredDialects);
    context.printOpOnDiagnostic(!verifyDiagnostics);
    auto sourceMgr = std::make_shared<llvm::SourceMgr>();
    sourceMgr->AddNewSourceBuffer(std::move(chunk), llvm::SMLoc());
    if (verifyDiagnostics) {
      // Whether the translation fails does not matter, only its diagnostics.
      SourceMgrDiagnosticVerifierHandler handler(*sourceMgr, &context);
      (void)translation(sourceMgr, os, &context);
      return handler.verify();
    }
    SourceMgrDiagnosticHandler handler(*sourceMgr, &context);
    std::optional<ScopedDiagnosticHandler> errorsOnly;
    if (errorDiagnosticsOnly)
      errorsOnly.emplace(&context, [](Diagnostic &diag) {
        return success(diag.getSeverity() != DiagnosticSeverity::Error);
      });
    return translation(sourceMgr, os, &context);
  };
  size_t stack = mamba_tools::stackBytesFor(input->getBufferSize());
  int status = mamba_tools::runWithStack(stack, [&] {
    return failed(splitAndProcessBuffer(std::move(input), processChunk,
                                        output->os(), inputSplitMarker,
                                        outputSplitMarker))
               ? 1
               : 0;
  });
  if (!mamba_tools::closeAndCheck(output->os(), "mamba-translate",
                                  outputFilename))
    return 1;
  if (status == 0)
    output->keep();
  if (!mamba_tools::closeAndCheck(llvm::outs(), "mamba-translate", "-"))
    return 1;
  return status;
}
