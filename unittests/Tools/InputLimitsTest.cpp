//===- InputLimitsTest.cpp - nesting check and the tools' stack -----------===//

#include "mamba-nki/Tools/InputLimits.h"

#include "gtest/gtest.h"

#include <cstring>
#include <string>

using namespace mamba_tools;

static constexpr size_t npos = llvm::StringRef::npos;

TEST(InputLimits, CountsEveryKindOfBracket) {
  EXPECT_EQ(findTooDeepNesting("{([<>])}", 4), npos);
  EXPECT_EQ(findTooDeepNesting("{([<>])}", 3), 3u);
  EXPECT_EQ(findTooDeepNesting("{}{}{}", 1), npos);
  EXPECT_EQ(findTooDeepNesting(std::string(1000, '[') + std::string(1000, ']')),
            npos);
  EXPECT_EQ(findTooDeepNesting(std::string(1001, '[')), 1000u);
}

TEST(InputLimits, SkipsStringsCommentsAndArrows) {
  EXPECT_EQ(findTooDeepNesting("x = \"{{{{\" {", 1), npos);
  EXPECT_EQ(findTooDeepNesting("x = \"\\\"{{{{\" {", 1), npos);
  EXPECT_EQ(findTooDeepNesting("// {{{{\n{", 1), npos);
  EXPECT_EQ(findTooDeepNesting("{// {{{{", 1), npos);
  // An unterminated string ends at the line's end, as MLIR's lexer says.
  EXPECT_EQ(findTooDeepNesting("\"{{\n{{", 1), 5u);
  // '->' closes nothing: the map below is 2 deep throughout.
  EXPECT_EQ(findTooDeepNesting("<(d0) -> (d0)>", 2), npos);
  EXPECT_EQ(findTooDeepNesting("<(d0) -> ((d0))>", 2), 10u);
}

TEST(InputLimits, StrayClosersCannotHideNesting) {
  EXPECT_EQ(findTooDeepNesting("}}}{{", 1), 4u);
  EXPECT_EQ(findTooDeepNesting(">>>[[", 1), 4u);
}

TEST(InputLimits, SplitChunksAreCountedAlone) {
  llvm::StringRef text = "{{\n// -----\n{{\n";
  EXPECT_EQ(findTooDeepNesting(text, 2, "// -----"), npos);
  EXPECT_EQ(findTooDeepNesting(text, 2), 12u);
  EXPECT_EQ(findTooDeepNesting("{\n// -----\n{{{", 2, "// -----"), 13u);
}

TEST(InputLimits, StackGrowsWithTheInputUpToACap) {
  EXPECT_EQ(stackBytesFor(0), size_t(256) << 20);
  EXPECT_EQ(stackBytesFor(1 << 20), (size_t(256) << 20) + (size_t(256) << 20));
  EXPECT_LT(stackBytesFor(1 << 20), stackBytesFor(2 << 20));
  EXPECT_EQ(stackBytesFor(uint64_t(1) << 40), size_t(16) << 30);
  EXPECT_EQ(stackBytesFor(UINT64_MAX), size_t(16) << 30);
}

/// Uses about `levels` KiB of stack.
static int recurse(int levels) {
  volatile char frame[1024];
  std::memset(const_cast<char *>(frame), levels & 0xff, sizeof(frame));
  if (levels == 0)
    return frame[0];
  return recurse(levels - 1) + (frame[1] & 1);
}

TEST(InputLimits, RunWithStackGivesTheStack) {
  EXPECT_EQ(runWithStack(64 << 20, [] { return 7; }), 7);
  // 100 MiB of recursion: far beyond the main thread's usual 8 MiB.
  int result = runWithStack(size_t(256) << 20,
                            [] { return recurse(100 * 1024) >= 0 ? 3 : 4; });
  EXPECT_EQ(result, 3);
}
