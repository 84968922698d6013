//===- fuzz_mlir.cpp - parse, verify, v1/v2/v3, emit on mutated MLIR ------===//

#include "mamba-nki/Conversion/Passes.h"
#include "mamba-nki/Dialect/Mamba/IR/MambaDialect.h"
#include "mamba-nki/Dialect/Nki/IR/NkiDialect.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"
#include "mamba-nki/Pipelines/Pipelines.h"
#include "mamba-nki/Target/NkiToNisa/NkiToNisa.h"
#include "mamba-nki/Tools/InputLimits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

/// MLIR 19's parser crashes (a use after free) when an op's operand names a
/// value first defined inside that op's own region, e.g.
///   scf.for %i = %c to %c step %c { %c = arith.constant 1 : index }
/// (llvm/llvm-project#107121, fixed upstream by #127778 after LLVM 19; every
/// MLIR 19 tool, mlir-opt-19 included, shares it; docs/fuzzing.md). Inputs
/// whose first mention of some value name (outside comments and strings) is
/// a use rather than a definition (`%x =` or `%x:`) are skipped, so that
/// fuzzing goes on to our code.
static bool mentionsValueBeforeDefinition(llvm::StringRef text) {
  llvm::StringSet<> seen;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 2) == "//") { // a comment
      i = std::min(text.find('\n', i), text.size());
      continue;
    }
    if (text[i] == '"') { // a string
      while (++i < text.size() && text[i] != '"' && text[i] != '\n')
        if (text[i] == '\\')
          ++i;
      continue;
    }
    if (text[i] != '%')
      continue;
    size_t end = i + 1;
    while (end < text.size() && (llvm::isAlnum(text[end]) ||
                                 llvm::StringRef("_$.-").contains(text[end])))
      ++end;
    llvm::StringRef name = text.slice(i + 1, end);
    i = end - 1;
    if (name.empty() || !seen.insert(name).second)
      continue;
    size_t next = text.find_first_not_of(" \t\n", end);
    bool definition = next != llvm::StringRef::npos &&
                      ((text[next] == '=' && text.substr(next, 2) != "==") ||
                       text[next] == ':');
    if (!definition)
      return true;
  }
  return false;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool registered = [] {
    mamba::registerMambaConversionPasses();
    nki::registerNkiTransformsPasses();
    mamba::registerMambaPipelines();
    registerCSEPass();
    return true;
  }();
  (void)registered;
  DialectRegistry registry;
  registry.insert<arith::ArithDialect, func::FuncDialect, memref::MemRefDialect,
                  scf::SCFDialect, nki::NkiDialect, mamba::MambaDialect>();
  MLIRContext context(registry, MLIRContext::Threading::DISABLED);
  context.printOpOnDiagnostic(false);
  ScopedDiagnosticHandler quiet(&context,
                                [](Diagnostic &) { return success(); });
  // MLIR's lexer expects a NUL-terminated buffer, as the tools' files are.
  std::string text(reinterpret_cast<const char *>(data), size);
  if (mentionsValueBeforeDefinition(text))
    return 0;
  // As the tools do: nesting beyond their limit is refused before parsing,
  // and the rest runs on a stack that grows with the input
  // (mamba-nki/Tools/InputLimits.h).
  if (mamba_tools::findTooDeepNesting(text) != llvm::StringRef::npos)
    return 0;
  return mamba_tools::runWithStack(
      mamba_tools::stackBytesFor(size), [&]() -> int {
        OwningOpRef<ModuleOp> module =
            parseSourceString<ModuleOp>(text, &context);
        if (!module)
          return 0;
        for (const char *pipeline : {"mamba-v1", "mamba-v2", "mamba-v3"}) {
          OwningOpRef<ModuleOp> copy(cast<ModuleOp>((*module)->clone()));
          PassManager pm(&context);
          if (failed(parsePassPipeline(
                  std::string("builtin.module(") + pipeline + ")", pm)))
            return 0;
          if (failed(pm.run(*copy)))
            continue;
          nki::NisaOptions options;
          options.maxInstructions = 20000;
          copy->walk([&](func::FuncOp f) {
            if (!f.isExternal())
              (void)nki::translateToNisa(f, options);
          });
        }
        return 0;
      });
}
