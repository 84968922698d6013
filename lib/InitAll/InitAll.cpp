//===- InitAll.cpp - every dialect and pass the tools offer ---------------===//

#include "mamba-nki/InitAll.h"

#include "mamba-nki/Conversion/Passes.h"
#include "mamba-nki/Dialect/Mamba/IR/MambaDialect.h"
#include "mamba-nki/Dialect/Nki/IR/NkiDialect.h"
#include "mamba-nki/Dialect/Nki/TransformOps/NkiTransformOps.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"
#include "mamba-nki/Pipelines/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Transform/DebugExtension/DebugExtension.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Transform/Transforms/Passes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void mlir::mamba::registerAllDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, memref::MemRefDialect,
                  scf::SCFDialect, nki::NkiDialect, mamba::MambaDialect>();
  // Schedules as IR (docs/schedules.md): the Transform dialect with the
  // transform.nki.* ops and upstream's debug extension.
  registry.insert<transform::TransformDialect>();
  nki::registerTransformDialectExtension(registry);
  transform::registerDebugExtension(registry);
}

void mlir::mamba::registerAllPasses() {
  registerMambaConversionPasses();
  nki::registerNkiTransformsPasses();
  registerMambaPipelines();
  registerCanonicalizerPass();
  registerCSEPass();
  registerLoopInvariantCodeMotionPass();
  // --transform-interpreter, --transform-preload-library: run schedules.
  transform::registerInterpreterPass();
  transform::registerPreloadLibraryPass();
}
