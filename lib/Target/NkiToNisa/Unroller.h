//===- Unroller.h - executing a StepProgram into instructions -----*- C++
//-*-===//
//
// Private to the backend. Runs the steps of a compiled kernel: loops,
// index arithmetic and views are evaluated, every executed allocation makes
// a buffer instance, and every nki op becomes its instructions
// (NkiOpLowering.cpp), handed one at a time to an InstructionSink: the
// recorder (Recorder.h) on the first runs, the streamer (Streamer.h) on the
// last.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_TARGET_NKITONISA_UNROLLER_H
#define MAMBA_NKI_LIB_TARGET_NKITONISA_UNROLLER_H

#include "StepProgram.h"

#include <algorithm>

namespace mlir {
namespace nki {
namespace backend {

/// Receives the unrolled instructions, in order.
class InstructionSink {
public:
  virtual ~InstructionSink();
  /// `op` is the nki op the instruction comes from; a failure stops the
  /// unrolling.
  virtual LogicalResult consume(VInstr &vi, Operation *op) = 0;
};

class Unroller {
public:
  Unroller(func::FuncOp func, const StepProgram &program, BufferTable &buffers,
           int64_t maxInstructions);

  /// Unrolls the steps, handing every instruction to `sink` in order; stops
  /// at the first failure (the sink's or a located error). The first run
  /// creates the buffer instances; later runs (`replay`) create the same
  /// ones again, in the same order.
  /// With `contexts` (the last run), each instruction gets its loop
  /// context, added to `contexts` when its first instruction is made.
  LogicalResult run(InstructionSink &sink, bool replay,
                    nisa::LoopContexts *contexts = nullptr);

  /// The op that produced instruction `index` of the unrolled stream (for
  /// errors found after unrolling; unrolls again up to it).
  Operation *opOfInstruction(uint64_t index);
  /// The op that made buffer instance `b`.
  Operation *originOf(const Buffer &b) const {
    return program.steps[b.origin].op;
  }

private:
  LogicalResult exec(uint32_t begin, uint32_t end, InstructionSink &sink);
  LogicalResult execArith(const Step &s);
  /// Runs the loop at step `i` (its body is steps i + 1 .. s.end).
  LogicalResult execLoop(uint32_t i, InstructionSink &sink);
  LogicalResult execSubview(const Step &s);
  LogicalResult execExpand(const Step &s);
  LogicalResult execAlloc(uint32_t i);

  // NkiOpLowering.cpp: an nki op's instructions.
  LogicalResult lowerNki(const NkiStep &ns, InstructionSink &sink);
  LogicalResult lowerBroadcast(const NkiStep &ns, InstructionSink &sink);

  /// Hands `vi` to the sink, split at window boundaries when it is a DMA or
  /// memset over several windows of a windowed buffer; counts instructions
  /// against the limit.
  LogicalResult emit(VInstr &vi, Operation *op, InstructionSink &sink);
  int64_t get(const IntRef &r) const {
    return r.slot >= 0 ? ints[r.slot] : r.value;
  }
  FailureOr<int32_t> newBuffer(int32_t origin, int32_t type);
  /// The access pattern of view `v` (offsets of on-chip views in elements
  /// until allocation) and its buffer instance (-1 for HBM).
  LogicalResult pattern(Operation *op, const View &v, nisa::AccessPattern &ap,
                        int32_t &bufferId);
  uint64_t maxIterations() const {
    return uint64_t(std::max<int64_t>(maxInstructions, 0)) * 8 + 1024;
  }

  func::FuncOp func;
  const StepProgram &program;
  BufferTable &buffers;
  int64_t maxInstructions;

  std::vector<int64_t> ints;
  std::vector<View> views;
  /// The loops being run, outermost first, and each one's context in
  /// `contexts` for its current iteration (0 until an instruction needs it).
  struct OpenLoop {
    nisa::LoopLevel level;
    uint32_t ctx = 0;
  };
  std::vector<OpenLoop> open;
  nisa::LoopContexts *contexts = nullptr;
  /// The context of an instruction made now.
  uint32_t currentContext();
  bool replay = false;
  uint64_t buffersMade = 0, emitted = 0, iterations = 0;
  int32_t onesBuffer = -1;
  int nextIoQueue = 0;
};

} // namespace backend
} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_LIB_TARGET_NKITONISA_UNROLLER_H
