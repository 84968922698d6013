//===- Printer.cpp - the .nisa text printer -------------------------------===//

#include "mamba-nki/Target/Nisa/Program.h"

#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <cstdio>
#include <cstring>

using namespace nisa;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Printer
//===----------------------------------------------------------------------===//

namespace {
/// .nisa text, formatted into a local buffer and written to the stream in
/// large pieces: the backend prints millions of instructions, so the
/// printer avoids raw_ostream's per-item overhead, temporary strings and
/// digit-by-digit division.
class Line {
public:
  explicit Line(llvm::raw_ostream &os) : os(os) {}
  ~Line() { flush(); }
  void put(char c) {
    reserve(1);
    buf[size++] = c;
  }
  void put(StringRef s) {
    if (s.size() > kCapacity / 2) {
      flush();
      os << s;
      return;
    }
    reserve(s.size());
    copy(buf + size, s.data(), s.size());
    size += s.size();
  }
  void putInt(int64_t v) {
    reserve(21);
    if (v < 0) {
      buf[size++] = '-';
      putDigits(0 - uint64_t(v));
    } else {
      putDigits(uint64_t(v));
    }
  }
  void putHex(uint64_t v) {
    reserve(16);
    char tmp[16];
    char *end = tmp + sizeof(tmp), *p = end;
    do {
      *--p = "0123456789abcdef"[v & 15];
      v >>= 4;
    } while (v);
    copy(buf + size, p, size_t(end - p));
    size += size_t(end - p);
  }
  void putFloat(float v) {
    if (std::isnan(v))
      return put("nan");
    if (std::isinf(v))
      return put(v < 0 ? "-inf" : "inf");
    char tmp[32];
    int n = std::snprintf(tmp, sizeof(tmp), "%.9g", double(v));
    put(StringRef(tmp, size_t(n)));
  }
  void putString(StringRef s) {
    put('"');
    while (!s.empty()) {
      size_t special = 0;
      while (special < s.size() && s[special] != '"' && s[special] != '\\' &&
             s[special] != '\n')
        ++special;
      put(s.take_front(special));
      if (special == s.size())
        break;
      put(s[special] == '\n'  ? StringRef("\\n")
          : s[special] == '"' ? StringRef("\\\"")
                              : StringRef("\\\\"));
      s = s.drop_front(special + 1);
    }
    put('"');
  }
  void flush() {
    os.write(buf, size);
    size = 0;
  }

private:
  static constexpr size_t kCapacity = 4096;
  void reserve(size_t n) {
    if (size + n > kCapacity)
      flush();
  }
  /// Two digits per division.
  void putDigits(uint64_t u) {
    static const char kPairs[] = "00010203040506070809"
                                 "10111213141516171819"
                                 "20212223242526272829"
                                 "30313233343536373839"
                                 "40414243444546474849"
                                 "50515253545556575859"
                                 "60616263646566676869"
                                 "70717273747576777879"
                                 "80818283848586878889"
                                 "90919293949596979899";
    char tmp[20];
    char *end = tmp + sizeof(tmp), *p = end;
    while (u >= 100) {
      unsigned pair = unsigned(u % 100) * 2;
      u /= 100;
      *--p = kPairs[pair + 1];
      *--p = kPairs[pair];
    }
    if (u >= 10) {
      *--p = kPairs[u * 2 + 1];
      *--p = kPairs[u * 2];
    } else {
      *--p = char('0' + u);
    }
    copy(buf + size, p, size_t(end - p));
    size += size_t(end - p);
  }
  /// memcpy, without a library call for the short pieces a line is made
  /// of: two fixed-size (so inlined) copies that may overlap.
  static void copy(char *dst, const char *src, size_t n) {
    if (n >= 8 && n <= 16) {
      std::memcpy(dst, src, 8);
      std::memcpy(dst + n - 8, src + n - 8, 8);
    } else if (n >= 4 && n < 8) {
      std::memcpy(dst, src, 4);
      std::memcpy(dst + n - 4, src + n - 4, 4);
    } else if (n < 4) {
      for (size_t i = 0; i < n; ++i)
        dst[i] = src[i];
    } else {
      std::memcpy(dst, src, n);
    }
  }

  llvm::raw_ostream &os;
  char buf[kCapacity];
  size_t size = 0;
};
} // namespace

static void printAP(Line &os, const Program &p, const AccessPattern &ap) {
  os.put(stringify(ap.space));
  if (ap.isOnChip()) {
    os.put('[');
    os.putInt(ap.partStart);
    os.put('+');
    os.putInt(ap.partCount);
    os.put("]@0x");
    os.putHex(uint64_t(ap.offset));
  } else {
    if (ap.space == Space::hbm) {
      os.put('.');
      os.put(p.tensors[ap.tensor].name);
    }
    os.put('[');
    os.putInt(ap.partCount);
    os.put('*');
    os.putInt(ap.partStride);
    os.put("]@");
    os.putInt(ap.offset);
  }
  os.put('{');
  for (int i = 0; i < ap.rank; ++i) {
    if (i)
      os.put(',');
    os.putInt(ap.sizes[i]);
    if (ap.strides[i] != 1) {
      os.put(':');
      os.putInt(ap.strides[i]);
    }
  }
  os.put("}.");
  os.put(stringify(ap.dtype));
}

static void printScalar(Line &os, const Program &p, const Scalar &s) {
  if (s.isImmediate)
    os.putFloat(s.value);
  else
    printAP(os, p, s.ap);
}

/// Whether `in` has the optional operand in `slot` (a required one is
/// always printed). rev1 reverses op1, so it is there only with op1.
static bool hasOptional(const Instruction &in, FieldSlot slot) {
  switch (slot) {
  case FieldSlot::Bias:
    return in.hasBias;
  case FieldSlot::Rev0:
    return in.rev0;
  case FieldSlot::Op1:
  case FieldSlot::Scalar1:
    return in.hasOp1;
  case FieldSlot::Rev1:
    return in.hasOp1 && in.rev1;
  default:
    return true;
  }
}

/// ` field=value` (or ` flag`) for one operand of `in`.
static void printOperand(Line &os, const Program &p, const Instruction &in,
                         Field field) {
  os.put(' ');
  os.put(stringify(field));
  FieldSlot slot = slotOf(field);
  if (slot == FieldSlot::Rev0 || slot == FieldSlot::Rev1)
    return; // a flag
  os.put('=');
  switch (slot) {
  case FieldSlot::Dst:
    return printAP(os, p, in.dst);
  case FieldSlot::Src0:
    return printAP(os, p, in.src0);
  case FieldSlot::Src1:
    return printAP(os, p, in.src1);
  case FieldSlot::Bias:
    return printAP(os, p, in.bias);
  case FieldSlot::Scalar0:
    return printScalar(os, p, in.scalar0);
  case FieldSlot::Scalar1:
    return printScalar(os, p, in.scalar1);
  case FieldSlot::Func:
    return os.put(stringify(in.func));
  case FieldSlot::Op0:
    return os.put(stringify(in.op0));
  case FieldSlot::Op1:
    return os.put(stringify(in.op1));
  case FieldSlot::Value:
    return os.putFloat(in.value);
  case FieldSlot::Rev0:
  case FieldSlot::Rev1:
  case FieldSlot::Wait: // printed by printInstruction
  case FieldSlot::Sig:
  case FieldSlot::Ctx:
  case FieldSlot::Loc:
    return;
  }
}

void nisa::printInstruction(const Program &p, int64_t id, const Instruction &in,
                            llvm::raw_ostream &out) {
  Line os(out);
  os.putInt(id);
  os.put(' ');
  os.put(stringify(in.queue));
  os.put(' ');
  os.put(stringify(in.opcode));
  for (const Operand &operand : getOpcodeInfo(in.opcode).operands)
    if (operand.use == OperandUse::Required ||
        hasOptional(in, slotOf(operand.field)))
      printOperand(os, p, in, operand.field);
  if (!in.waits.empty()) {
    os.put(" wait=");
    for (size_t i = 0; i < in.waits.size(); ++i) {
      if (i)
        os.put(',');
      os.put(stringify(in.waits[i].queue));
      os.put(':');
      os.putInt(in.waits[i].value);
    }
  }
  os.put(" sig=");
  os.putInt(in.signal);
  if (in.ctx) {
    os.put(" ctx=");
    os.putInt(in.ctx);
  }
  if (in.loc) {
    os.put(" loc=");
    os.putString(p.locations[in.loc]);
  }
  os.put('\n');
}

void nisa::printHeader(const Program &p, int64_t numInstructions,
                       llvm::raw_ostream &os) {
  os << "nisa " << p.version << '\n';
  os << "target " << stringify(p.target) << '\n';
  if (p.kernel)
    os << "kernel " << p.kernel->name
       << " delta_softplus=" << (p.kernel->deltaSoftplus ? 1 : 0) << '\n';
  for (const TensorDecl &t : p.tensors) {
    os << "tensor " << t.name << ' '
       << (t.isInput && t.isOutput ? "inout"
           : t.isOutput            ? "output"
                                   : "input")
       << ' ' << stringify(t.dtype) << ' ';
    llvm::interleave(t.shape, os, "x");
    os << '\n';
  }
  os << "scratch " << p.scratchBytes << '\n';
  os << "sbuf_peak " << p.sbufPeakBytes << '\n';
  os << "psum_peak " << p.psumPeakBytes << '\n';
  os << "instructions " << numInstructions << '\n';
}

void nisa::printEnd(llvm::raw_ostream &os) { os << "end\n"; }

void nisa::printContext(const Program &p, uint32_t ctx,
                        llvm::raw_ostream &out) {
  Line os(out);
  os.put("ctx ");
  os.putInt(ctx);
  for (const LoopLevel &l : p.contexts.levels(ctx)) {
    os.put(' ');
    os.put(p.contexts.name(l.name));
    os.put('=');
    os.putInt(l.iteration);
  }
  os.put('\n');
}

void nisa::print(const Program &p, llvm::raw_ostream &os) {
  printHeader(p, int64_t(p.instructions.size()), os);
  // Each context before the first instruction in it: contexts are
  // numbered in that order.
  uint32_t declared = 0;
  for (size_t i = 0; i < p.instructions.size(); ++i) {
    Instruction in = p.instructions[i];
    for (; declared < in.ctx && declared + 1 < p.contexts.size(); ++declared)
      printContext(p, declared + 1, os);
    printInstruction(p, int64_t(i), in, os);
  }
  printEnd(os);
}
