//===- Program.cpp - .nisa names and data structures ----------------------===//
//
// The instruction set's tables are in InstructionSet.cpp; the printer,
// parser, validator and statistics in their own files.
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Target/Nisa/Program.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
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

llvm::StringRef nisa::stringify(DmaKind kind) {
  switch (kind) {
  case DmaKind::load:
    return "load";
  case DmaKind::store:
    return "store";
  case DmaKind::spillSave:
    return "spill_save";
  case DmaKind::spillReload:
    return "spill_reload";
  }
  return "dma";
}

llvm::StringRef nisa::activityName(const Instruction &in) {
  if (in.opcode == Opcode::dma)
    return stringify(dmaKind(in));
  return stringify(in.opcode);
}

LoopContexts::LoopContexts() : starts{0, 0} {}

uint32_t LoopContexts::add(llvm::ArrayRef<LoopLevel> levels) {
  pool.insert(pool.end(), levels.begin(), levels.end());
  starts.push_back(uint32_t(pool.size()));
  return uint32_t(size() - 1);
}

uint32_t LoopContexts::nameIndex(llvm::StringRef name) {
  // Few names (a kernel's loops): a linear search, from the last added.
  for (size_t i = names.size(); i-- > 0;)
    if (names[i] == name)
      return uint32_t(i);
  names.push_back(name.str());
  return uint32_t(names.size() - 1);
}

std::string LoopContexts::describe(uint32_t ctx) const {
  std::string text;
  for (const LoopLevel &l : levels(ctx))
    text += (text.empty() ? "" : " ") + names[l.name] + "=" +
            std::to_string(l.iteration);
  return text;
}

std::string LoopContexts::loops(uint32_t ctx) const {
  std::string text;
  for (const LoopLevel &l : levels(ctx))
    text += (text.empty() ? "" : "/") + names[l.name];
  return text;
}

bool LoopContexts::operator==(const LoopContexts &o) const {
  if (size() != o.size())
    return false;
  for (uint32_t c = 0; c < size(); ++c) {
    llvm::ArrayRef<LoopLevel> a = levels(c), b = o.levels(c);
    if (a.size() != b.size())
      return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (names[a[i].name] != o.names[b[i].name] ||
          a[i].iteration != b[i].iteration)
        return false;
  }
  return true;
}

size_t LoopContexts::memoryBytes() const {
  size_t bytes = starts.capacity() * sizeof(uint32_t) +
                 pool.capacity() * sizeof(LoopLevel);
  for (const std::string &n : names)
    bytes += sizeof(std::string) + n.capacity();
  return bytes;
}

bool nisa::isLoopName(llvm::StringRef name) {
  if (name.empty() || !(llvm::isAlpha(name[0]) || name[0] == '_'))
    return false;
  return llvm::all_of(
      name, [](char c) { return llvm::isAlnum(c) || c == '_' || c == '.'; });
}
