//===- Streamer.h - the last unrolling: addresses, spills, waits --*- C++
//-*-===//
//
// Private to the backend. On the final unrolling, each instruction gets the
// addresses the allocator gave its records, the spill DMAs the allocator
// scheduled before it are inserted, the synchroniser adds its semaphores,
// and the instruction is validated and handed to the consumer, then
// forgotten.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_TARGET_NKITONISA_STREAMER_H
#define MAMBA_NKI_LIB_TARGET_NKITONISA_STREAMER_H

#include "Allocator.h"
#include "Synchroniser.h"

#include "mamba-nki/Target/NkiToNisa/NkiToNisa.h"

namespace mlir {
namespace nki {
namespace backend {

class Streamer : public InstructionSink {
public:
  Streamer(BufferTable &buffers, Records &records, std::vector<Unit> &units,
           ChunkedVector<SpillEvent> &events, const nisa::Program &header,
           const StepProgram &steps, NisaConsumer &consumer)
      : buffers(buffers), records(records), units(units), events(events),
        header(header), steps(steps), consumer(consumer), sync(header),
        validator(header) {}

  LogicalResult consume(VInstr &vi, Operation *op) override;

private:
  /// The DMA of spill event `e`.
  nisa::Instruction spillDma(const SpillEvent &e) const;
  /// Synchronises, validates and hands `in` to the consumer.
  LogicalResult deliver(nisa::Instruction &in, Operation *op);

  BufferTable &buffers;
  Records &records;
  std::vector<Unit> &units;
  ChunkedVector<SpillEvent> &events;
  const nisa::Program &header;
  const StepProgram &steps;
  NisaConsumer &consumer;
  uint32_t announced = 0; // contexts handed to the consumer
  Synchroniser sync;
  nisa::Validator validator;
  uint64_t index = 0, emitted = 0;
  size_t nextEvent = 0, nextRecord = 0;
};

} // namespace backend
} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_LIB_TARGET_NKITONISA_STREAMER_H
