//===- LineReader.cpp - the tokens of .nisa text --------------------------===//

#include "LineReader.h"

#include "llvm/ADT/StringExtras.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

using namespace nisa;
using llvm::StringRef;

namespace {
/// Character classes, by table (the parser reads every character).
struct CharClasses {
  enum : uint8_t { kWord = 1, kDigit = 2, kHexLower = 4, kAlnumOrUnder = 8 };
  CharClasses() {
    for (int c = 0; c < 256; ++c) {
      bool alnum = llvm::isAlnum(char(c));
      bool digit = llvm::isDigit(char(c));
      of[c] = uint8_t((alnum || c == '_' || c == '-' || c == '.' ? kWord : 0) |
                      (digit ? kDigit : 0) |
                      (digit || (c >= 'a' && c <= 'f') ? kHexLower : 0) |
                      (alnum || c == '_' ? kAlnumOrUnder : 0));
    }
  }
  bool is(char c, uint8_t cls) const { return of[uint8_t(c)] & cls; }
  uint8_t of[256];
};
const CharClasses kChars;
} // namespace

bool LineReader::refill() {
  if (!source || sourceDone)
    return false;
  constexpr size_t kPiece = size_t(1) << 20;
  // `text` is the front of `buffer`.
  size_t unread = text.size() - std::min(pos, text.size());
  if (unread && pos)
    std::memmove(&buffer[0], &buffer[pos], unread);
  if (buffer.size() < unread + kPiece)
    buffer.resize(std::max(2 * buffer.size(), unread + kPiece));
  size_t got =
      source->read(&buffer[unread], buffer.size() - unread, sourceError);
  if (got == 0)
    sourceDone = true;
  text = StringRef(buffer.data(), unread + got);
  pos = 0;
  return got != 0;
}

bool LineReader::nextLine() {
  while (pos < text.size() || refill()) {
    size_t end = text.find('\n', pos);
    // The line may end in text not read yet (refill() moves the line to
    // the front).
    while (end == StringRef::npos) {
      size_t searched = text.size() - pos;
      if (!refill())
        break;
      end = text.find('\n', searched);
    }
    if (end == StringRef::npos)
      end = text.size();
    line = text.slice(pos, end);
    if (line.ends_with("\r"))
      line = line.drop_back();
    pos = end + 1;
    ++lineNo;
    col = 0;
    // Instruction lines start with their number.
    if (!line.empty() && kChars.is(line[0], CharClasses::kDigit))
      return true;
    StringRef trimmed = line.trim();
    if (trimmed.empty() || trimmed.starts_with("#"))
      continue;
    return true;
  }
  line = StringRef();
  col = 0;
  return false;
}

StringRef LineReader::word() {
  size_t start = col;
  const char *p = line.data();
  size_t n = line.size();
  while (col < n && kChars.is(p[col], CharClasses::kWord))
    ++col;
  return line.slice(start, col);
}

std::string LineReader::found(size_t c, bool word) const {
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

llvm::Error LineReader::slowInteger(int64_t &out, int64_t min, int64_t max,
                                    bool hex, bool thenX) {
  size_t start = col;
  auto bad = [&](const llvm::Twine &what) {
    col = start;
    return error(what + ", got " + found(start, /*word=*/true));
  };
  if (hex && !line.substr(col).starts_with("0x"))
    return bad("expected a hex byte offset ('0x' and lowercase hex digits)");
  size_t digitsStart = hex ? col + 2 : col;
  col = digitsStart;
  // The value as the digits are read; `overflow` past 2^64.
  const char *p = line.data();
  size_t n = line.size();
  uint64_t value = 0;
  bool overflow = false;
  if (hex) {
    for (; col < n && kChars.is(p[col], CharClasses::kHexLower); ++col) {
      unsigned digit =
          p[col] <= '9' ? unsigned(p[col] - '0') : unsigned(p[col] - 'a' + 10);
      overflow |= value >> 60 != 0;
      value = value << 4 | digit;
    }
  } else {
    for (; col < n && kChars.is(p[col], CharClasses::kDigit); ++col) {
      unsigned digit = unsigned(p[col] - '0');
      // 19 digits cannot overflow; check beyond.
      if (col - digitsStart >= 19)
        overflow |= value > (UINT64_MAX - digit) / 10;
      value = value * 10 + digit;
    }
  }
  StringRef digits = line.slice(digitsStart, col);
  // A letter or digit straight after the number (other than a shape's 'x')
  // makes it another token: '1junk', '0x10' where decimal is expected, or
  // upper-case hex digits.
  bool glued = col < n && kChars.is(p[col], CharClasses::kAlnumOrUnder) &&
               !(thenX && p[col] == 'x');
  if (digits.empty() || glued)
    return bad(hex ? "expected a hex byte offset ('0x' and lowercase hex "
                     "digits)"
                   : "expected a decimal integer");
  if (digits.size() > 1 && digits.front() == '0')
    return bad(hex ? "expected a hex byte offset without leading zeros"
                   : "expected a decimal integer without leading zeros");
  if (overflow || value > uint64_t(max) || int64_t(value) < min) {
    StringRef text = line.slice(start, col);
    col = start;
    return error("integer " + text + " out of range [" + llvm::Twine(min) +
                 ", " + llvm::Twine(max) + "]");
  }
  out = int64_t(value);
  return llvm::Error::success();
}

llvm::Error LineReader::expected(char c) const {
  return error(llvm::Twine("expected '") + llvm::Twine(c) + "', got " +
               found(col));
}

llvm::Error LineReader::endOfLine(const llvm::Twine &after) {
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

llvm::Error LineReader::floating(float &out) {
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

llvm::Error LineReader::quoted(std::string &out) {
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

llvm::Error LineReader::headerKeyword(StringRef keyword) {
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
