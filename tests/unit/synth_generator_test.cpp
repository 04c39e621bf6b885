// The synthetic national generator on the real geography at 1e6 truth nonzeros: determinism
// (seed -> identical bytes, thread count irrelevant), realistic shares, consistency of the truth
// with its populations.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <memory>

#include "flowfit/error.hpp"
#include "flowfit/synth/realism.hpp"
#include "flowfit/synth/rng.hpp"
#include "flowfit/synth/synth.hpp"

namespace flowfit::synth {
namespace {

SynthPaths data_paths() {
  return SynthPaths::from_data_dir(FLOWFIT_SOURCE_DIR "/data");
}

SynthConfig small_config(uint64_t seed = 7) {
  SynthConfig c;
  c.nnz = 1'000'000;
  c.seed = seed;
  c.year = 2018;
  return c;
}

// Generated once for the whole suite (about a second on 2 cores).
class SynthGenerator : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    problem_ =
        std::make_unique<SyntheticProblem>(make_synthetic_problem(data_paths(), small_config()));
  }
  static void TearDownTestSuite() { problem_.reset(); }
  static std::unique_ptr<SyntheticProblem> problem_;
};
std::unique_ptr<SyntheticProblem> SynthGenerator::problem_;

void expect_identical(const CsrMatrix& a, const CsrMatrix& b) {
  ASSERT_EQ(a.n_rows, b.n_rows);
  ASSERT_EQ(a.row_ptr, b.row_ptr);
  ASSERT_EQ(a.col_idx, b.col_idx);
  ASSERT_EQ(a.values.size(), b.values.size());
  for (size_t e = 0; e < a.values.size(); ++e)
    ASSERT_EQ(std::memcmp(&a.values[e], &b.values[e], sizeof(double)), 0) << "entry " << e;
}

TEST_F(SynthGenerator, ShapeAndSize) {
  const SyntheticProblem& p = *problem_;
  EXPECT_EQ(p.inputs.n_cbgs(), 217740);
  EXPECT_EQ(p.inputs.n_counties(), 3143);
  EXPECT_EQ(p.inputs.n_states(), 51);
  EXPECT_NO_THROW(p.truth.validate());
  EXPECT_NO_THROW(p.observed.validate());
  EXPECT_EQ(p.truth.n_rows, 217740);
  // The budget is met exactly unless rows hit the draw cap.
  EXPECT_NEAR(static_cast<double>(p.truth.nnz()), 1e6, 1e6 * 0.01);
  EXPECT_EQ(p.truth_stats.rows_short, 0);
  EXPECT_GT(p.observed.nnz(), p.truth.nnz() / 2);
}

TEST_F(SynthGenerator, RealisticShares) {
  const Realism r = measure_realism(problem_->truth, problem_->inputs);
  EXPECT_NEAR(r.stayer_share, 0.87, 0.03);
  EXPECT_NEAR(r.within_county_share, 0.50, 0.10);
  EXPECT_NEAR(r.under_5mi_share, 0.37, 0.10);
  EXPECT_GT(r.within_state_share, r.within_county_share);
  EXPECT_GT(r.mean_move_miles, 20.0);
}

TEST_F(SynthGenerator, RowSumsArePopulationsOfTheYearBefore) {
  const SyntheticProblem& p = *problem_;
  const auto rows = row_sums(p.truth);
  double total = 0;
  for (int64_t i = 0; i < p.inputs.n_cbgs(); ++i) {
    const double x = p.trajectories.at(i, 2017);
    ASSERT_EQ(x, std::round(x));  // whole people
    ASSERT_NEAR(rows[i], x, 1e-9 * std::max(1.0, x)) << "CBG " << i;
    total += x;
  }
  // Counties follow the real PEP 2017 estimates (up to rounding of the CBG populations).
  double pep = 0;
  for (const SynthCounty& c : p.inputs.counties) pep += c.pop[2017 - kFirstPepYear];
  EXPECT_NEAR(total, pep, 0.5 * p.inputs.n_cbgs());
  for (double v : p.truth.values) ASSERT_GT(v, 0.0);
}

TEST_F(SynthGenerator, ObservedIsDistortedByTensOfPercent) {
  const Distortion d = measure_distortion(problem_->truth, problem_->observed, problem_->inputs);
  EXPECT_LT(d.row_ratio_p05, 0.85);
  EXPECT_GT(d.row_ratio_p95, 1.15);
  EXPECT_NEAR(d.total_ratio, 1.0, 0.15);
  EXPECT_LT(d.observed_mover_share, d.truth_mover_share);
  EXPECT_GT(problem_->observe_stats.entries_thinned, 0);
  EXPECT_GT(problem_->observe_stats.entries_spread, 0);
}

TEST_F(SynthGenerator, SameSeedSameBytesForAnyThreadCount) {
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
  SyntheticProblem one;
  try {
    one = make_synthetic_problem(data_paths(), small_config());
  } catch (...) {
    omp_set_num_threads(before);
    throw;
  }
  omp_set_num_threads(before);
  expect_identical(one.truth, problem_->truth);
  expect_identical(one.observed, problem_->observed);
  EXPECT_EQ(one.trajectories.values, problem_->trajectories.values);
}

TEST_F(SynthGenerator, DifferentSeedsDiffer) {
  const SynthConfig other = small_config(8);
  const PopulationTrajectories tr = population_trajectories(problem_->inputs, other);
  EXPECT_NE(tr.values, problem_->trajectories.values);
  const MoverModel a = build_mover_model(problem_->inputs, small_config(), problem_->trajectories);
  const MoverModel b = build_mover_model(problem_->inputs, other, tr);
  EXPECT_NE(a.mover_rate, b.mover_rate);
}

TEST(SynthConfigTest, RejectsBadSettingsNamingTheKey) {
  SynthConfig c;
  c.year = 2009;
  try {
    c.validate();
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "year");
  }
  c = SynthConfig{};
  c.truth.stayer_share = 1.5;
  EXPECT_THROW(c.validate(), ConfigError);
  c = SynthConfig{};
  c.observe.zip_tracts = 0;
  EXPECT_THROW(c.validate(), ConfigError);
  EXPECT_THROW(target_source_from_string("fake"), ConfigError);
  EXPECT_EQ(target_source_from_string("real"), TargetSource::real);
}

TEST(SynthRng, StreamsAreKeyedAndWellDistributed) {
  Rng a(1, Stream::truth_row, 5), b(1, Stream::truth_row, 5), c(1, Stream::truth_row, 6),
      d(1, Stream::observe_row, 5);
  const uint64_t va = a.next();
  EXPECT_EQ(va, b.next());
  EXPECT_NE(va, c.next());
  EXPECT_NE(va, d.next());
  Rng r(3, Stream::cbg_noise, 0);
  double s = 0, s2 = 0, lo = 1, hi = 0;
  const int n = 200000;
  for (int k = 0; k < n; ++k) {
    const double u = r.uniform();
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    const double z = r.normal();
    s += z;
    s2 += z * z;
  }
  EXPECT_GE(lo, 0.0);
  EXPECT_LT(hi, 1.0);
  EXPECT_NEAR(s / n, 0.0, 0.01);
  EXPECT_NEAR(s2 / n, 1.0, 0.02);
}

}  // namespace
}  // namespace flowfit::synth
