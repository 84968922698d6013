//===- Program.cpp - .nisa printer, parser, validator and stats -----------===//

#include "mamba-nki/Target/Nisa/Program.h"
#include "mamba-nki/Target/Nisa/IntervalMap.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

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

static const char *const kOpcodeNames[] = {"dma",
                                           "activation",
                                           "tensor_scalar",
                                           "tensor_tensor",
                                           "tensor_tensor_scan",
                                           "tensor_copy",
                                           "memset",
                                           "matmul"};
static const char *const kAluNames[] = {"bypass", "add", "subtract", "multiply",
                                        "divide", "max", "min"};
static const char *const kActNames[] = {"identity", "exp",  "log",      "relu",
                                        "sigmoid",  "silu", "softplus", "tanh",
                                        "square",   "sqrt"};
static const char *const kQueueNames[] = {
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

template <typename E, size_t N>
static bool lookup(const char *const (&names)[N], StringRef name, E &out) {
  for (size_t i = 0; i < N; ++i)
    if (name == names[i]) {
      out = static_cast<E>(i);
      return true;
    }
  return false;
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

void nisa::printInstruction(const Program &p, int64_t id, const Instruction &in,
                            llvm::raw_ostream &out) {
  Line os(out);
  os.putInt(id);
  os.put(' ');
  os.put(stringify(in.queue));
  os.put(' ');
  os.put(stringify(in.opcode));
  auto ap = [&](StringRef key, const AccessPattern &a) {
    os.put(' ');
    os.put(key);
    os.put('=');
    printAP(os, p, a);
  };
  auto scalar = [&](StringRef key, const Scalar &s) {
    os.put(' ');
    os.put(key);
    os.put('=');
    printScalar(os, p, s);
  };
  auto word = [&](StringRef key, StringRef value) {
    os.put(' ');
    os.put(key);
    os.put('=');
    os.put(value);
  };
  switch (in.opcode) {
  case Opcode::dma:
    ap("dst", in.dst);
    ap("src", in.src0);
    break;
  case Opcode::activation:
    word("func", stringify(in.func));
    ap("dst", in.dst);
    ap("data", in.src0);
    scalar("scale", in.scalar0);
    if (in.hasBias)
      ap("bias", in.bias);
    break;
  case Opcode::tensor_scalar:
    ap("dst", in.dst);
    ap("data", in.src0);
    word("op0", stringify(in.op0));
    scalar("arg0", in.scalar0);
    if (in.rev0)
      os.put(" rev0");
    if (in.hasOp1) {
      word("op1", stringify(in.op1));
      scalar("arg1", in.scalar1);
      if (in.rev1)
        os.put(" rev1");
    }
    break;
  case Opcode::tensor_tensor:
    word("op", stringify(in.op0));
    ap("dst", in.dst);
    ap("src0", in.src0);
    ap("src1", in.src1);
    break;
  case Opcode::tensor_tensor_scan:
    word("op0", stringify(in.op0));
    word("op1", stringify(in.op1));
    ap("dst", in.dst);
    ap("src0", in.src0);
    ap("src1", in.src1);
    scalar("init", in.scalar0);
    break;
  case Opcode::tensor_copy:
    ap("dst", in.dst);
    ap("src", in.src0);
    break;
  case Opcode::memset:
    ap("dst", in.dst);
    os.put(" value=");
    os.putFloat(in.value);
    break;
  case Opcode::matmul:
    ap("dst", in.dst);
    ap("stationary", in.src0);
    ap("moving", in.src1);
    break;
  }
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

void nisa::print(const Program &p, llvm::raw_ostream &os) {
  printHeader(p, int64_t(p.instructions.size()), os);
  for (size_t i = 0; i < p.instructions.size(); ++i)
    printInstruction(p, int64_t(i), p.instructions[i], os);
  printEnd(os);
}

//===----------------------------------------------------------------------===//
// Parser
//===----------------------------------------------------------------------===//

namespace {
/// A rule an instruction breaks: the field to point at, and why.
struct Problem {
  std::string field; // "dst", "src0", ..., "wait", "sig", or "" (the line)
  std::string message;
};
} // namespace

static std::optional<Problem>
checkInstruction(const Program &p, const Instruction &in,
                 std::array<uint32_t, kNumQueues> &counts);

namespace {
class Parser {
public:
  Parser(StringRef text, StringRef name) : text(text), name(name) {}
  llvm::Expected<Program> run();

private:
  // Line handling.
  bool nextLine();
  llvm::Error error(const llvm::Twine &message) const {
    return llvm::createStringError(
        std::make_error_code(std::errc::invalid_argument),
        (name + ":" + llvm::Twine(std::max(lineNo, 1u)) + ":" +
         llvm::Twine(col + 1) + ": error: " + message)
            .str());
  }
  bool atEnd() const { return col >= line.size(); }
  char peek() const { return atEnd() ? '\0' : line[col]; }
  void skipSpaces() {
    while (!atEnd() && line[col] == ' ')
      ++col;
  }
  bool consume(char c) {
    if (peek() != c)
      return false;
    ++col;
    return true;
  }
  llvm::Error expect(char c) {
    if (consume(c))
      return llvm::Error::success();
    return error(llvm::Twine("expected '") + llvm::Twine(c) + "', got " +
                 found(col));
  }
  StringRef word(); // [A-Za-z0-9_.-]+ up to a delimiter
  /// What stands at column `c`, for "got '...'" in errors: up to the next
  /// space (`word`: the number-like run there), at most 24 characters.
  std::string found(size_t c, bool word = false) const;
  /// A decimal integer in [min, max], spelled as the printer spells it: no
  /// sign, no leading zeros. `hex`: '0x' and lowercase hex digits instead
  /// (on-chip byte offsets). `thenX`: an 'x' may follow (a shape).
  llvm::Error integer(int64_t &out, int64_t min, int64_t max, bool hex = false,
                      bool thenX = false);
  /// Nothing but spaces may follow on this line.
  llvm::Error endOfLine(const llvm::Twine &after);
  llvm::Error floating(float &out);
  llvm::Error quoted(std::string &out);
  llvm::Error accessPattern(AccessPattern &ap);
  llvm::Error scalar(Scalar &s);
  llvm::Error headerKeyword(StringRef keyword);
  llvm::Error instruction(size_t expectedId);

  StringRef text, name;
  StringRef line;
  size_t pos = 0, col = 0;
  unsigned lineNo = 0;
  Program program;
  std::array<uint32_t, kNumQueues> counts{};
};
} // namespace

bool Parser::nextLine() {
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == StringRef::npos)
      end = text.size();
    line = text.slice(pos, end);
    if (line.ends_with("\r"))
      line = line.drop_back();
    pos = end + 1;
    ++lineNo;
    col = 0;
    StringRef trimmed = line.trim();
    if (trimmed.empty() || trimmed.starts_with("#"))
      continue;
    return true;
  }
  line = StringRef();
  col = 0;
  return false;
}

StringRef Parser::word() {
  size_t start = col;
  while (!atEnd() && (llvm::isAlnum(line[col]) || line[col] == '_' ||
                      line[col] == '-' || line[col] == '.'))
    ++col;
  return line.slice(start, col);
}

std::string Parser::found(size_t c, bool word) const {
  if (c >= line.size())
    return "the end of the line";
  StringRef rest = line.substr(c);
  StringRef token = rest.take_until([&](char ch) {
    return ch == ' ' || (word && !llvm::isAlnum(ch) && ch != '_' && ch != '-' &&
                         ch != '+' && ch != '.');
  });
  if (token.empty())
    token = rest.take_front(1);
  std::string text = token.take_front(24).str();
  if (token.size() > 24)
    text += "...";
  return "'" + text + "'";
}

llvm::Error Parser::integer(int64_t &out, int64_t min, int64_t max, bool hex,
                            bool thenX) {
  size_t start = col;
  auto bad = [&](const llvm::Twine &what) {
    col = start;
    return error(what + ", got " + found(start, /*word=*/true));
  };
  if (hex && !line.substr(col).starts_with("0x"))
    return bad("expected a hex byte offset ('0x' and lowercase hex digits)");
  size_t digitsStart = hex ? col + 2 : col;
  col = digitsStart;
  while (!atEnd() && (hex ? llvm::isDigit(line[col]) ||
                                (line[col] >= 'a' && line[col] <= 'f')
                          : llvm::isDigit(line[col])))
    ++col;
  StringRef digits = line.slice(digitsStart, col);
  // A letter or digit straight after the number (other than a shape's 'x')
  // makes it another token: '1junk', '0x10' where decimal is expected, or
  // upper-case hex digits.
  bool glued = !atEnd() && (llvm::isAlnum(peek()) || peek() == '_') &&
               !(thenX && peek() == 'x');
  if (digits.empty() || glued)
    return bad(hex ? "expected a hex byte offset ('0x' and lowercase hex "
                     "digits)"
                   : "expected a decimal integer");
  if (digits.size() > 1 && digits.front() == '0')
    return bad(hex ? "expected a hex byte offset without leading zeros"
                   : "expected a decimal integer without leading zeros");
  unsigned long long value = 0;
  if (llvm::getAsUnsignedInteger(digits, hex ? 16 : 10, value) ||
      value > uint64_t(max) || int64_t(value) < min) {
    StringRef text = line.slice(start, col);
    col = start;
    return error("integer " + text + " out of range [" + llvm::Twine(min) +
                 ", " + llvm::Twine(max) + "]");
  }
  out = int64_t(value);
  return llvm::Error::success();
}

llvm::Error Parser::endOfLine(const llvm::Twine &after) {
  skipSpaces();
  if (atEnd())
    return llvm::Error::success();
  return error("unexpected " + found(col) + " after " + after);
}

/// What the printer writes for a float: inf, -inf, nan, or a decimal
/// number with an optional exponent (no hex floats, no "infinity").
static bool isDecimalFloat(StringRef t) {
  if (t == "inf" || t == "-inf" || t == "nan")
    return true;
  t.consume_front("-");
  size_t digits = 0, i = 0;
  for (; i < t.size() && llvm::isDigit(t[i]); ++i)
    ++digits;
  if (i < t.size() && t[i] == '.')
    for (++i; i < t.size() && llvm::isDigit(t[i]); ++i)
      ++digits;
  if (digits == 0)
    return false;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-'))
      ++i;
    size_t exponent = i;
    while (i < t.size() && llvm::isDigit(t[i]))
      ++i;
    if (i == exponent)
      return false;
  }
  return i == t.size();
}

llvm::Error Parser::floating(float &out) {
  size_t start = col;
  while (!atEnd() && line[col] != ' ' && line[col] != ',')
    ++col;
  std::string token = line.slice(start, col).str();
  if (token.empty()) {
    col = start;
    return error("expected a number, got " + found(start));
  }
  if (!isDecimalFloat(token)) {
    col = start;
    return error("expected a decimal number, inf, -inf or nan, got " +
                 found(start));
  }
  char *end = nullptr;
  errno = 0;
  float value = std::strtof(token.c_str(), &end);
  if (end != token.c_str() + token.size()) {
    col = start;
    return error("expected a number, got " + found(start));
  }
  if (errno == ERANGE && std::isinf(value)) {
    col = start;
    return error("number " + token + " is out of range for f32");
  }
  out = value;
  return llvm::Error::success();
}

llvm::Error Parser::quoted(std::string &out) {
  if (!consume('"'))
    return error("expected '\"'");
  out.clear();
  while (!atEnd() && peek() != '"') {
    char c = line[col++];
    if (c == '\\') {
      if (atEnd())
        break;
      char e = line[col++];
      out += e == 'n' ? '\n' : e;
      continue;
    }
    out += c;
  }
  if (!consume('"'))
    return error("unterminated string");
  return llvm::Error::success();
}

llvm::Error Parser::accessPattern(AccessPattern &ap) {
  size_t start = col;
  StringRef head = word();
  StringRef spaceName = head, tensorName;
  if (head.starts_with("hbm.")) {
    spaceName = "hbm";
    tensorName = head.drop_front(4);
  }
  if (spaceName == "sbuf")
    ap.space = Space::sbuf;
  else if (spaceName == "psum")
    ap.space = Space::psum;
  else if (spaceName == "hbm")
    ap.space = Space::hbm;
  else if (spaceName == "scratch")
    ap.space = Space::scratch;
  else {
    col = start;
    return error("expected an access pattern (sbuf, psum, hbm.<tensor> or "
                 "scratch), got '" +
                 head + "'");
  }
  if (ap.space == Space::hbm) {
    int index = program.findTensor(tensorName);
    if (index < 0) {
      col = start;
      return error("unknown tensor '" + tensorName + "'");
    }
    ap.tensor = int16_t(index);
  }
  int64_t a = 0, b = 0;
  if (auto e = expect('['))
    return e;
  if (ap.isOnChip()) {
    if (auto e = integer(a, 0, kPartitions))
      return e;
    if (auto e = expect('+'))
      return e;
    if (auto e = integer(b, 1, kPartitions))
      return e;
    ap.partStart = int32_t(a);
    ap.partCount = int32_t(b);
  } else {
    if (auto e = integer(a, 1, kPartitions))
      return e;
    if (auto e = expect('*'))
      return e;
    if (auto e = integer(b, 0, int64_t(1) << 48))
      return e;
    ap.partCount = int32_t(a);
    ap.partStride = b;
  }
  if (auto e = expect(']'))
    return e;
  if (auto e = expect('@'))
    return e;
  // On-chip offsets are bytes, in hex; HBM and scratch offsets elements.
  if (auto e = integer(ap.offset, 0, int64_t(1) << 48, ap.isOnChip()))
    return e;
  if (auto e = expect('{'))
    return e;
  ap.rank = 0;
  do {
    if (ap.rank == kMaxFreeDims)
      return error("more than " + llvm::Twine(kMaxFreeDims) + " free dims");
    int64_t size = 0, stride = 1;
    if (auto e = integer(size, 1, INT32_MAX))
      return e;
    if (consume(':'))
      if (auto e = integer(stride, 0, INT32_MAX))
        return e;
    ap.sizes[ap.rank] = int32_t(size);
    ap.strides[ap.rank] = int32_t(stride);
    ++ap.rank;
  } while (consume(','));
  if (auto e = expect('}'))
    return e;
  if (auto e = expect('.'))
    return e;
  size_t typeCol = col;
  StringRef type = word();
  if (type == "f32")
    ap.dtype = DType::f32;
  else if (type == "bf16")
    ap.dtype = DType::bf16;
  else {
    col = typeCol;
    return error("expected f32 or bf16, got '" + type + "'");
  }
  return llvm::Error::success();
}

llvm::Error Parser::scalar(Scalar &s) {
  char c = peek();
  if (llvm::isDigit(c) || c == '-' || c == '+' || c == '.' || c == 'i' ||
      c == 'n') {
    s.isImmediate = true;
    return floating(s.value);
  }
  s.isImmediate = false;
  return accessPattern(s.ap);
}

llvm::Error Parser::headerKeyword(StringRef keyword) {
  if (!nextLine())
    return error("unexpected end of file: expected '" + keyword + "'");
  size_t start = col;
  if (word() != keyword) {
    col = start;
    return error("expected '" + keyword + "', got " + found(start));
  }
  skipSpaces();
  return llvm::Error::success();
}

llvm::Error Parser::instruction(size_t expectedId) {
  int64_t id = 0;
  if (auto e = integer(id, 0, INT64_MAX))
    return e;
  if (size_t(id) != expectedId) {
    col = 0;
    return error("expected instruction " + llvm::Twine(expectedId) + ", got " +
                 llvm::Twine(id));
  }
  skipSpaces();
  Instruction in;
  size_t qcol = col;
  StringRef queueName = word();
  if (!lookup(kQueueNames, queueName, in.queue)) {
    col = qcol;
    return error("unknown queue '" + queueName + "'");
  }
  skipSpaces();
  size_t ocol = col;
  StringRef opName = word();
  if (!lookup(kOpcodeNames, opName, in.opcode)) {
    col = ocol;
    return error("unknown opcode '" + opName + "'");
  }
  bool seen[32] = {};
  size_t fieldCol[32] = {};
  bool sawSig = false;
  enum Key {
    kDst,
    kSrc,
    kSrc0,
    kSrc1,
    kData,
    kFunc,
    kScale,
    kBias,
    kOp,
    kOp0,
    kOp1,
    kArg0,
    kArg1,
    kRev0,
    kRev1,
    kInit,
    kValue,
    kStationary,
    kMoving,
    kWait,
    kSig,
    kLoc
  };
  static const char *const keyNames[] = {
      "dst",   "src",        "src0",   "src1", "data", "func", "scale", "bias",
      "op",    "op0",        "op1",    "arg0", "arg1", "rev0", "rev1",  "init",
      "value", "stationary", "moving", "wait", "sig",  "loc"};
  while (true) {
    skipSpaces();
    if (atEnd())
      break;
    size_t kcol = col;
    StringRef keyName = word();
    Key key;
    if (!lookup(keyNames, keyName, key)) {
      col = kcol;
      return error("unknown field '" + keyName + "'");
    }
    if (seen[key]) {
      col = kcol;
      return error("duplicate field '" + keyName + "'");
    }
    seen[key] = true;
    fieldCol[key] = kcol;
    if (key == kRev0 || key == kRev1) {
      (key == kRev0 ? in.rev0 : in.rev1) = true;
      continue;
    }
    if (auto e = expect('='))
      return e;
    llvm::Error err = llvm::Error::success();
    auto alu = [&](Alu &out) -> llvm::Error {
      size_t c = col;
      StringRef n = word();
      if (!lookup(kAluNames, n, out)) {
        col = c;
        return error("unknown ALU operation '" + n + "'");
      }
      return llvm::Error::success();
    };
    switch (key) {
    case kDst:
      err = accessPattern(in.dst);
      break;
    case kSrc:
    case kSrc0:
    case kData:
    case kStationary:
      err = accessPattern(in.src0);
      in.numSrcs = std::max<uint8_t>(in.numSrcs, 1);
      break;
    case kSrc1:
    case kMoving:
      err = accessPattern(in.src1);
      in.numSrcs = 2;
      break;
    case kFunc: {
      size_t c = col;
      StringRef n = word();
      if (!lookup(kActNames, n, in.func)) {
        col = c;
        return error("unknown activation function '" + n + "'");
      }
      break;
    }
    case kScale:
    case kArg0:
    case kInit:
      err = scalar(in.scalar0);
      break;
    case kArg1:
      err = scalar(in.scalar1);
      break;
    case kBias:
      err = accessPattern(in.bias);
      in.hasBias = true;
      break;
    case kOp:
    case kOp0:
      err = alu(in.op0);
      break;
    case kOp1:
      err = alu(in.op1);
      in.hasOp1 = true;
      break;
    case kValue:
      err = floating(in.value);
      break;
    case kWait:
      do {
        size_t c = col;
        StringRef qn;
        while (!atEnd() && line[col] != ':' && line[col] != ' ')
          ++col;
        qn = line.slice(c, col);
        Wait w;
        if (!lookup(kQueueNames, qn, w.queue)) {
          col = c;
          return error("unknown queue '" + qn + "' in wait");
        }
        if (auto e = expect(':'))
          return e;
        int64_t v = 0;
        if (auto e = integer(v, 1, UINT32_MAX))
          return e;
        w.value = uint32_t(v);
        in.waits.push_back(w);
      } while (consume(','));
      break;
    case kSig: {
      int64_t v = 0;
      if (auto e = integer(v, 1, UINT32_MAX))
        return e;
      in.signal = uint32_t(v);
      sawSig = true;
      break;
    }
    case kLoc: {
      std::string s;
      if (auto e = quoted(s))
        return e;
      program.locations.push_back(std::move(s));
      in.loc = uint32_t(program.locations.size() - 1);
      break;
    }
    case kRev0:
    case kRev1:
      break;
    }
    if (err)
      return err;
  }
  // Required fields per opcode.
  auto require = [&](std::initializer_list<Key> keys) -> llvm::Error {
    for (Key k : keys)
      if (!seen[k] && ((col = ocol), true))
        return error(llvm::Twine(stringify(in.opcode)) + " needs field '" +
                     keyNames[k] + "'");
    return llvm::Error::success();
  };
  llvm::Error missing = llvm::Error::success();
  switch (in.opcode) {
  case Opcode::dma:
    missing = require({kDst, kSrc});
    break;
  case Opcode::activation:
    missing = require({kFunc, kDst, kData, kScale});
    break;
  case Opcode::tensor_scalar:
    missing = require({kDst, kData, kOp0, kArg0});
    if (!missing && seen[kOp1] != seen[kArg1])
      missing = ((col = ocol), error("tensor_scalar needs both 'op1' and "
                                     "'arg1' or neither"));
    break;
  case Opcode::tensor_tensor:
    missing = require({kOp, kDst, kSrc0, kSrc1});
    break;
  case Opcode::tensor_tensor_scan:
    missing = require({kOp0, kOp1, kDst, kSrc0, kSrc1, kInit});
    break;
  case Opcode::tensor_copy:
    missing = require({kDst, kSrc});
    break;
  case Opcode::memset:
    missing = require({kDst, kValue});
    break;
  case Opcode::matmul:
    missing = require({kDst, kStationary, kMoving});
    break;
  }
  if (missing)
    return missing;
  if (!sawSig) {
    col = ocol;
    return error("instruction needs field 'sig'");
  }
  if (std::optional<Problem> p = checkInstruction(program, in, counts)) {
    // Point at the field that breaks the rule.
    struct FieldKeys {
      const char *field;
      Key keys[4];
      int count;
    };
    static const FieldKeys fields[] = {
        {"dst", {kDst}, 1},
        {"src0", {kSrc, kSrc0, kData, kStationary}, 4},
        {"src1", {kSrc1, kMoving}, 2},
        {"scalar0", {kScale, kArg0, kInit}, 3},
        {"arg1", {kArg1}, 1},
        {"bias", {kBias}, 1},
        {"wait", {kWait}, 1},
        {"sig", {kSig}, 1}};
    col = 0;
    for (const FieldKeys &f : fields)
      if (p->field == f.field)
        for (int k = 0; k < f.count; ++k)
          if (seen[f.keys[k]])
            col = fieldCol[f.keys[k]];
    return error(p->message);
  }
  program.instructions.push_back(std::move(in));
  return llvm::Error::success();
}

llvm::Expected<Program> Parser::run() {
  int64_t v = 0;
  if (auto e = headerKeyword("nisa"))
    return std::move(e);
  size_t versionCol = col;
  if (auto e = integer(v, 0, 1000))
    return std::move(e);
  if (auto e = endOfLine("the version"))
    return std::move(e);
  col = versionCol;
  if (v != kFormatVersion)
    return error("unsupported .nisa version " + llvm::Twine(v) +
                 " (this build reads version " + llvm::Twine(kFormatVersion) +
                 ")");
  if (auto e = headerKeyword("target"))
    return std::move(e);
  size_t tcol = col;
  StringRef target = word();
  if (target == "trn1")
    program.target = Target::trn1;
  else if (target == "trn2")
    program.target = Target::trn2;
  else {
    col = tcol;
    return error("unknown target '" + target + "' (expected trn1 or trn2)");
  }
  if (auto e = endOfLine("the target"))
    return std::move(e);
  // Tensors until "scratch".
  while (true) {
    if (!nextLine())
      return error("unexpected end of file in the header");
    size_t kcol = col;
    StringRef keyword = word();
    skipSpaces();
    if (keyword == "scratch") {
      if (auto e = integer(program.scratchBytes, 0, int64_t(1) << 44))
        return std::move(e);
      if (auto e = endOfLine("the scratch size"))
        return std::move(e);
      break;
    }
    if (keyword != "tensor") {
      col = kcol;
      return error("expected 'tensor' or 'scratch', got " + found(kcol));
    }
    TensorDecl t;
    size_t ncol = col;
    t.name = word().str();
    if (t.name.empty() || program.findTensor(t.name) >= 0) {
      col = ncol;
      return error(t.name.empty() ? "expected a tensor name"
                                  : "duplicate tensor '" + t.name + "'");
    }
    skipSpaces();
    size_t rcol = col;
    StringRef role = word();
    if (role == "input")
      t.isInput = true;
    else if (role == "output")
      t.isOutput = true;
    else if (role == "inout")
      t.isInput = t.isOutput = true;
    else {
      col = rcol;
      return error("expected input, output or inout");
    }
    skipSpaces();
    size_t dcol = col;
    StringRef dtype = word();
    if (dtype == "f32")
      t.dtype = DType::f32;
    else if (dtype == "bf16")
      t.dtype = DType::bf16;
    else {
      col = dcol;
      return error("expected f32 or bf16");
    }
    skipSpaces();
    int64_t elements = 1;
    do {
      int64_t d = 0;
      size_t c = col;
      if (auto e = integer(d, 0, int64_t(1) << 40, /*hex=*/false,
                           /*thenX=*/true))
        return std::move(e);
      if (d == 0) {
        col = c;
        return error("tensor '" + t.name +
                     "' has a dimension of 0; every "
                     "dimension must be at least 1");
      }
      elements *= d;
      if (elements > kMaxTensorElements) {
        col = c;
        return error("tensor '" + t.name +
                     "' is larger than 2^34 elements (64 GiB of f32)");
      }
      t.shape.push_back(d);
    } while (consume('x'));
    if (auto e = endOfLine("the shape of tensor '" + t.name + "'"))
      return std::move(e);
    program.tensors.push_back(std::move(t));
  }
  if (auto e = headerKeyword("sbuf_peak"))
    return std::move(e);
  if (auto e = integer(program.sbufPeakBytes, 0, int64_t(1) << 32))
    return std::move(e);
  if (auto e = endOfLine("the SBUF peak"))
    return std::move(e);
  if (auto e = headerKeyword("psum_peak"))
    return std::move(e);
  if (auto e = integer(program.psumPeakBytes, 0, int64_t(1) << 32))
    return std::move(e);
  if (auto e = endOfLine("the PSUM peak"))
    return std::move(e);
  if (auto e = headerKeyword("instructions"))
    return std::move(e);
  int64_t count = 0;
  if (auto e = integer(count, 0, int64_t(1) << 32))
    return std::move(e);
  if (auto e = endOfLine("the instruction count"))
    return std::move(e);
  program.instructions.reserve(size_t(std::min<int64_t>(count, 1 << 20)));
  for (int64_t i = 0; i < count; ++i) {
    if (!nextLine())
      return error("unexpected end of file: " + llvm::Twine(count) +
                   " instructions declared, " + llvm::Twine(i) + " found");
    if (auto e = instruction(size_t(i)))
      return std::move(e);
  }
  if (!nextLine() || line.trim() != "end")
    return error("expected 'end' after " + llvm::Twine(count) +
                 " instructions");
  if (nextLine())
    return error("unexpected text after 'end'");
  return std::move(program);
}

llvm::Expected<Program> nisa::parse(StringRef text, StringRef bufferName) {
  // Every instruction is validated as it is read, so errors have a line.
  return Parser(text, bufferName).run();
}

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

static std::optional<Problem> problem(llvm::StringRef field,
                                      const llvm::Twine &message) {
  return Problem{field.str(), message.str()};
}

static std::optional<Problem> checkAP(const Program &p, StringRef role,
                                      const AccessPattern &ap) {
  if (ap.rank == 0)
    return problem(role, "operand '" + role + "' has no free dims");
  if (ap.isOnChip()) {
    if (ap.partStart + ap.partCount > kPartitions)
      return problem(role, "operand '" + role + "' uses partitions " +
                               llvm::Twine(ap.partStart) + ".." +
                               llvm::Twine(ap.partStart + ap.partCount - 1) +
                               "; there are " + llvm::Twine(kPartitions));
    if (ap.offset % elementBytes(ap.dtype) != 0)
      return problem(role, "operand '" + role + "' starts at byte 0x" +
                               llvm::utohexstr(ap.offset, true) +
                               ", not a multiple of its " +
                               llvm::Twine(elementBytes(ap.dtype)) +
                               "-byte elements");
    int64_t capacity = ap.space == Space::sbuf ? sbufPartitionBytes(p.target)
                                               : kPsumPartitionBytes;
    if (ap.offset + ap.spanBytes() > capacity)
      return problem(role,
                     "operand '" + role + "' ends at byte " +
                         llvm::Twine(ap.offset + ap.spanBytes()) + " of a " +
                         stringify(ap.space) + " partition, which has " +
                         llvm::Twine(capacity) + " on " + stringify(p.target));
    return std::nullopt;
  }
  int64_t limit = ap.space == Space::hbm
                      ? p.tensors[ap.tensor].numElements() *
                            elementBytes(p.tensors[ap.tensor].dtype)
                      : p.scratchBytes;
  int64_t end = ap.offset * elementBytes(ap.dtype) + ap.spanBytes();
  if (end > limit)
    return problem(role, "operand '" + role + "' ends at byte " +
                             llvm::Twine(end) + " of " +
                             (ap.space == Space::hbm
                                  ? "tensor '" + p.tensors[ap.tensor].name + "'"
                                  : std::string("the scratch area")) +
                             ", which has " + llvm::Twine(limit));
  if (ap.space == Space::hbm && ap.dtype != p.tensors[ap.tensor].dtype)
    return problem(role, "operand '" + role + "' reads tensor '" +
                             p.tensors[ap.tensor].name + "' as " +
                             stringify(ap.dtype) + ", but it is " +
                             stringify(p.tensors[ap.tensor].dtype));
  return std::nullopt;
}

/// Checks one instruction; `counts` holds each queue's instructions so far
/// and is advanced past this one.
static std::optional<Problem>
checkInstruction(const Program &p, const Instruction &in,
                 std::array<uint32_t, kNumQueues> &counts) {
  bool dma = isDmaQueue(in.queue);
  if (dma != (in.opcode == Opcode::dma))
    return problem("", llvm::Twine(stringify(in.opcode)) +
                           " cannot run on queue " + stringify(in.queue));
  if (in.opcode == Opcode::activation && in.queue != Queue::act)
    return problem("", "activation runs on act (ScalarE) only");
  if (in.opcode == Opcode::matmul && in.queue != Queue::pe)
    return problem("", "matmul runs on pe (TensorE) only");
  if (in.queue == Queue::pe && in.opcode != Opcode::matmul)
    return problem("", "pe (TensorE) runs matmul only");
  if (in.opcode == Opcode::tensor_tensor_scan && in.queue != Queue::dve)
    return problem("", "tensor_tensor_scan runs on dve (VectorE) only");
  if (auto e = checkAP(p, "dst", in.dst))
    return e;
  if (in.numSrcs >= 1)
    if (auto e = checkAP(p, "src0", in.src0))
      return e;
  if (in.numSrcs >= 2)
    if (auto e = checkAP(p, "src1", in.src1))
      return e;
  if (!in.scalar0.isImmediate)
    if (auto e = checkAP(p, "scalar0", in.scalar0.ap))
      return e;
  if (!in.scalar1.isImmediate)
    if (auto e = checkAP(p, "arg1", in.scalar1.ap))
      return e;
  if (in.hasBias)
    if (auto e = checkAP(p, "bias", in.bias))
      return e;
  // Operand shapes: what the engines read must match what they write.
  auto sameShape = [&](llvm::StringRef role,
                       const AccessPattern &a) -> std::optional<Problem> {
    if (a.partCount != in.dst.partCount ||
        a.freeElements() != in.dst.freeElements())
      return problem(
          role, "operand '" + role + "' is " + llvm::Twine(a.partCount) +
                    " partitions x " + llvm::Twine(a.freeElements()) +
                    " elements, but 'dst' is " + llvm::Twine(in.dst.partCount) +
                    " x " + llvm::Twine(in.dst.freeElements()));
    return std::nullopt;
  };
  auto column = [&](llvm::StringRef role,
                    const AccessPattern &a) -> std::optional<Problem> {
    if (a.partCount != in.dst.partCount || a.freeElements() != 1)
      return problem(role, "operand '" + role +
                               "' must be one element per partition of 'dst' "
                               "([" +
                               llvm::Twine(in.dst.partCount) + ", 1]), got " +
                               llvm::Twine(a.partCount) + " x " +
                               llvm::Twine(a.freeElements()));
    return std::nullopt;
  };
  if (!dma && in.opcode != Opcode::matmul && in.opcode != Opcode::memset) {
    if (in.numSrcs < 1)
      return problem("", llvm::Twine(stringify(in.opcode)) + " needs a source");
    if (auto e = sameShape("src0", in.src0))
      return e;
    if (in.numSrcs >= 2)
      if (auto e = sameShape("src1", in.src1))
        return e;
  }
  if (!in.scalar0.isImmediate)
    if (auto e = column("scalar0", in.scalar0.ap))
      return e;
  if (!in.scalar1.isImmediate)
    if (auto e = column("arg1", in.scalar1.ap))
      return e;
  if (in.hasBias)
    if (auto e = column("bias", in.bias))
      return e;
  if (in.opcode == Opcode::matmul) {
    // dst[M, F] = stationary[K, M]^T x moving[K, F]
    if (in.numSrcs < 2 || in.src0.partCount != in.src1.partCount)
      return problem("src1", "matmul's 'moving' must have as many partitions "
                             "(K) as 'stationary'");
    if (in.src0.freeElements() != in.dst.partCount ||
        in.src1.freeElements() != in.dst.freeElements())
      return problem("dst", "matmul's 'dst' must be [M, F] = [" +
                                llvm::Twine(in.src0.freeElements()) + ", " +
                                llvm::Twine(in.src1.freeElements()) +
                                "], got [" + llvm::Twine(in.dst.partCount) +
                                ", " + llvm::Twine(in.dst.freeElements()) +
                                "]");
    if (in.dst.space != Space::psum)
      return problem("dst", "matmul writes PSUM");
  }
  if (dma) {
    if (in.dst.isOnChip() == in.src0.isOnChip())
      return problem("", "dma moves between HBM/scratch and SBUF");
    if (in.dst.partCount != in.src0.partCount ||
        in.dst.freeElements() != in.src0.freeElements())
      return problem("", "dma source and destination sizes differ");
  } else if (!in.dst.isOnChip()) {
    return problem("dst", "engine instructions write SBUF or PSUM");
  }
  for (const Wait &w : in.waits)
    if (w.value > counts[int(w.queue)])
      return problem("wait", "waits for " + llvm::Twine(stringify(w.queue)) +
                                 ":" + llvm::Twine(w.value) + ", but only " +
                                 llvm::Twine(counts[int(w.queue)]) +
                                 " instructions of that queue come before it");
  uint32_t expected = ++counts[int(in.queue)];
  if (in.signal != expected)
    return problem("sig", "sig=" + llvm::Twine(in.signal) + " but this is " +
                              stringify(in.queue) + "'s instruction " +
                              llvm::Twine(expected));
  return std::nullopt;
}

llvm::Error Validator::check(const Instruction &in) {
  int64_t id = next++;
  if (std::optional<Problem> e = checkInstruction(header, in, counts))
    return llvm::createStringError(
        std::make_error_code(std::errc::invalid_argument),
        "instruction %lld: %s", (long long)id, e->message.c_str());
  return llvm::Error::success();
}

llvm::Error nisa::validate(const Program &p) {
  Validator validator(p);
  for (const Instruction &in : p.instructions)
    if (llvm::Error e = validator.check(in))
      return e;
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Stats
//===----------------------------------------------------------------------===//

Stats nisa::computeStats(const Program &p) {
  Stats s;
  s.instructions = int64_t(p.instructions.size());
  for (const Instruction &in : p.instructions) {
    ++s.perQueue[int(in.queue)];
    s.waits += int64_t(in.waits.size());
    if (in.opcode != Opcode::dma)
      continue;
    int64_t bytes = int64_t(in.dst.partCount) * in.dst.freeElements() *
                    elementBytes(in.dst.dtype);
    if (in.queue == Queue::spill) {
      if (in.dst.space == Space::scratch)
        s.spillSaveBytes += bytes;
      else
        s.spillReloadBytes += bytes;
    } else {
      s.dmaBytes += bytes;
    }
  }
  return s;
}

void nisa::printStats(const Program &p, llvm::raw_ostream &os) {
  Stats s = computeStats(p);
  os << "target: " << stringify(p.target) << "\n";
  os << "instructions: " << s.instructions << " (semaphore waits: " << s.waits
     << ")\n";
  for (int q = 0; q < kNumQueues; ++q)
    os << llvm::format("  %-18s %lld\n",
                       stringify(static_cast<Queue>(q)).str().c_str(),
                       (long long)s.perQueue[q]);
  int64_t sbuf = sbufPartitionBytes(p.target);
  os << llvm::format("sbuf peak: %lld bytes per partition (%.1f%% of %lld)\n",
                     (long long)p.sbufPeakBytes,
                     100.0 * double(p.sbufPeakBytes) / double(sbuf),
                     (long long)sbuf);
  os << llvm::format("psum peak: %lld bytes per partition (%.1f%% of %lld)\n",
                     (long long)p.psumPeakBytes,
                     100.0 * double(p.psumPeakBytes) /
                         double(kPsumPartitionBytes),
                     (long long)kPsumPartitionBytes);
  os << "dma bytes (kernel i/o): " << s.dmaBytes << "\n";
  os << "spill save bytes: " << s.spillSaveBytes << "\n";
  os << "spill reload bytes: " << s.spillReloadBytes << "\n";
  os << "scratch bytes: " << p.scratchBytes << "\n";
}
