// Stage numbering (SPEC.md 0..4) in stage outputs and reports, stage_outputs_format, the
// intermediate tables (CBG populations, stage targets) and the final audit of run_plan, on golden
// case02 (200 CBGs of the reference implementation).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/stage_names.hpp"
#include "flowfit/report/summary.hpp"
#include "host/report/report_json.hpp"

namespace flowfit {
namespace {

namespace fs = std::filesystem;
using pipeline::StageKind;

const fs::path kCase = fs::path(FLOWFIT_TEST_DATA_DIR) / "golden" / "case02";

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("flowfit_audit_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

pipeline::Plan case02_plan(const fs::path& out) {
  pipeline::Plan plan;
  plan.name = "case02 audit";
  plan.geography = kCase / "geography.csv";
  plan.census.golden_dir = kCase;
  plan.backend = BackendChoice::cpu;
  plan.years.push_back({2015, kCase / "E_raw.mtx"});
  plan.output.dir = out;
  plan.output.format = "mtx";
  return plan;
}

double max_rel_diff(const CsrMatrix& a, const CsrMatrix& b) {
  EXPECT_EQ(a.row_ptr, b.row_ptr);
  EXPECT_EQ(a.col_idx, b.col_idx);
  double worst = 0;
  for (size_t e = 0; e < a.values.size() && e < b.values.size(); ++e)
    worst = std::max(worst,
                     std::fabs(a.values[e] - b.values[e]) / std::max(1.0, std::fabs(b.values[e])));
  return worst;
}

// Max and median (mean of the middle two when even) of `v`, by sorting.
std::pair<double, double> max_and_median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return {0, 0};
  const size_t n = v.size();
  const double median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  return {v.back(), median};
}

const pipeline::StageAudit& audit_of(const pipeline::YearReport& y, StageKind k) {
  for (const auto& s : y.audit->stages)
    if (s.kind == k) return s;
  throw std::runtime_error("no audit for a stage");
}

TEST(PipelineAudit, StageNumbersFollowTheMethodInFilesAndReport) {
  EXPECT_EQ(pipeline::stage_name(StageKind::diagonal_clip), "stage0_diagonal_clip");
  EXPECT_EQ(pipeline::stage_name(StageKind::county_ipf), "stage4_county_ipf");
  TempDir tmp;
  pipeline::Plan plan = case02_plan(tmp.path / "out");
  plan.output.stage_outputs = true;
  plan.output.stage_outputs_format = "ffm";
  const pipeline::RunReport r = pipeline::run_plan(plan);
  ASSERT_EQ(r.years.size(), 1u);
  const pipeline::YearReport& y = r.years[0];
  ASSERT_EQ(y.stages.size(), 5u);
  const nlohmann::json j = report::to_json(y);
  // The golden matrix after each stage, by the reference's own stage numbers.
  const std::map<int, std::string> golden{{0, "E_input.mtx"},
                                          {1, "after_stage1_cbg.mtx"},
                                          {2, "after_stage2_state_nonmovers.mtx"},
                                          {3, "after_stage3_state_flows.mtx"},
                                          {4, "after_stage4_county_ipf.mtx"}};
  for (int n = 0; n < 5; ++n) {
    const StageKind k = pipeline::all_stage_kinds()[n];
    const fs::path want = plan.output.dir / ("flows_2015_stage" + std::to_string(n) + "_" +
                                             std::string(pipeline::to_string(k)) + ".ffm");
    EXPECT_TRUE(fs::exists(want)) << want;
    EXPECT_EQ(y.stages[n].output, want.string());
    // Written in the stage outputs format (ffm), not output.format (mtx).
    EXPECT_FALSE(fs::exists(fs::path(want).replace_extension(".mtx")));
    EXPECT_LE(max_rel_diff(io::read_matrix(want), io::read_matrix(kCase / golden.at(n))), 1e-9)
        << want;
    EXPECT_EQ(j["stages"][n]["number"], n);
    EXPECT_EQ(j["stages"][n]["position"], n + 1);
    EXPECT_EQ(j["stages"][n]["name"], pipeline::stage_name(k));
    EXPECT_EQ(j["stages"][n]["output"], want.string());
  }
  EXPECT_FALSE(fs::exists(plan.output.dir / "flows_2015_stage5_county_ipf.ffm"));
  // The last stage output is the final matrix.
  EXPECT_EQ(max_rel_diff(io::read_matrix(y.stages[4].output), io::read_matrix(y.output)), 0.0);
  const std::string summary = report::run_summary(r);
  EXPECT_NE(summary.find("2015  stage1_cbg_rows"), std::string::npos) << summary;
  EXPECT_NE(summary.find("2015  stage4_county_ipf"), std::string::npos) << summary;
}

TEST(PipelineAudit, ACustomOrderKeepsTheNumbersOfTheKindsAndReportsPositions) {
  TempDir tmp;
  pipeline::Plan plan = case02_plan(tmp.path / "out");
  plan.output.stage_outputs = true;  // in output.format (mtx): no stage_outputs_format
  plan.stages = {pipeline::StageSpec::defaults(StageKind::diagonal_clip),
                 pipeline::StageSpec::defaults(StageKind::county_ipf),
                 pipeline::StageSpec::defaults(StageKind::cbg_rows)};
  plan.stages[1].stop = StopRule::exactly(200);
  const pipeline::RunReport r = pipeline::run_plan(plan);
  const pipeline::YearReport& y = r.years.at(0);
  const nlohmann::json j = report::to_json(y);
  const std::vector<std::pair<int, std::string>> want{{0, "flows_2015_stage0_diagonal_clip.mtx"},
                                                      {4, "flows_2015_stage4_county_ipf.mtx"},
                                                      {1, "flows_2015_stage1_cbg_rows.mtx"}};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_TRUE(fs::exists(plan.output.dir / want[i].second)) << want[i].second;
    EXPECT_EQ(j["stages"][i]["number"], want[i].first);
    EXPECT_EQ(j["stages"][i]["position"], static_cast<int>(i) + 1);
    EXPECT_EQ(j["final_audit"][i]["number"], want[i].first);
    EXPECT_EQ(j["final_audit"][i]["position"], static_cast<int>(i) + 1);
  }
  // cbg_rows ran last here: its rows hold on the final matrix (where the population is > 0).
  EXPECT_LE(audit_of(y, StageKind::cbg_rows).max_rel, 1e-12);
  EXPECT_GT(audit_of(y, StageKind::county_ipf).max_rel, 1e-6);  // moved by the CBG rows
}

TEST(PipelineAudit, IntermediateTablesHoldThePopulationsAndEveryStagesTargets) {
  TempDir tmp;
  pipeline::Plan plan = case02_plan(tmp.path / "out");
  plan.output.intermediate_tables = true;
  const pipeline::RunReport r = pipeline::run_plan(plan);
  // The populations are those of the NNLS (solved again here, independently of the run).
  const pipeline::SharedInputs shared = pipeline::load_shared_inputs(plan);
  ASSERT_TRUE(shared.populations);
  EXPECT_EQ(r.populations_table, (plan.output.dir / "cbg_populations.csv").string());
  const io::CsvTable pop = io::CsvTable::read(r.populations_table);
  ASSERT_EQ(pop.n_rows(), shared.populations->size());
  const int geoid = pop.column("cbg_geoid");
  for (int64_t i = 0; i < pop.n_rows(); ++i) {
    EXPECT_EQ(pop.field(i, geoid), shared.populations->geoids[i]);
    EXPECT_EQ(pop.field(i, geoid).size(), 12u);  // leading zero kept (Colorado: "08...")
    for (int year = 2009; year <= 2019; ++year)
      ASSERT_EQ(pop.number(i, pop.column("x" + std::to_string(year))),
                shared.populations->at(i, year))
          << i << " " << year;
  }
  EXPECT_EQ(pop.field(0, geoid).front(), '0');
  // And equal, to rounding, the reference's resolved populations.
  const io::CsvTable golden = io::CsvTable::read(kCase / "cbg_pop_resolved.csv");
  for (int64_t i = 0; i < pop.n_rows(); ++i)
    EXPECT_NEAR(pop.number(i, pop.column("x2014")), golden.number(i, golden.column("x2014")),
                1e-9 * std::max(1.0, golden.number(i, golden.column("x2014"))));

  // Stage target tables: one row per block of every margin; totals equal the margins'.
  const pipeline::YearProblem problem = pipeline::prepare_year(plan, shared, 2015, CsrMatrix{});
  const auto& y = r.years.at(0);
  EXPECT_EQ(y.target_tables.size(), 4u);  // every stage but diagonal_clip
  for (StageKind k : {StageKind::cbg_rows, StageKind::state_nonmovers, StageKind::state_flows,
                      StageKind::county_ipf}) {
    const fs::path path = pipeline::target_table_path(plan.output.dir, 2015, k);
    ASSERT_TRUE(fs::exists(path)) << path;
    EXPECT_NE(std::find(y.target_tables.begin(), y.target_tables.end(), path.string()),
              y.target_tables.end());
    const io::CsvTable t = io::CsvTable::read(path);
    const int margin = t.column("margin"), target = t.column("target");
    std::map<std::string, double> totals;
    std::map<std::string, int64_t> rows;
    for (int64_t i = 0; i < t.n_rows(); ++i) {
      totals[std::string(t.field(i, margin))] += t.number(i, target);
      ++rows[std::string(t.field(i, margin))];
    }
    const auto& margins = problem.margins_of(k)->margins;
    ASSERT_EQ(totals.size(), margins.size());
    for (const Margin& m : margins) {
      double want = 0;
      for (double v : m.targets) want += v;
      EXPECT_NEAR(totals[m.name], want, 1e-9 * std::fabs(want)) << m.name;
      EXPECT_EQ(rows[m.name], m.n_blocks()) << m.name;
    }
  }
  // The CBG row targets are x_{t-1} of the populations, labelled by GEOID.
  const io::CsvTable cbg =
      io::CsvTable::read(pipeline::target_table_path(plan.output.dir, 2015, StageKind::cbg_rows));
  const io::CsvTable golden_rows = io::CsvTable::read(kCase / "stage1_row_targets.csv");
  ASSERT_EQ(cbg.n_rows(), golden_rows.n_rows());
  for (int64_t i = 0; i < cbg.n_rows(); ++i) {
    EXPECT_EQ(cbg.field(i, cbg.column("row_group")),
              golden_rows.field(i, golden_rows.column("cbg_geoid")));
    EXPECT_EQ(cbg.field(i, cbg.column("col_group")), "all");
    EXPECT_NEAR(cbg.number(i, cbg.column("target")),
                golden_rows.number(i, golden_rows.column("row_target")),
                1e-9 * std::max(1.0, golden_rows.number(i, golden_rows.column("row_target"))));
  }
}

TEST(PipelineAudit, FinalAuditMatchesARecomputationFromTheFinalMatrix) {
  TempDir tmp;
  pipeline::Plan plan = case02_plan(tmp.path / "out");
  const pipeline::RunReport r = pipeline::run_plan(plan);
  const pipeline::YearReport& y = r.years.at(0);
  ASSERT_TRUE(y.audit);
  ASSERT_EQ(y.audit->stages.size(), 5u);
  const CsrMatrix final_matrix = io::read_matrix(y.output);
  const io::CsvTable geo = io::CsvTable::read(kCase / "geography.csv");
  const std::vector<std::string> geoids = geo.strings(geo.column("cbg_geoid"));

  // Stage 1: CBG row sums against the reference's x2014, where the ratio rule applies.
  const io::CsvTable golden = io::CsvTable::read(kCase / "cbg_pop_resolved.csv");
  const auto rows = row_sums(final_matrix);
  std::vector<double> rel;
  double worst = -1;
  std::string worst_geoid;
  for (int64_t i = 0; i < golden.n_rows(); ++i) {
    const double t = golden.number(i, golden.column("x2014"));
    if (t <= 0 || rows[i] == 0) continue;
    rel.push_back(std::fabs(rows[i] - t) / t);
    if (rel.back() > worst) {
      worst = rel.back();
      worst_geoid = geoids[i];
    }
  }
  const auto [max1, median1] = max_and_median(rel);
  const pipeline::StageAudit& s1 = audit_of(y, StageKind::cbg_rows);
  EXPECT_NEAR(s1.max_rel, max1, 1e-9 * max1);
  EXPECT_NEAR(s1.median_rel, median1, 1e-9 * median1 + 1e-15);
  EXPECT_EQ(s1.measured, static_cast<int64_t>(rel.size()));
  EXPECT_EQ(s1.worst_group, worst_geoid);
  EXPECT_EQ(s1.worst_margin, "cbg rows");
  // Later stages moved the CBG rows: the stage's own result said it held; the audit does not.
  EXPECT_LE(report::worst_relative_residual(*y.stages[1].result), 1e-12);
  EXPECT_GT(s1.max_rel, 1e-3);

  // Stage 4 ran last and ends on its row step: county rows hold on the final matrix.
  const pipeline::StageAudit& s4 = audit_of(y, StageKind::county_ipf);
  ASSERT_EQ(s4.margins.size(), 2u);
  EXPECT_EQ(s4.margins[1].margin, "county rows");
  EXPECT_LE(s4.margins[1].max_rel, 1e-12);
  // County columns, recomputed from the final matrix and the golden county targets.
  const io::CsvTable ct = io::CsvTable::read(kCase / "county_targets.csv");
  std::map<std::string, double> col_by_county;
  const auto cols = col_sums(final_matrix);
  for (size_t j = 0; j < cols.size(); ++j) col_by_county[geoids[j].substr(0, 5)] += cols[j];
  std::vector<double> col_rel;
  for (int64_t i = 0; i < ct.n_rows(); ++i) {
    const std::string fips(ct.field(i, ct.column("county_fips")));
    const double t = ct.number(i, ct.column("col_target_t"));
    if (t > 0 && col_by_county.count(fips) && col_by_county[fips] != 0)
      col_rel.push_back(std::fabs(col_by_county[fips] - t) / t);
  }
  const auto [max4c, median4c] = max_and_median(col_rel);
  EXPECT_NEAR(s4.margins[0].max_rel, max4c, 1e-9 * max4c + 1e-13);
  EXPECT_NEAR(s4.margins[0].median_rel, median4c, 1e-9 * median4c + 1e-13);

  // Stage 0: diagonal entries below 1 on the final matrix.
  int64_t below = 0;
  for (int64_t i = 0; i < final_matrix.n_rows; ++i) {
    double d = 0;
    for (int64_t e = final_matrix.row_ptr[i]; e < final_matrix.row_ptr[i + 1]; ++e)
      if (final_matrix.col_idx[e] == i) d += final_matrix.values[e];
    below += d < 1;
  }
  EXPECT_EQ(audit_of(y, StageKind::diagonal_clip).diagonal_below_one, below);

  // JSON, and the terminal table.
  const nlohmann::json j = report::to_json(y);
  ASSERT_EQ(j["final_audit"].size(), 5u);
  EXPECT_EQ(j["final_audit"][1]["kind"], "cbg_rows");
  EXPECT_EQ(j["final_audit"][1]["worst_group"], worst_geoid);
  EXPECT_DOUBLE_EQ(j["final_audit"][1]["max_rel"].get<double>(), s1.max_rel);
  const std::string summary = report::run_summary(r);
  EXPECT_NE(summary.find("final matrix against every stage's targets"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("cbg rows " + worst_geoid), std::string::npos) << summary;
}

TEST(PipelineAudit, AResumedYearCarriesItsAuditAndRewritesItsTables) {
  TempDir tmp;
  pipeline::Plan plan = case02_plan(tmp.path / "out");
  plan.output.intermediate_tables = true;
  const pipeline::RunReport first = pipeline::run_plan(plan);
  const fs::path table = pipeline::target_table_path(plan.output.dir, 2015, StageKind::county_ipf);
  std::string before;
  {
    std::ifstream in(table);
    before.assign(std::istreambuf_iterator<char>(in), {});
  }
  fs::remove(table);
  const pipeline::RunReport again = pipeline::run_plan(plan);
  const pipeline::YearReport& y = again.years.at(0);
  ASSERT_TRUE(y.resumed);
  ASSERT_TRUE(y.audit);
  ASSERT_EQ(y.audit->stages.size(), first.years[0].audit->stages.size());
  for (size_t s = 0; s < y.audit->stages.size(); ++s) {
    const auto& a = y.audit->stages[s];
    const auto& b = first.years[0].audit->stages[s];
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.max_rel, b.max_rel);
    EXPECT_EQ(a.median_rel, b.median_rel);
    EXPECT_EQ(a.worst_group, b.worst_group);
    EXPECT_EQ(a.margins.size(), b.margins.size());
  }
  EXPECT_TRUE(fs::exists(table));  // written again from the targets, the matrix is not read
  std::ifstream in(table);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), before);
  const std::string summary = report::run_summary(again);
  EXPECT_NE(summary.find("2015  stage1_cbg_rows"), std::string::npos) << summary;
  EXPECT_NE(report::to_json(y).dump().find("final_audit"), std::string::npos);
}

TEST(PipelineAudit, IntermediateTablesNeverReplaceAnInput) {
  TempDir tmp;
  pipeline::Plan plan = case02_plan(tmp.path / "out");
  plan.output.intermediate_tables = true;
  // Precomputed populations that live exactly where the populations table would go.
  fs::create_directories(plan.output.dir);
  const fs::path input = plan.output.dir / "cbg_populations.csv";
  fs::copy_file(kCase / "cbg_pop_resolved.csv", input);
  const auto size = fs::file_size(input);
  plan.census.cbg_populations = input;
  try {
    pipeline::run_plan(plan);
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "output.dir");
    EXPECT_NE(std::string(e.what()).find("census.cbg_populations"), std::string::npos) << e.what();
  }
  EXPECT_EQ(fs::file_size(input), size);
  EXPECT_FALSE(fs::exists(plan.output.dir / "flows_2015.mtx"));
}

}  // namespace
}  // namespace flowfit
