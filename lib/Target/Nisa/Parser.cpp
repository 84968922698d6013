//===- Parser.cpp - the .nisa text parser ---------------------------------===//
//
// The header, access patterns and instruction lines (docs/nisa.md's
// grammar), over LineReader.cpp's lines and numbers; each instruction is
// validated as it is read (Validator.cpp's rules, through Check.h).
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Target/Nisa/Program.h"

#include "Check.h"
#include "LineReader.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"

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
/// The grammar of docs/nisa.md over LineReader's tokens.
class Parser : LineReader {
public:
  Parser(StringRef text, StringRef name) : LineReader(text, name) {}
  Parser(TextSource &source, StringRef name, ParseObserver *observer)
      : LineReader(source, name), observer(observer) {}
  llvm::Expected<Program> run();
  using LineReader::readError;

private:
  llvm::Error accessPattern(AccessPattern &ap);
  /// The parts of an access pattern: `sbuf`, `psum`, `hbm.NAME`, `scratch`;
  /// the partitions or rows; `SIZE[:STRIDE]{,SIZE[:STRIDE]}`.
  llvm::Error memory(AccessPattern &ap);
  llvm::Error rows(AccessPattern &ap);
  llvm::Error freeDims(AccessPattern &ap);
  llvm::Error scalar(Scalar &s);
  /// The header up to the instruction count.
  llvm::Error header();
  llvm::Error headerNumber(StringRef keyword, int64_t &out,
                           const llvm::Twine &what);
  /// `kernel NAME {KEY=VALUE}`, right after the target (docs/nisa.md).
  llvm::Error kernelLine(size_t keywordCol);
  llvm::Error tensorDecl();
  llvm::Error shape(TensorDecl &t);

  /// The fields of an instruction line seen so far, and where.
  struct Fields {
    bool seen[kNumFields] = {};
    size_t col[kNumFields]; // set when seen
    int last = -1;          // the field read last
  };
  /// For each opcode and field (and none, first), the field that followed
  /// it on the last line that had it.
  static constexpr uint8_t kNoGuess = 0xff;
  std::array<std::array<uint8_t, kNumFields + 1>, kNumOpcodes> nextField = [] {
    std::array<std::array<uint8_t, kNumFields + 1>, kNumOpcodes> t;
    for (auto &row : t)
      row.fill(kNoGuess);
    return t;
  }();
  llvm::Error instruction(size_t expectedId);
  /// A `ctx` line (the keyword read): the next context's loops.
  llvm::Error contextLine();
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

  Program program;
  ParseObserver *observer = nullptr;
  std::array<uint32_t, kNumQueues> counts{};
  /// Each location text's index in program.locations: a text is kept once
  /// (an unrolled stream repeats a few hundred locations).
  llvm::StringMap<uint32_t> locationIndex;
};
} // namespace

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
  std::optional<DType> dtype =
      type == "f32" ? DType::f32 : symbolizeDType(type);
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
  if (head.size() >= 4 && head[0] == 'h' && head.starts_with("hbm.")) {
    spaceName = "hbm";
    tensorName = head.drop_front(4);
  }
  // By first letter first: one comparison for each operand.
  char first = spaceName.empty() ? '\0' : spaceName[0];
  if (first == 's' && spaceName == "sbuf")
    ap.space = Space::sbuf;
  else if (first == 'p' && spaceName == "psum")
    ap.space = Space::psum;
  else if (first == 'h' && spaceName == "hbm")
    ap.space = Space::hbm;
  else if (first == 's' && spaceName == "scratch")
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
  if (observer)
    observer->instruction(in);
  program.instructions.push_back(std::move(in));
  return llvm::Error::success();
}

/// Whether an `opcode` line may carry `field`: one of its operands, or one
/// of the fields every line has (a table of masks, built once).
static bool belongsTo(Field field, Opcode opcode) {
  static_assert(kNumFields <= 32, "a field mask is 32 bits");
  struct Masks {
    Masks() {
      for (int o = 0; o < kNumOpcodes; ++o) {
        uint32_t m = 1u << int(Field::wait) | 1u << int(Field::sig) |
                     1u << int(Field::ctx) | 1u << int(Field::loc);
        for (const Operand &operand : getOpcodeInfo(Opcode(o)).operands)
          m |= 1u << int(operand.field);
        of[o] = m;
      }
    }
    uint32_t of[kNumOpcodes];
  };
  static const Masks masks;
  return masks.of[int(opcode)] >> int(field) & 1;
}

llvm::Error Parser::field(Instruction &in, Fields &fields) {
  size_t kcol = col;
  StringRef keyName = word();
  // The printer writes an opcode's fields in one order: the field that
  // followed the previous one last time is tried first.
  uint8_t &guess = nextField[int(in.opcode)][fields.last + 1];
  std::optional<Field> key;
  static const auto names = [] {
    std::array<StringRef, kNumFields> n;
    for (int f = 0; f < kNumFields; ++f)
      n[size_t(f)] = stringify(Field(f));
    return n;
  }();
  if (guess != kNoGuess && sameShortWord(keyName, names[guess]))
    key = Field(guess);
  else
    key = symbolizeField(keyName);
  if (key) {
    guess = uint8_t(*key);
    fields.last = int(*key);
  }
  if (!key) {
    col = kcol;
    return error("unknown field '" + keyName + "'");
  }
  if (fields.seen[int(*key)]) {
    col = kcol;
    return error("duplicate field '" + keyName + "'");
  }
  if (!belongsTo(*key, in.opcode)) {
    col = kcol;
    std::string own;
    for (const Operand &o : getOpcodeInfo(in.opcode).operands)
      own += (llvm::Twine(stringify(o.field)) + " ").str();
    return error("field '" + keyName + "' does not belong to " +
                 stringify(in.opcode) + " (its fields: " + own +
                 "wait sig ctx loc)");
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
  case FieldSlot::Ctx: {
    int64_t v = 0;
    size_t c = col;
    if (auto e = integer(v, 1, UINT32_MAX))
      return e;
    if (uint64_t(v) >= program.contexts.size()) {
      col = c;
      return error(
          "ctx=" + llvm::Twine(v) + " names no context declared before it (" +
          (program.contexts.size() > 1
               ? "declared: 1 to " + llvm::Twine(program.contexts.size() - 1)
               : llvm::Twine("none declared")) +
          ")");
    }
    in.ctx = uint32_t(v);
    return llvm::Error::success();
  }
  case FieldSlot::Loc: {
    // Most locations have no escapes: they are looked up as they stand.
    StringRef text;
    std::string unescaped;
    size_t close = peek() == '"' ? line.find('"', col + 1) : StringRef::npos;
    if (close != StringRef::npos &&
        !line.slice(col + 1, close).contains('\\')) {
      text = line.slice(col + 1, close);
      col = close + 1;
    } else {
      if (auto e = quoted(unescaped))
        return e;
      text = unescaped;
    }
    auto [it, inserted] =
        locationIndex.try_emplace(text, uint32_t(program.locations.size()));
    if (inserted)
      program.locations.push_back(text.str());
    in.loc = it->second;
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
    if (in.waits.size() == WaitList::kMaxWaits)
      return error("more than " + llvm::Twine(WaitList::kMaxWaits) +
                   " waits (one per queue is all an instruction needs)");
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
  // The kernel line, if any, then tensors until "scratch".
  while (true) {
    if (!nextLine())
      return error("unexpected end of file in the header");
    size_t kcol = col;
    StringRef keyword = word();
    skipSpaces();
    if (keyword == "scratch")
      break;
    if (keyword == "kernel") {
      if (auto e = kernelLine(kcol))
        return e;
      continue;
    }
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

llvm::Error Parser::kernelLine(size_t keywordCol) {
  if (program.kernel || !program.tensors.empty()) {
    col = keywordCol;
    return error(program.kernel
                     ? "duplicate 'kernel' line"
                     : "the 'kernel' line must come right after 'target'");
  }
  KernelInfo kernel;
  size_t ncol = col;
  StringRef name = word();
  if (name != KernelInfo::kSelectiveScan) {
    col = ncol;
    return error(name.empty()
                     ? "expected a kernel name (" + KernelInfo::kSelectiveScan +
                           "), got " + found(ncol)
                     : "unknown kernel '" + name + "' (expected " +
                           KernelInfo::kSelectiveScan + ")");
  }
  kernel.name = name.str();
  bool seenSoftplus = false;
  while (true) {
    skipSpaces();
    if (atEnd())
      break;
    size_t kcol = col;
    StringRef key = word();
    if (key != "delta_softplus") {
      col = kcol;
      return error(key.empty() ? "expected KEY=VALUE, got " + found(kcol)
                               : "unknown key '" + key + "' of kernel " + name +
                                     " (expected delta_softplus)");
    }
    if (seenSoftplus) {
      col = kcol;
      return error("duplicate key '" + key + "'");
    }
    seenSoftplus = true;
    if (auto e = expect('='))
      return e;
    size_t vcol = col;
    StringRef value = word();
    if (value != "0" && value != "1") {
      col = vcol;
      return error(key + " must be 0 or 1, got " + found(vcol));
    }
    kernel.deltaSoftplus = value == "1";
  }
  program.kernel = std::move(kernel);
  return llvm::Error::success();
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

llvm::Error Parser::contextLine() {
  skipSpaces();
  int64_t id = 0;
  size_t idCol = col;
  if (auto e = integer(id, 1, UINT32_MAX - 1))
    return e;
  if (uint64_t(id) != program.contexts.size()) {
    col = idCol;
    return error("expected context " + llvm::Twine(program.contexts.size()) +
                 " (contexts are numbered from 1 in order), got " +
                 llvm::Twine(id));
  }
  llvm::SmallVector<LoopLevel, 8> levels;
  while (true) {
    skipSpaces();
    if (atEnd())
      break;
    size_t nameCol = col;
    StringRef loopName = word();
    if (!isLoopName(loopName)) {
      col = nameCol;
      return error("expected a loop name (a letter or '_', then letters, "
                   "digits, '_' or '.'), got " +
                   found(nameCol));
    }
    if (levels.size() == LoopContexts::kMaxDepth) {
      col = nameCol;
      return error("a context has at most " +
                   llvm::Twine(LoopContexts::kMaxDepth) + " loops");
    }
    if (auto e = expect('='))
      return e;
    int64_t iteration = 0;
    if (auto e = integer(iteration, 0, UINT32_MAX))
      return e;
    if (!atEnd() && peek() != ' ')
      return error("expected a space after the iteration of loop '" + loopName +
                   "', got " + found(col));
    levels.push_back(
        {program.contexts.nameIndex(loopName), uint32_t(iteration)});
  }
  if (levels.empty())
    return error("a ctx line needs at least one loop (NAME=ITERATION)");
  program.contexts.add(levels);
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
  if (observer)
    observer->header(program, size_t(count));
  for (int64_t i = 0; i < count; ++i) {
    if (!nextLine())
      return error("unexpected end of file: " + llvm::Twine(count) +
                   " instructions declared, " + llvm::Twine(i) + " found");
    // Context lines come between instructions, before the first one in
    // each context.
    while (line.starts_with("ctx ")) {
      col = 4;
      if (auto e = contextLine())
        return std::move(e);
      if (!nextLine())
        return error("unexpected end of file: " + llvm::Twine(count) +
                     " instructions declared, " + llvm::Twine(i) + " found");
    }
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

namespace {
/// A file (or standard input), a piece at a time.
class FileSource : public TextSource {
public:
  explicit FileSource(llvm::sys::fs::file_t file) : file(file) {}
  size_t read(char *buf, size_t size, std::string &error) override {
    llvm::Expected<size_t> got = llvm::sys::fs::readNativeFile(
        file, llvm::MutableArrayRef<char>(buf, size));
    if (got)
      return *got;
    error = llvm::toString(got.takeError());
    return 0;
  }

private:
  llvm::sys::fs::file_t file;
};
} // namespace

ParseObserver::~ParseObserver() = default;

llvm::Expected<Program> nisa::parseFile(StringRef path,
                                        ParseObserver *observer) {
  auto cannotRead = [&](const llvm::Twine &why) {
    return llvm::createStringError(
        std::make_error_code(std::errc::invalid_argument),
        ("cannot read '" + path + "': " + why).str());
  };
  bool stdinput = path == "-";
  llvm::sys::fs::file_t file = llvm::sys::fs::getStdinHandle();
  if (!stdinput) {
    llvm::Expected<llvm::sys::fs::file_t> opened =
        llvm::sys::fs::openNativeFileForRead(path);
    if (!opened)
      return cannotRead(llvm::toString(opened.takeError()));
    file = *opened;
  }
  FileSource source(file);
  Parser parser(source, path, observer);
  llvm::Expected<Program> program = parser.run();
  if (!stdinput)
    llvm::sys::fs::closeFile(file);
  // A read error ends the text early: it, not what the parser made of the
  // shortened text, is the problem.
  if (!parser.readError().empty()) {
    if (!program)
      llvm::consumeError(program.takeError());
    return cannotRead(parser.readError());
  }
  return program;
}
