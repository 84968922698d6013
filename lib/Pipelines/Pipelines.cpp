//===- Pipelines.cpp - --mamba-v1 .. --mamba-v4
//----------------------------===//

#include "mamba-nki/Pipelines/Pipelines.h"
#include "mamba-nki/AutoSchedule/AutoSchedule.h"
#include "mamba-nki/Conversion/Passes.h"
#include "mamba-nki/Dialect/Nki/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
struct V3Options : public PassPipelineOptions<V3Options> {
  Option<int64_t> tileSize{*this, "tile-size",
                           llvm::cl::desc("seq_len tile size (default: 512)"),
                           llvm::cl::init(512)};
};

// The steps of each version; the registered pipelines add the capacity
// check at the end (an intermediate version may not fit SBUF yet).
void addV1(OpPassManager &pm) { pm.addPass(mamba::createConvertMambaToNki()); }

void addV2(OpPassManager &pm) {
  addV1(pm);
  nki::NkiReorderLoopsOptions reorder;
  reorder.outer = "state";
  reorder.inner = "channel_tile";
  pm.addPass(nki::createNkiReorderLoops(reorder));
  pm.addPass(nki::createNkiHoistLoads());
  pm.addPass(nki::createNkiFuseLoops());
  pm.addPass(createCSEPass());
}

void addV3(OpPassManager &pm, const V3Options &options) {
  addV2(pm);
  nki::NkiTileFreeDimOptions tile;
  tile.tileSize = options.tileSize;
  pm.addPass(nki::createNkiTileFreeDim(tile));
  pm.addPass(createCSEPass());
}

/// v4: v2's steps; deltaU out of the state loop; the seq_len loop outside
/// the state loop (tiles of the channel-tile body, the scans' state carried
/// per state); intermediates in PSUM; A out of both loops as one load per
/// channel tile; state 0 writes the accumulator; stores one tile later;
/// instructions the compiler may place moved off the busiest engine.
void addV4(OpPassManager &pm, const V3Options &options) {
  addV2(pm);
  pm.addPass(nki::createNkiHoistInvariant());
  nki::NkiTileFreeDimOptions tile;
  tile.tileSize = options.tileSize;
  tile.loop = "channel_tile";
  pm.addPass(nki::createNkiTileFreeDim(tile));
  pm.addPass(nki::createNkiPlaceBuffers());
  nki::NkiHoistInvariantOptions expand;
  expand.expand = true;
  pm.addPass(nki::createNkiHoistInvariant(expand));
  pm.addPass(nki::createNkiPeelReduction());
  pm.addPass(nki::createNkiDelayStores());
  pm.addPass(nki::createNkiAssignEngines());
  pm.addPass(createCSEPass());
}

void buildV4(OpPassManager &pm, const V3Options &options) {
  addV4(pm, options);
  pm.addPass(nki::createNkiCheckCapacity());
}

/// --mamba-auto: the lowering, then the schedule search
/// (docs/autoschedule.md) with the pass's options.
struct AutoOptions : public PassPipelineOptions<AutoOptions> {
  Option<double> timeBudget{
      *this, "time-budget",
      llvm::cl::desc("seconds before the search stops expanding (default: "
                     "0, none)"),
      llvm::cl::init(0)};
  Option<int64_t> maxCandidates{
      *this, "max-candidates",
      llvm::cl::desc("candidates built at most (default: 1000)"),
      llvm::cl::init(1000)};
  Option<int64_t> beam{*this, "beam", llvm::cl::desc("beam width (default: 6)"),
                       llvm::cl::init(6)};
  Option<std::string> target{
      *this, "target", llvm::cl::desc("trn1 or trn2 (default: the module's)"),
      llvm::cl::init("")};
  Option<std::string> report{
      *this, "report",
      llvm::cl::desc("ranked table to this file ('-': stderr)"),
      llvm::cl::init("")};
  Option<std::string> script{
      *this, "script",
      llvm::cl::desc("the winner as a transform script to this file ('-': "
                     "stderr)"),
      llvm::cl::init("")};
};

void buildAuto(OpPassManager &pm, const AutoOptions &options) {
  addV1(pm);
  nki::NkiAutoScheduleOptions o;
  o.timeBudget = options.timeBudget;
  o.maxCandidates = options.maxCandidates;
  o.beam = options.beam;
  o.target = options.target;
  o.report = options.report;
  o.script = options.script;
  pm.addPass(nki::createNkiAutoSchedule(o));
  pm.addPass(nki::createNkiCheckCapacity());
}

void buildV1(OpPassManager &pm) {
  addV1(pm);
  pm.addPass(nki::createNkiCheckCapacity());
}

void buildV2(OpPassManager &pm) {
  addV2(pm);
  pm.addPass(nki::createNkiCheckCapacity());
}

void buildV3(OpPassManager &pm, const V3Options &options) {
  addV3(pm, options);
  pm.addPass(nki::createNkiCheckCapacity());
}
} // namespace

void mlir::mamba::registerMambaPipelines() {
  PassPipelineRegistration<>(
      "mamba-v1",
      "The Fused Mamba tutorial's v1 kernel: convert-mamba-to-nki, "
      "nki-check-capacity",
      buildV1);
  PassPipelineRegistration<>(
      "mamba-v2",
      "The tutorial's v2 kernel: v1, then nki-reorder-loops (state <-> "
      "channel_tile), nki-hoist-loads, nki-fuse-loops, cse, "
      "nki-check-capacity",
      buildV2);
  PassPipelineRegistration<V3Options>(
      "mamba-v3",
      "The tutorial's v3 kernel: v2, then nki-tile-free-dim (seq_len tiles "
      "carrying the scan state), cse, nki-check-capacity",
      buildV3);
  PassPipelineRegistration<V3Options>(
      "mamba-v4",
      "Past the tutorial: v2's steps, nki-hoist-invariant, "
      "nki-tile-free-dim{loop=channel_tile} (seq_len tiles outside the state "
      "loop), nki-place-buffers, nki-hoist-invariant{expand=true}, "
      "nki-peel-reduction, nki-delay-stores, nki-assign-engines, cse, "
      "nki-check-capacity",
      buildV4);
  PassPipelineRegistration<AutoOptions>(
      "mamba-auto",
      "The fastest legal schedule the timing model finds: "
      "convert-mamba-to-nki, nki-auto-schedule, nki-check-capacity "
      "(docs/autoschedule.md)",
      buildAuto);
  nki::registerAutoSchedulePasses();
}
