//===- Ops.h - what each opcode computes (internal) -------------*- C++ -*-===//
//
// The semantics of the instruction set, one function per opcode (as
// StableHLO's reference interpreter has one per op), declared from
// InstructionSet.def: a new opcode there needs its function in Ops.cpp, or
// the interpreter does not link. Each computes one partition row of the
// destination; the machine (Machine.cpp) walks the rows and the threads.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_INTERPRETER_OPS_H
#define MAMBA_NKI_LIB_INTERPRETER_OPS_H

#include "Memory.h"

namespace nki_run {
namespace ops {

/// Row semantics: computes row `r` of `in`'s destination into `out`, its
/// `n` = dst.freeElements() elements. `out` may be the destination's memory
/// itself (Memories::output), so each reads its inputs before writing.
#define NISA_OPCODE(Name, Queues, Shape, Legend, Colour)                       \
  void Name(const nisa::Instruction &in, Memories &m, int64_t r, float *out,   \
            int64_t n, Worker &w);
#include "mamba-nki/Target/Nisa/InstructionSet.def"

/// Calls the row semantics of `in`'s opcode.
inline void executeRow(const nisa::Instruction &in, Memories &m, int64_t r,
                       float *out, int64_t n, Worker &w) {
  switch (in.opcode) {
#define NISA_OPCODE(Name, Queues, Shape, Legend, Colour)                       \
  case nisa::Opcode::Name:                                                     \
    return Name(in, m, r, out, n, w);
#include "mamba-nki/Target/Nisa/InstructionSet.def"
  }
}

/// The rows of `in`'s destination that it computes.
int64_t rowCount(const nisa::Instruction &in);

/// A matmul's rows read more than their own partition: its operands are
/// gathered whole first, into `into`, and its rows then read them from
/// Worker::matmul.
void gatherMatmul(const nisa::Instruction &in, Memories &m,
                  MatmulOperands &into);

/// Rows [begin, end) computed together where that is faster (the scan
/// interleaves partitions); returns the first row left for executeRow.
int64_t executeTogether(const nisa::Instruction &in, Memories &m, int64_t begin,
                        int64_t end);

} // namespace ops
} // namespace nki_run

#endif // MAMBA_NKI_LIB_INTERPRETER_OPS_H
