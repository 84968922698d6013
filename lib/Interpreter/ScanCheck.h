//===- ScanCheck.h - nki-run --check (internal) -----------------*- C++ -*-===//
//
// The selective scan a stream's tensors describe, recognised from their
// names (mamba-nki/Support/KernelRoles.h) and shapes, and the check of its
// outputs against the fp64 reference (Reference.h). docs/interpreter.md,
// "Checking a kernel", states the rules.
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_INTERPRETER_SCANCHECK_H
#define MAMBA_NKI_LIB_INTERPRETER_SCANCHECK_H

#include "mamba-nki/Interpreter/Machine.h"
#include "mamba-nki/Interpreter/Reference.h"
#include "mamba-nki/Target/Nisa/Program.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nki_run {

/// A selective scan: its sizes, the forms of B and C, and the index of
/// each role's tensor in the program (-1: the kernel has none).
struct ScanKernel {
  int64_t batch = 0, channels = 0, seqLen = 0, state = 0;
  int delta = -1, u = -1, A = -1, B = -1, C = -1, D = -1, z = -1,
      deltaBias = -1, initialState = -1, out = -1, finalState = -1;
  ProjectionForm bForm = ProjectionForm::variable,
                 cForm = ProjectionForm::variable;
  int64_t bGroups = 1, cGroups = 1;
  bool deltaSoftplus = false; // the stream's kernel line; false without one
};

/// The kernel `program` declares, or an error naming the tensor that is
/// missing or of the wrong shape or direction.
llvm::Expected<ScanKernel> recognizeScan(const nisa::Program &program);

/// Compares `out` and, when the kernel has it, `final_state` with the
/// reference computed on `inputs` as the kernel saw them (rounded to
/// bf16 for a bf16 tensor), one line per output on `os`. Tolerances:
/// `rtol`/`atol` when given, else mamba_ssm's for the output's dtype.
/// A failure is CheckFailed (Run.h).
llvm::Error checkScan(const nisa::Program &program, const ScanKernel &kernel,
                      const Machine &machine,
                      const std::map<std::string, std::vector<float>> &inputs,
                      std::optional<double> rtol, std::optional<double> atol,
                      llvm::raw_ostream &os);

/// mamba_ssm's test tolerances (tests/ops/test_selective_scan.py): fp32
/// outputs, and bf16 ones.
constexpr double kF32Rtol = 6e-4, kF32Atol = 2e-3;
constexpr double kBf16Rtol = 3e-2, kBf16Atol = 5e-2;

} // namespace nki_run

#endif // MAMBA_NKI_LIB_INTERPRETER_SCANCHECK_H
