//===- mamba-reduce.cpp - shrink a failing mamba-nki test case ------------===//
//
// Upstream's mlirReduceMain with the dialects and passes of mamba-opt
// (mamba-nki/InitAll.h): `--reduction-tree` removes operations while an
// interestingness script still says the input misbehaves, and
// `--opt-reduction-pass` tries a pass (canonicalize, or one of ours) as a
// reduction. docs/tools.md has a worked example.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/InitAll.h"
#include "mamba-nki/Tools/ToolOptions.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Tools/mlir-reduce/MlirReduceMain.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  mamba_tools::setUpCommandLine("mamba-reduce");
  mlir::mamba::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::mamba::registerAllDialects(registry);
  mlir::MLIRContext context(registry);
  if (mlir::succeeded(mlir::mlirReduceMain(argc, argv, context)))
    return 0;
  // mlirReduceMain fails without a word when the test script does not find
  // the input interesting.
  llvm::WithColor::error(llvm::errs(), "mamba-reduce")
      << "no reduction: the input did not parse, or the test script does "
         "not find it interesting (it must exit 1 on the input as given)\n";
  return 1;
}
