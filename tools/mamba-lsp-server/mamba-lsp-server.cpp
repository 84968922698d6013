//===- mamba-lsp-server.cpp - MLIR language server for mamba-nki ----------===//
//
// Upstream's MlirLspServerMain with the dialects mamba-opt parses
// (mamba-nki/InitAll.h): an editor with an LSP client (VS Code's MLIR
// extension, or any other) gets diagnostics, hover, go-to-definition and
// completion on nki and mamba IR. docs/tools.md says how to set it up.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/InitAll.h"
#include "mamba-nki/Tools/ToolOptions.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-lsp-server/MlirLspServerMain.h"

int main(int argc, char **argv) {
  mamba_tools::setUpCommandLine("mamba-lsp-server");
  mlir::DialectRegistry registry;
  mlir::mamba::registerAllDialects(registry);
  return mlir::failed(mlir::MlirLspServerMain(argc, argv, registry)) ? 1 : 0;
}
