// Privacy redaction: the concentration rule and the population rule, checked by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "flowfit/analysis/redact.hpp"
#include "flowfit/error.hpp"
#include "support/analysis_fixtures.hpp"

namespace flowfit::analysis {
namespace {

using flowfit::testing::dense_matrix;
using flowfit::testing::five_flows;

TEST(AnalysisRedact, WithholdsConcentratedAndSmallRows) {
  const CsrMatrix m = five_flows();
  RedactionOptions o;
  o.share = 0.9;
  o.max_destinations = 1;
  o.min_population = 45;
  const RedactionResult r = redact(m, o);
  // u0: top destination 5 of 10 movers; u1: 6 of 10 but 40 people; u2: 10 of 10 (and 30 people);
  // u3: 9 of 10 = 0.9; u4: no movers.
  ASSERT_EQ(r.withheld.size(), 3u);
  EXPECT_EQ(r.withheld[0].unit, 1);
  EXPECT_FALSE(r.withheld[0].concentrated);
  EXPECT_TRUE(r.withheld[0].small_population);
  EXPECT_DOUBLE_EQ(r.withheld[0].top_share, 0.6);
  EXPECT_EQ(r.withheld[1].unit, 2);
  EXPECT_TRUE(r.withheld[1].concentrated);
  EXPECT_TRUE(r.withheld[1].small_population);
  EXPECT_EQ(r.withheld[2].unit, 3);
  EXPECT_TRUE(r.withheld[2].concentrated);
  EXPECT_EQ(r.withheld[2].destinations, 2);
  EXPECT_EQ(r.concentrated, 2);
  EXPECT_EQ(r.small_population, 2);
  EXPECT_EQ(r.removed_entries, 3 + 2 + 3);
  EXPECT_DOUBLE_EQ(r.removed_people, 40 + 30 + 50);
  EXPECT_DOUBLE_EQ(r.removed_movers, 30);
  // Rows 0 and 4 are kept as they are, the others are empty.
  const std::vector<double> rows = row_sums(r.matrix);
  EXPECT_EQ(rows, (std::vector<double>{60, 0, 0, 0, 100}));
  EXPECT_EQ(r.matrix.nnz(), m.nnz() - 8);
  r.matrix.validate();
  EXPECT_DOUBLE_EQ(total(m), 280);  // the input is untouched
}

TEST(AnalysisRedact, ReleaseDefaultsNeedElevenDestinations) {
  // One CBG with 11 equal destinations: the top 10 carry 10/11 = 0.909 >= 0.9 -> withheld;
  // with 12 destinations 10/12 = 0.833 -> kept. Populations are above 100.
  std::vector<std::vector<double>> rows(13, std::vector<double>(13, 0.0));
  for (int j = 1; j <= 11; ++j) rows[0][static_cast<size_t>(j)] = 10;
  rows[0][0] = 200;
  for (int j = 1; j <= 12; ++j) rows[1][static_cast<size_t>(j == 1 ? 0 : j)] = 10;
  rows[1][1] = 200;
  for (size_t i = 2; i < 13; ++i) rows[i][i] = 500;
  const RedactionResult r = redact(dense_matrix(rows));
  ASSERT_EQ(r.withheld.size(), 1u);
  EXPECT_EQ(r.withheld[0].unit, 0);
  EXPECT_NEAR(r.withheld[0].top_share, 10.0 / 11, 1e-15);
}

TEST(AnalysisRedact, NoOutMoversIsNotConcentrated) {
  const RedactionResult r = redact(dense_matrix({{500, 0}, {0, 500}}));
  EXPECT_TRUE(r.withheld.empty());
}

TEST(AnalysisRedact, RejectsBadParameters) {
  RedactionOptions o;
  o.share = 1.5;
  EXPECT_THROW(redact(five_flows(), o), ConfigError);
  o = {};
  o.max_destinations = 0;
  EXPECT_THROW(redact(five_flows(), o), ConfigError);
}

}  // namespace
}  // namespace flowfit::analysis
