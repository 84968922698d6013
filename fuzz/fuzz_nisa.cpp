//===- fuzz_nisa.cpp - the .nisa parser and the interpreter on mutated streams

#include "mamba-nki/Interpreter/Interpreter.h"
#include "mamba-nki/Interpreter/Timing.h"
#include "mamba-nki/Target/Nisa/Program.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::Expected<nisa::Program> program = nisa::parse(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz");
  if (!program) {
    llvm::consumeError(program.takeError());
    return 0;
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  nisa::print(*program, os);
  (void)nki_run::findRaces(*program);
  nki_run::Timeline timeline = nki_run::simulate(
      *program, nki_run::TimingParams::forTarget(program->target));
  // Execute small programs only (the interpreter itself is not bounded).
  int64_t elements = 0;
  for (const nisa::TensorDecl &t : program->tensors)
    elements += t.numElements();
  if (program->instructions.size() > 2000 || elements > (1 << 22) ||
      program->scratchBytes > (1 << 24))
    return 0;
  nki_run::Machine machine(*program, 1);
  for (size_t i = 0; i < program->tensors.size(); ++i)
    machine.setTensor(
        i, std::vector<float>(size_t(program->tensors[i].numElements()), 1.0f));
  machine.run(timeline.order);
  return 0;
}
