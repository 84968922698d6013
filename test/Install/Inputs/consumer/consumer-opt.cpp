//===- consumer-opt.cpp - an out-of-tree tool on an installed mamba-nki ---===//
//
// mlir-opt with mamba-nki's dialects and passes, linked from the package
// (MambaNKI::InitAll), plus one use of the dialect's C++ API.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Dialect/Nki/IR/NkiDialect.h"
#include "mamba-nki/InitAll.h"
#include "mamba-nki/Version.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::mamba::registerAllDialects(registry);
  mlir::mamba::registerAllPasses();
  if (argc == 2 && !std::strcmp(argv[1], "--nki-namespace")) {
    mlir::MLIRContext context(registry);
    auto *nki = context.getOrLoadDialect<mlir::nki::NkiDialect>();
    llvm::outs() << "mamba-nki " << MAMBA_NKI_VERSION << ": dialect "
                 << nki->getNamespace() << "\n";
    return 0;
  }
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "consumer-opt: built on an installed mamba-nki\n", registry));
}
