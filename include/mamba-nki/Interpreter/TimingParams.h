//===- TimingParams.h - the timing model's parameters -----------*- C++ -*-===//
//
// Every parameter of the timing model (Timing.h), with its source:
// docs/interpreter.md lists each, docs/hardware.md §3-5 the figures and the
// calibration. `nki-run --model-params FILE` overrides them.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_INTERPRETER_TIMINGPARAMS_H
#define MAMBA_NKI_INTERPRETER_TIMINGPARAMS_H

#include "mamba-nki/Target/Nisa/Program.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace nki_run {

/// Every parameter of the timing model, in one place (docs/interpreter.md
/// gives each one's source; `--model-params FILE` overrides them).
constexpr mamba_hw::EngineClocks kTrn1Clocks =
    mamba_hw::engineClocks(mamba_hw::Target::trn1);

struct TimingParams {
  // Engine clocks in GHz (docs/hardware.md §4, through
  // mamba-nki/Support/Hardware.h), trn1's unless forTarget() says otherwise.
  double actGHz = kTrn1Clocks.scalarGHz, dveGHz = kTrn1Clocks.vectorGHz,
         poolGHz = kTrn1Clocks.gpsimdGHz, peGHz = kTrn1Clocks.tensorGHz;
  // Minimum initiation interval of an engine instruction, cycles
  // (docs/hardware.md §3).
  double minII = 64;
  // Static overhead of a tiny engine instruction (cost at MIN_II), cycles
  // (docs/hardware.md §3: about 100 cycles); longer instructions pipeline it
  // away.
  double staticOverhead = 100;
  // DMA (docs/hardware.md §4): 16 engines of ~27 GB/s, each serving 8
  // partitions; HBM bandwidth per core; a fixed cost per transfer.
  double dmaEngineGBps = 27, hbmGBps = 410, dmaFixedNs = 2000;
  int dmaEngines = 16, partitionsPerDmaEngine = 8;
  // DMA efficiency falls for small rows (docs/hardware.md §4: efficient at >= 4
  // KiB per partition): each partition row of a transfer costs this many extra
  // bytes of bandwidth (calibrated).
  double dmaRowOverheadBytes = 64;
  // Shared ports (docs/hardware.md §4): VectorE and GpSimdE take turns on SBUF,
  // VectorE and ScalarE on PSUM. DMA transfers also use the SBUF port (our
  // assumption; docs/hardware.md §5 derives it from v1's slower steps): a
  // transfer holds it for its bytes at the port's width, 128 partitions x 4
  // bytes per VectorE cycle (one element per lane, as VectorE reads), and an
  // engine instruction that needs the port meanwhile is stretched (active,
  // not idle) by that time.
  bool dmaUsesSbufPort = true;
  double sbufPortBytesPerCycle = 512;
  // Kernel launch and tear-down, outside the execution period (solved from the
  // two v1 measurements with their VectorE active %, docs/hardware.md §5).
  double launchUs = 38.6;

  static TimingParams forTarget(nisa::Target target);
  /// Applies "name = value" lines from `text` (# comments); errors name the
  /// line and the unknown or malformed parameter.
  llvm::Error parse(llvm::StringRef text, llvm::StringRef bufferName);
  void print(llvm::raw_ostream &os) const;
  /// Every parameter's name and value, in print()'s order.
  void forEach(llvm::function_ref<void(llvm::StringRef, double)> fn) const;
};

} // namespace nki_run

#endif // MAMBA_NKI_INTERPRETER_TIMINGPARAMS_H
