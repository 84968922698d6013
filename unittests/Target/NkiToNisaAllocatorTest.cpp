//===- NkiToNisaAllocatorTest.cpp - the backend's SBUF/PSUM allocator -----===//
//
// The allocator (lib/Target/NkiToNisa/Allocator.h) on records written by
// hand: next-fit placement, Belady spill choice, saves only of data scratch
// does not hold, compaction when only the instruction's own operands
// fragment SBUF. Spill windows on a kernel compiled and unrolled by the
// backend's own stages: which buffers become windowed, and that a windowed
// buffer spills one window where it spilled whole.
//
//===----------------------------------------------------------------------===//

#include "Target/NkiToNisa/Allocator.h"

#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <tuple>

using namespace mlir;
using namespace mlir::nki;
using namespace mlir::nki::backend;

namespace {

constexpr int64_t kKiB = 1024;

//===----------------------------------------------------------------------===//
// Arena
//===----------------------------------------------------------------------===//

TEST(NkiToNisaArena, NextFitAlignsAndWraps) {
  Arena arena(1024, 64);
  EXPECT_EQ(arena.allocate(1), 0);    // rounded up to 64 bytes
  EXPECT_EQ(arena.allocate(100), 64); // 128 bytes
  EXPECT_EQ(arena.allocate(64), 192); // after the last allocation
  EXPECT_EQ(arena.used, 64 + 128 + 64);
  arena.release(0, 1);
  // Next-fit: the freed start is not reused while there is room after the
  // last allocation, so consecutive buffers get different addresses.
  EXPECT_EQ(arena.allocate(64), 256);
  EXPECT_EQ(arena.allocate(704), 320); // up to the end
  EXPECT_EQ(arena.allocate(64), 0);    // wraps around
  EXPECT_EQ(arena.allocate(64), std::nullopt);
  // Released neighbours merge: everything freed holds the whole arena.
  arena.release(0, 64);
  arena.release(64, 100);
  arena.release(192, 64);
  arena.release(256, 64);
  arena.release(320, 704);
  EXPECT_EQ(arena.used, 0);
  EXPECT_EQ(arena.allocate(1024), 0);
}

//===----------------------------------------------------------------------===//
// Allocator on hand-written records
//===----------------------------------------------------------------------===//

/// (instruction, buffer, address, save) of a spill event.
using Event = std::tuple<uint32_t, int32_t, int32_t, bool>;

class NkiToNisaAllocator : public ::testing::Test {
protected:
  NkiToNisaAllocator() : module(ModuleOp::create(UnknownLoc::get(&context))) {
    header.target = nisa::Target::trn1;
  }

  /// A [128, bytes / 4] f32 SBUF buffer instance.
  int32_t buffer(int64_t bytesPerPartition) {
    Buffer b;
    b.type = buffers.typeFor(nisa::Space::sbuf, nisa::DType::f32,
                             {128, bytesPerPartition / 4});
    buffers.buffers.push_back(b);
    return int32_t(buffers.buffers.size() - 1);
  }

  /// Records an instruction that writes `write` (unless -1) and reads
  /// `reads`; returns the index of its first record.
  size_t instruction(int32_t write, std::initializer_list<int32_t> reads) {
    size_t first = records.unit.size();
    uint8_t count = 0, flags = 0;
    auto use = [&](int32_t id) {
      records.unit.push_back(uint32_t(id));
      records.aux.push_back(0); // block 0: no buffer here is in pieces
      ++count;
    };
    if (write >= 0) {
      use(write);
      flags = kFirstIsWrite;
    }
    for (int32_t id : reads)
      use(id);
    records.meta.push_back(uint8_t(count | flags));
    return first;
  }

  LogicalResult allocate() {
    Allocator allocator(buffers, records, units, events, header,
                        [&](uint64_t) { return module->getOperation(); });
    return allocator.run();
  }

  std::vector<Event> spills() const {
    std::vector<Event> list;
    for (size_t e = 0; e < events.size(); ++e)
      list.emplace_back(events[e].at, units[events[e].unit].buffer,
                        events[e].address, events[e].save);
    return list;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  nisa::Program header;
  BufferTable buffers;
  Records records;
  std::vector<Unit> units;
  ChunkedVector<SpillEvent> events;
};

TEST_F(NkiToNisaAllocator, SpillsTheResidentUnitUsedFurthestInTheFuture) {
  ASSERT_EQ(nisa::sbufPartitionBytes(nisa::Target::trn1), 192 * kKiB);
  // Three 64 KiB buffers fill SBUF; the fourth must evict one. A is used
  // again at 5, B at 4, C at 6: Belady evicts C (least-recently-used would
  // evict A, nearest-next-use B).
  int32_t a = buffer(64 * kKiB), b = buffer(64 * kKiB), c = buffer(64 * kKiB),
          d = buffer(64 * kKiB);
  instruction(a, {});                  // 0
  instruction(b, {});                  // 1
  size_t cWrite = instruction(c, {});  // 2
  instruction(d, {});                  // 3: D is never used again
  instruction(-1, {b});                // 4
  instruction(-1, {a});                // 5
  size_t cRead = instruction(-1, {c}); // 6
  ASSERT_TRUE(succeeded(allocate()));
  int32_t cAddress = int32_t(records.aux[cWrite]);
  EXPECT_EQ(cAddress, 128 * kKiB);
  EXPECT_EQ(spills(), (std::vector<Event>{
                          {3, c, cAddress, /*save=*/true},
                          {6, c, int32_t(records.aux[cRead]), /*save=*/false},
                      }));
  // D took C's place; the reload finds room once A and B are dead.
  EXPECT_EQ(header.sbufPeakBytes, 192 * kKiB);
  EXPECT_EQ(header.scratchBytes, 64 * kKiB * 128);
}

TEST_F(NkiToNisaAllocator, SavesOnlyDataThatScratchDoesNotHold) {
  int32_t a = buffer(64 * kKiB), b = buffer(64 * kKiB), c = buffer(64 * kKiB),
          d = buffer(64 * kKiB), e = buffer(64 * kKiB), f = buffer(64 * kKiB);
  instruction(a, {});      // 0
  instruction(b, {});      // 1
  instruction(c, {});      // 2: SBUF full
  instruction(d, {});      // 3: evicts A (next use 5), saving it
  instruction(-1, {b, c}); // 4: B and C die
  instruction(-1, {a, d}); // 5: reloads A, which is now clean
  instruction(e, {});      // 6: fits
  instruction(f, {d});     // 7: evicts A again (next use 9, E's is 8)
  instruction(-1, {e});    // 8
  instruction(-1, {a});    // 9: reloads A
  ASSERT_TRUE(succeeded(allocate()));
  std::vector<Event> list = spills();
  ASSERT_EQ(list.size(), 3u);
  // One save: the second eviction drops A, whose data scratch holds.
  EXPECT_EQ(std::get<0>(list[0]), 3u);
  EXPECT_EQ(std::get<1>(list[0]), a);
  EXPECT_TRUE(std::get<3>(list[0]));
  for (int k : {1, 2}) {
    EXPECT_EQ(std::get<1>(list[k]), a);
    EXPECT_FALSE(std::get<3>(list[k]));
  }
  EXPECT_EQ(std::get<0>(list[1]), 5u);
  EXPECT_EQ(std::get<0>(list[2]), 9u);
  // One scratch slot, for A.
  EXPECT_EQ(header.scratchBytes, 64 * kKiB * 128);
}

TEST_F(NkiToNisaAllocator, CompactsWhenOnlyTheInstructionsOperandsFragment) {
  // A at 0 and P at 64 KiB; A dies, leaving 128 KiB free in two 64 KiB
  // holes around P. The next instruction reads P and writes Q (128 KiB):
  // nothing but its own operand is resident, so the allocator moves P out
  // (saving it), places Q, and reloads P where it now fits.
  int32_t a = buffer(64 * kKiB), p = buffer(64 * kKiB), q = buffer(128 * kKiB);
  instruction(a, {});                 // 0
  size_t pWrite = instruction(p, {}); // 1
  instruction(-1, {a});               // 2
  size_t qp = instruction(q, {p});    // 3: records Q, then P
  ASSERT_TRUE(succeeded(allocate()));
  EXPECT_EQ(records.aux[pWrite], uint32_t(64 * kKiB));
  EXPECT_EQ(records.aux[qp], 0u);                       // Q, placed first
  EXPECT_EQ(records.aux[qp + 1], uint32_t(128 * kKiB)); // P, reloaded
  EXPECT_EQ(spills(), (std::vector<Event>{
                          {3, p, 64 * kKiB, /*save=*/true},
                          {3, p, 128 * kKiB, /*save=*/false},
                      }));
  EXPECT_EQ(header.sbufPeakBytes, 192 * kKiB);
}

TEST_F(NkiToNisaAllocator, FailsWhenOneInstructionsOperandsExceedSbuf) {
  int32_t p = buffer(128 * kKiB), q = buffer(128 * kKiB);
  instruction(p, {});
  instruction(q, {p});
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    diagnostics += d.str();
    return success();
  });
  EXPECT_TRUE(failed(allocate()));
  EXPECT_EQ(diagnostics, "does not fit in SBUF even with spills: this "
                         "instruction's operands need 262144 bytes per "
                         "partition at once; SBUF has 196608");
}

//===----------------------------------------------------------------------===//
// Spill windows
//===----------------------------------------------------------------------===//

TEST_F(NkiToNisaAllocator, ChoosesSpilledBuffersWhoseAccessesFitAWindow) {
  auto make = [&](nisa::DType dtype, int64_t window, int64_t blocks = 0) {
    Buffer b;
    b.type = blocks ? buffers.typeFor(nisa::Space::sbuf, dtype,
                                      {128, blocks, 16384 / blocks})
                    : buffers.typeFor(nisa::Space::sbuf, dtype, {128, 16384});
    b.window = window;
    if (blocks)
      b.unitElems = 16384 / blocks;
    buffers.buffers.push_back(b);
    Unit u;
    u.buffer = int32_t(buffers.buffers.size() - 1);
    u.bytes = 16384 * nisa::elementBytes(dtype);
    units.push_back(u);
    return u.buffer;
  };
  // Recorded windows are powers of two
  // (RecordedWindowHoldsEveryUnsplittableAccess).
  int32_t f32 = make(nisa::DType::f32, 128);
  int32_t bf16 = make(nisa::DType::bf16, 128);
  int32_t wholeRow = make(nisa::DType::f32, 16384);
  int32_t unconstrained = make(nisa::DType::f32, 0);
  int32_t blocked = make(nisa::DType::f32, 128, /*blocks=*/4);
  int32_t notSpilled = make(nisa::DType::f32, 128);
  for (int32_t unit : {bf16, f32, wholeRow, unconstrained, blocked, f32})
    events.push_back(SpillEvent{0, uint32_t(unit), 0, true});

  // In the order they first spilled, each once.
  EXPECT_EQ(chooseSpillWindows(buffers, units, events),
            (SmallVector<int32_t>{bf16, f32}));
  // The window grows to 2 KiB per partition: 512 f32 or 1024 bf16.
  EXPECT_TRUE(buffers.buffers[f32].windowed);
  EXPECT_EQ(buffers.buffers[f32].unitElems, 512);
  EXPECT_TRUE(buffers.buffers[bf16].windowed);
  EXPECT_EQ(buffers.buffers[bf16].unitElems, 1024);
  // An access spanning the row, no access that the backend cannot split,
  // blocks, or no spill: left as they are.
  for (int32_t id : {wholeRow, unconstrained, notSpilled}) {
    EXPECT_FALSE(buffers.buffers[id].windowed);
    EXPECT_EQ(buffers.buffers[id].unitElems, 0);
  }
  EXPECT_FALSE(buffers.buffers[blocked].windowed);
  EXPECT_EQ(buffers.buffers[blocked].unitElems, 4096);
}

TEST_F(NkiToNisaAllocator, RecordedWindowHoldsEveryUnsplittableAccess) {
  int32_t id = buffer(64 * kKiB); // 16384 f32 per partition
  Recorder recorder(buffers, records, header);
  auto access = [&](nisa::Opcode opcode, int64_t offset, int64_t elems) {
    VInstr vi;
    reset(vi, opcode, nisa::Queue::dve, opcode == nisa::Opcode::memset ? 0 : 1,
          0);
    vi.in.dst = rowsAP(nisa::Space::sbuf, 128, elems);
    vi.in.dst.offset = offset;
    vi.buffer[kDst] = id;
    if (opcode != nisa::Opcode::memset) {
      vi.in.src0 = vi.in.dst;
      vi.buffer[kSrc0] = id;
    }
    ASSERT_TRUE(succeeded(recorder.consume(vi, nullptr)));
  };
  // A memset can be split at window boundaries: it constrains nothing.
  access(nisa::Opcode::memset, 0, 16384);
  EXPECT_EQ(buffers.buffers[id].window, 0);
  // Elements [1000, 1100) lie in one aligned window of 2048, not 1024.
  access(nisa::Opcode::tensor_copy, 1000, 100);
  EXPECT_EQ(buffers.buffers[id].window, 2048);
  // A smaller access elsewhere keeps it; a wider one doubles it.
  access(nisa::Opcode::tensor_copy, 8192, 16);
  EXPECT_EQ(buffers.buffers[id].window, 2048);
  access(nisa::Opcode::tensor_copy, 3000, 2000);
  EXPECT_EQ(buffers.buffers[id].window, 8192);
  EXPECT_EQ(records.instructions(), 4u);
}

// L (128 KiB per partition) and M (64 KiB) fill SBUF; the copy into T must
// evict L, which engines read only in [1024, 1536), so it is windowable;
// memset and stores of L are split at window boundaries.
constexpr const char *kWindowKernel = R"mlir(
#sbuf = #nki.mem<sbuf>
func.func @k(%y: memref<128x32768xf32> {nki.name = "y"},
             %o: memref<128x512xf32> {nki.name = "o"}) {
  %L = nki.alloc "L" : memref<128x32768xf32, #sbuf>
  %M = nki.alloc "M" : memref<128x16384xf32, #sbuf>
  nki.memset 0.0 into %L : memref<128x32768xf32, #sbuf>
  nki.memset 1.0 into %M : memref<128x16384xf32, #sbuf>
  %T = nki.alloc "T" : memref<128x512xf32, #sbuf>
  %m0 = memref.subview %M[0, 0] [128, 512] [1, 1]
      : memref<128x16384xf32, #sbuf> to memref<128x512xf32, strided<[16384, 1]>, #sbuf>
  nki.tensor_copy %m0 : memref<128x512xf32, strided<[16384, 1]>, #sbuf>
      into %T : memref<128x512xf32, #sbuf>
  %l2 = memref.subview %L[0, 1024] [128, 512] [1, 1]
      : memref<128x32768xf32, #sbuf> to memref<128x512xf32, strided<[32768, 1], offset: 1024>, #sbuf>
  nki.tensor_tensor add(%l2 : memref<128x512xf32, strided<[32768, 1], offset: 1024>, #sbuf>,
                        %T : memref<128x512xf32, #sbuf>)
      into %l2 : memref<128x512xf32, strided<[32768, 1], offset: 1024>, #sbuf>
  nki.store %L : memref<128x32768xf32, #sbuf> into %y : memref<128x32768xf32>
  nki.store %T : memref<128x512xf32, #sbuf> into %o : memref<128x512xf32>
  return
}
)mlir";

TEST_F(NkiToNisaAllocator, WindowedBufferSpillsOneWindowNotTheWhole) {
  context.loadDialect<NkiDialect, func::FuncDialect, arith::ArithDialect,
                      memref::MemRefDialect, scf::SCFDialect>();
  OwningOpRef<ModuleOp> kernel =
      parseSourceString<ModuleOp>(kWindowKernel, &context);
  ASSERT_TRUE(kernel);
  func::FuncOp func = *kernel->getOps<func::FuncOp>().begin();
  StepProgram program;
  ASSERT_TRUE(succeeded(compileSteps(func, header, buffers, program)));
  Unroller unroller(func, program, buffers, /*maxInstructions=*/1000);
  auto recordAndAllocate = [&](bool replay) {
    records = Records();
    events = ChunkedVector<SpillEvent>();
    units.clear();
    Recorder recorder(buffers, records, header);
    if (failed(unroller.run(recorder, replay)))
      return failure();
    Allocator allocator(
        buffers, records, units, events, header,
        [&](uint64_t index) { return unroller.opOfInstruction(index); });
    return allocator.run();
  };
  const int32_t l = 0, m = 1; // the buffer instances, in allocation order

  // Whole buffers: L is saved before the copy and reloaded before the add.
  ASSERT_TRUE(succeeded(recordAndAllocate(/*replay=*/false)));
  EXPECT_EQ(records.instructions(), 6u);
  ASSERT_EQ(events.size(), 2u);
  for (size_t e = 0; e < 2; ++e) {
    EXPECT_EQ(units[events[e].unit].buffer, l);
    EXPECT_EQ(units[events[e].unit].bytes, 128 * kKiB);
  }
  EXPECT_EQ(events[0].at, 2u);
  EXPECT_TRUE(events[0].save);
  EXPECT_EQ(events[1].at, 3u);
  EXPECT_FALSE(events[1].save);

  // L becomes windowed (512 f32 = 2 KiB, the add's access); M never
  // spilled.
  EXPECT_EQ(chooseSpillWindows(buffers, units, events),
            (SmallVector<int32_t>{l}));
  EXPECT_EQ(buffers.buffers[l].unitElems, 512);
  EXPECT_FALSE(buffers.buffers[m].windowed);

  // Windows: the memset and the store of L are 64 instructions each, and
  // the copy evicts only the window used furthest away, L's last (its
  // store comes last), reloaded just before that store.
  ASSERT_TRUE(succeeded(recordAndAllocate(/*replay=*/true)));
  EXPECT_EQ(records.instructions(), 6u - 2 + 2 * 64);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].unit, events[1].unit);
  const Unit &window = units[events[0].unit];
  EXPECT_EQ(window.buffer, l);
  EXPECT_EQ(window.bytes, 2 * kKiB);
  EXPECT_EQ(int64_t(events[0].unit) - buffers.buffers[l].firstUnit, 63);
  EXPECT_EQ(events[0].at, 65u); // the copy, after 64 + 1 memsets
  EXPECT_TRUE(events[0].save);
  EXPECT_EQ(events[1].at, 130u); // the last of L's 64 stores
  EXPECT_FALSE(events[1].save);
  EXPECT_EQ(header.scratchBytes, 2 * kKiB * 128);
}

} // namespace
