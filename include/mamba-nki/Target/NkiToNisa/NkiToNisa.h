//===- NkiToNisa.h - nki IR to a NeuronCore instruction stream --*- C++ -*-===//
//
// The backend's public interface, implemented in lib/Target/NkiToNisa/
// (docs/nisa.md, "How the backend works").
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_TARGET_NKITONISA_NKITONISA_H
#define MAMBA_NKI_TARGET_NKITONISA_NKITONISA_H

#include "mamba-nki/Target/Nisa/Program.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <optional>

namespace mlir {
namespace nki {

struct NisaOptions {
  /// Overrides the module's nki.target.
  std::optional<nisa::Target> target;
  /// The unrolled stream may not exceed this many instructions.
  int64_t maxInstructions = 20'000'000;
  /// When allocation spills, allocate each spilled buffer that allows it in
  /// windows (splitting its DMAs and memsets at window boundaries) and
  /// allocate again, so that spills move windows rather than whole buffers.
  bool windowSpills = true;
};

/// Receives a translated stream, in order: the header once (a Program whose
/// instruction list stays empty; `numInstructions` is the stream's length),
/// then every instruction with its position.
class NisaConsumer {
public:
  virtual ~NisaConsumer();
  virtual void header(const nisa::Program &header, int64_t numInstructions) = 0;
  virtual void instruction(int64_t id, const nisa::Instruction &in) = 0;
  /// Context `ctx` of `header.contexts` is new: it comes before the first
  /// instruction in it (contexts are numbered from 1 in that order).
  virtual void context(const nisa::Program &header, uint32_t ctx) {}
};

/// Unrolls `func` (nki ops in scf.for loops with constant bounds), allocates
/// SBUF/PSUM with spills to an HBM scratch area, inserts semaphore waits and
/// hands the stream to `consumer` one instruction at a time; the stream is
/// never held in memory (docs/nisa.md, "How the backend works"). Emits
/// located errors and fails on what it cannot translate. Every error in the
/// input is found before the header is sent; only an internal error (an
/// emitted instruction failing nisa::Validator) stops a stream midway.
LogicalResult translateToNisa(func::FuncOp func, const NisaOptions &options,
                              NisaConsumer &consumer);

/// The same, collected into a Program (for tools and tests that want the
/// whole stream in memory).
FailureOr<nisa::Program> translateToNisa(func::FuncOp func,
                                         const NisaOptions &options);

/// Registers --nki-to-nisa, --nisa-roundtrip and --nisa-stats with
/// mlir-translate's registry.
void registerNisaTranslations();

} // namespace nki
} // namespace mlir

#endif // MAMBA_NKI_TARGET_NKITONISA_NKITONISA_H
