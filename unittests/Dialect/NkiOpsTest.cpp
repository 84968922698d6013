//===- NkiOpsTest.cpp - engine interface and memory effects ---------------===//

#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Dialect/Mamba/IR/MambaOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::nki;

namespace {

constexpr const char *kKernel = R"mlir(
func.func @f(%hbm: memref<128x512xf32>, %a: memref<128x1xf32, #nki.mem<sbuf>>,
             %x: memref<128x512xf32, #nki.mem<sbuf>>,
             %y: memref<128x512xf32, #nki.mem<sbuf>>,
             %p: memref<128x512xf32, #nki.mem<psum>>,
             %row: memref<1x512xf32, #nki.mem<sbuf>>) {
  nki.load %hbm : memref<128x512xf32> into %x : memref<128x512xf32, #nki.mem<sbuf>>
  nki.activation exp(%x : memref<128x512xf32, #nki.mem<sbuf>>)
      scale(%a : memref<128x1xf32, #nki.mem<sbuf>>)
      into %y : memref<128x512xf32, #nki.mem<sbuf>>
  nki.tensor_copy %x : memref<128x512xf32, #nki.mem<sbuf>>
      into %y : memref<128x512xf32, #nki.mem<sbuf>> on gpsimd
  nki.partition_broadcast %row : memref<1x512xf32, #nki.mem<sbuf>>
      into %p : memref<128x512xf32, #nki.mem<psum>>
  return
}
)mlir";

class NkiOpsTest : public ::testing::Test {
protected:
  NkiOpsTest() {
    context.loadDialect<NkiDialect, mamba::MambaDialect, func::FuncDialect>();
    module = parseSourceString<ModuleOp>(kKernel, &context);
  }
  template <typename OpTy> OpTy first() {
    OpTy result;
    module->walk([&](OpTy op) {
      if (!result)
        result = op;
    });
    return result;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(NkiOpsTest, DefaultAndExplicitEngines) {
  ASSERT_TRUE(module);
  auto act = cast<EngineOpInterface>(first<ActivationOp>().getOperation());
  EXPECT_EQ(act.getEngine(), std::nullopt);
  EXPECT_EQ(act.getEffectiveEngine(), Engine::scalar);
  EXPECT_FALSE(act.isEngineSupported(Engine::vector));

  auto copy = cast<EngineOpInterface>(first<TensorCopyOp>().getOperation());
  EXPECT_EQ(copy.getEffectiveEngine(), Engine::gpsimd);
  EXPECT_TRUE(copy.isEngineSupported(Engine::scalar));
  EXPECT_FALSE(copy.isEngineSupported(Engine::tensor));

  auto bcast =
      cast<EngineOpInterface>(first<PartitionBroadcastOp>().getOperation());
  EXPECT_EQ(bcast.getEffectiveEngine(), Engine::tensor);
}

/// Analyses rely on the declared effects: reads on inputs, a write on the
/// destination, and nothing else.
TEST_F(NkiOpsTest, MemoryEffectsNameEveryOperand) {
  ASSERT_TRUE(module);
  ActivationOp act = first<ActivationOp>();
  SmallVector<MemoryEffects::EffectInstance> effects;
  cast<MemoryEffectOpInterface>(act.getOperation()).getEffects(effects);
  int reads = 0, writes = 0;
  for (const MemoryEffects::EffectInstance &effect : effects) {
    if (isa<MemoryEffects::Read>(effect.getEffect())) {
      ++reads;
      EXPECT_TRUE(effect.getValue() == act.getData() ||
                  effect.getValue() == act.getScale());
    } else if (isa<MemoryEffects::Write>(effect.getEffect())) {
      ++writes;
      EXPECT_EQ(effect.getValue(), act.getDst());
    }
  }
  EXPECT_EQ(reads, 2);
  EXPECT_EQ(writes, 1);

  LoadOp load = first<LoadOp>();
  effects.clear();
  cast<MemoryEffectOpInterface>(load.getOperation()).getEffects(effects);
  ASSERT_EQ(effects.size(), 2u);
}

/// Ops built in C++ get the same verification as parsed ones.
TEST_F(NkiOpsTest, BuilderOutputIsVerified) {
  ASSERT_TRUE(module);
  TensorCopyOp copy = first<TensorCopyOp>();
  OpBuilder builder(copy);
  auto bad =
      builder.create<TensorCopyOp>(copy.getLoc(), copy.getSrc(), copy.getDst(),
                                   EngineAttr::get(&context, Engine::tensor));
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  EXPECT_TRUE(failed(mlir::verify(bad)));
  EXPECT_NE(message.find("cannot run on tensor"), std::string::npos) << message;
  EXPECT_NE(message.find("scalar, vector, gpsimd"), std::string::npos)
      << message;
  bad.erase();
}

} // namespace
