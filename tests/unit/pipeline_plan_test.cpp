// Plans over several years from the real census tables, resume, and stage-order sweeps.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/pipeline/order_sweep.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "support/random_problems.hpp"

namespace flowfit {
namespace {

namespace fs = std::filesystem;
using pipeline::StageKind;

const fs::path kSource = FLOWFIT_SOURCE_DIR;

// A scratch directory removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("flowfit_plan_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

// The real CBGs of Delaware (10) and DC (11): a small geography with real census tables.
fs::path write_small_geography(const fs::path& dir) {
  const io::CsvTable t = io::CsvTable::read(kSource / "data/geography/cbg2010.csv");
  const int id = t.column("cbg_geoid"), pop = t.column("population");
  const fs::path out = dir / "geography.csv";
  std::ofstream f(out);
  f << "cbg_geoid,population\n";
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    const std::string_view g = t.field(r, id);
    if (g.substr(0, 2) == "10" || g.substr(0, 2) == "11") f << g << "," << t.field(r, pop) << "\n";
  }
  return out;
}

// A random flow matrix over n units with a full diagonal, scaled to realistic magnitudes.
CsrMatrix small_flows(int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  testing::RandomMatrixOptions opt;
  opt.n = n;
  opt.density = 0.01;
  opt.full_diagonal = true;
  opt.empty_row_share = opt.empty_col_share = 0;
  CsrMatrix m = testing::random_matrix(rng, opt);
  for (double& v : m.values) v *= 10;
  return m;
}

pipeline::Plan real_table_plan(const fs::path& dir, const fs::path& geography,
                               const std::vector<int>& years) {
  pipeline::Plan plan;
  plan.name = "real tables DE+DC";
  plan.geography = geography;
  plan.census.census_dir = kSource / "data/census";
  plan.backend = BackendChoice::cpu;
  plan.output.dir = dir / "out";
  plan.output.format = "ffm";
  const int64_t n = 1024;  // DE 574 + DC 450 CBGs
  for (int y : years) {
    const fs::path m = dir / ("observed_" + std::to_string(y) + ".npz");
    io::write_matrix(m, small_flows(n, y));
    plan.years.push_back({y, m});
  }
  for (auto& s : plan.stages)
    if (s.kind == StageKind::county_ipf) s.stop = StopRule::exactly(500);
  return plan;
}

TEST(PipelinePlan, SeveralYearsFromRealTablesWithResume) {
  TempDir tmp;
  const fs::path geo = write_small_geography(tmp.path);
  const pipeline::Plan plan = real_table_plan(tmp.path, geo, {2016, 2017, 2018});
  std::vector<std::string> events;
  const pipeline::RunReport r =
      pipeline::run_plan(plan, [&](const pipeline::ProgressEvent& e) { events.push_back(e.what); });
  ASSERT_EQ(r.years.size(), 3u);
  EXPECT_NE(r.backend.find("openmp"), std::string::npos);
  EXPECT_EQ(r.plan_checksum.size(), 64u);
  for (const auto& y : r.years) {
    EXPECT_FALSE(y.resumed);
    ASSERT_EQ(y.stages.size(), 5u);
    EXPECT_TRUE(fs::exists(y.output));
    EXPECT_TRUE(fs::exists(y.output + ".json"));
    const StageResult& county = *y.stages.back().result;
    EXPECT_EQ(county.iterations, 500);
    // Counties of DE and DC: rows hold exactly (last step); PEP totals differ, so the columns
    // cannot all hold and the verdict says so.
    EXPECT_LE(county.residuals[1].max_rel, 1e-12);
    // Rows of the final matrix equal PEP POPESTIMATE_{t-1} of each county.
    const CsrMatrix out = io::read_matrix(y.output);
    const auto rows = row_sums(out);
    double de_total = 0;
    for (int64_t i = 0; i < 574; ++i) de_total += rows[i];
    EXPECT_GT(de_total, 9e5);  // Delaware had ~950,000 people
    EXPECT_LT(de_total, 1e6);
  }
  EXPECT_FALSE(events.empty());

  // A rerun resumes every year without recomputing.
  const pipeline::RunReport again = pipeline::run_plan(plan);
  for (const auto& y : again.years) EXPECT_TRUE(y.resumed) << y.year;

  // A changed input invalidates only that year.
  io::write_matrix(plan.years[1].matrix, small_flows(1024, 999));
  const pipeline::RunReport third = pipeline::run_plan(plan);
  EXPECT_TRUE(third.years[0].resumed);
  EXPECT_FALSE(third.years[1].resumed);
  EXPECT_TRUE(third.years[2].resumed);

  // A damaged output (another size) is recomputed too.
  { std::ofstream(third.years[2].output, std::ios::trunc) << "damaged"; }
  const pipeline::RunReport fourth = pipeline::run_plan(plan);
  EXPECT_TRUE(fourth.years[0].resumed);
  EXPECT_FALSE(fourth.years[2].resumed);
  EXPECT_NO_THROW(io::read_matrix(fourth.years[2].output));
}

TEST(PipelinePlan, ValidationNamesTheKey) {
  pipeline::Plan plan;
  try {
    plan.validate();
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "geography");
  }
  plan.geography = "g.csv";
  plan.output.dir = "out";
  plan.census.census_dir = "census";
  plan.years.push_back({2015, "a.npz"});
  plan.years.push_back({2015, "b.npz"});
  try {
    plan.validate();
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "years[1].year");
  }
  plan.years.pop_back();
  plan.stages.push_back(pipeline::StageSpec::defaults(StageKind::cbg_rows));
  try {
    plan.validate();
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "stages[5].kind");
  }
}

TEST(PipelinePlan, AllTwentyFourOrdersOfStagesOneToFour) {
  const fs::path dir = fs::path(FLOWFIT_TEST_DATA_DIR) / "golden" / "case02";
  pipeline::Plan plan;
  plan.geography = dir / "geography.csv";
  plan.census.golden_dir = dir;
  plan.years.push_back({2015, dir / "E_input.mtx"});
  plan.output.dir = "unused";
  const pipeline::SharedInputs shared = pipeline::load_shared_inputs(plan);
  const pipeline::YearProblem problem = pipeline::prepare_year(plan, shared, plan.years[0]);
  const auto orders = pipeline::all_orders({StageKind::cbg_rows, StageKind::state_nonmovers,
                                            StageKind::state_flows, StageKind::county_ipf});
  ASSERT_EQ(orders.size(), 24u);
  auto backend = make_openmp_backend(2);
  const pipeline::SweepResult sweep =
      pipeline::sweep_orders(*backend, shared.geography, problem, plan.stages, orders);
  ASSERT_EQ(sweep.orders.size(), 24u);
  // The default order reproduces the released pipeline: county rows exact at the end.
  const auto& first = sweep.orders.front();
  EXPECT_EQ(first.max_rel_diff_vs_default, 0.0);
  bool some_differ = false;
  for (const auto& o : sweep.orders) {
    ASSERT_EQ(o.residuals.size(), 6u);  // cbg rows, movers, non-movers, flows, county cols/rows
    // Whatever stage runs last holds exactly.
    const StageKind last = o.order.back();
    for (const auto& f : o.residuals)
      if (f.family == last && last != StageKind::county_ipf) {
        EXPECT_LE(f.residual.max_rel, 1e-9) << pipeline::to_string(last);
      }
    EXPECT_GT(o.county_flow_correlation, 0.9);
    some_differ |= o.max_rel_diff_vs_default > 1e-6;
  }
  EXPECT_TRUE(some_differ);  // the order matters somewhat
}

}  // namespace
}  // namespace flowfit
