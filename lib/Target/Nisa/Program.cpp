//===- Program.cpp - .nisa names and data structures ----------------------===//
//
// The instruction set's tables are in InstructionSet.cpp; the printer,
// parser, validator and statistics in their own files.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Target/Nisa/Program.h"

#include "llvm/Support/ErrorHandling.h"

using namespace nisa;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// AccessPattern, TensorDecl, Program
//===----------------------------------------------------------------------===//

void WaitList::tooMany() {
  llvm::report_fatal_error("nisa::WaitList: an instruction has at most " +
                           llvm::Twine(kMaxWaits) + " waits");
}

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
    return {kSbufKey, ap.offset, ap.offset + ap.spanBytes()};
  case Space::psum:
    return {kPsumKey, ap.offset, ap.offset + ap.spanBytes()};
  case Space::scratch:
    return {kScratchKey, ap.offset * eb, ap.offset * eb + ap.spanBytes()};
  case Space::hbm:
    return {tensorKey(ap.tensor), ap.offset * eb,
            ap.offset * eb + ap.spanBytes()};
  }
  return {kSbufKey, 0, 0};
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

const AccessPattern &nisa::dmaOnChipSide(const Instruction &dma) {
  return dma.dst.isOnChip() ? dma.dst : dma.src0;
}

int64_t nisa::dmaBytesPerPartition(const Instruction &dma) {
  const AccessPattern &onChip = dmaOnChipSide(dma);
  return onChip.freeElements() * elementBytes(onChip.dtype);
}

int64_t nisa::dmaBytes(const Instruction &dma) {
  return int64_t(dmaOnChipSide(dma).partCount) * dmaBytesPerPartition(dma);
}

DmaKind nisa::dmaKind(const Instruction &dma) {
  bool toChip = dma.dst.isOnChip();
  if (dma.queue == Queue::spill)
    return toChip ? DmaKind::spillReload : DmaKind::spillSave;
  return toChip ? DmaKind::load : DmaKind::store;
}
