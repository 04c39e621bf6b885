// Aggregation of flow matrices to coarser groups.
#include <gtest/gtest.h>

#include <random>

#include "flowfit/assembly.hpp"
#include "flowfit/error.hpp"
#include "support/random_problems.hpp"

namespace flowfit {
namespace {

TEST(AssemblyAggregate, CountyFlowsFromCbgGeoids) {
  Geography geo({"060010001001", "060010001002", "060030001001", "360050001001"});
  // [[1 2 . .] [. 3 4 .] [. . 5 6] [7 . . 8]]
  CsrMatrix m = csr_from_triplets(4, 4, std::vector<int64_t>{0, 0, 1, 1, 2, 2, 3, 3},
                                  std::vector<int64_t>{0, 1, 1, 2, 2, 3, 0, 3},
                                  std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8});
  Grouping county = Grouping::by_level(geo, Level::county);
  CsrMatrix f = assembly::aggregate(m, county, county);
  ASSERT_EQ(f.n_rows, 3);
  ASSERT_EQ(f.n_cols, 3);
  ASSERT_NO_THROW(f.validate());
  // 06001 -> 06001: 1+2+3, 06001 -> 06003: 4; 06003 -> 06003: 5, -> 36005: 6;
  // 36005 -> 06001: 7, -> 36005: 8.
  EXPECT_EQ(f.row_ptr, (std::vector<int64_t>{0, 2, 4, 6}));
  EXPECT_EQ(f.col_idx, (std::vector<int32_t>{0, 1, 1, 2, 0, 2}));
  EXPECT_EQ(f.values, (std::vector<double>{6, 4, 5, 6, 7, 8}));
  EXPECT_DOUBLE_EQ(total(f), total(m));

  Grouping state = Grouping::by_level(geo, Level::state);
  CsrMatrix s = assembly::aggregate(m, state, Grouping::whole(4));
  EXPECT_EQ(s.n_rows, 2);
  EXPECT_EQ(s.n_cols, 1);
  EXPECT_EQ(s.values, (std::vector<double>{21, 15}));
}

TEST(AssemblyAggregate, UngroupedUnitsAreDroppedAndCounted) {
  CsrMatrix m =
      csr_from_triplets(3, 3, std::vector<int64_t>{0, 1, 2, 2}, std::vector<int64_t>{1, 2, 0, 2},
                        std::vector<double>{1, 2, 3, 4});
  Grouping g = Grouping::from_labels(std::vector<std::string>{"a", "", "a"});
  assembly::AggregationStats stats;
  CsrMatrix f = assembly::aggregate(m, g, g, &stats);
  EXPECT_EQ(f.values, (std::vector<double>{7}));
  EXPECT_EQ(stats.dropped_rows, 1);
  EXPECT_EQ(stats.dropped_cols, 1);
  EXPECT_EQ(stats.dropped_entries, 2);
  EXPECT_DOUBLE_EQ(stats.dropped_total, 3);
}

TEST(AssemblyAggregate, RandomGroupingsPreserveBlockSums) {
  std::mt19937_64 rng(19);
  testing::RandomMatrixOptions opt;
  opt.n = 300;
  CsrMatrix m = testing::random_matrix(rng, opt);
  Grouping rows = testing::random_grouping(rng, 300, 12, false);
  Grouping cols = testing::random_grouping(rng, 300, 7, false);
  CsrMatrix f = assembly::aggregate(m, rows, cols);
  std::vector<double> want(12 * 7, 0.0);
  for (int64_t i = 0; i < m.n_rows; ++i)
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e)
      want[rows.group_of(i) * 7 + cols.group_of(m.col_idx[e])] += m.values[e];
  std::vector<double> got(12 * 7, 0.0);
  for (int64_t g = 0; g < f.n_rows; ++g)
    for (int64_t e = f.row_ptr[g]; e < f.row_ptr[g + 1]; ++e)
      got[g * 7 + f.col_idx[e]] = f.values[e];
  for (size_t k = 0; k < want.size(); ++k) EXPECT_NEAR(got[k], want[k], 1e-9) << "block " << k;
}

TEST(AssemblyAggregate, GroupingOfTheWrongSizeIsAConfigError) {
  CsrMatrix m = csr_from_triplets(3, 3, std::vector<int64_t>{}, std::vector<int64_t>{},
                                  std::vector<double>{});
  EXPECT_THROW(assembly::aggregate(m, Grouping::whole(2), Grouping::whole(3)), ConfigError);
  EXPECT_THROW(assembly::aggregate(m, Grouping::whole(3), Grouping::whole(4)), ConfigError);
}

}  // namespace
}  // namespace flowfit
