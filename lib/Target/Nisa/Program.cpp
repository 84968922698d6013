//===- Program.cpp - .nisa names and data structures ----------------------===//
//
// The printer, parser, validator and statistics are in their own files
// (Printer.cpp, Parser.cpp, Validator.cpp, Stats.cpp).
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Target/Nisa/Program.h"
#include "mamba-nki/Target/Nisa/IntervalMap.h"

#include "Names.h"

using namespace nisa;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

StringRef nisa::stringify(Target t) {
  return t == Target::trn2 ? "trn2" : "trn1";
}

StringRef nisa::stringify(Space s) {
  switch (s) {
  case Space::hbm:
    return "hbm";
  case Space::scratch:
    return "scratch";
  case Space::sbuf:
    return "sbuf";
  case Space::psum:
    return "psum";
  }
  return "?";
}

StringRef nisa::stringify(DType d) { return d == DType::bf16 ? "bf16" : "f32"; }

const char *const nisa::kOpcodeNames[] = {"dma",
                                          "activation",
                                          "tensor_scalar",
                                          "tensor_tensor",
                                          "tensor_tensor_scan",
                                          "tensor_copy",
                                          "memset",
                                          "matmul"};
const char *const nisa::kAluNames[] = {"bypass", "add", "subtract", "multiply",
                                       "divide", "max", "min"};
const char *const nisa::kActNames[] = {"identity", "exp",  "log",      "relu",
                                       "sigmoid",  "silu", "softplus", "tanh",
                                       "square",   "sqrt"};
const char *const nisa::kQueueNames[] = {
    "act",      "dve",      "pool",
    "pe",       "qSyncIO0", "qSyncIO1",
    "qSyncIO2", "qSyncIO3", "qSyncSpillReload0"};

StringRef nisa::stringify(Opcode o) { return kOpcodeNames[int(o)]; }
StringRef nisa::stringify(Alu a) { return kAluNames[int(a)]; }
StringRef nisa::stringify(Act a) { return kActNames[int(a)]; }
StringRef nisa::stringify(Queue q) { return kQueueNames[int(q)]; }

int64_t nisa::elementBytes(DType d) { return d == DType::bf16 ? 2 : 4; }

int64_t nisa::sbufPartitionBytes(Target t) {
  return t == Target::trn2 ? 224 * 1024 : 192 * 1024;
}

//===----------------------------------------------------------------------===//
// AccessPattern, TensorDecl, Program
//===----------------------------------------------------------------------===//

int64_t AccessPattern::freeElements() const {
  int64_t n = 1;
  for (int i = 0; i < rank; ++i)
    n *= sizes[i];
  return n;
}

int64_t AccessPattern::spanBytes() const {
  int64_t last = 0; // element index of the last element, relative
  for (int i = 0; i < rank; ++i)
    last += int64_t(sizes[i] - 1) * strides[i];
  if (!isOnChip())
    last += int64_t(partCount - 1) * partStride;
  return (last + 1) * elementBytes(dtype);
}

bool AccessPattern::operator==(const AccessPattern &o) const {
  return space == o.space && dtype == o.dtype && rank == o.rank &&
         tensor == o.tensor && partStart == o.partStart &&
         partCount == o.partCount && partStride == o.partStride &&
         offset == o.offset && sizes == o.sizes && strides == o.strides;
}

ByteRange nisa::byteRange(const AccessPattern &ap) {
  int64_t eb = elementBytes(ap.dtype);
  switch (ap.space) {
  case Space::sbuf:
    return {0, ap.offset, ap.offset + ap.spanBytes()};
  case Space::psum:
    return {1, ap.offset, ap.offset + ap.spanBytes()};
  case Space::scratch:
    return {2, ap.offset * eb, ap.offset * eb + ap.spanBytes()};
  case Space::hbm:
    return {3 + ap.tensor, ap.offset * eb, ap.offset * eb + ap.spanBytes()};
  }
  return {0, 0, 0};
}

int64_t TensorDecl::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

int Program::findTensor(StringRef name) const {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == name)
      return int(i);
  return -1;
}
