//===- LineReader.h - the tokens of .nisa text (internal) -------*- C++ -*-===//
//
// The line-by-line reading the .nisa parser (Parser.cpp) is built on: lines
// (skipping comments and blank lines), words, and numbers spelled only as
// the printer spells them, each error "<buffer>:line:col: error: ...".
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_TARGET_NISA_LINEREADER_H
#define MAMBA_NKI_LIB_TARGET_NISA_LINEREADER_H

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

namespace nisa {

/// The number of decimal digits the 8 characters of `v` start with (in
/// memory order; the lowest byte first), each byte tested at once.
inline unsigned leadingDigits(uint64_t v) {
  constexpr uint64_t kHigh = 0xf0f0f0f0f0f0f0f0ull,
                     kZeros = 0x3030303030303030ull;
  // A byte is a digit when it is 0x3_ and stays 0x3_ plus 6 (a carry out of
  // a byte only reaches bytes after the first that is not a digit).
  uint64_t notDigit =
      ((v & kHigh) ^ kZeros) | (((v + 0x0606060606060606ull) & kHigh) ^ kZeros);
  return notDigit ? unsigned(__builtin_ctzll(notDigit)) / 8 : 8;
}

/// The value of the first `k` (1 to 8) decimal digits of `v`.
inline uint64_t digitsValue(uint64_t v, unsigned k) {
  // The k digits to the top bytes (the others become leading zeros), then
  // pairs, quads and the eight combined by multiplication.
  v = (v << (8 * (8 - k))) & 0x0f0f0f0f0f0f0f0full;
  v = (v * 2561) >> 8 & 0x00ff00ff00ff00ffull;
  v = (v * 6553601) >> 16 & 0x0000ffff0000ffffull;
  return (v * 42949672960001ull) >> 32;
}

/// The number of lowercase hex digits the 8 characters of `v` start with.
inline unsigned leadingHexDigits(uint64_t v) {
  unsigned k = 0;
  for (; k < 8; ++k) {
    unsigned c = unsigned(v >> (8 * k)) & 0xff;
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      break;
  }
  return k;
}

/// The value of the first `k` (1 to 8) lowercase hex digits of `v`.
inline uint64_t hexDigitsValue(uint64_t v, unsigned k) {
  // Each digit's value ('a' is 0x61: low nibble 1, plus 9), to the top
  // bytes, then combined as digitsValue() does in base 16.
  v = (v & 0x0f0f0f0f0f0f0f0full) + 9 * ((v >> 6) & 0x0101010101010101ull);
  v <<= 8 * (8 - k);
  v = (v * 4097) >> 8 & 0x00ff00ff00ff00ffull;
  v = (v * 16777217) >> 16 & 0x0000ffff0000ffffull;
  return (v * 281474976710657ull) >> 32;
}

/// Where a LineReader's text comes from a piece at a time (a file).
class TextSource {
public:
  virtual ~TextSource() = default;
  /// Up to `size` more bytes into `buf`; 0 at the end; an error message
  /// in `error` (and 0) when reading fails.
  virtual size_t read(char *buf, size_t size, std::string &error) = 0;
};

class LineReader {
public:
  LineReader(llvm::StringRef text, llvm::StringRef name)
      : text(text), name(name) {}
  /// Reads the text from `source`, keeping only the lines not yet read
  /// (about a megabyte) in memory.
  LineReader(TextSource &source, llvm::StringRef name)
      : name(name), source(&source) {}

  /// Why the source could not be read ("" if it could).
  const std::string &readError() const { return sourceError; }

protected:
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
    return expected(c);
  }
  /// expect()'s error (out of line: expect() is on every operand's path).
  llvm::Error expected(char c) const;
  llvm::StringRef word(); // [A-Za-z0-9_.-]+ up to a delimiter
  /// What stands at column `c`, for "got '...'" in errors: up to the next
  /// space (`word`: the number-like run there), at most 24 characters.
  std::string found(size_t c, bool word = false) const;
  /// A decimal integer in [min, max], spelled as the printer spells it: no
  /// sign, no leading zeros. `hex`: '0x' and lowercase hex digits instead
  /// (on-chip byte offsets). `thenX`: an 'x' may follow (a shape).
  llvm::Error integer(int64_t &out, int64_t min, int64_t max, bool hex = false,
                      bool thenX = false) {
    if (fastInteger(out, min, max, hex, thenX))
      return llvm::Error::success();
    return slowInteger(out, min, max, hex, thenX);
  }
  /// integer()'s common case, inline: up to 7 digits within the line's next
  /// 8 (or 10) characters, nothing glued after them, in range. False leaves
  /// everything as it was, for slowInteger(), which also makes the errors.
  bool fastInteger(int64_t &out, int64_t min, int64_t max, bool hex,
                   bool thenX) {
    size_t skip = hex ? 2 : 0;
    if (col + skip + 8 > line.size() ||
        (hex && (line[col] != '0' || line[col + 1] != 'x')))
      return false;
    uint64_t v;
    std::memcpy(&v, line.data() + col + skip, 8);
    unsigned k = hex ? leadingHexDigits(v) : leadingDigits(v);
    if (k < 1 || k > 7 || (k > 1 && line[col + skip] == '0'))
      return false;
    char next = line[col + skip + k];
    if ((llvm::isAlnum(next) || next == '_') && !(!hex && thenX && next == 'x'))
      return false;
    uint64_t value = hex ? hexDigitsValue(v, k) : digitsValue(v, k);
    if (value > uint64_t(max) || int64_t(value) < min)
      return false;
    out = int64_t(value);
    col += skip + k;
    return true;
  }
  llvm::Error slowInteger(int64_t &out, int64_t min, int64_t max, bool hex,
                          bool thenX);
  /// Nothing but spaces may follow on this line.
  llvm::Error endOfLine(const llvm::Twine &after);
  llvm::Error floating(float &out);
  llvm::Error quoted(std::string &out);
  /// The next line, which must start with `keyword` (then spaces).
  llvm::Error headerKeyword(llvm::StringRef keyword);

  llvm::StringRef text, name;
  llvm::StringRef line;
  size_t pos = 0, col = 0;
  unsigned lineNo = 0;

private:
  /// Moves the unread text to the front of `buffer` and appends more from
  /// the source; false at its end (or on a read error).
  bool refill();
  TextSource *source = nullptr;
  std::string buffer; // the source's text not yet read, then spare room
  std::string sourceError;
  bool sourceDone = false;
};

/// a == b, byte by byte: for the short words of the format (spellings,
/// field names), where a call to memcmp costs more than the comparison.
inline bool sameShortWord(llvm::StringRef a, llvm::StringRef b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i])
      return false;
  return true;
}

} // namespace nisa

#endif // MAMBA_NKI_LIB_TARGET_NISA_LINEREADER_H
