// The folder written by write_synthetic_problem: byte-identical for any thread count, census
// tables readable by the real-table loaders and consistent with the truth, a plan the plan parser
// accepts, and the real-targets variant.
#include <gtest/gtest.h>
#include <omp.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "flowfit/geography.hpp"
#include "flowfit/io/geography_io.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/pipeline/plan_toml.hpp"
#include "flowfit/synth/census_tables.hpp"
#include "flowfit/synth/synth.hpp"
#include "flowfit/targets/targets.hpp"

namespace flowfit::synth {
namespace {

namespace fs = std::filesystem;

SynthPaths data_paths() {
  return SynthPaths::from_data_dir(FLOWFIT_SOURCE_DIR "/data");
}

// One folder per process: ctest runs every test in its own process, several at once.
fs::path fresh_dir(const std::string& name) {
  const fs::path d =
      fs::path(FLOWFIT_BINARY_DIR) / "synth_test_tmp" / (name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

SynthConfig config(TargetSource targets = TargetSource::synthetic) {
  SynthConfig c;
  c.nnz = 400'000;
  c.seed = 11;
  c.year = 2018;
  c.targets = targets;
  return c;
}

class SynthFolder : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fresh_dir("synthetic");
    SynthOutputOptions o;
    o.out_dir = dir_;
    summary_ = write_synthetic_problem(data_paths(), config(), o);
  }
  // The folders hold ~80 MB of CSV each: remove them.
  static void TearDownTestSuite() {
    fs::remove_all(dir_);
    fs::remove_all(dir_.parent_path() / "synthetic_1thread");
  }
  static fs::path dir_;
  static SynthSummary summary_;
};
fs::path SynthFolder::dir_;
SynthSummary SynthFolder::summary_;

TEST_F(SynthFolder, WritesEveryFile) {
  for (const char* f :
       {"observed_2018.npz", "truth_2018.npz", "geography.csv", "plan.toml", "README.md",
        "census/pep_state_2010_2019.csv", "census/pep_county_2010_2019.csv",
        "census/acs1_state_totals_2011_2019.csv", "census/acs1_state_flows_2011_2019.csv",
        "census/cbg_pop_census2010.csv", "census/cbg_pop_acs5.csv", "census/truth_populations.csv"})
    EXPECT_TRUE(fs::exists(dir_ / f)) << f;
  const Geography geo = io::read_geography(dir_ / "geography.csv");
  EXPECT_EQ(geo.size(), 217740);
  const CsrMatrix e = io::read_matrix(dir_ / "observed_2018.npz");
  EXPECT_EQ(e.nnz(), summary_.distortion.observed_nnz);
}

TEST_F(SynthFolder, SameBytesWithOneThread) {
  const fs::path other = fresh_dir("synthetic_1thread");
  SynthOutputOptions o;
  o.out_dir = other;
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
  try {
    write_synthetic_problem(data_paths(), config(), o);
  } catch (...) {
    omp_set_num_threads(before);
    throw;
  }
  omp_set_num_threads(before);
  for (const char* f : {"observed_2018.npz", "truth_2018.npz", "geography.csv", "plan.toml",
                        "census/pep_county_2010_2019.csv", "census/acs1_state_flows_2011_2019.csv",
                        "census/acs1_state_totals_2011_2019.csv", "census/cbg_pop_acs5.csv"})
    EXPECT_EQ(bytes_of(dir_ / f), bytes_of(other / f)) << f;
  fs::remove_all(other);
}

TEST_F(SynthFolder, CensusTablesLoadAndMatchTheTruth) {
  const CsrMatrix t = io::read_matrix(dir_ / "truth_2018.npz");
  const Geography geo = io::read_geography(dir_ / "geography.csv");
  const Grouping county = Grouping::by_level(geo, Level::county);
  const Grouping state = Grouping::by_level(geo, Level::state);
  std::vector<double> crow(county.n_groups()), ccol(county.n_groups());
  std::vector<double> sdiag(state.n_groups()), soff_in(state.n_groups());
  for (int64_t i = 0; i < t.n_rows; ++i)
    for (int64_t e = t.row_ptr[i]; e < t.row_ptr[i + 1]; ++e) {
      const int64_t j = t.col_idx[e];
      crow[county.group_of(i)] += t.values[e];
      ccol[county.group_of(j)] += t.values[e];
      (j == i ? sdiag : soff_in)[state.group_of(j)] += t.values[e];
    }

  const auto ct = targets::build_county_targets(
      targets::load_county_census_table_from_dir(dir_ / "census", 2018));
  ASSERT_EQ(ct.size(), county.n_groups());
  for (int32_t g = 0; g < county.n_groups(); ++g) {
    const auto k = ct.find(county.label(g));
    ASSERT_TRUE(k.has_value()) << county.label(g);
    EXPECT_NEAR(ct.row_targets[*k], crow[g], 1e-9 * crow[g]) << county.label(g);
    EXPECT_NEAR(ct.col_targets[*k], ccol[g], 1e-9 * ccol[g] + 1e-6) << county.label(g);
  }
  EXPECT_NO_THROW(targets::county_margins(ct, geo));

  const auto st = targets::build_state_targets(
      targets::load_state_census_tables_from_dir(dir_ / "census", 2018));
  ASSERT_EQ(st.size(), 51);
  for (int32_t g = 0; g < state.n_groups(); ++g) {
    const auto k = st.find(state.label(g));
    ASSERT_TRUE(k.has_value());
    // Non-movers: ACS-like noise of CV 0.4%; movers inherit that noise (absolute).
    EXPECT_NEAR(st.nonmovers[*k], sdiag[g], 0.03 * sdiag[g]) << state.label(g);
    EXPECT_NEAR(st.movers[*k], soff_in[g], 0.03 * sdiag[g]) << state.label(g);
  }
  EXPECT_NO_THROW(targets::state_flow_margins(st, geo));

  const auto cbg = targets::load_cbg_population_inputs(dir_ / "census/cbg_pop_census2010.csv",
                                                       dir_ / "census/cbg_pop_acs5.csv");
  EXPECT_EQ(cbg.size(), 217740);
  EXPECT_NO_THROW(cbg.validate());
}

TEST_F(SynthFolder, PlanParses) {
  const pipeline::Plan plan = pipeline::read_plan_toml(dir_ / "plan.toml");
  ASSERT_EQ(plan.years.size(), 1u);
  EXPECT_EQ(plan.years[0].year, 2018);
  EXPECT_EQ(fs::weakly_canonical(plan.years[0].matrix),
            fs::weakly_canonical(dir_ / "observed_2018.npz"));
  EXPECT_EQ(plan.stages.size(), 5u);
  EXPECT_EQ(plan.stages.back().kind, pipeline::StageKind::county_ipf);
  EXPECT_EQ(plan.stages.back().stop.max_iterations, 3000);
  EXPECT_EQ(fs::weakly_canonical(plan.census.census_dir), fs::weakly_canonical(dir_ / "census"));
}

TEST(SynthFolderReal, RealTargetsTranslateCountiesAndRescaleTheTruth) {
  const fs::path dir = fresh_dir("real");
  SynthOutputOptions o;
  o.out_dir = dir;
  o.write_truth = true;
  SynthConfig c = config(TargetSource::real);
  c.nnz = 250'000;
  write_synthetic_problem(data_paths(), c, o);
  // State tables are the real ones, byte for byte.
  EXPECT_EQ(bytes_of(dir / "census/acs1_state_flows_2011_2019.csv"),
            bytes_of(fs::path(FLOWFIT_SOURCE_DIR) / "data/census/acs1_state_flows_2011_2019.csv"));
  const Geography geo = io::read_geography(dir / "geography.csv");
  const auto ct = targets::build_county_targets(
      targets::load_county_census_table_from_dir(dir / "census", 2018));
  EXPECT_EQ(ct.size(), 3143);
  EXPECT_TRUE(ct.find("51515").has_value());
  EXPECT_TRUE(ct.find("02270").has_value());
  EXPECT_FALSE(ct.find("02158").has_value());
  const CsrMatrix t = io::read_matrix(dir / "truth_2018.npz");
  const Grouping county = Grouping::by_level(geo, Level::county);
  std::vector<double> crow(county.n_groups());
  const auto rows = row_sums(t);
  for (int64_t i = 0; i < t.n_rows; ++i) crow[county.group_of(i)] += rows[i];
  for (int32_t g = 0; g < county.n_groups(); ++g) {
    const double target = ct.row_targets[*ct.find(county.label(g))];
    EXPECT_NEAR(crow[g], target, 1e-6 * target) << county.label(g);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace flowfit::synth
