//===- ProgramTest.cpp - the .nisa printer's formatting, DMA traffic
//-------===//
//
// The printer formats numbers and strings by hand (it is on the backend's
// hot path); check its edge cases against the parser and exact text. Also
// the one definition of a DMA's bytes and kind, and the memories hazards
// are keyed by.

#include "mamba-nki/Target/Nisa/Program.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <cstring>
#include <limits>
#include <random>

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

/// Every field of two instructions (an Instruction has padding, so no
/// memcmp).
void expectSame(const Instruction &a, const Instruction &b) {
  EXPECT_EQ(a.queue, b.queue);
  EXPECT_EQ(a.opcode, b.opcode);
  EXPECT_EQ(a.func, b.func);
  EXPECT_EQ(a.op0, b.op0);
  EXPECT_EQ(a.op1, b.op1);
  EXPECT_EQ(a.hasOp1, b.hasOp1);
  EXPECT_EQ(a.rev0, b.rev0);
  EXPECT_EQ(a.rev1, b.rev1);
  auto bits = [](float v) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    return u;
  };
  EXPECT_EQ(bits(a.value), bits(b.value));
  EXPECT_TRUE(a.dst == b.dst);
  EXPECT_TRUE(a.src0 == b.src0);
  EXPECT_TRUE(a.src1 == b.src1);
  EXPECT_EQ(a.numSrcs, b.numSrcs);
  for (auto [x, y] : {std::make_pair(&a.scalar0, &b.scalar0),
                      std::make_pair(&a.scalar1, &b.scalar1)}) {
    EXPECT_EQ(x->isImmediate, y->isImmediate);
    EXPECT_EQ(bits(x->value), bits(y->value));
    EXPECT_TRUE(x->ap == y->ap);
  }
  EXPECT_EQ(a.hasBias, b.hasBias);
  EXPECT_TRUE(a.bias == b.bias);
  ASSERT_EQ(a.waits.size(), b.waits.size());
  for (size_t i = 0; i < a.waits.size(); ++i) {
    EXPECT_EQ(a.waits[i].queue, b.waits[i].queue);
    EXPECT_EQ(a.waits[i].value, b.waits[i].value);
  }
  EXPECT_EQ(a.signal, b.signal);
  EXPECT_EQ(a.loc, b.loc);
  EXPECT_EQ(a.ctx, b.ctx);
}

AccessPattern randomPattern(std::mt19937_64 &rng) {
  AccessPattern ap;
  auto pick = [&](std::initializer_list<int64_t> values) {
    return values.begin()[rng() % values.size()];
  };
  ap.space = Space(rng() % kNumSpaces);
  ap.dtype = DType(rng() % kNumDTypes);
  ap.rank = uint8_t(rng() % (kMaxFreeDims + 1));
  ap.tensor = int16_t(pick({-1, 0, 3, -7, 32767}));
  ap.partStart = int32_t(pick({0, 1, 64, 127, -5}));
  ap.partCount = int32_t(pick({0, 1, 128, 1 << 30}));
  ap.partStride = pick({0, 1, 4096, int64_t(1) << 40, -3});
  ap.offset = pick({0, 0x18880, int64_t(1) << 48, -1, INT64_MAX, INT64_MIN});
  for (int d = 0; d < kMaxFreeDims; ++d) {
    // Beyond the rank too: every field round-trips, used or not.
    ap.sizes[d] = int32_t(pick({0, 1, 512, INT32_MAX, -2}));
    ap.strides[d] = int32_t(pick({0, 1, 8192, INT32_MIN}));
  }
  return ap;
}

TEST(ProgramTest, InstructionListKeepsEveryField) {
  std::mt19937_64 rng(17);
  std::vector<Instruction> all;
  for (int i = 0; i < 20000; ++i) {
    Instruction in;
    in.queue = Queue(rng() % kNumQueues);
    in.opcode = Opcode(rng() % kNumOpcodes);
    in.func = Act(rng() % kNumActs);
    in.op0 = Alu(rng() % kNumAlus);
    in.op1 = Alu(rng() % kNumAlus);
    in.hasOp1 = rng() & 1;
    in.rev0 = rng() & 1;
    in.rev1 = rng() & 1;
    float floats[] = {0.0f, -0.0f, 1.5f,
                      std::numeric_limits<float>::quiet_NaN(),
                      -std::numeric_limits<float>::infinity()};
    in.value = floats[rng() % 5];
    // Patterns repeat (the list keeps each once) or not.
    std::vector<AccessPattern> few = {AccessPattern(), randomPattern(rng)};
    auto pattern = [&]() {
      return rng() % 3 ? few[rng() % 2] : randomPattern(rng);
    };
    in.dst = pattern();
    in.src0 = pattern();
    in.src1 = pattern();
    in.numSrcs = uint8_t(rng() % 3);
    in.scalar0.isImmediate = rng() & 1;
    in.scalar0.value = floats[rng() % 5];
    in.scalar0.ap = pattern();
    in.scalar1.isImmediate = rng() & 1;
    in.scalar1.value = floats[rng() % 5];
    in.scalar1.ap = pattern();
    in.hasBias = rng() & 1;
    in.bias = pattern();
    size_t waits = rng() % (WaitList::kMaxWaits + 1);
    for (size_t w = 0; w < waits; ++w)
      in.waits.push_back({Queue(rng() % kNumQueues),
                          uint32_t(rng() % 3 ? rng() % 100 : UINT32_MAX)});
    in.signal = uint32_t(rng());
    in.loc = uint32_t(rng() % 4 ? rng() % 300 : UINT32_MAX);
    in.ctx = uint32_t(rng() % 3 ? 0 : rng() % 2 ? rng() % 1000 : UINT32_MAX);
    all.push_back(in);
  }
  InstructionList list(all);
  ASSERT_EQ(list.size(), all.size());
  // Decoded in order, out of order (each thread's cache of decoded
  // instructions), by iterator and into a used instruction.
  for (size_t i = 0; i < all.size(); ++i) {
    expectSame(list[i], all[i]);
    EXPECT_EQ(list.queue(i), all[i].queue);
  }
  for (int k = 0; k < 20000; ++k) {
    size_t i = rng() % all.size();
    expectSame(list[i], all[i]);
  }
  size_t i = 0;
  for (const Instruction &in : list)
    expectSame(in, all[i++]);
  Instruction used = all[5];
  list.decode(7, used);
  expectSame(used, all[7]);
  // Copies and moves keep the records; a list built again at once is
  // not confused with the old one by the cache.
  InstructionList copy = list;
  expectSame(copy[123], all[123]);
  InstructionList moved = std::move(copy);
  expectSame(moved[123], all[123]);
  EXPECT_EQ(copy.size(), 0u);
  list.clear();
  list.push_back(all[9]);
  expectSame(list[0], all[9]);
  list = InstructionList(std::vector<Instruction>{all[1], all[2]});
  expectSame(list[0], all[1]);
  expectSame(list[1], all[2]);
}

/// Writes `text` to a temporary file and parses it with parseFile.
llvm::Expected<Program> parseThroughFile(const std::string &text) {
  llvm::SmallString<128> path;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("program-test", "nisa", path))
    return llvm::errorCodeToError(ec);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    os << text;
  }
  llvm::Expected<Program> parsed = parseFile(path);
  llvm::sys::fs::remove(path);
  return parsed;
}

TEST(ProgramTest, ParseFileReadsAPieceAtATime) {
  // A stream of a few megabytes (more than one piece), a location longer
  // than a piece, comments, CRLF and no newline at the end.
  Program p = makeProgram();
  p.locations.push_back(std::string((1 << 20) + 123, 'x'));
  uint32_t counts = 0;
  for (int i = 0; i < 30000; ++i) {
    Instruction in =
        dma(i * 7, (i % 64) * 64, 7, i == 20000 ? 4 : uint32_t(i % 4));
    in.signal = ++counts;
    p.instructions.push_back(in);
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  print(p, os);
  llvm::Expected<Program> whole = parse(text);
  ASSERT_TRUE(bool(whole)) << llvm::toString(whole.takeError());
  llvm::Expected<Program> piecewise = parseThroughFile(text);
  ASSERT_TRUE(bool(piecewise)) << llvm::toString(piecewise.takeError());
  std::string again;
  llvm::raw_string_ostream os2(again);
  print(*piecewise, os2);
  EXPECT_EQ(again, text);
  // The parser keeps each location text once.
  EXPECT_EQ(piecewise->locations.size(), 5u);

  std::string crlf;
  for (char c : text) {
    if (c == '\n')
      crlf += "\r\n# a comment\r\n";
    else
      crlf += c;
  }
  crlf.resize(crlf.size() - std::strlen("\r\n# a comment\r\n"));
  llvm::Expected<Program> windows = parseThroughFile(crlf);
  ASSERT_TRUE(bool(windows)) << llvm::toString(windows.takeError());
  EXPECT_EQ(windows->instructions.size(), p.instructions.size());

  // Errors name the file and line, as parse()'s do.
  std::string broken = text;
  size_t at = broken.find("\n29999 ");
  ASSERT_NE(at, std::string::npos);
  broken.insert(at + 1, "x");
  llvm::Expected<Program> bad = parseThroughFile(broken);
  ASSERT_FALSE(bool(bad));
  std::string message = llvm::toString(bad.takeError());
  EXPECT_NE(message.find(":30007:1: error: expected a decimal integer, "
                         "got 'x29999'"),
            std::string::npos)
      << message;
  llvm::Expected<Program> missing = parseFile("/nonexistent/k.nisa");
  ASSERT_FALSE(bool(missing));
  EXPECT_EQ(llvm::toString(missing.takeError()),
            "cannot read '/nonexistent/k.nisa': No such file or directory");
}

TEST(ProgramTest, AnInstructionWaitsAtMostOncePerQueue) {
  Program p = makeProgram();
  Instruction in = dma(0, 0, 7, 0);
  in.signal = 1;
  p.instructions.push_back(in);
  in.queue = Queue::io1;
  for (size_t w = 0; w < WaitList::kMaxWaits; ++w)
    in.waits.push_back({Queue::io0, 1});
  p.instructions.push_back(in);
  std::string text;
  llvm::raw_string_ostream os(text);
  print(p, os);
  llvm::Expected<Program> full = parse(text);
  ASSERT_TRUE(bool(full)) << llvm::toString(full.takeError());
  EXPECT_EQ(full->instructions[1].waits.size(), WaitList::kMaxWaits);
  size_t sig = text.rfind(" sig=");
  text.insert(sig, ",qSyncIO0:1");
  llvm::Expected<Program> tooMany = parse(text);
  ASSERT_FALSE(bool(tooMany));
  EXPECT_NE(llvm::toString(tooMany.takeError())
                .find("error: more than 9 waits (one per queue is all an "
                      "instruction needs)"),
            std::string::npos);
}

} // namespace

TEST(LoopContextsTest, HoldsEachContextsLoops) {
  LoopContexts c;
  EXPECT_EQ(c.size(), 1u); // context 0: no loop
  EXPECT_TRUE(c.levels(0).empty());
  uint32_t state = c.nameIndex("state"), tile = c.nameIndex("seq_tile");
  EXPECT_EQ(c.nameIndex("state"), state);
  EXPECT_EQ(c.add({{state, 3}}), 1u);
  EXPECT_EQ(c.add({{state, 3}, {tile, 4294967295u}}), 2u);
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.describe(2), "state=3 seq_tile=4294967295");
  EXPECT_EQ(c.loops(2), "state/seq_tile");
  EXPECT_EQ(c.describe(0), "");
  LoopContexts d;
  uint32_t tile2 = d.nameIndex("seq_tile"), state2 = d.nameIndex("state");
  d.add({{state2, 3}});
  EXPECT_FALSE(c == d);
  d.add({{state2, 3}, {tile2, 4294967295u}});
  EXPECT_TRUE(c == d); // by names, not name indices
  EXPECT_TRUE(isLoopName("channel_tile") && isLoopName("_x.1"));
  EXPECT_FALSE(isLoopName("") || isLoopName("9a") || isLoopName("a=b") ||
               isLoopName("a b"));
}
