//===- ProgramTest.cpp - the .nisa printer's formatting, DMA traffic
//-------===//
//
// The printer formats numbers and strings by hand (it is on the backend's
// hot path); check its edge cases against the parser and exact text. Also
// the one definition of a DMA's bytes and kind, and the memories hazards
// are keyed by.

#include "mamba-nki/Target/Nisa/Program.h"

#include "gtest/gtest.h"

#include <limits>

using namespace nisa;

namespace {

Program makeProgram() {
  Program p;
  TensorDecl t;
  t.name = "x";
  t.isInput = true;
  t.shape = {1 << 20, 4096};
  p.tensors.push_back(t);
  p.scratchBytes = 0;
  p.locations.push_back("plain");
  p.locations.push_back("a \"quoted\" back\\slash\nnewline");
  p.locations.push_back(std::string(300, 'L')); // longer than a short copy
  return p;
}

Instruction dma(int64_t hbmOffset, int64_t sbufOffset, int32_t size,
                uint32_t loc) {
  Instruction in;
  in.queue = Queue::io0;
  in.opcode = Opcode::dma;
  in.numSrcs = 1;
  in.dst.space = Space::sbuf;
  in.dst.partCount = 128;
  in.dst.offset = sbufOffset;
  in.dst.rank = 1;
  in.dst.sizes[0] = size;
  in.dst.strides[0] = 1;
  in.src0.space = Space::hbm;
  in.src0.tensor = 0;
  in.src0.partCount = 128;
  in.src0.partStride = 4096;
  in.src0.offset = hbmOffset;
  in.src0.rank = 1;
  in.src0.sizes[0] = size;
  in.src0.strides[0] = 1;
  in.loc = loc;
  return in;
}

TEST(ProgramTest, PrintsNumbersAndEscapesExactly) {
  Program p = makeProgram();
  // Offsets with every digit count up to 10 digits; hex with 0 and
  // letters.
  uint32_t counts = 0;
  for (int64_t offset :
       {int64_t(0), int64_t(9), int64_t(10), int64_t(99), int64_t(100),
        int64_t(4095), int64_t(123456789), int64_t(4294967296 - 4096 * 128)}) {
    Instruction in = dma(offset, offset % 0x2fff0 / 64 * 64, 7, 0);
    in.signal = ++counts;
    p.instructions.push_back(in);
  }
  for (uint32_t loc : {1u, 2u, 3u}) {
    Instruction in = dma(0, 0xabc0, 1, loc);
    in.signal = ++counts;
    p.instructions.push_back(in);
  }
  Instruction memset;
  memset.queue = Queue::dve;
  memset.opcode = Opcode::memset;
  memset.dst.space = Space::sbuf;
  memset.dst.partCount = 1;
  memset.dst.rank = 2;
  memset.dst.sizes = {3, 2, 0};
  memset.dst.strides = {5, 1, 0};
  memset.value = -0.1f;
  memset.signal = 1;
  p.instructions.push_back(memset);
  memset.value = std::numeric_limits<float>::infinity();
  memset.dst.strides = {2, 1, 0};
  memset.signal = 2;
  p.instructions.push_back(memset);

  std::string text;
  llvm::raw_string_ostream os(text);
  print(p, os);
  EXPECT_NE(text.find("src=hbm.x[128*4096]@123456789{7}.f32"),
            std::string::npos);
  EXPECT_NE(text.find("src=hbm.x[128*4096]@4294443008{7}.f32"),
            std::string::npos);
  EXPECT_NE(text.find("dst=sbuf[0+128]@0x0{7}.f32 src=hbm.x[128*4096]@0{7}"),
            std::string::npos);
  EXPECT_NE(text.find("dst=sbuf[0+128]@0xabc0{1}.f32"), std::string::npos);
  EXPECT_NE(text.find("loc=\"a \\\"quoted\\\" back\\\\slash\\nnewline\""),
            std::string::npos);
  EXPECT_NE(text.find("loc=\"" + std::string(300, 'L') + "\""),
            std::string::npos);
  EXPECT_NE(text.find("dst=sbuf[0+1]@0x0{3:5,2}.f32 value=-0.100000001"),
            std::string::npos);
  EXPECT_NE(text.find("value=inf"), std::string::npos);
  EXPECT_NE(text.find("\n9 qSyncIO0 dma"), std::string::npos);
  EXPECT_NE(text.find("\n10 qSyncIO0 dma"), std::string::npos);

  // The parser reads every field back: print -> parse -> print.
  llvm::Expected<Program> parsed = parse(text);
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  std::string again;
  llvm::raw_string_ostream os2(again);
  print(*parsed, os2);
  EXPECT_EQ(again, text);
}

TEST(ProgramTest, KernelLineOnlyWhenPresent) {
  Program p = makeProgram();
  std::string without;
  llvm::raw_string_ostream withoutOs(without);
  print(p, withoutOs);
  EXPECT_EQ(without.find("kernel"), std::string::npos);
  llvm::Expected<Program> plain = parse(without);
  ASSERT_TRUE(bool(plain)) << llvm::toString(plain.takeError());
  EXPECT_FALSE(plain->kernel.has_value());
  for (bool softplus : {false, true}) {
    p.kernel = KernelInfo();
    p.kernel->deltaSoftplus = softplus;
    std::string text;
    llvm::raw_string_ostream os(text);
    print(p, os);
    std::string line = std::string("target trn1\nkernel selective_scan "
                                   "delta_softplus=") +
                       (softplus ? "1" : "0") + "\ntensor x ";
    EXPECT_NE(text.find(line), std::string::npos) << text;
    llvm::Expected<Program> parsed = parse(text);
    ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
    ASSERT_TRUE(parsed->kernel.has_value());
    EXPECT_EQ(*parsed->kernel, *p.kernel);
  }
}

TEST(ProgramTest, DmaBytesAndKinds) {
  // What a DMA moves is its on-chip side: 128 partitions x 7 f32.
  Instruction in = dma(0, 0, 7, 0);
  EXPECT_EQ(dmaBytesPerPartition(in), 28);
  EXPECT_EQ(dmaBytes(in), 128 * 28);
  EXPECT_EQ(dmaKind(in), DmaKind::load);
  std::swap(in.dst, in.src0);
  EXPECT_EQ(dmaKind(in), DmaKind::store);
  EXPECT_EQ(dmaBytes(in), 128 * 28);
  // On the spill queue: writing off chip saves, writing on chip reloads
  // (scratch or HBM alike).
  in.queue = Queue::spill;
  EXPECT_EQ(dmaKind(in), DmaKind::spillSave);
  in.dst.space = Space::scratch;
  EXPECT_EQ(dmaKind(in), DmaKind::spillSave);
  std::swap(in.dst, in.src0);
  EXPECT_EQ(dmaKind(in), DmaKind::spillReload);
  // A bf16 on-chip side moves half the bytes.
  in.dst.dtype = DType::bf16;
  EXPECT_EQ(dmaBytes(in), 128 * 14);
}

TEST(ProgramTest, ByteRangesAreKeyedByMemory) {
  Instruction in = dma(100, 0x40, 7, 0);
  ByteRange onChip = byteRange(in.dst);
  EXPECT_EQ(onChip.key, kSbufKey);
  EXPECT_EQ(onChip.start, 0x40);
  EXPECT_EQ(onChip.end, 0x40 + 28);
  in.dst.space = Space::psum;
  EXPECT_EQ(byteRange(in.dst).key, kPsumKey);
  // Off chip: elements, and the rows between the first and the last.
  ByteRange hbm = byteRange(in.src0);
  EXPECT_EQ(hbm.key, tensorKey(0));
  EXPECT_EQ(keyTensor(hbm.key), 0);
  EXPECT_EQ(hbm.start, 400);
  EXPECT_EQ(hbm.end, 400 + (127 * 4096 + 7) * 4);
  in.src0.space = Space::scratch;
  EXPECT_EQ(byteRange(in.src0).key, kScratchKey);
  EXPECT_EQ(numMemoryKeys(2), size_t(tensorKey(1) + 1));
}

} // namespace
