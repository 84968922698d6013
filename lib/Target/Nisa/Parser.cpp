//===- Parser.cpp - the .nisa text parser ---------------------------------===//

#include "mamba-nki/Target/Nisa/Program.h"

#include "Check.h"

#include "llvm/ADT/StringExtras.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>

using namespace nisa;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Parser
//===----------------------------------------------------------------------===//

/// "a, b or c" for the names of an enum's `count` values.
template <typename E> static std::string choices(int count) {
  std::string text;
  for (int i = 0; i < count; ++i)
    text += (i == 0           ? ""
             : i + 1 == count ? " or "
                              : ", ") +
            stringify(static_cast<E>(i)).str();
  return text;
}

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
  /// The parts of an access pattern: `sbuf`, `psum`, `hbm.NAME`, `scratch`;
  /// the partitions or rows; `SIZE[:STRIDE]{,SIZE[:STRIDE]}`.
  llvm::Error memory(AccessPattern &ap);
  llvm::Error rows(AccessPattern &ap);
  llvm::Error freeDims(AccessPattern &ap);
  llvm::Error scalar(Scalar &s);
  llvm::Error headerKeyword(StringRef keyword);
  /// The header up to the instruction count.
  llvm::Error header();
  llvm::Error headerNumber(StringRef keyword, int64_t &out,
                           const llvm::Twine &what);
  llvm::Error tensorDecl();
  llvm::Error shape(TensorDecl &t);

  /// The fields of an instruction line seen so far, and where.
  struct Fields {
    bool seen[kNumFields] = {};
    size_t col[kNumFields] = {};
  };
  llvm::Error instruction(size_t expectedId);
  /// One `key=value` (or flag) of an instruction line.
  llvm::Error field(Instruction &in, Fields &fields);
  llvm::Error fieldValue(Instruction &in, FieldSlot slot);
  /// An enumerator's spelling; `what` names the enum in errors.
  template <typename E>
  llvm::Error spelling(E &out, std::optional<E> (*symbolize)(StringRef),
                       StringRef what);
  llvm::Error waits(Instruction &in);
  /// The fields the opcode requires (InstructionSet.def) and `sig`.
  llvm::Error requiredFields(const Instruction &in, const Fields &fields,
                             size_t opcodeCol);

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
  if (auto e = memory(ap))
    return e;
  if (auto e = expect('['))
    return e;
  if (auto e = rows(ap))
    return e;
  if (auto e = expect(']'))
    return e;
  if (auto e = expect('@'))
    return e;
  // On-chip offsets are bytes, in hex; HBM and scratch offsets elements.
  if (auto e = integer(ap.offset, 0, int64_t(1) << 48, ap.isOnChip()))
    return e;
  if (auto e = expect('{'))
    return e;
  if (auto e = freeDims(ap))
    return e;
  if (auto e = expect('}'))
    return e;
  if (auto e = expect('.'))
    return e;
  size_t typeCol = col;
  StringRef type = word();
  std::optional<DType> dtype = symbolizeDType(type);
  if (!dtype) {
    col = typeCol;
    return error("expected " + choices<DType>(kNumDTypes) + ", got '" + type +
                 "'");
  }
  ap.dtype = *dtype;
  return llvm::Error::success();
}

llvm::Error Parser::memory(AccessPattern &ap) {
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
  return llvm::Error::success();
}

llvm::Error Parser::rows(AccessPattern &ap) {
  int64_t a = 0, b = 0;
  if (ap.isOnChip()) {
    if (auto e = integer(a, 0, kPartitions))
      return e;
    if (auto e = expect('+'))
      return e;
    if (auto e = integer(b, 1, kPartitions))
      return e;
    ap.partStart = int32_t(a);
    ap.partCount = int32_t(b);
    return llvm::Error::success();
  }
  if (auto e = integer(a, 1, kPartitions))
    return e;
  if (auto e = expect('*'))
    return e;
  if (auto e = integer(b, 0, int64_t(1) << 48))
    return e;
  ap.partCount = int32_t(a);
  ap.partStride = b;
  return llvm::Error::success();
}

llvm::Error Parser::freeDims(AccessPattern &ap) {
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
  std::optional<Queue> queue = symbolizeQueue(queueName);
  if (!queue) {
    col = qcol;
    return error("unknown queue '" + queueName + "'");
  }
  in.queue = *queue;
  skipSpaces();
  size_t ocol = col;
  StringRef opName = word();
  std::optional<Opcode> opcode = symbolizeOpcode(opName);
  if (!opcode) {
    col = ocol;
    return error("unknown opcode '" + opName + "'");
  }
  in.opcode = *opcode;
  Fields fields;
  while (true) {
    skipSpaces();
    if (atEnd())
      break;
    if (auto e = field(in, fields))
      return e;
  }
  if (auto e = requiredFields(in, fields, ocol))
    return e;
  if (std::optional<Problem> p = checkInstruction(program, in, counts)) {
    // Point at the field that breaks the rule.
    col = 0;
    if (p->slot)
      for (int f = 0; f < kNumFields; ++f)
        if (fields.seen[f] && slotOf(Field(f)) == *p->slot)
          col = fields.col[f];
    return error(p->message);
  }
  program.instructions.push_back(std::move(in));
  return llvm::Error::success();
}

llvm::Error Parser::field(Instruction &in, Fields &fields) {
  size_t kcol = col;
  StringRef keyName = word();
  std::optional<Field> key = symbolizeField(keyName);
  if (!key) {
    col = kcol;
    return error("unknown field '" + keyName + "'");
  }
  if (fields.seen[int(*key)]) {
    col = kcol;
    return error("duplicate field '" + keyName + "'");
  }
  fields.seen[int(*key)] = true;
  fields.col[int(*key)] = kcol;
  switch (slotOf(*key)) {
  case FieldSlot::Rev0: // flags: no value
    in.rev0 = true;
    return llvm::Error::success();
  case FieldSlot::Rev1:
    in.rev1 = true;
    return llvm::Error::success();
  default:
    break;
  }
  if (auto e = expect('='))
    return e;
  return fieldValue(in, slotOf(*key));
}

llvm::Error Parser::fieldValue(Instruction &in, FieldSlot slot) {
  switch (slot) {
  case FieldSlot::Dst:
    return accessPattern(in.dst);
  case FieldSlot::Src0:
    in.numSrcs = std::max<uint8_t>(in.numSrcs, 1);
    return accessPattern(in.src0);
  case FieldSlot::Src1:
    in.numSrcs = 2;
    return accessPattern(in.src1);
  case FieldSlot::Bias:
    in.hasBias = true;
    return accessPattern(in.bias);
  case FieldSlot::Func:
    return spelling(in.func, symbolizeAct, "activation function");
  case FieldSlot::Scalar0:
    return scalar(in.scalar0);
  case FieldSlot::Scalar1:
    return scalar(in.scalar1);
  case FieldSlot::Op0:
    return spelling(in.op0, symbolizeAlu, "ALU operation");
  case FieldSlot::Op1:
    in.hasOp1 = true;
    return spelling(in.op1, symbolizeAlu, "ALU operation");
  case FieldSlot::Value:
    return floating(in.value);
  case FieldSlot::Wait:
    return waits(in);
  case FieldSlot::Sig: {
    int64_t v = 0;
    if (auto e = integer(v, 1, UINT32_MAX))
      return e;
    in.signal = uint32_t(v);
    return llvm::Error::success();
  }
  case FieldSlot::Loc: {
    std::string s;
    if (auto e = quoted(s))
      return e;
    program.locations.push_back(std::move(s));
    in.loc = uint32_t(program.locations.size() - 1);
    return llvm::Error::success();
  }
  case FieldSlot::Rev0: // flags, handled by field()
  case FieldSlot::Rev1:
    break;
  }
  return llvm::Error::success();
}

template <typename E>
llvm::Error Parser::spelling(E &out, std::optional<E> (*symbolize)(StringRef),
                             StringRef what) {
  size_t c = col;
  StringRef n = word();
  std::optional<E> value = symbolize(n);
  if (!value) {
    col = c;
    return error("unknown " + what + " '" + n + "'");
  }
  out = *value;
  return llvm::Error::success();
}

llvm::Error Parser::waits(Instruction &in) {
  do {
    size_t c = col;
    while (!atEnd() && line[col] != ':' && line[col] != ' ')
      ++col;
    StringRef qn = line.slice(c, col);
    std::optional<Queue> queue = symbolizeQueue(qn);
    if (!queue) {
      col = c;
      return error("unknown queue '" + qn + "' in wait");
    }
    if (auto e = expect(':'))
      return e;
    int64_t v = 0;
    if (auto e = integer(v, 1, UINT32_MAX))
      return e;
    in.waits.push_back(Wait{*queue, uint32_t(v)});
  } while (consume(','));
  return llvm::Error::success();
}

llvm::Error Parser::requiredFields(const Instruction &in, const Fields &fields,
                                   size_t opcodeCol) {
  llvm::ArrayRef<Operand> operands = getOpcodeInfo(in.opcode).operands;
  for (const Operand &o : operands)
    if (o.use == OperandUse::Required && !fields.seen[int(o.field)]) {
      col = opcodeCol;
      return error(llvm::Twine(stringify(in.opcode)) + " needs field '" +
                   stringify(o.field) + "'");
    }
  // An opcode's Paired fields come together (InstructionSet.def).
  llvm::SmallVector<Field, 2> pair;
  for (const Operand &o : operands)
    if (o.use == OperandUse::Paired)
      pair.push_back(o.field);
  if (pair.size() == 2 &&
      fields.seen[int(pair[0])] != fields.seen[int(pair[1])]) {
    col = opcodeCol;
    return error(llvm::Twine(stringify(in.opcode)) + " needs both '" +
                 stringify(pair[0]) + "' and '" + stringify(pair[1]) +
                 "' or neither");
  }
  if (!fields.seen[int(Field::sig)]) {
    col = opcodeCol;
    return error("instruction needs field 'sig'");
  }
  return llvm::Error::success();
}

llvm::Error Parser::header() {
  int64_t v = 0;
  if (auto e = headerKeyword("nisa"))
    return e;
  size_t versionCol = col;
  if (auto e = integer(v, 0, 1000))
    return e;
  if (auto e = endOfLine("the version"))
    return e;
  col = versionCol;
  if (v != kFormatVersion)
    return error("unsupported .nisa version " + llvm::Twine(v) +
                 " (this build reads version " + llvm::Twine(kFormatVersion) +
                 ")");
  if (auto e = headerKeyword("target"))
    return e;
  size_t tcol = col;
  StringRef target = word();
  std::optional<Target> parsed = mamba_hw::parseTarget(target);
  if (!parsed) {
    col = tcol;
    return error("unknown target '" + target + "' (expected " +
                 mamba_hw::targetChoices() + ")");
  }
  program.target = *parsed;
  if (auto e = endOfLine("the target"))
    return e;
  // Tensors until "scratch".
  while (true) {
    if (!nextLine())
      return error("unexpected end of file in the header");
    size_t kcol = col;
    StringRef keyword = word();
    skipSpaces();
    if (keyword == "scratch")
      break;
    if (keyword != "tensor") {
      col = kcol;
      return error("expected 'tensor' or 'scratch', got " + found(kcol));
    }
    if (auto e = tensorDecl())
      return e;
  }
  if (auto e = integer(program.scratchBytes, 0, int64_t(1) << 44))
    return e;
  if (auto e = endOfLine("the scratch size"))
    return e;
  if (auto e =
          headerNumber("sbuf_peak", program.sbufPeakBytes, "the SBUF peak"))
    return e;
  return headerNumber("psum_peak", program.psumPeakBytes, "the PSUM peak");
}

llvm::Error Parser::headerNumber(StringRef keyword, int64_t &out,
                                 const llvm::Twine &what) {
  if (auto e = headerKeyword(keyword))
    return e;
  if (auto e = integer(out, 0, int64_t(1) << 32))
    return e;
  return endOfLine(what);
}

llvm::Error Parser::tensorDecl() {
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
  std::optional<DType> dtype = symbolizeDType(word());
  if (!dtype) {
    col = dcol;
    return error("expected " + choices<DType>(kNumDTypes));
  }
  t.dtype = *dtype;
  skipSpaces();
  if (auto e = shape(t))
    return e;
  if (auto e = endOfLine("the shape of tensor '" + t.name + "'"))
    return e;
  program.tensors.push_back(std::move(t));
  return llvm::Error::success();
}

llvm::Error Parser::shape(TensorDecl &t) {
  int64_t elements = 1;
  do {
    int64_t d = 0;
    size_t c = col;
    if (auto e = integer(d, 0, int64_t(1) << 40, /*hex=*/false,
                         /*thenX=*/true))
      return e;
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
  return llvm::Error::success();
}

llvm::Expected<Program> Parser::run() {
  if (auto e = header())
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
