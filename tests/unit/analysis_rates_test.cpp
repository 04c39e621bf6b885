// Area rates from the CBG matrix: stayers in the same CBG, movers within the area and
// migrants across its border, checked by hand on the five-CBG example.
#include <gtest/gtest.h>

#include <cmath>

#include "flowfit/analysis/levels.hpp"
#include "flowfit/analysis/rates.hpp"
#include "flowfit/error.hpp"
#include "support/analysis_fixtures.hpp"

namespace flowfit::analysis {
namespace {

using flowfit::testing::five_cbgs;
using flowfit::testing::five_flows;

TEST(AnalysisRates, CountySplitsStayersWithinAreaMoversAndMigrants) {
  const Geography geo = five_cbgs();
  const AreaFlowsSummary s =
      area_flows_summary(five_flows(), area_grouping(geo, AreaLevel::county));
  ASSERT_EQ(s.areas.labels(), (std::vector<std::string>{"01001", "01003", "02001"}));
  // 01001 = u0, u1, u2: stayers 50 + 30 + 20; within 5 + 3 + 4; out 2 + 6 + 10; in 1 (u3 -> u0).
  EXPECT_EQ(s.n_units[0], 3);
  EXPECT_DOUBLE_EQ(s.population_before[0], 130);
  EXPECT_DOUBLE_EQ(s.population_after[0], 55 + 35 + 23);
  EXPECT_DOUBLE_EQ(s.cbg_stayers[0], 100);
  EXPECT_DOUBLE_EQ(s.within_area_movers[0], 12);
  EXPECT_DOUBLE_EQ(s.out_migrants[0], 18);
  EXPECT_DOUBLE_EQ(s.in_migrants[0], 1);
  // 01003 = u3: out 1 + 9, in 2 + 10.
  EXPECT_DOUBLE_EQ(s.out_migrants[1], 10);
  EXPECT_DOUBLE_EQ(s.in_migrants[1], 12);
  // 02001 = u4: nobody leaves; 6 + 9 arrive.
  EXPECT_DOUBLE_EQ(s.out_migrants[2], 0);
  EXPECT_DOUBLE_EQ(s.in_migrants[2], 15);
  EXPECT_DOUBLE_EQ(s.dropped, 0);

  const AreaRateValues r = area_rate_values(s, 0, 0);
  EXPECT_FALSE(r.suppressed);
  EXPECT_DOUBLE_EQ(r.out_rate, 18.0 / 130);
  EXPECT_DOUBLE_EQ(r.in_rate, 1.0 / 113);
  EXPECT_DOUBLE_EQ(r.net_rate, (1.0 - 18) / 130);
  EXPECT_DOUBLE_EQ(r.mover_rate, 30.0 / 130);
}

TEST(AnalysisRates, StateCountsMovesBetweenItsCountiesAsWithinArea) {
  const AreaFlowsSummary s =
      area_flows_summary(five_flows(), area_grouping(five_cbgs(), AreaLevel::state));
  // State 01 = u0..u3: within = 12 (county 01001) + 2 + 10 + 1 (between its counties).
  EXPECT_DOUBLE_EQ(s.within_area_movers[0], 25);
  EXPECT_DOUBLE_EQ(s.out_migrants[0], 15);
  EXPECT_DOUBLE_EQ(s.in_migrants[0], 0);
  EXPECT_DOUBLE_EQ(s.cbg_stayers[0] + s.within_area_movers[0] + s.out_migrants[0],
                   s.population_before[0]);
}

TEST(AnalysisRates, CbgLevelMatchesTheRowFormula) {
  const AreaFlowsSummary s =
      area_flows_summary(five_flows(), area_grouping(five_cbgs(), AreaLevel::cbg));
  // At the CBG level nobody moves "within" a CBG: out = row sum - diagonal.
  const std::vector<double> expected_out{10, 10, 10, 10, 0};
  for (int32_t g = 0; g < 5; ++g) {
    EXPECT_DOUBLE_EQ(s.within_area_movers[static_cast<size_t>(g)], 0);
    EXPECT_DOUBLE_EQ(s.out_migrants[static_cast<size_t>(g)], expected_out[static_cast<size_t>(g)]);
  }
  EXPECT_EQ(out_migration_rates(five_flows())[0], 10.0 / 60);
}

TEST(AnalysisRates, SmallPopulationsAreSuppressed) {
  const AreaFlowsSummary s =
      area_flows_summary(five_flows(), area_grouping(five_cbgs(), AreaLevel::county));
  const AreaRateValues small = area_rate_values(s, 1, 60);  // 01003: 50 before, 52 after
  EXPECT_TRUE(small.suppressed);
  EXPECT_TRUE(std::isnan(small.out_rate));
  EXPECT_TRUE(std::isnan(small.in_rate));
  EXPECT_TRUE(std::isnan(small.net_rate));
  const AreaRateValues big = area_rate_values(s, 2, 60);
  EXPECT_FALSE(big.suppressed);
  EXPECT_DOUBLE_EQ(big.in_rate, 15.0 / 115);
}

TEST(AnalysisRates, UngroupedUnitsAreDroppedAndCounted) {
  const std::vector<std::string> labels{"a", "a", "", "b", "b"};
  const AreaFlowsSummary s = area_flows_summary(five_flows(), Grouping::from_labels(labels));
  // Every entry in row or column u2: row 20 + 10, column 3 (u0 -> u2).
  EXPECT_DOUBLE_EQ(s.dropped, 33);
  EXPECT_DOUBLE_EQ(s.out_migrants[0], 2 + 6);
}

TEST(AnalysisRates, RejectsAMatrixOfAnotherSize) {
  EXPECT_THROW(area_flows_summary(five_flows(), Grouping::whole(4)), ConfigError);
}

}  // namespace
}  // namespace flowfit::analysis
