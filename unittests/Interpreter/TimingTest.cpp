//===- TimingTest.cpp - the timing model's cost formulas ------------------===//
//
// duration() per opcode against the formulas of docs/interpreter.md ("The
// model") and docs/hardware.md §3-4, with the default trn1 parameters, and
// simulate() on small streams: queue order, semaphore waits, shared ports.

#include "mamba-nki/Interpreter/Timing.h"
#include "mamba-nki/Interpreter/Profile.h"

#include "gtest/gtest.h"

#include <random>

using namespace nki_run;
using nisa::AccessPattern;
using nisa::DType;
using nisa::Instruction;
using nisa::Opcode;
using nisa::Queue;
using nisa::Space;

namespace {

AccessPattern onChip(Space space, int partitions, int elements,
                     DType dtype = DType::f32, int64_t offset = 0) {
  AccessPattern ap;
  ap.space = space;
  ap.dtype = dtype;
  ap.partCount = partitions;
  ap.offset = offset;
  ap.rank = 1;
  ap.sizes[0] = elements;
  ap.strides[0] = 1;
  return ap;
}

AccessPattern hbm(int rows, int elements) {
  AccessPattern ap = onChip(Space::hbm, rows, elements);
  ap.tensor = 0;
  ap.partStride = elements;
  return ap;
}

Instruction engine(Opcode opcode, Queue queue, int elements,
                   DType dtype = DType::f32) {
  Instruction in;
  in.opcode = opcode;
  in.queue = queue;
  in.dst = onChip(Space::sbuf, 128, elements, dtype);
  in.src0 = onChip(Space::sbuf, 128, elements, dtype, 0x10000);
  in.src1 = onChip(Space::sbuf, 128, elements, dtype, 0x20000);
  in.numSrcs =
      opcode == Opcode::tensor_tensor || opcode == Opcode::tensor_tensor_scan
          ? 2
      : opcode == Opcode::memset ? 0
                                 : 1;
  return in;
}

Instruction load(int partitions, int elements) {
  Instruction in;
  in.opcode = Opcode::dma;
  in.queue = Queue::io0;
  in.dst = onChip(Space::sbuf, partitions, elements);
  in.src0 = hbm(partitions, elements);
  in.numSrcs = 1;
  return in;
}

const TimingParams trn1 = TimingParams::forTarget(nisa::Target::trn1);
// Engine clocks (docs/hardware.md §4), GHz = cycles per ns.
constexpr double act = 1.4, dve = 1.12, pool = 1.4, pe = 2.8;

TEST(TimingTest, ElementwiseCostsNCycles) {
  // activation, tensor_scalar, tensor_copy, memset: max(MIN_II, N).
  EXPECT_DOUBLE_EQ(duration(engine(Opcode::activation, Queue::act, 512), trn1),
                   512 / act);
  EXPECT_DOUBLE_EQ(
      duration(engine(Opcode::tensor_scalar, Queue::dve, 512), trn1),
      512 / dve);
  EXPECT_DOUBLE_EQ(
      duration(engine(Opcode::tensor_copy, Queue::pool, 512), trn1),
      512 / pool);
  EXPECT_DOUBLE_EQ(duration(engine(Opcode::memset, Queue::dve, 2048), trn1),
                   2048 / dve);
  // N is the destination's elements per partition, whatever the partitions.
  Instruction few = engine(Opcode::tensor_copy, Queue::act, 512);
  few.dst.partCount = few.src0.partCount = 1;
  EXPECT_DOUBLE_EQ(duration(few, trn1), 512 / act);
}

TEST(TimingTest, TensorTensorIs2NUnlessAnInputIsInPsumOrAllBf16) {
  Instruction tt = engine(Opcode::tensor_tensor, Queue::dve, 512);
  EXPECT_DOUBLE_EQ(duration(tt, trn1), 2 * 512 / dve);
  Instruction psum0 = tt;
  psum0.src0.space = Space::psum;
  psum0.src0.offset = 0;
  EXPECT_DOUBLE_EQ(duration(psum0, trn1), 512 / dve);
  Instruction psum1 = tt;
  psum1.src1.space = Space::psum;
  psum1.src1.offset = 0;
  EXPECT_DOUBLE_EQ(duration(psum1, trn1), 512 / dve);
  // A PSUM destination does not count.
  Instruction psumDst = tt;
  psumDst.dst.space = Space::psum;
  EXPECT_DOUBLE_EQ(duration(psumDst, trn1), 2 * 512 / dve);
  Instruction bf16 =
      engine(Opcode::tensor_tensor, Queue::pool, 512, DType::bf16);
  EXPECT_DOUBLE_EQ(duration(bf16, trn1), 512 / pool);
  // All three must be bf16.
  Instruction mixed = bf16;
  mixed.dst.dtype = DType::f32;
  EXPECT_DOUBLE_EQ(duration(mixed, trn1), 2 * 512 / pool);
}

TEST(TimingTest, ScanIs2N) {
  EXPECT_DOUBLE_EQ(
      duration(engine(Opcode::tensor_tensor_scan, Queue::dve, 512), trn1),
      2 * 512 / dve);
  // Even when an input is in PSUM or everything is bf16.
  Instruction bf16 =
      engine(Opcode::tensor_tensor_scan, Queue::dve, 512, DType::bf16);
  EXPECT_DOUBLE_EQ(duration(bf16, trn1), 2 * 512 / dve);
}

TEST(TimingTest, TinyInstructionsCostMinIIAndTheStaticOverhead) {
  // max(MIN_II = 64, N) cycles; at MIN_II or below, + 100 cycles.
  EXPECT_DOUBLE_EQ(duration(engine(Opcode::activation, Queue::act, 1), trn1),
                   (64 + 100) / act);
  EXPECT_DOUBLE_EQ(duration(engine(Opcode::activation, Queue::act, 64), trn1),
                   (64 + 100) / act);
  EXPECT_DOUBLE_EQ(duration(engine(Opcode::activation, Queue::act, 65), trn1),
                   65 / act);
  // tensor_tensor: 2N = 64 is tiny, 2N = 66 is not.
  EXPECT_DOUBLE_EQ(
      duration(engine(Opcode::tensor_tensor, Queue::dve, 32), trn1),
      (64 + 100) / dve);
  EXPECT_DOUBLE_EQ(
      duration(engine(Opcode::tensor_tensor, Queue::dve, 33), trn1), 66 / dve);
  TimingParams noOverhead = trn1;
  noOverhead.staticOverhead = 0;
  EXPECT_DOUBLE_EQ(
      duration(engine(Opcode::memset, Queue::pool, 16), noOverhead), 64 / pool);
  TimingParams minII = trn1;
  minII.minII = 256;
  EXPECT_DOUBLE_EQ(duration(engine(Opcode::memset, Queue::pool, 200), minII),
                   (256 + 100) / pool);
}

TEST(TimingTest, MatmulIsMaxOfMin64MAndF_TimesFourForFp32) {
  auto matmul = [](int k, int m, int f, DType moving) {
    Instruction in;
    in.opcode = Opcode::matmul;
    in.queue = Queue::pe;
    in.dst = onChip(Space::psum, m, f);
    in.src0 = onChip(Space::sbuf, k, m);
    in.src1 = onChip(Space::sbuf, k, f, moving, 0x1000);
    in.numSrcs = 2;
    return in;
  };
  // max(min(64, M), F) cycles, x4 when the moving operand is fp32.
  EXPECT_DOUBLE_EQ(duration(matmul(1, 128, 512, DType::f32), trn1),
                   512 * 4 / pe);
  EXPECT_DOUBLE_EQ(duration(matmul(1, 128, 512, DType::bf16), trn1), 512 / pe);
  EXPECT_DOUBLE_EQ(duration(matmul(128, 128, 100, DType::bf16), trn1),
                   100 / pe);
  // F below min(64, M): M counts, up to 64.
  EXPECT_DOUBLE_EQ(duration(matmul(1, 128, 32, DType::f32), trn1), 64 * 4 / pe);
  // Tiny (at most MIN_II cycles): + the static overhead, not raised to
  // MIN_II.
  EXPECT_DOUBLE_EQ(duration(matmul(3, 4, 8, DType::f32), trn1),
                   (8 * 4 + 100) / pe);
  EXPECT_DOUBLE_EQ(duration(matmul(3, 40, 8, DType::bf16), trn1),
                   (40 + 100) / pe);
}

TEST(TimingTest, DmaIsFixedLatencyPlusBytesOverBandwidth) {
  // Bytes per partition + 64 per row, over min(HBM 410, engines x 27 GB/s)
  // with one DMA engine per 8 partitions (up to 16), + 2000 ns.
  EXPECT_DOUBLE_EQ(duration(load(128, 512), trn1),
                   2000 + 128 * (512 * 4 + 64) / 410.0);
  EXPECT_DOUBLE_EQ(duration(load(1, 512), trn1),
                   2000 + 1 * (512 * 4 + 64) / 27.0);
  EXPECT_DOUBLE_EQ(duration(load(8, 100), trn1),
                   2000 + 8 * (100 * 4 + 64) / 27.0);
  EXPECT_DOUBLE_EQ(duration(load(9, 100), trn1),
                   2000 + 9 * (100 * 4 + 64) / 54.0);
  // Stores cost the same; bf16 moves half the bytes.
  Instruction store = load(128, 512);
  std::swap(store.dst, store.src0);
  EXPECT_DOUBLE_EQ(duration(store, trn1), duration(load(128, 512), trn1));
  Instruction half = load(16, 512);
  half.dst.dtype = half.src0.dtype = DType::bf16;
  EXPECT_DOUBLE_EQ(duration(half, trn1), 2000 + 16 * (512 * 2 + 64) / 54.0);
  // Spill traffic is a DMA like any other.
  Instruction spill = load(128, 512);
  spill.queue = Queue::spill;
  spill.src0.space = Space::scratch;
  EXPECT_DOUBLE_EQ(duration(spill, trn1), duration(load(128, 512), trn1));
}

TEST(TimingTest, Trn2HasSlowerClocks) {
  TimingParams trn2 = TimingParams::forTarget(nisa::Target::trn2);
  EXPECT_DOUBLE_EQ(duration(engine(Opcode::activation, Queue::act, 512), trn2),
                   512 / 1.2);
  EXPECT_DOUBLE_EQ(
      duration(engine(Opcode::tensor_scalar, Queue::dve, 512), trn2),
      512 / 0.96);
  // DMA does not depend on the clocks.
  EXPECT_DOUBLE_EQ(duration(load(128, 512), trn2),
                   duration(load(128, 512), trn1));
}

nisa::Program program(std::vector<Instruction> instructions) {
  nisa::Program p;
  nisa::TensorDecl t;
  t.name = "x";
  t.isInput = true;
  t.shape = {128, 4096};
  p.tensors.push_back(t);
  std::array<uint32_t, nisa::kNumQueues> counts{};
  for (Instruction &in : instructions)
    in.signal = ++counts[int(in.queue)];
  p.instructions = std::move(instructions);
  return p;
}

TEST(TimingTest, SimulateFollowsQueuesAndWaits) {
  TimingParams params = trn1;
  params.dmaUsesSbufPort = false;
  Instruction a = load(128, 512);
  Instruction b = engine(Opcode::activation, Queue::act, 512);
  b.waits.push_back({Queue::io0, 1});
  Instruction c = engine(Opcode::activation, Queue::act, 512);
  nisa::Program p = program({a, b, c});
  Timeline t = simulate(p, params);
  EXPECT_DOUBLE_EQ(t.start[0], 0);
  EXPECT_DOUBLE_EQ(t.end[0], duration(a, params));
  // b waits for the load, c follows b on its queue.
  EXPECT_DOUBLE_EQ(t.start[1], t.end[0]);
  EXPECT_EQ(t.stallOn[1], int8_t(Queue::io0));
  EXPECT_DOUBLE_EQ(t.start[2], t.end[1]);
  EXPECT_EQ(t.stallOn[2], -1);
  EXPECT_DOUBLE_EQ(t.totalNs, t.end[2] + params.launchUs * 1000);
  EXPECT_EQ(t.order, (std::vector<uint32_t>{0, 1, 2}));
}

TEST(TimingTest, VectorAndGpSimdTakeTurnsOnSbuf) {
  TimingParams params = trn1;
  Instruction v = engine(Opcode::tensor_scalar, Queue::dve, 512);
  Instruction g = engine(Opcode::tensor_scalar, Queue::pool, 512);
  Instruction s = engine(Opcode::tensor_scalar, Queue::act, 512);
  Timeline t = simulate(program({v, g, s}), params);
  // GpSimdE waits for VectorE's SBUF port; ScalarE does not share it.
  EXPECT_DOUBLE_EQ(t.start[1], t.end[0]);
  EXPECT_EQ(t.stallOn[1], int8_t(Timeline::kPortStall + int(Queue::dve)));
  EXPECT_EQ(Timeline::stallName(t.stallOn[1]), "port held by dve");
  EXPECT_DOUBLE_EQ(t.start[2], 0);
}

TEST(TimingTest, DmaSharingTheSbufPortStretchesVectorE) {
  // A load's transfer holds the SBUF port for its bytes at 512 bytes per
  // VectorE cycle (128 partitions x 512 fp32: 512 cycles, from the end of
  // its 2000 ns fixed latency); a VectorE instruction that runs meanwhile
  // is stretched by that time: active, not stalled.
  TimingParams params = trn1;
  Instruction a = load(128, 512);
  Instruction v = engine(Opcode::tensor_scalar, Queue::dve, 4096);
  Instruction w = engine(Opcode::tensor_scalar, Queue::dve, 512);
  double share = 512 / dve;
  // The load first: its share at [2000, 2000 + share) falls inside v's run.
  Timeline t = simulate(program({a, v}), params);
  EXPECT_DOUBLE_EQ(t.start[1], 0);
  EXPECT_NEAR(t.portShared[1], share, 1e-9);
  EXPECT_NEAR(t.end[1], 4096 / dve + share, 1e-9);
  EXPECT_EQ(t.stallOn[1], -1);
  // v first: the port is VectorE's when the transfer starts, so the share
  // takes the first free slot after v, and w, ready then, is stretched.
  Timeline u = simulate(program({v, a, w}), params);
  EXPECT_DOUBLE_EQ(u.portShared[0], 0);
  EXPECT_DOUBLE_EQ(u.end[0], 4096 / dve);
  EXPECT_DOUBLE_EQ(u.start[2], u.end[0]);
  EXPECT_NEAR(u.portShared[2], share, 1e-9);
  EXPECT_NEAR(u.end[2] - u.start[2], share + 512 / dve, 1e-9);
  EXPECT_EQ(u.stallOn[2], -1);
  EXPECT_DOUBLE_EQ(u.stall[2], 0);
  Profile prof = summarize(program({v, a, w}), u, params);
  EXPECT_NEAR(prof.portSharedUs[int(Queue::dve)], share / 1000, 1e-12);
  // Without the DMA's share, no stretch.
  params.dmaUsesSbufPort = false;
  Timeline x = simulate(program({v, a, w}), params);
  EXPECT_DOUBLE_EQ(x.portShared[2], 0);
  EXPECT_DOUBLE_EQ(x.end[2] - x.start[2], 512 / dve);
}

TEST(TimingTest, ProfileWithoutATimelineIsTheSame) {
  // A stream of engine instructions and DMAs on every queue, waiting on
  // earlier ones at random: profile() (which keeps no timeline) and
  // summarize(simulate()) agree to the bit, and with what simulate()
  // hands out as it goes.
  std::mt19937_64 rng(3);
  std::vector<Instruction> all;
  std::array<uint32_t, nisa::kNumQueues> counts{};
  Queue queues[] = {Queue::act, Queue::dve, Queue::pool,
                    Queue::io0, Queue::io1, Queue::spill};
  for (int i = 0; i < 3000; ++i) {
    Queue q = queues[rng() % std::size(queues)];
    Instruction in =
        nisa::isDmaQueue(q)
            ? load(int(1 + rng() % 128), int(1 + rng() % 4096))
            : engine(rng() % 2 ? Opcode::tensor_tensor : Opcode::tensor_scalar,
                     q, int(1 + rng() % 2048));
    in.queue = q;
    if (rng() % 4 == 0)
      in.dst.space = Space::psum;
    for (Queue w : queues)
      if (w != q && counts[int(w)] && rng() % 3 == 0)
        in.waits.push_back({w, uint32_t(1 + rng() % counts[int(w)])});
    ++counts[int(q)];
    all.push_back(in);
  }
  nisa::Program p = program(all);
  Timeline t = simulate(p, trn1);
  Profile a = summarize(p, t, trn1), b = profile(p, trn1);
  std::string ta, tb;
  llvm::raw_string_ostream osa(ta), osb(tb);
  writeProfileJson(a, nisa::Target::trn1, osa);
  writeProfileJson(b, nisa::Target::trn1, osb);
  EXPECT_EQ(ta, tb);
  EXPECT_EQ(a.totalUs, b.totalUs);
  EXPECT_EQ(a.busyUs, b.busyUs);
  ASSERT_FALSE(a.topStalls.empty());
  size_t seen = 0;
  double total = simulate(
      p, trn1, [&](size_t i, const Instruction &, const InstructionTime &time) {
        EXPECT_EQ(i, seen++);
        EXPECT_EQ(time.start, t.start[i]);
        EXPECT_EQ(time.end, t.end[i]);
        EXPECT_EQ(time.stall, t.stall[i]);
        EXPECT_EQ(time.stallOn, t.stallOn[i]);
      });
  EXPECT_EQ(seen, all.size());
  EXPECT_EQ(total, t.totalNs);
}

/// The message of `e`, "" for success.
std::string message(llvm::Error e) { return e ? toString(std::move(e)) : ""; }

TEST(TimingTest, ParametersPrintAsTheyParse) {
  TimingParams p = trn1;
  ASSERT_EQ(message(p.parse("act_ghz = 2\n# comment\nlaunch_us = 0\n"
                            "dma_engines = 4\n",
                            "test")),
            "");
  EXPECT_DOUBLE_EQ(p.actGHz, 2);
  EXPECT_DOUBLE_EQ(p.launchUs, 0);
  EXPECT_EQ(p.dmaEngines, 4);
  std::string text;
  llvm::raw_string_ostream os(text);
  p.print(os);
  TimingParams q = trn1;
  ASSERT_EQ(message(q.parse(text, "printed")), "");
  EXPECT_DOUBLE_EQ(q.actGHz, 2);
  EXPECT_EQ(q.dmaEngines, 4);
  EXPECT_EQ(message(q.parse("dma_engines = 2.5\n", "bad")),
            "bad:1: parameter 'dma_engines' needs an integer from 1 to 1024, "
            "got '2.5'");
}

} // namespace
