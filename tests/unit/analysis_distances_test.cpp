// Move distances between CBG centroids: the haversine formula and the flow-weighted
// distribution, checked on points along the equator (1 degree = 3958.8 pi / 180 miles).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "flowfit/analysis/distances.hpp"
#include "flowfit/error.hpp"
#include "support/analysis_fixtures.hpp"

namespace flowfit::analysis {
namespace {

using flowfit::testing::dense_matrix;

constexpr double kMilesPerDegree = 3958.8 * std::numbers::pi / 180;

TEST(AnalysisDistances, GreatCircleAlongTheEquatorAndAMeridian) {
  EXPECT_NEAR(great_circle_miles(0, 0, 0, 1), kMilesPerDegree, 1e-9);
  EXPECT_NEAR(great_circle_miles(10, 20, 11, 20), kMilesPerDegree, 1e-9);
  EXPECT_NEAR(great_circle_miles(0, 0, 0, 180), 3958.8 * std::numbers::pi, 1e-6);
  EXPECT_DOUBLE_EQ(great_circle_miles(40, -75, 40, -75), 0);
  // At latitude 60 a degree of longitude is about half as long (small-angle check).
  EXPECT_NEAR(great_circle_miles(60, 0, 60, 0.01) / (0.01 * kMilesPerDegree), 0.5, 1e-4);
}

TEST(AnalysisDistances, FlowWeightedSharesAndBins) {
  // u0 (0, 0), u1 (0, 0.05): 3.45 miles apart; u2 (0, 10): 690.9 miles from u0.
  Centroids c{{0, 0, 0}, {0, 0.05, 10}};
  const CsrMatrix m = dense_matrix({{0, 4, 1}, {5, 0, 0}, {0, 0, 7}});
  const auto rows = move_distances(m, c, nullptr);
  ASSERT_EQ(rows.size(), 1u);
  const DistanceSummary& s = rows[0];
  EXPECT_DOUBLE_EQ(s.movers, 10);  // the 7 stayers are no moves
  const double near = 0.05 * kMilesPerDegree, far = 10 * kMilesPerDegree;
  EXPECT_NEAR(s.mean_miles, (9 * near + far) / 10, 1e-9);
  ASSERT_EQ(s.under_share.size(), 1u);
  EXPECT_DOUBLE_EQ(s.under_share[0], 0.9);  // < 5 miles
  EXPECT_DOUBLE_EQ(s.over_share[0], 0.1);   // > 50 miles
  EXPECT_DOUBLE_EQ(s.over_share[1], 0.1);   // > 500 miles
  // Edges 0 1 5 10 25 50 100 250 500 1000: 3.45 -> bin [1, 5), 690.9 -> bin [500, 1000).
  EXPECT_DOUBLE_EQ(s.bin_flow[1], 9);
  EXPECT_DOUBLE_EQ(s.bin_flow[8], 1);
  double sum = 0;
  for (double b : s.bin_flow) sum += b;
  EXPECT_DOUBLE_EQ(sum, 10);
}

TEST(AnalysisDistances, ByOriginGroup) {
  Centroids c{{0, 0, 0}, {0, 0.05, 10}};
  const CsrMatrix m = dense_matrix({{0, 4, 1}, {5, 0, 0}, {0, 0, 7}});
  const std::vector<std::string> labels{"a", "b", "b"};
  const Grouping g = Grouping::from_labels(labels);
  const auto rows = move_distances(m, c, &g);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].group, "a");
  EXPECT_DOUBLE_EQ(rows[1].movers, 5);
  EXPECT_DOUBLE_EQ(rows[1].under_share[0], 0.8);
  EXPECT_EQ(rows[2].group, "b");
  EXPECT_DOUBLE_EQ(rows[2].movers, 5);
  EXPECT_DOUBLE_EQ(rows[2].under_share[0], 1.0);
  EXPECT_DOUBLE_EQ(rows[2].over_share[0], 0.0);
}

TEST(AnalysisDistances, RejectsEdgesNotFromZeroOrNotIncreasing) {
  Centroids c{{0, 0}, {0, 1}};
  const CsrMatrix m = dense_matrix({{1, 1}, {1, 1}});
  DistanceOptions o;
  o.edges = {1, 5};
  EXPECT_THROW(move_distances(m, c, nullptr, o), ConfigError);
  o.edges = {0, 5, 5};
  EXPECT_THROW(move_distances(m, c, nullptr, o), ConfigError);
}

}  // namespace
}  // namespace flowfit::analysis
