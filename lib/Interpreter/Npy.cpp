//===- Npy.cpp - NumPy .npy files (fp32, C order) -------------------------===//

#include "mamba-nki/Interpreter/Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace nki_run;

static llvm::Error npyError(llvm::StringRef name, const llvm::Twine &message) {
  return llvm::createStringError(
      std::make_error_code(std::errc::invalid_argument),
      (name + ": " + message).str());
}

/// Value of `key` in the header dict: the text after "'key':" up to the next
/// top-level comma or closing brace.
static llvm::StringRef dictValue(llvm::StringRef header, llvm::StringRef key) {
  std::string quoted = ("'" + key + "'").str();
  size_t at = header.find(quoted);
  if (at == llvm::StringRef::npos)
    return "";
  llvm::StringRef rest = header.drop_front(at + quoted.size()).ltrim();
  if (!rest.consume_front(":"))
    return "";
  rest = rest.ltrim();
  int depth = 0;
  size_t end = 0;
  for (; end < rest.size(); ++end) {
    char c = rest[end];
    if (c == '(')
      ++depth;
    else if (c == ')')
      --depth;
    else if ((c == ',' || c == '}') && depth == 0)
      break;
  }
  return rest.take_front(end).trim();
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
  llvm::StringRef header = bytes.substr(headerStart, headerLen);
  llvm::StringRef descr = dictValue(header, "descr");
  if (descr != "'<f4'" && descr != "\"<f4\"")
    return npyError(name, "dtype " + (descr.empty() ? "(missing)" : descr) +
                              " is not supported; expected float32 ('<f4')");
  llvm::StringRef fortran = dictValue(header, "fortran_order");
  if (fortran != "False")
    return npyError(name, "arrays must be in C order (fortran_order is " +
                              (fortran.empty() ? "missing" : fortran) + ")");
  llvm::StringRef shapeText = dictValue(header, "shape");
  if (!shapeText.consume_front("(") || !shapeText.consume_back(")"))
    return npyError(name, "malformed shape in the header");
  NpyArray array;
  uint64_t count = 1;
  llvm::SmallVector<llvm::StringRef, 4> parts;
  shapeText.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef part : parts) {
    part = part.trim();
    if (part.empty())
      continue;
    uint64_t d = 0;
    if (part.getAsInteger(10, d) || d > (uint64_t(1) << 40))
      return npyError(name, "malformed dimension '" + part + "' in the shape");
    array.shape.push_back(int64_t(d));
    count *= d;
    if (count > (uint64_t(1) << 34))
      return npyError(name, "array larger than 2^34 elements");
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
  if (os.has_error())
    return npyError(path, "write failed");
  return llvm::Error::success();
}
