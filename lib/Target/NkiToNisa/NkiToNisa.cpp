//===- NkiToNisa.cpp - lower nki IR to a NeuronCore instruction stream ----===//
//
// The stream of a large kernel has millions of instructions, so it is never
// held in memory. Instead (docs/nisa.md, "How the backend works"):
//
//  1. Compile (StepProgram.h): the function becomes a small step list
//     (loops, index arithmetic, views, allocations, nki ops) over numbered
//     value slots.
//  2. Record (Recorder.h): unroll the steps (Unroller.h) once. Each
//     instruction leaves only which allocation units it uses (a buffer
//     instance, or one block of a [P, blocks, ...] buffer accessed one
//     block at a time): a few bytes.
//  3. Allocate (Allocator.h), on those records alone: give every unit an
//     SBUF or PSUM address, next-fit so that the buffers of consecutive
//     iterations differ and engines can overlap; when SBUF is full, spill
//     the resident unit used furthest in the future (Belady) to an HBM
//     scratch area and reload it before its next use, on the spill queue.
//     The result is an address per record and a list of spill events. If
//     buffers spilled whose unsplittable accesses each stay within a window,
//     they become windowed (their DMAs and memsets are split at window
//     boundaries while unrolling) and steps 2-3 run again, so that spills
//     move windows, not whole buffers. The header (peaks, scratch size,
//     instruction count) is now known.
//  4. Stream (Streamer.h): unroll again. Each instruction gets its
//     addresses, spill events are interleaved, and every read-after-write,
//     write-after-read and write-after-write on overlapping addresses
//     between different queues becomes a semaphore wait unless an earlier
//     wait already implies it (Synchroniser.h). Each instruction is
//     validated and handed to the consumer, then forgotten.
//
// Memory is a few tens of bytes per instruction (records, one vector clock)
// whatever the text size; docs/nisa.md has the figures. This file is the
// driver; Registration.cpp registers the translations.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Target/NkiToNisa/NkiToNisa.h"
#include "Allocator.h"
#include "Streamer.h"

#include "mamba-nki/Dialect/Nki/IR/NkiOps.h"
#include "mamba-nki/Target/Nisa/NkiEnums.h"
#include "llvm/ADT/MapVector.h"

#include <memory>

using namespace mlir;
using namespace mlir::nki;
using namespace mlir::nki::backend;

NisaConsumer::~NisaConsumer() = default;

namespace {

/// Collects a stream into a Program.
class Collector : public NisaConsumer {
public:
  explicit Collector(nisa::Program &program) : program(program) {}
  void header(const nisa::Program &header, int64_t count) override {
    program = header;
    program.instructions.reserve(size_t(count));
  }
  void instruction(int64_t, const nisa::Instruction &in) override {
    program.instructions.push_back(in);
  }
  void context(const nisa::Program &header, uint32_t ctx) override {
    program.contexts.add(header.contexts.levels(ctx));
  }

private:
  nisa::Program &program;
};

} // namespace

/// Says which buffers are now allocated in windows: one remark per op that
/// made `windowed` instances, in the order they first spilled.
static void remarkWindowed(const Unroller &unroller, const BufferTable &buffers,
                           ArrayRef<int32_t> windowed) {
  // Per op: how many instances, and the window of the first.
  llvm::MapVector<Operation *, std::pair<int64_t, int64_t>> perOp;
  for (int32_t id : windowed) {
    const Buffer &b = buffers.buffers[id];
    auto [it, inserted] =
        perOp.try_emplace(unroller.originOf(b), std::make_pair(0, b.unitElems));
    ++it->second.first;
    (void)inserted;
  }
  for (auto &[op, info] : perOp) {
    auto alloc = dyn_cast<AllocOp>(op);
    std::optional<StringRef> name = alloc ? alloc.getName() : std::nullopt;
    int64_t eb = 4;
    if (alloc)
      eb = nisa::elementBytes(dtypeOf(alloc.getType().getElementType()));
    op->emitRemark() << (name ? "'" + name->str() + "'" : "this buffer")
                     << " spilled, so it is allocated in windows of "
                     << info.second << " elements (" << info.second * eb
                     << " bytes) per partition and its DMAs and memsets "
                        "are split at window boundaries ("
                     << info.first
                     << (info.first == 1 ? " instance" : " instances")
                     << "; --nisa-window-spills=false keeps it whole)";
  }
}

/// The header's kernel line: the function's nki.kernel, which the nki
/// dialect verifies ({name = "selective_scan", delta_softplus = BOOL}).
static std::optional<nisa::KernelInfo> kernelInfo(func::FuncOp func) {
  auto dict = func->getAttrOfType<DictionaryAttr>("nki.kernel");
  if (!dict)
    return std::nullopt;
  nisa::KernelInfo kernel;
  if (auto softplus = dict.getAs<BoolAttr>("delta_softplus"))
    kernel.deltaSoftplus = softplus.getValue();
  return kernel;
}

LogicalResult mlir::nki::translateToNisa(func::FuncOp func,
                                         const NisaOptions &options,
                                         NisaConsumer &consumer) {
  nisa::Program header;
  header.target =
      options.target ? *options.target : nisa::toNisa(getTarget(func));
  header.kernel = kernelInfo(func);
  BufferTable buffers;
  StepProgram program;
  if (failed(compileSteps(func, header, buffers, program)))
    return failure();
  Unroller unroller(func, program, buffers, options.maxInstructions);
  // Record and allocate; if that spills, allocate the spilled buffers
  // window by window and do it again.
  auto records = std::make_unique<Records>();
  std::vector<Unit> units;
  auto events = std::make_unique<ChunkedVector<SpillEvent>>();
  auto recordAndAllocate = [&](bool replay) -> LogicalResult {
    Recorder recorder(buffers, *records, header);
    if (failed(unroller.run(recorder, replay)))
      return failure();
    if (records->instructions() >= kNever)
      return func.emitError("the unrolled stream has more than 2^32 "
                            "instructions");
    header.sbufPeakBytes = header.psumPeakBytes = header.scratchBytes = 0;
    Allocator allocator(
        buffers, *records, units, *events, header,
        [&](uint64_t index) { return unroller.opOfInstruction(index); });
    return allocator.run();
  };
  if (failed(recordAndAllocate(/*replay=*/false)))
    return failure();
  if (options.windowSpills && events->size() > 0) {
    SmallVector<int32_t> windowed = chooseSpillWindows(buffers, units, *events);
    remarkWindowed(unroller, buffers, windowed);
    if (!windowed.empty()) {
      records = std::make_unique<Records>();
      events = std::make_unique<ChunkedVector<SpillEvent>>();
      units.clear();
      units.shrink_to_fit();
      if (failed(recordAndAllocate(/*replay=*/true)))
        return failure();
    }
  }
  // Tensors no instruction writes are inputs.
  for (nisa::TensorDecl &t : header.tensors)
    if (!t.isOutput)
      t.isInput = true;

  consumer.header(header, int64_t(records->instructions() + events->size()));
  Streamer streamer(buffers, *records, units, *events, header, program,
                    consumer);
  return unroller.run(streamer, /*replay=*/true, &header.contexts);
}

FailureOr<nisa::Program>
mlir::nki::translateToNisa(func::FuncOp func, const NisaOptions &options) {
  nisa::Program program;
  Collector collector(program);
  if (failed(translateToNisa(func, options, collector)))
    return failure();
  return program;
}
