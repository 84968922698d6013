//===- LineReader.h - the tokens of .nisa text (internal) -------*- C++ -*-===//
//
// The line-by-line reading the .nisa parser (Parser.cpp) is built on: lines
// (skipping comments and blank lines), words, and numbers spelled only as
// the printer spells them, each error "<buffer>:line:col: error: ...".
//
//===----------------------------------------------------------------------===//

#ifndef MAMBA_NKI_LIB_TARGET_NISA_LINEREADER_H
#define MAMBA_NKI_LIB_TARGET_NISA_LINEREADER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace nisa {

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
                      bool thenX = false);
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

} // namespace nisa

#endif // MAMBA_NKI_LIB_TARGET_NISA_LINEREADER_H
