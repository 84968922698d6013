//===- InputLimits.cpp - what the MLIR tools refuse, and their stack ------===//

#include "mamba-nki/Tools/InputLimits.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdlib>

#if defined(__unix__)
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

using namespace mamba_tools;

/// One chunk: the depth after each bracket, skipping strings and comments.
static size_t deepestIn(llvm::StringRef text, unsigned limit) {
  unsigned depth = 0;
  for (size_t i = 0, e = text.size(); i < e; ++i) {
    char c = text[i];
    switch (c) {
    case '/':
      if (i + 1 < e && text[i + 1] == '/') { // a comment, to the line's end
        i = text.find('\n', i);
        if (i == llvm::StringRef::npos)
          return llvm::StringRef::npos;
      }
      break;
    case '"': // a string: ends at '"' or, unterminated, at the line's end
      for (++i; i < e && text[i] != '"' && text[i] != '\n'; ++i)
        if (text[i] == '\\')
          ++i;
      break;
    case '{':
    case '(':
    case '[':
    case '<':
      if (++depth > limit)
        return i;
      break;
    case '>':
      if (i > 0 && text[i - 1] == '-') // '->' closes nothing
        break;
      [[fallthrough]];
    case '}':
    case ')':
    case ']':
      // A stray closer cannot hide deeper nesting after it: clamp at 0.
      depth = depth ? depth - 1 : 0;
      break;
    default:
      break;
    }
  }
  return llvm::StringRef::npos;
}

size_t mamba_tools::findTooDeepNesting(llvm::StringRef text, unsigned limit,
                                       llvm::StringRef splitMarker) {
  if (splitMarker.empty())
    return deepestIn(text, limit);
  // Chunks as MLIR's splitAndProcessBuffer cuts them: at every occurrence
  // of the marker.
  size_t start = 0;
  while (true) {
    size_t end = text.find(splitMarker, start);
    llvm::StringRef chunk = text.slice(start, end);
    size_t at = deepestIn(chunk, limit);
    if (at != llvm::StringRef::npos)
      return start + at;
    if (end == llvm::StringRef::npos)
      return llvm::StringRef::npos;
    start = end + splitMarker.size();
  }
}

bool mamba_tools::checkNesting(const llvm::MemoryBuffer &input,
                               llvm::StringRef tool,
                               llvm::StringRef splitMarker) {
  llvm::StringRef text = input.getBuffer();
  size_t at = findTooDeepNesting(text, kMaxNesting, splitMarker);
  if (at == llvm::StringRef::npos)
    return true;
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(input.getMemBufferRef(),
                                       /*RequiresNullTerminator=*/false),
      llvm::SMLoc());
  sourceMgr.PrintMessage(
      llvm::SMLoc::getFromPointer(text.data() + at), llvm::SourceMgr::DK_Error,
      "nesting deeper than " + llvm::Twine(kMaxNesting) +
          " brackets ('{', '(', '[' and '<' together; the " + tool + " limit)");
  return false;
}

size_t mamba_tools::stackBytesFor(uint64_t inputBytes) {
  constexpr uint64_t kBase = uint64_t(256) << 20, kMax = uint64_t(16) << 30;
  uint64_t perByte = 256;
  uint64_t bytes = inputBytes > (kMax - kBase) / perByte
                       ? kMax
                       : kBase + inputBytes * perByte;
  return size_t(std::min(bytes, uint64_t(SIZE_MAX / 2)));
}

int mamba_tools::runWithStack(size_t stackBytes, llvm::function_ref<int()> fn) {
#if defined(__unix__)
  struct Call {
    llvm::function_ref<int()> fn;
    int result = 1;
  } call{fn};
  size_t page = size_t(sysconf(_SC_PAGESIZE));
  constexpr size_t kMin = size_t(64) << 20;
  for (size_t bytes = std::max(stackBytes, kMin) / page * page; bytes >= kMin;
       bytes = bytes / 2 / page * page) {
    // Reserve without committing (MAP_NORESERVE): only the pages recursion
    // touches become memory. The lowest page is a guard: an overflow faults
    // there instead of running into other memory.
    size_t total = bytes + page;
    void *base =
        mmap(nullptr, total, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (base == MAP_FAILED)
      continue;
    if (mprotect(base, page, PROT_NONE) != 0) {
      munmap(base, total);
      continue;
    }
    pthread_attr_t attr;
    pthread_t thread;
    bool started = pthread_attr_init(&attr) == 0 &&
                   pthread_attr_setstack(
                       &attr, static_cast<char *>(base) + page, bytes) == 0 &&
                   pthread_create(
                       &thread, &attr,
                       [](void *arg) -> void * {
                         auto *c = static_cast<Call *>(arg);
                         c->result = c->fn();
                         return nullptr;
                       },
                       &call) == 0;
    pthread_attr_destroy(&attr);
    if (started) {
      pthread_join(thread, nullptr);
      munmap(base, total);
      return call.result;
    }
    munmap(base, total);
  }
#else
  (void)stackBytes;
#endif
  return fn();
}

bool mamba_tools::closeAndCheck(llvm::raw_fd_ostream &os, llvm::StringRef tool,
                                llvm::StringRef name) {
  // Standard output is flushed, never closed (raw_fd_ostream does not own
  // it); a file is closed, which reports errors the last write did not.
  if (name == "-")
    os.flush();
  else
    os.close();
  if (!os.has_error())
    return true;
  std::error_code ec = os.error();
  os.clear_error();
  llvm::WithColor::error(llvm::errs(), tool)
      << "cannot write "
      << (name == "-" ? std::string("standard output") : "'" + name.str() + "'")
      << ": " << ec.message() << "\n";
  return false;
}

static const char *exitTool = "";

void mamba_tools::checkStandardOutputAtExit(const char *tool) {
  exitTool = tool;
  // outs() is constructed now, so it is destroyed after the check below
  // runs (exit handlers and destructors run in reverse order).
  (void)llvm::outs();
  std::atexit([] {
    llvm::raw_fd_ostream &out = llvm::outs();
    out.flush();
    if (!out.has_error())
      return;
    std::error_code ec = out.error();
    out.clear_error();
    llvm::WithColor::error(llvm::errs(), exitTool)
        << "cannot write standard output: " << ec.message() << "\n";
    llvm::errs().flush();
    std::_Exit(1);
  });
}
