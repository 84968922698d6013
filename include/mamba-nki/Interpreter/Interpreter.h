//===- Interpreter.h - execute a .nisa stream -------------------*- C++ -*-===//
//
// The interpreter's two halves: the race detector (RaceDetector.h) and the
// machine that executes a stream (Machine.h). nki-run's driver over them,
// the inputs, the reference check and the timing model is Run.h.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_INTERPRETER_INTERPRETER_H
#define MAMBA_NKI_INTERPRETER_INTERPRETER_H

#include "mamba-nki/Interpreter/Machine.h"
#include "mamba-nki/Interpreter/RaceDetector.h"

#endif // MAMBA_NKI_INTERPRETER_INTERPRETER_H
