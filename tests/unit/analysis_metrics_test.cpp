// Pearson correlation, RMSE and RMSE reduction on hand-checked values.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "flowfit/analysis/metrics.hpp"
#include "flowfit/error.hpp"

namespace flowfit::analysis {
namespace {

using V = std::vector<double>;

TEST(AnalysisMetrics, PearsonKnownValues) {
  EXPECT_NEAR(pearson(V{1, 2, 3, 4}, V{2, 4, 6, 8}), 1.0, 1e-15);
  EXPECT_NEAR(pearson(V{1, 2, 3, 4}, V{4, 3, 2, 1}), -1.0, 1e-15);
  // x = 1,2,3; y = 1,3,2: cov = 1/2 (n-1 free), var = 1, 1 -> r = 0.5.
  EXPECT_NEAR(pearson(V{1, 2, 3}, V{1, 3, 2}), 0.5, 1e-15);
  // r = 0 for y symmetric around the mean of a centred x.
  EXPECT_NEAR(pearson(V{-1, 0, 1}, V{1, 0, 1}), 0.0, 1e-15);
  EXPECT_TRUE(std::isnan(pearson(V{1, 1, 1}, V{1, 2, 3})));  // constant side
  EXPECT_TRUE(std::isnan(pearson(V{1}, V{2})));
}

TEST(AnalysisMetrics, RmseKnownValues) {
  EXPECT_DOUBLE_EQ(rmse(V{0, 0}, V{3, 4}), std::sqrt(12.5));
  EXPECT_DOUBLE_EQ(rmse(V{1, 2, 3}, V{1, 2, 3}), 0.0);
  EXPECT_DOUBLE_EQ(rmse(V{10, 20, 30, 40}, V{11, 19, 31, 39}), 1.0);
}

TEST(AnalysisMetrics, WeightedEqualsRepetition) {
  const V x{1, 2, 3, 5}, y{2, 2, 5, 4}, w{1, 3, 0, 2};
  // Repeating each pair w times gives the same weighted statistics.
  const V xr{1, 2, 2, 2, 5, 5}, yr{2, 2, 2, 2, 4, 4};
  const Agreement a = agreement(x, y, w), b = agreement(xr, yr);
  EXPECT_EQ(a.n, 3);  // the zero weight is skipped
  EXPECT_NEAR(a.pearson, b.pearson, 1e-14);
  EXPECT_NEAR(a.rmse, b.rmse, 1e-14);
  // sqrt((1*1 + 3*0 + 2*1) / 6) = sqrt(0.5)
  EXPECT_NEAR(a.rmse, std::sqrt(0.5), 1e-15);
}

TEST(AnalysisMetrics, RmseReduction) {
  EXPECT_DOUBLE_EQ(rmse_reduction(10.0, 1.0), 90.0);
  EXPECT_DOUBLE_EQ(rmse_reduction(4.0, 6.0), -50.0);
  EXPECT_TRUE(std::isnan(rmse_reduction(0.0, 1.0)));
}

TEST(AnalysisMetrics, StreamingMomentsMatchVectors) {
  const V x{3, 1, 4, 1, 5, 9, 2, 6}, y{2, 7, 1, 8, 2, 8, 1, 8};
  double mx = 0, my = 0;
  PairMoments a, b;  // two partial accumulators, merged
  for (size_t i = 0; i < x.size(); ++i) (i < 3 ? a : b).add_pass1(x[i], y[i]);
  a.merge(b);
  mx = a.sum_x / a.n;
  my = a.sum_y / a.n;
  PairMoments c;
  c.n = a.n;
  for (size_t i = 0; i < x.size(); ++i) c.add_pass2(x[i], y[i], mx, my);
  const Agreement s = c.result(), v = agreement(x, y);
  EXPECT_EQ(s.n, 8);
  EXPECT_NEAR(s.pearson, v.pearson, 1e-14);
  EXPECT_NEAR(s.rmse, v.rmse, 1e-14);
}

TEST(AnalysisMetrics, MismatchedLengthsThrow) {
  EXPECT_THROW(agreement(V{1, 2}, V{1}), ConfigError);
  EXPECT_THROW(agreement(V{1, 2}, V{1, 2}, V{1}), ConfigError);
}

}  // namespace
}  // namespace flowfit::analysis
