//===- Trace.h - a Timeline as a trace and as a picture ---------*- C++ -*-===//
//
// nki-run --trace (Chrome trace-event JSON, Trace.cpp) and --timeline (SVG,
// TimelineSvg.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_INTERPRETER_TRACE_H
#define MAMBA_NKI_INTERPRETER_TRACE_H

#include "mamba-nki/Interpreter/Timing.h"

#include "llvm/Support/raw_ostream.h"

namespace nki_run {

/// An SVG picture of the timeline, like neuron-profile's view: a row per
/// engine and DMA queue, instructions as bars coloured by kind (spill traffic
/// in red), over [fromUs, toUs) (toUs <= 0: to the end). When a row has more
/// instructions than pixels, each pixel column shows the kind that was busy
/// longest there, shaded by how busy the queue was.
void writeTimelineSvg(const nisa::Program &program, const Timeline &timeline,
                      double fromUs, double toUs, llvm::raw_ostream &os);

/// Chrome trace-event JSON (Perfetto, chrome://tracing): a row per queue, a
/// slice per instruction named by opcode, with its source location.
void writeTrace(const nisa::Program &program, const Timeline &timeline,
                llvm::raw_ostream &os);

} // namespace nki_run

#endif // MAMBA_NKI_INTERPRETER_TRACE_H
