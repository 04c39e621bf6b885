// The row-block rule of the GPU assembly's SpGEMM (host/assembly/spgemm_row_blocks.hpp).
#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "host/assembly/spgemm_row_blocks.hpp"

namespace flowfit::assembly {
namespace {

std::vector<int64_t> cumulative(const std::vector<int64_t>& per_row) {
  std::vector<int64_t> c(per_row.size() + 1, 0);
  std::partial_sum(per_row.begin(), per_row.end(), c.begin() + 1);
  return c;
}

TEST(SpgemmRowBlocks, HandChecked) {
  // Rows with 3, 4, 2, 10, 1, 1 products, budget 6: {3}, {4, 2}, {10} alone, {1, 1}.
  const auto starts = spgemm_row_blocks(cumulative({3, 4, 2, 10, 1, 1}), 6);
  EXPECT_EQ(starts, (std::vector<int64_t>{0, 1, 3, 4}));
  EXPECT_EQ(spgemm_row_blocks(cumulative({3, 4, 2}), 100), (std::vector<int64_t>{0}));
  EXPECT_EQ(spgemm_row_blocks(cumulative({}), 5), (std::vector<int64_t>{0}));
  EXPECT_EQ(spgemm_row_blocks(cumulative({0, 0, 0}), 1), (std::vector<int64_t>{0}));
}

// On random rows: blocks cover every row once, in order; each block is within the budget unless
// it is a single row; and no block could have taken the next block's first row.
TEST(SpgemmRowBlocks, RandomRowsRespectTheBudget) {
  std::mt19937_64 rng(4);
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 1 + static_cast<int>(rng() % 300);
    std::vector<int64_t> per_row(n);
    for (auto& p : per_row) p = (rng() % 4 == 0) ? 0 : static_cast<int64_t>(rng() % 50);
    const int64_t budget = 1 + static_cast<int64_t>(rng() % 120);
    const auto c = cumulative(per_row);
    const auto starts = spgemm_row_blocks(c, budget);
    ASSERT_FALSE(starts.empty());
    EXPECT_EQ(starts.front(), 0);
    for (size_t k = 0; k < starts.size(); ++k) {
      const int64_t r0 = starts[k], r1 = k + 1 < starts.size() ? starts[k + 1] : n;
      ASSERT_LT(r0, r1);
      const int64_t products = c[r1] - c[r0];
      if (r1 - r0 > 1) {
        EXPECT_LE(products, budget);
      }
      if (k + 1 < starts.size()) {
        EXPECT_GT(c[r1 + 1] - c[r0], budget);
      }
    }
  }
}

}  // namespace
}  // namespace flowfit::assembly
