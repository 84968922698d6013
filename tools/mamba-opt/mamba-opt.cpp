//===- mamba-opt.cpp - mamba-nki optimizer driver -------------------------===//
//
// MlirOptMain with only what mamba-nki needs: the func, arith, scf, memref,
// nki and mamba dialects and the canonicalize, cse and loop-invariant-code-
// motion passes (registering everything costs a minute of compile and 70 MB).
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Conversion/Passes.h"
#include "mamba-nki/Dialect/Mamba/IR/MambaDialect.h"
#include "mamba-nki/Dialect/Nki/IR/NkiDialect.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::arith::ArithDialect, mlir::func::FuncDialect,
                  mlir::memref::MemRefDialect, mlir::scf::SCFDialect,
                  mlir::nki::NkiDialect, mlir::mamba::MambaDialect>();

  mlir::mamba::registerMambaConversionPasses();
  mlir::nki::registerNkiTransformsPasses();
  mlir::nki::registerMambaPipelines();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerLoopInvariantCodeMotionPass();

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "mamba-nki optimizer driver\n", registry));
}
