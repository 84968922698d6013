//===- NkiToNisaTest.cpp - the streamed and the collected stream agree ----===//
//
// translateToNisa hands instructions to a consumer one at a time; the
// Program overload collects them. Both must describe the same stream, the
// header announced to the consumer must match what follows, and the stream
// must survive print -> parse -> print.

#include "mamba-nki/Target/NkiToNisa/NkiToNisa.h"
#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::nki;

namespace {

// Four [128, 16384] f32 blocks (64 KiB per partition each) of one buffer
// cannot all stay in SBUF (192 KiB): the allocator spills blocks. A
// broadcast into SBUF goes through PSUM in two 512-element chunks.
constexpr const char *kKernel = R"mlir(
#sbuf = #nki.mem<sbuf>
func.func @k(%x: memref<4x128x16384xf32> {nki.name = "x"},
             %row: memref<1x1024xf32> {nki.name = "row"},
             %y: memref<4x128x16384xf32> {nki.name = "y"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %big = nki.alloc "big" : memref<128x4x16384xf32, #sbuf>
  %r = nki.alloc "r" : memref<1x1024xf32, #sbuf>
  nki.load %row : memref<1x1024xf32> into %r : memref<1x1024xf32, #sbuf>
  %rb = nki.alloc "rb" : memref<128x1024xf32, #sbuf>
  nki.partition_broadcast %r : memref<1x1024xf32, #sbuf>
      into %rb : memref<128x1024xf32, #sbuf>
  scf.for %i = %c0 to %c4 step %c1 {
    %xs = memref.subview %x[%i, 0, 0] [1, 128, 16384] [1, 1, 1]
        : memref<4x128x16384xf32> to memref<128x16384xf32, strided<[16384, 1], offset: ?>>
    %blk = memref.subview %big[0, %i, 0] [128, 1, 16384] [1, 1, 1]
        : memref<128x4x16384xf32, #sbuf> to memref<128x16384xf32, strided<[65536, 1], offset: ?>, #sbuf>
    nki.load %xs : memref<128x16384xf32, strided<[16384, 1], offset: ?>>
        into %blk : memref<128x16384xf32, strided<[65536, 1], offset: ?>, #sbuf>
  } {nki.kind = "affine", nki.loop = "load"}
  scf.for %i = %c0 to %c4 step %c1 {
    %blk = memref.subview %big[0, %i, 0] [128, 1, 16384] [1, 1, 1]
        : memref<128x4x16384xf32, #sbuf> to memref<128x16384xf32, strided<[65536, 1], offset: ?>, #sbuf>
    %head = memref.subview %blk[0, 0] [128, 1024] [1, 1]
        : memref<128x16384xf32, strided<[65536, 1], offset: ?>, #sbuf> to memref<128x1024xf32, strided<[65536, 1], offset: ?>, #sbuf>
    nki.tensor_tensor add(%head : memref<128x1024xf32, strided<[65536, 1], offset: ?>, #sbuf>,
                          %rb : memref<128x1024xf32, #sbuf>)
        into %head : memref<128x1024xf32, strided<[65536, 1], offset: ?>, #sbuf>
    %ys = memref.subview %y[%i, 0, 0] [1, 128, 16384] [1, 1, 1]
        : memref<4x128x16384xf32> to memref<128x16384xf32, strided<[16384, 1], offset: ?>>
    nki.store %blk : memref<128x16384xf32, strided<[65536, 1], offset: ?>, #sbuf>
        into %ys : memref<128x16384xf32, strided<[16384, 1], offset: ?>>
  } {nki.kind = "affine", nki.loop = "store"}
  return
}
)mlir";

/// Prints the stream as it arrives and checks its announced length.
struct Printer : NisaConsumer {
  void header(const nisa::Program &h, int64_t count) override {
    ++headers;
    announced = count;
    program = &h;
    nisa::printHeader(h, count, os);
  }
  void instruction(int64_t id, const nisa::Instruction &in) override {
    EXPECT_EQ(id, received);
    ++received;
    nisa::printInstruction(*program, id, in, os);
  }
  void context(const nisa::Program &h, uint32_t ctx) override {
    nisa::printContext(h, ctx, os);
  }
  std::string text;
  llvm::raw_string_ostream os{text};
  const nisa::Program *program = nullptr;
  int headers = 0;
  int64_t announced = -1, received = 0;
};

class NkiToNisaTest : public ::testing::Test {
protected:
  NkiToNisaTest() {
    context.loadDialect<NkiDialect, func::FuncDialect, arith::ArithDialect,
                        memref::MemRefDialect, scf::SCFDialect>();
    module = parseSourceString<ModuleOp>(kKernel, &context);
  }
  func::FuncOp kernel() { return *module->getOps<func::FuncOp>().begin(); }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(NkiToNisaTest, StreamedAndCollectedStreamsAgree) {
  ASSERT_TRUE(module);
  NisaOptions options;
  Printer printer;
  ASSERT_TRUE(succeeded(translateToNisa(kernel(), options, printer)));
  nisa::printEnd(printer.os);
  EXPECT_EQ(printer.headers, 1);
  EXPECT_EQ(printer.announced, printer.received);

  FailureOr<nisa::Program> program = translateToNisa(kernel(), options);
  ASSERT_TRUE(succeeded(program));
  EXPECT_EQ(int64_t(program->instructions.size()), printer.received);
  std::string collected;
  llvm::raw_string_ostream os(collected);
  nisa::print(*program, os);
  EXPECT_EQ(collected, printer.text);

  // The text reads back to the same stream, and it is valid.
  llvm::Expected<nisa::Program> parsed = nisa::parse(printer.text);
  ASSERT_TRUE(bool(parsed)) << llvm::toString(parsed.takeError());
  EXPECT_FALSE(bool(nisa::validate(*parsed)));
  std::string again;
  llvm::raw_string_ostream os2(again);
  nisa::print(*parsed, os2);
  EXPECT_EQ(again, printer.text);
}

TEST_F(NkiToNisaTest, BlocksSpillAndBroadcastsChunk) {
  ASSERT_TRUE(module);
  FailureOr<nisa::Program> program = translateToNisa(kernel(), NisaOptions());
  ASSERT_TRUE(succeeded(program));
  nisa::Stats stats = nisa::computeStats(*program);
  // Each block is allocated on its own: at most three 64 KiB blocks fit
  // beside the row and its broadcast, so blocks are saved and reloaded.
  EXPECT_GT(stats.perQueue[int(nisa::Queue::spill)], 0);
  EXPECT_GT(stats.spillSaveBytes, 0);
  EXPECT_EQ(stats.spillSaveBytes % (128 * 16384 * 4), 0);
  EXPECT_EQ(stats.spillReloadBytes % (128 * 16384 * 4), 0);
  EXPECT_LE(program->sbufPeakBytes,
            nisa::sbufPartitionBytes(nisa::Target::trn1));
  EXPECT_GT(program->scratchBytes, 0);
  // The broadcast: one ones row, two matmuls into PSUM, two copies out.
  EXPECT_EQ(stats.perQueue[int(nisa::Queue::pe)], 2);
  EXPECT_EQ(stats.perQueue[int(nisa::Queue::pool)], 1);
  EXPECT_EQ(stats.perQueue[int(nisa::Queue::act)], 2);
  EXPECT_EQ(program->psumPeakBytes, 2048);
  // Inputs and outputs come from the DMAs.
  ASSERT_EQ(program->tensors.size(), 3u);
  EXPECT_TRUE(program->tensors[0].isInput);
  EXPECT_FALSE(program->tensors[0].isOutput);
  EXPECT_TRUE(program->tensors[2].isOutput);
  EXPECT_FALSE(program->tensors[2].isInput);
}

TEST_F(NkiToNisaTest, ErrorsComeBeforeTheHeader) {
  ASSERT_TRUE(module);
  NisaOptions options;
  options.maxInstructions = 5; // the stream has more
  Printer printer;
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    diagnostics += d.str();
    return success();
  });
  EXPECT_TRUE(failed(translateToNisa(kernel(), options, printer)));
  EXPECT_EQ(printer.headers, 0);
  EXPECT_EQ(printer.received, 0);
  EXPECT_NE(diagnostics.find("exceeds 5 instructions"), std::string::npos);
}

} // namespace
