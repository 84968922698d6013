//===- NkiTargetTest.cpp - hardware figures and memory-space helpers ------===//

#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Target/Nisa/NkiEnums.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::nki;

namespace {

class NkiTargetTest : public ::testing::Test {
protected:
  NkiTargetTest() { context.loadDialect<NkiDialect, func::FuncDialect>(); }

  MemRefType memref(ArrayRef<int64_t> shape, Type element,
                    std::optional<MemorySpace> space) {
    Attribute spaceAttr =
        space ? MemorySpaceAttr::get(&context, *space) : Attribute();
    return MemRefType::get(shape, element, MemRefLayoutAttrInterface(),
                           spaceAttr);
  }

  MLIRContext context;
};

TEST_F(NkiTargetTest, CapacitiesFollowHardwareDocs) {
  // docs/hardware.md §4: 192 KiB (trn1) and 224 KiB (trn2) of SBUF per
  // partition, 16 KiB of PSUM per partition in 2 KiB banks.
  EXPECT_EQ(getTargetInfo(Target::trn1).sbufPartitionBytes, 192 * 1024);
  EXPECT_EQ(getTargetInfo(Target::trn2).sbufPartitionBytes, 224 * 1024);
  EXPECT_EQ(getTargetInfo(Target::trn1).psumPartitionBytes, 16 * 1024);
  EXPECT_EQ(kPsumBankBytes * 8, kPsumPartitionBytes);
}

TEST_F(NkiTargetTest, MemorySpaceOfMemRef) {
  Builder b(&context);
  EXPECT_EQ(getMemorySpace(memref({4}, b.getF32Type(), std::nullopt)),
            MemorySpace::hbm);
  EXPECT_EQ(getMemorySpace(memref({4}, b.getF32Type(), MemorySpace::psum)),
            MemorySpace::psum);
  auto foreign = MemRefType::get(
      {4}, b.getF32Type(), MemRefLayoutAttrInterface(), b.getI64IntegerAttr(3));
  EXPECT_EQ(getMemorySpace(foreign), std::nullopt);
}

TEST_F(NkiTargetTest, FreeSizes) {
  Builder b(&context);
  MemRefType acc = memref({128, 2, 512}, b.getF32Type(), MemorySpace::sbuf);
  EXPECT_EQ(getPartitions(acc), 128);
  EXPECT_EQ(getFreeElements(acc), 1024);
  EXPECT_EQ(getFreeBytes(acc), 4096);
  MemRefType half = memref({128, 512}, b.getBF16Type(), MemorySpace::sbuf);
  EXPECT_EQ(getFreeBytes(half), 1024);
  EXPECT_EQ(getElementBytes(b.getF16Type()), 0);
}

TEST_F(NkiTargetTest, FreeSizeSaturatesInsteadOfOverflowing) {
  Builder b(&context);
  int64_t huge = int64_t(1) << 40;
  MemRefType type =
      memref({1, huge, huge, huge}, b.getF32Type(), MemorySpace::sbuf);
  EXPECT_GT(getFreeElements(type), int64_t(1) << 50);
  EXPECT_GT(getFreeBytes(type), 0);
}

TEST_F(NkiTargetTest, TargetComesFromEnclosingOp) {
  const char *source = R"mlir(
    module attributes {nki.target = #nki.target<trn2>} {
      func.func @f() { return }
    }
  )mlir";
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  ASSERT_TRUE(module);
  func::FuncOp func = *module->getOps<func::FuncOp>().begin();
  EXPECT_EQ(getTarget(func), Target::trn2);

  OwningOpRef<ModuleOp> plain =
      parseSourceString<ModuleOp>("func.func @g() { return }", &context);
  ASSERT_TRUE(plain);
  EXPECT_EQ(getTarget(*plain->getOps<func::FuncOp>().begin()), Target::trn1);
}

TEST_F(NkiTargetTest, DialectFiguresAreTheHardwareOnes) {
  // One home for the figures (mamba-nki/Support/Hardware.h): the dialect's
  // names, the .nisa library's and the capacities agree.
  EXPECT_EQ(kMaxPartitions, mamba_hw::kPartitions);
  EXPECT_EQ(nisa::kPartitions, mamba_hw::kPartitions);
  EXPECT_EQ(kMaxSbufFreeElements, 64 * 1024);
  EXPECT_EQ(nisa::kPsumBankBytes, kPsumBankBytes);
  EXPECT_EQ(nisa::kPsumPartitionBytes, kPsumPartitionBytes);
  for (Target t : {Target::trn1, Target::trn2}) {
    EXPECT_EQ(getTargetInfo(t).sbufPartitionBytes,
              nisa::sbufPartitionBytes(nisa::toNisa(t)));
    EXPECT_EQ(fromHardware(toHardware(t)), t);
    EXPECT_EQ(mamba_hw::targetName(toHardware(t)), stringifyTarget(t));
  }
}

TEST_F(NkiTargetTest, EnumsConvertToNisaByName) {
  // The static_asserts of NkiEnums.h make the casts safe; check the names.
  for (unsigned i = 0; i <= getMaxEnumValForAluOp(); ++i) {
    AluOp op = *symbolizeAluOp(i);
    EXPECT_EQ(nisa::stringify(nisa::toNisa(op)), stringifyAluOp(op));
  }
  for (unsigned i = 0; i <= getMaxEnumValForActivationFunction(); ++i) {
    ActivationFunction f = *symbolizeActivationFunction(i);
    EXPECT_EQ(nisa::stringify(nisa::toNisa(f)), stringifyActivationFunction(f));
  }
  EXPECT_EQ(nisa::toNisa(Engine::scalar), nisa::Queue::act);
  EXPECT_EQ(nisa::toNisa(Engine::vector), nisa::Queue::dve);
  EXPECT_EQ(nisa::toNisa(Engine::gpsimd), nisa::Queue::pool);
  EXPECT_EQ(nisa::toNisa(Engine::tensor), nisa::Queue::pe);
  EXPECT_EQ(nisa::toNisa(Target::trn2), nisa::Target::trn2);
}

} // namespace
