//===- Trace.cpp - a Timeline as Chrome trace-event JSON ------------------===//

#include "mamba-nki/Interpreter/Trace.h"

#include "llvm/Support/Format.h"

using namespace nki_run;

static void jsonString(llvm::raw_ostream &os, llvm::StringRef s) {
  os << '"';
  for (char c : s) {
    if (c == '"' || c == '\\')
      os << '\\' << c;
    else if (uint8_t(c) < 0x20)
      os << llvm::format("\\u%04x", unsigned(uint8_t(c)));
    else
      os << c;
  }
  os << '"';
}

void nki_run::writeTrace(const nisa::Program &program, const Timeline &t,
                         llvm::raw_ostream &os) {
  os << "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n";
  os << "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 0, "
        "\"args\": {\"name\": \"NeuronCore ("
     << nisa::stringify(program.target) << " model)\"}}";
  for (int q = 0; q < nisa::kNumQueues; ++q)
    os << ",\n{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 0, "
          "\"tid\": "
       << q << ", \"args\": {\"name\": \""
       << nisa::stringify(static_cast<nisa::Queue>(q)) << "\"}}";
  for (size_t i = 0; i < program.instructions.size(); ++i) {
    const nisa::Instruction &in = program.instructions[i];
    os << ",\n{\"name\": \"" << nisa::stringify(in.opcode)
       << "\", \"ph\": \"X\", \"pid\": 0, \"tid\": " << int(in.queue)
       << llvm::format(", \"ts\": %.3f, \"dur\": %.3f", t.start[i] / 1000.0,
                       (t.end[i] - t.start[i]) / 1000.0)
       << ", \"args\": {\"id\": " << i << ", \"loc\": ";
    jsonString(os, program.locations[in.loc]);
    if (t.stallOn[i] >= 0) {
      std::string name = Timeline::stallName(t.stallOn[i]);
      os << llvm::format(", \"stall_us\": %.3f", t.stall[i] / 1000.0)
         << ", \"stalled_on\": \"" << name << "\"";
    }
    os << "}}";
  }
  os << "\n]}\n";
}
