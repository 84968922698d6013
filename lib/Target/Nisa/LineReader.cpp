//===- LineReader.cpp - the tokens of .nisa text --------------------------===//

#include "LineReader.h"

#include "llvm/ADT/StringExtras.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

using namespace nisa;
using llvm::StringRef;

bool LineReader::nextLine() {
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

StringRef LineReader::word() {
  size_t start = col;
  while (!atEnd() && (llvm::isAlnum(line[col]) || line[col] == '_' ||
                      line[col] == '-' || line[col] == '.'))
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

llvm::Error LineReader::integer(int64_t &out, int64_t min, int64_t max,
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
