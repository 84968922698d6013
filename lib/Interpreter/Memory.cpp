//===- Memory.cpp - a NeuronCore's memories, row by row -------------------===//

#include "Memory.h"

#include <cmath>
#include <cstring>

using namespace nki_run;

float nki_run::bf16ToFloat(uint16_t v) {
  uint32_t bits = uint32_t(v) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t nki_run::floatToBf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if (std::isnan(f))
    return uint16_t((bits >> 16) | 0x40);
  uint32_t rounding = 0x7fff + ((bits >> 16) & 1); // to nearest even
  return uint16_t((bits + rounding) >> 16);
}

/// Partitions are laid out this many bytes further apart than their size.
/// SBUF's and PSUM's partition sizes (192 KiB, 16 KiB) are multiples of
/// the set stride of the CPU's caches (4 KiB for a 32 KiB 8-way L1, 64 KiB
/// for a 512 KiB 8-way L2), so the same element of every partition would
/// compete for the same few sets and an instruction's 128 rows would evict
/// each other before the next instruction reads them. 33 cache lines apart,
/// the rows of a buffer spread over all the sets. Only where bytes are kept
/// changes, never a value.
static constexpr int64_t kPartitionPad = 33 * 64;

Memories::Memories(const nisa::Program &program)
    : program(program),
      sbufStride(nisa::sbufPartitionBytes(program.target) + kPartitionPad),
      psumStride(nisa::kPsumPartitionBytes + kPartitionPad) {
  sbuf.assign(size_t(sbufStride) * nisa::kPartitions, 0);
  psum.assign(size_t(psumStride) * nisa::kPartitions, 0);
  scratch.assign(size_t(program.scratchBytes), 0);
  hbm.resize(program.tensors.size());
  for (size_t i = 0; i < program.tensors.size(); ++i)
    if (!program.tensors[i].isInput)
      hbm[i].bytes.assign(size_t(program.tensors[i].numElements() *
                                 nisa::elementBytes(program.tensors[i].dtype)),
                          0);
}

void Memories::allocateUnsetInputs() {
  if (inputsAllocated)
    return;
  inputsAllocated = true;
  for (size_t i = 0; i < program.tensors.size(); ++i) {
    const nisa::TensorDecl &t = program.tensors[i];
    size_t bytes = size_t(t.numElements() * nisa::elementBytes(t.dtype));
    if (t.isInput && hbm[i].adopted.empty() && hbm[i].bytes.size() != bytes)
      hbm[i].bytes.assign(bytes, 0);
  }
}

uint8_t *Memories::rowBase(const nisa::AccessPattern &ap, int64_t row) {
  int64_t eb = nisa::elementBytes(ap.dtype);
  switch (ap.space) {
  case nisa::Space::sbuf:
    return sbuf.data() + (ap.partStart + row) * sbufStride + ap.offset;
  case nisa::Space::psum:
    return psum.data() + (ap.partStart + row) * psumStride + ap.offset;
  case nisa::Space::scratch:
    return scratch.data() + (ap.offset + row * ap.partStride) * eb;
  case nisa::Space::hbm:
    return hbm[size_t(ap.tensor)].data() +
           (ap.offset + row * ap.partStride) * eb;
  }
  return nullptr;
}

template <typename Fn>
static void forEachElement(const nisa::AccessPattern &ap, Fn &&fn) {
  int32_t s0 = ap.rank > 0 ? ap.sizes[0] : 1,
          s1 = ap.rank > 1 ? ap.sizes[1] : 1,
          s2 = ap.rank > 2 ? ap.sizes[2] : 1;
  int64_t t0 = ap.rank > 0 ? ap.strides[0] : 0,
          t1 = ap.rank > 1 ? ap.strides[1] : 0,
          t2 = ap.rank > 2 ? ap.strides[2] : 0;
  int64_t k = 0;
  for (int32_t i = 0; i < s0; ++i)
    for (int32_t j = 0; j < s1; ++j)
      for (int32_t l = 0; l < s2; ++l)
        fn(k++, i * t0 + j * t1 + l * t2);
}

void Memories::gather(const nisa::AccessPattern &ap, int64_t row, float *out) {
  const uint8_t *base = rowBase(ap, row);
  if (ap.dtype == nisa::DType::f32) {
    if (ap.rank == 1 && ap.strides[0] == 1) {
      std::memcpy(out, base, size_t(ap.sizes[0]) * 4);
      return;
    }
    forEachElement(ap, [&](int64_t k, int64_t e) {
      std::memcpy(out + k, base + e * 4, 4);
    });
    return;
  }
  forEachElement(ap, [&](int64_t k, int64_t e) {
    uint16_t v;
    std::memcpy(&v, base + e * 2, 2);
    out[k] = bf16ToFloat(v);
  });
}

void Memories::scatter(const nisa::AccessPattern &ap, int64_t row,
                       const float *in) {
  uint8_t *base = rowBase(ap, row);
  if (ap.dtype == nisa::DType::f32) {
    if (ap.rank == 1 && ap.strides[0] == 1) {
      std::memcpy(base, in, size_t(ap.sizes[0]) * 4);
      return;
    }
    forEachElement(ap, [&](int64_t k, int64_t e) {
      std::memcpy(base + e * 4, in + k, 4);
    });
    return;
  }
  forEachElement(ap, [&](int64_t k, int64_t e) {
    uint16_t v = floatToBf16(in[k]);
    std::memcpy(base + e * 2, &v, 2);
  });
}

bool nki_run::isDirect(const nisa::AccessPattern &ap) {
  return ap.dtype == nisa::DType::f32 && ap.rank == 1 && ap.strides[0] == 1 &&
         (!ap.isOnChip() || ap.offset % 4 == 0);
}

const float *Memories::input(const nisa::AccessPattern &ap, int64_t row,
                             std::vector<float> &tmp) {
  if (isDirect(ap))
    return reinterpret_cast<const float *>(rowBase(ap, row));
  tmp.resize(size_t(ap.freeElements()));
  gather(ap, row, tmp.data());
  return tmp.data();
}

float *Memories::output(const nisa::AccessPattern &ap, int64_t row,
                        std::vector<float> &tmp) {
  if (isDirect(ap))
    return reinterpret_cast<float *>(rowBase(ap, row));
  tmp.resize(size_t(ap.freeElements()));
  return tmp.data();
}

void Memories::commit(const nisa::AccessPattern &ap, int64_t row, float *data) {
  if (!isDirect(ap))
    scatter(ap, row, data);
}

float Memories::scalar(const nisa::Scalar &s, int64_t row) {
  if (s.isImmediate)
    return s.value;
  float v;
  gather(s.ap, row, &v);
  return v;
}
