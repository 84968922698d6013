//===- HardwareTest.cpp - hardware figures and target names ---------------===//

#include "mamba-nki/Support/Hardware.h"

#include "gtest/gtest.h"

using namespace mamba_hw;

namespace {

TEST(HardwareTest, FiguresFollowHardwareDocs) {
  // docs/hardware.md §4.
  EXPECT_EQ(kPartitions, 128);
  EXPECT_EQ(sbufPartitionBytes(Target::trn1), 192 * 1024);
  EXPECT_EQ(sbufPartitionBytes(Target::trn2), 224 * 1024);
  EXPECT_EQ(kPsumBankBytes, 2 * 1024);
  EXPECT_EQ(kPsumPartitionBytes, 16 * 1024);
  EXPECT_EQ(psumPartitionBytes(Target::trn2), kPsumPartitionBytes);
  EXPECT_EQ(kMaxSbufFreeElements, 65536);
}

TEST(HardwareTest, EngineClocks) {
  // docs/hardware.md §4: NeuronCore-v2 and -v3.
  EngineClocks trn1 = engineClocks(Target::trn1);
  EXPECT_EQ(trn1.scalarGHz, 1.4);
  EXPECT_EQ(trn1.vectorGHz, 1.12);
  EXPECT_EQ(trn1.gpsimdGHz, 1.4);
  EXPECT_EQ(trn1.tensorGHz, 2.8);
  EngineClocks trn2 = engineClocks(Target::trn2);
  EXPECT_EQ(trn2.scalarGHz, 1.2);
  EXPECT_EQ(trn2.vectorGHz, 0.96);
  EXPECT_EQ(trn2.gpsimdGHz, 1.2);
  EXPECT_EQ(trn2.tensorGHz, 2.4);
}

TEST(HardwareTest, TargetsByName) {
  EXPECT_EQ(parseTarget("trn1"), Target::trn1);
  EXPECT_EQ(parseTarget("trn2"), Target::trn2);
  EXPECT_EQ(parseTarget("trn3"), std::nullopt);
  EXPECT_EQ(parseTarget("TRN1"), std::nullopt);
  EXPECT_EQ(parseTarget(""), std::nullopt);
  for (int t = 0; t < kNumTargets; ++t)
    EXPECT_EQ(parseTarget(targetName(Target(t))), Target(t));
  EXPECT_EQ(targetChoices(), "trn1 or trn2");
}

} // namespace
