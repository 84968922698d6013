//===- IntervalMapTest.cpp - per-address-range state ----------------------===//

#include "mamba-nki/Target/Nisa/IntervalMap.h"

#include "gtest/gtest.h"

#include <tuple>
#include <vector>

using nisa::IntervalMap;

namespace {

using Seg = std::tuple<int64_t, int64_t, int>;

std::vector<Seg> visit(IntervalMap<int> &map, int64_t start, int64_t end) {
  std::vector<Seg> out;
  map.forEach(start, end, [&](int64_t s, int64_t e, int &state) {
    out.emplace_back(s, e, state);
  });
  return out;
}

TEST(IntervalMapTest, UntouchedRangesStartDefault) {
  IntervalMap<int> map;
  EXPECT_EQ(visit(map, 10, 20), (std::vector<Seg>{{10, 20, 0}}));
  // An empty range visits nothing.
  EXPECT_TRUE(visit(map, 5, 5).empty());
}

TEST(IntervalMapTest, SplitsAtRangeEndsAndKeepsState) {
  IntervalMap<int> map;
  map.forEach(0, 100, [](int64_t, int64_t, int &s) { s = 1; });
  map.forEach(40, 60, [](int64_t, int64_t, int &s) { s = 2; });
  EXPECT_EQ(visit(map, 0, 100),
            (std::vector<Seg>{{0, 40, 1}, {40, 60, 2}, {60, 100, 1}}));
  // A range below everything touched so far, ending inside it.
  EXPECT_EQ(visit(map, -10, 10), (std::vector<Seg>{{-10, 0, 0}, {0, 10, 1}}));
  // Past the last touched byte: default state again.
  EXPECT_EQ(visit(map, 90, 130),
            (std::vector<Seg>{{90, 100, 1}, {100, 130, 0}}));
}

TEST(IntervalMapTest, AssignVisitsThenCoalesces) {
  IntervalMap<int> map;
  for (int k = 0; k < 10; ++k)
    map.forEach(k * 10, k * 10 + 10, [&](int64_t, int64_t, int &s) { s = k; });
  size_t before = map.size();
  std::vector<Seg> seen;
  map.forEachThenAssign(
      15, 75,
      [&](int64_t s, int64_t e, const int &state) {
        seen.emplace_back(s, e, state);
      },
      42);
  // The visit saw the old states, cut at the range's ends.
  EXPECT_EQ(seen, (std::vector<Seg>{{15, 20, 1},
                                    {20, 30, 2},
                                    {30, 40, 3},
                                    {40, 50, 4},
                                    {50, 60, 5},
                                    {60, 70, 6},
                                    {70, 75, 7}}));
  // The range is now one segment; its neighbours are untouched.
  EXPECT_EQ(visit(map, 10, 80),
            (std::vector<Seg>{{10, 15, 1}, {15, 75, 42}, {75, 80, 7}}));
  EXPECT_LT(map.size(), before);
}

TEST(IntervalMapTest, AssignOnFreshAndExactRanges) {
  IntervalMap<int> map;
  map.forEachThenAssign(
      100, 200, [](int64_t, int64_t, const int &s) { EXPECT_EQ(s, 0); }, 7);
  map.forEachThenAssign(
      100, 200, [](int64_t, int64_t, const int &s) { EXPECT_EQ(s, 7); }, 8);
  EXPECT_EQ(visit(map, 100, 200), (std::vector<Seg>{{100, 200, 8}}));
}

// Against a byte-per-byte model, over a deterministic pseudo-random
// sequence of reads (forEach, increment) and writes (assign).
TEST(IntervalMapTest, MatchesAByteArrayModel) {
  constexpr int64_t kSize = 512;
  IntervalMap<int> map;
  std::vector<int> model(kSize, 0);
  uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 8) % kSize;
  };
  for (int step = 0; step < 2000; ++step) {
    int64_t a = next(), b = next();
    int64_t start = std::min(a, b), end = std::max(a, b) + 1;
    if (step % 3 == 0) {
      int value = step;
      map.forEachThenAssign(
          start, end,
          [&](int64_t s, int64_t e, const int &state) {
            for (int64_t i = s; i < e; ++i)
              ASSERT_EQ(state, model[i]) << "byte " << i;
          },
          value);
      for (int64_t i = start; i < end; ++i)
        model[i] = value;
    } else {
      int64_t covered = start;
      map.forEach(start, end, [&](int64_t s, int64_t e, int &state) {
        ASSERT_EQ(s, covered);
        covered = e;
        for (int64_t i = s; i < e; ++i)
          ASSERT_EQ(state, model[i]) << "byte " << i;
        ++state;
      });
      EXPECT_EQ(covered, end);
      for (int64_t i = start; i < end; ++i)
        ++model[i];
    }
  }
}

} // namespace
