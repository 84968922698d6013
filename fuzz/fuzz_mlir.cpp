//===- fuzz_mlir.cpp - parse, verify, v1/v2/v3, emit on mutated MLIR ------===//

#include "mamba-nki/Conversion/Passes.h"
#include "mamba-nki/Dialect/Mamba/IR/MambaDialect.h"
#include "mamba-nki/Dialect/Nki/IR/NkiDialect.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"
#include "mamba-nki/Target/Nisa/NkiToNisa.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static bool registered = [] {
    mamba::registerMambaConversionPasses();
    nki::registerNkiTransformsPasses();
    nki::registerMambaPipelines();
    registerCSEPass();
    return true;
  }();
  (void)registered;
  DialectRegistry registry;
  registry.insert<arith::ArithDialect, func::FuncDialect, memref::MemRefDialect,
                  scf::SCFDialect, nki::NkiDialect, mamba::MambaDialect>();
  MLIRContext context(registry, MLIRContext::Threading::DISABLED);
  context.printOpOnDiagnostic(false);
  ScopedDiagnosticHandler quiet(&context, [](Diagnostic &) { return success(); });
  // MLIR's lexer expects a NUL-terminated buffer, as the tools' files are.
  std::string text(reinterpret_cast<const char *>(data), size);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
  if (!module)
    return 0;
  for (const char *pipeline : {"mamba-v1", "mamba-v2", "mamba-v3"}) {
    OwningOpRef<ModuleOp> copy(cast<ModuleOp>((*module)->clone()));
    PassManager pm(&context);
    if (failed(parsePassPipeline(std::string("builtin.module(") + pipeline + ")",
                                 pm)))
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
}
