// Aggregation to levels, migration rates and the synthetic-truth evaluation on a hand-made
// four-CBG geography (two states, three counties, three tracts).
#include <gtest/gtest.h>

#include "support/analysis_fixtures.hpp"

#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

#include "flowfit/analysis/evaluation.hpp"
#include "flowfit/analysis/levels.hpp"
#include "flowfit/analysis/rates.hpp"
#include "flowfit/error.hpp"

namespace flowfit::analysis {
namespace {

Geography tiny_geography() {
  return testing::four_cbgs();
}
CsrMatrix dense(const std::vector<std::vector<double>>& rows) {
  return testing::dense_matrix(rows);
}

// T, raw E (two entries changed, same total) and harmonized H ((1,3) moved to (1,2)).
CsrMatrix truth() {
  return testing::four_truth();
}
CsrMatrix raw() {
  return testing::four_raw();
}
CsrMatrix harmonized() {
  return testing::four_harmonized();
}

TEST(AnalysisLevels, GroupingsAndAggregation) {
  const Geography geo = tiny_geography();
  EXPECT_EQ(area_grouping(geo, AreaLevel::cbg).n_groups(), 4);
  EXPECT_EQ(area_grouping(geo, AreaLevel::tract).n_groups(), 3);
  EXPECT_EQ(area_grouping(geo, AreaLevel::county).n_groups(), 3);
  EXPECT_EQ(area_grouping(geo, AreaLevel::state).n_groups(), 2);
  const AreaFlows s = aggregate_to_level(truth(), geo, AreaLevel::state);
  EXPECT_EQ(s.areas.labels(), (std::vector<std::string>{"01", "02"}));
  EXPECT_EQ(s.flows.row_ptr, (std::vector<int64_t>{0, 2, 4}));
  EXPECT_EQ(s.flows.values, (std::vector<double>{66, 3, 4, 40}));
  const AreaFlows c = aggregate_to_level(truth(), geo, AreaLevel::cbg);
  EXPECT_EQ(c.flows.values, truth().values);
  EXPECT_EQ(area_level_from_string("tract"), AreaLevel::tract);
  EXPECT_THROW(area_level_from_string("block"), ConfigError);
  EXPECT_THROW(aggregate_to_level(dense({{1, 0}, {0, 1}}), geo, AreaLevel::state), ConfigError);
}

TEST(AnalysisRates, OutAndInMigration) {
  const CsrMatrix m = dense({{8, 2}, {1, 9}});
  const AreaMigration a = area_migration(m);
  EXPECT_EQ(a.population_before, (std::vector<double>{10, 10}));
  EXPECT_EQ(a.population_after, (std::vector<double>{9, 11}));
  EXPECT_EQ(a.out_movers, (std::vector<double>{2, 1}));
  EXPECT_EQ(a.in_movers, (std::vector<double>{1, 2}));
  const auto out = out_migration_rates(m), in = in_migration_rates(m);
  EXPECT_DOUBLE_EQ(out[0], 0.2);
  EXPECT_DOUBLE_EQ(out[1], 0.1);
  EXPECT_DOUBLE_EQ(in[0], 1.0 / 9.0);
  EXPECT_DOUBLE_EQ(in[1], 2.0 / 11.0);
  // An empty area has rate 0.
  EXPECT_EQ(out_migration_rates(dense({{0, 0}, {0, 5}}))[0], 0.0);
  CsrMatrix rect;
  rect.n_rows = 1;
  rect.n_cols = 2;
  rect.row_ptr = {0, 0};
  EXPECT_THROW(area_migration(rect), ConfigError);
}

TEST(AnalysisEvaluation, HandCheckedStateFigures) {
  const CsrMatrix t = truth(), e = raw(), h = harmonized();
  const EvaluationReport r = evaluate_against_truth(t, e, &h, tiny_geography());
  EXPECT_DOUBLE_EQ(r.truth_total, 113);
  EXPECT_DOUBLE_EQ(r.raw_scale, 1.0);
  ASSERT_TRUE(r.harmonized_total.has_value());
  EXPECT_EQ(r.rows.size(), 4u * 7u);

  // State flows: truth (01->02, 02->01) = (3, 4); raw (3, 8); harmonized (0, 4).
  const EvaluationRow* f = r.find(AreaLevel::state, "flows");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->raw.n, 2);
  EXPECT_NEAR(f->raw.rmse, std::sqrt(8.0), 1e-12);
  EXPECT_NEAR(f->harmonized->rmse, std::sqrt(4.5), 1e-12);
  EXPECT_NEAR(f->rmse_reduction, 25.0, 1e-9);

  // State populations at t: truth (70, 43), harmonized (73, 40).
  const EvaluationRow* pa = r.find(AreaLevel::state, "population_after");
  EXPECT_NEAR(pa->harmonized->rmse, 3.0, 1e-12);
  EXPECT_NEAR(pa->harmonized->pearson, 1.0, 1e-12);

  // Movers by state (CBG moves): truth (9, 4), raw (9, 8), harmonized (9, 4).
  const EvaluationRow* mv = r.find(AreaLevel::state, "movers");
  EXPECT_NEAR(mv->raw.rmse, std::sqrt(8.0), 1e-12);
  EXPECT_NEAR(mv->harmonized->rmse, 0.0, 1e-12);
  EXPECT_NEAR(mv->rmse_reduction, 100.0, 1e-9);

  // CBG flows: the union of stored off-diagonal pairs of T, E and H has 7 pairs.
  const EvaluationRow* cf = r.find(AreaLevel::cbg, "flows");
  EXPECT_EQ(cf->raw.n, 7);
  // Raw differs from T only at (3,0) by 4: RMSE sqrt(16 / 7).
  EXPECT_NEAR(cf->raw.rmse, std::sqrt(16.0 / 7.0), 1e-12);
  // Harmonized: (1,3) 3 -> 0 and (1,2) 0 -> 3: RMSE sqrt(18 / 7).
  EXPECT_NEAR(cf->harmonized->rmse, std::sqrt(18.0 / 7.0), 1e-12);

  // Rates are population-weighted; identical matrices give RMSE 0 and r = 1.
  const EvaluationRow* rate = r.find(AreaLevel::county, "in_migration_rate");
  EXPECT_TRUE(rate->weighted);
}

TEST(AnalysisEvaluation, RawIsRescaledToTheTruthTotal) {
  const CsrMatrix t = truth();
  CsrMatrix e = t;
  for (double& v : e.values) v *= 3;
  const EvaluationReport r = evaluate_against_truth(t, e, &t, tiny_geography());
  EXPECT_NEAR(r.raw_scale, 1.0 / 3.0, 1e-15);
  for (const EvaluationRow& row : r.rows) {
    EXPECT_NEAR(row.raw.rmse, 0.0, 1e-12) << to_string(row.level) << " " << row.quantity;
    EXPECT_NEAR(row.harmonized->rmse, 0.0, 1e-12);
  }
  EvaluationOptions keep;
  keep.rescale_raw = false;
  keep.levels = {AreaLevel::state};
  const EvaluationReport k = evaluate_against_truth(t, e, nullptr, tiny_geography(), keep);
  EXPECT_EQ(k.rows.size(), 7u);
  EXPECT_DOUBLE_EQ(k.raw_scale, 1.0);
  EXPECT_FALSE(k.rows[0].harmonized.has_value());
  EXPECT_GT(k.find(AreaLevel::state, "population_before")->raw.rmse, 1.0);
}

TEST(AnalysisEvaluation, OutputsAndShapeErrors) {
  const CsrMatrix t = truth(), e = raw(), h = harmonized();
  const EvaluationReport r = evaluate_against_truth(t, e, &h, tiny_geography());
  const std::string md = to_markdown(r);
  EXPECT_NE(md.find("| state | flows | 2 |"), std::string::npos) << md;
  EXPECT_NE(md.find("25.0%"), std::string::npos);
  const auto j = nlohmann::json::parse(to_json(r));
  EXPECT_EQ(j["rows"].size(), 28u);
  EXPECT_DOUBLE_EQ(j["truth_total"].get<double>(), 113.0);
  const CsrMatrix small = dense({{1, 0}, {0, 1}});
  EXPECT_THROW(evaluate_against_truth(small, e, &h, tiny_geography()), ConfigError);
  EXPECT_THROW(evaluate_against_truth(t, e, &small, tiny_geography()), ConfigError);
}

}  // namespace
}  // namespace flowfit::analysis
