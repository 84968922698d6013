//===- Npy.cpp - NumPy .npy files (fp32, C order) -------------------------===//

#include "mamba-nki/Interpreter/Npy.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <optional>

using namespace nki_run;

static llvm::Error npyError(llvm::StringRef name, const llvm::Twine &message) {
  return llvm::createStringError(
      std::make_error_code(std::errc::invalid_argument),
      (name + ": " + message).str());
}

namespace {
/// The header of a .npy file: a Python dict literal with exactly the keys
/// 'descr' (a string), 'fortran_order' (True or False) and 'shape' (a tuple
/// of integers), each once, then spaces and a newline.
struct Header {
  llvm::StringRef descr, fortranOrder; // as written ('descr' with quotes)
  llvm::SmallVector<uint64_t, 4> shape;
  bool hasDescr = false, hasFortranOrder = false, hasShape = false;
};

class HeaderParser {
public:
  explicit HeaderParser(llvm::StringRef text) : rest(text) {}

  /// Fills `h`; on failure returns the problem.
  std::optional<std::string> parse(Header &h) {
    skipSpaces();
    if (!rest.consume_front("{"))
      return std::string("malformed header: expected '{'");
    while (true) {
      skipSpaces();
      if (rest.consume_front("}"))
        break;
      llvm::StringRef key;
      if (!string(key))
        return std::string("malformed header: expected a quoted key");
      key = key.drop_front().drop_back();
      skipSpaces();
      if (!rest.consume_front(":"))
        return ("malformed header: expected ':' after '" + key + "'").str();
      skipSpaces();
      bool *seen = key == "descr"           ? &h.hasDescr
                   : key == "fortran_order" ? &h.hasFortranOrder
                   : key == "shape"         ? &h.hasShape
                                            : nullptr;
      if (!seen)
        return ("unexpected key '" + key +
                "' in the header (a .npy header has 'descr', "
                "'fortran_order' and 'shape')")
            .str();
      if (*seen)
        return ("duplicate key '" + key + "' in the header").str();
      *seen = true;
      if (key == "descr") {
        if (!string(h.descr))
          return std::string("malformed header: 'descr' is not a string");
      } else if (key == "fortran_order") {
        h.fortranOrder = rest.take_while(
            [](char c) { return llvm::isAlnum(c) || c == '_'; });
        rest = rest.drop_front(h.fortranOrder.size());
      } else if (std::optional<std::string> problem = shape(h.shape)) {
        return problem;
      }
      skipSpaces();
      if (rest.consume_front(","))
        continue;
      if (rest.consume_front("}"))
        break;
      return ("malformed header: expected ',' or '}' after '" + key + "'")
          .str();
    }
    if (!rest.trim(" \t\r\n").empty())
      return std::string("malformed header: text after the dictionary");
    return std::nullopt;
  }

private:
  void skipSpaces() { rest = rest.ltrim(" \t\r\n"); }
  /// A quoted string without escapes, with its quotes.
  bool string(llvm::StringRef &out) {
    if (rest.empty() || (rest[0] != '\'' && rest[0] != '"'))
      return false;
    size_t close = rest.find(rest[0], 1);
    if (close == llvm::StringRef::npos)
      return false;
    out = rest.take_front(close + 1);
    rest = rest.drop_front(close + 1);
    return true;
  }
  std::optional<std::string> shape(llvm::SmallVectorImpl<uint64_t> &dims) {
    if (!rest.consume_front("("))
      return std::string("malformed shape in the header");
    while (true) {
      skipSpaces();
      if (rest.consume_front(")"))
        return std::nullopt;
      llvm::StringRef digits = rest.take_while(llvm::isDigit);
      uint64_t d = 0;
      if (digits.empty() || digits.getAsInteger(10, d)) {
        llvm::StringRef part =
            rest.take_until([](char c) { return c == ',' || c == ')'; });
        return ("malformed dimension '" + part.trim() + "' in the shape").str();
      }
      dims.push_back(d);
      rest = rest.drop_front(digits.size());
      skipSpaces();
      if (rest.consume_front(","))
        continue;
      if (rest.consume_front(")"))
        return std::nullopt;
      return std::string("malformed shape in the header");
    }
  }

  llvm::StringRef rest;
};
} // namespace

static std::string shapeString(llvm::ArrayRef<uint64_t> shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

llvm::Expected<NpyArray> nki_run::parseNpy(llvm::StringRef bytes,
                                           llvm::StringRef name) {
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return npyError(name, "not a .npy file (missing the \\x93NUMPY magic)");
  unsigned major = uint8_t(bytes[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = uint8_t(bytes[8]) | (size_t(uint8_t(bytes[9])) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return npyError(name, "truncated header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= size_t(uint8_t(bytes[8 + i])) << (8 * i);
    headerStart = 12;
  } else {
    return npyError(name,
                    "unsupported .npy format version " + llvm::Twine(major));
  }
  if (headerStart + headerLen > bytes.size())
    return npyError(name, "truncated header");
  Header header;
  if (std::optional<std::string> problem =
          HeaderParser(bytes.substr(headerStart, headerLen)).parse(header))
    return npyError(name, *problem);
  if (!header.hasDescr || !header.hasFortranOrder || !header.hasShape)
    return npyError(name, llvm::Twine("the header has no '") +
                              (!header.hasDescr          ? "descr"
                               : !header.hasFortranOrder ? "fortran_order"
                                                         : "shape") +
                              "'");
  if (header.descr != "'<f4'" && header.descr != "\"<f4\"")
    return npyError(name, "dtype " + header.descr +
                              " is not supported; expected float32 ('<f4')");
  if (header.fortranOrder != "False")
    return npyError(name, "arrays must be in C order (fortran_order is " +
                              (header.fortranOrder.empty()
                                   ? llvm::StringRef("malformed")
                                   : header.fortranOrder) +
                              ")");
  // The element count, exactly: a product beyond 2^34 is refused before it
  // can overflow (a zero dimension makes any shape empty).
  constexpr uint64_t kMaxElements = uint64_t(1) << 34;
  NpyArray array;
  uint64_t count = 1;
  bool empty = llvm::is_contained(header.shape, uint64_t(0));
  for (uint64_t d : header.shape) {
    if (!empty && d > kMaxElements / count)
      return npyError(name, "shape " + shapeString(header.shape) +
                                " has more than 2^34 elements");
    count = empty ? 0 : count * d;
    array.shape.push_back(int64_t(std::min(d, uint64_t(INT64_MAX))));
  }
  size_t dataStart = headerStart + headerLen;
  if (bytes.size() - dataStart != count * 4)
    return npyError(name, "holds " + llvm::Twine(bytes.size() - dataStart) +
                              " bytes of data, but its shape needs " +
                              llvm::Twine(count * 4));
  array.data.resize(count);
  if (count)
    std::memcpy(array.data.data(), bytes.data() + dataStart, count * 4);
  return std::move(array);
}

llvm::Expected<NpyArray> nki_run::readNpy(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return npyError(path, "cannot read: " + buffer.getError().message());
  return parseNpy((*buffer)->getBuffer(), path);
}

llvm::Error nki_run::writeNpy(llvm::StringRef path,
                              llvm::ArrayRef<int64_t> shape,
                              llvm::ArrayRef<float> data) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (int64_t d : shape)
    dict += std::to_string(d) + (shape.size() == 1 ? ",)" : ", ");
  if (shape.size() != 1) {
    if (!shape.empty())
      dict.resize(dict.size() - 2);
    dict += ")";
  }
  dict += ", }";
  // Pad so that the data starts on a 64-byte boundary; end with a newline.
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return npyError(path, "cannot write: " + ec.message());
  os << "\x93NUMPY" << char(1) << char(0) << char(dict.size() & 0xff)
     << char(dict.size() >> 8) << dict;
  os.write(reinterpret_cast<const char *>(data.data()), data.size() * 4);
  if (path == "-")
    os.flush(); // standard output: not ours to close
  else
    os.close();
  if (os.has_error()) {
    std::error_code error = os.error();
    os.clear_error(); // reported here, not as a fatal error when destroyed
    return npyError(path, "cannot write: " + error.message());
  }
  return llvm::Error::success();
}
