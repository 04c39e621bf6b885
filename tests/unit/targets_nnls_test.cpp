// NNLS yearly CBG populations (SPEC "Stage N"): design matrix, golden solutions, KKT conditions,
// an exhaustive active-set oracle, thread invariance and the national-scale timing.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/targets/cbg_populations.hpp"
#include "flowfit/targets/loaders.hpp"
#include "flowfit/targets/nnls.hpp"

namespace ft = flowfit::targets;
namespace fs = std::filesystem;

namespace {

const char* const kCases[] = {"case01", "case02", "case04", "case05"};

fs::path golden_dir(const std::string& name) {
  return fs::path(FLOWFIT_TEST_DATA_DIR) / "golden" / name;
}

ft::CbgPopulationInputs load_inputs(const std::string& name) {
  return ft::load_cbg_population_inputs(golden_dir(name) / "cbg_pop_census2010.csv",
                                        golden_dir(name) / "cbg_pop_acs5.csv");
}

// The observation vector y of CBG i.
std::array<double, ft::kNumObservations> observations(const ft::CbgPopulationInputs& in,
                                                      int64_t i) {
  std::array<double, ft::kNumObservations> y;
  y[0] = in.census2010[i];
  for (int a = 0; a < ft::kNumAcs5Years; ++a) y[1 + a] = in.acs5[i * ft::kNumAcs5Years + a];
  return y;
}

// KKT conditions of min ||Bx - y|| s.t. x >= 0, with g = B^T (B x - y): x >= 0, g_j ~ 0 where
// x_j > 0, g_j >= 0 where x_j = 0. Tolerances are relative to the rounding scale of g_j.
void expect_kkt(const double* b, const double* y, const double* x, const std::string& what) {
  constexpr int m = ft::kNumObservations, n = ft::kNumPopulationYears;
  double r[m], scale_r[m];
  for (int i = 0; i < m; ++i) {
    r[i] = -y[i];
    scale_r[i] = std::abs(y[i]);
    for (int j = 0; j < n; ++j) {
      r[i] += b[i * n + j] * x[j];
      scale_r[i] += std::abs(b[i * n + j] * x[j]);
    }
  }
  for (int j = 0; j < n; ++j) {
    double g = 0.0, scale = 0.0;
    for (int i = 0; i < m; ++i) {
      g += b[i * n + j] * r[i];
      scale += std::abs(b[i * n + j]) * scale_r[i];
    }
    const double tol = 1e-14 * scale + 1e-300;
    EXPECT_GE(x[j], 0.0) << what << " x[" << j << "]";
    if (x[j] > 0)
      EXPECT_LE(std::abs(g), tol) << what << " gradient at free x[" << j << "]";
    else
      EXPECT_GE(g, -tol) << what << " gradient at bound x[" << j << "]";
  }
}

bool close(double got, double want) {
  const double d = std::abs(got - want);
  return d <= 1e-12 * std::abs(want) || (std::abs(want) < 1.0 && d <= 1e-9);
}

}  // namespace

TEST(NnlsDesign, MatchesGoldenDesignMatrix) {
  const auto b = ft::nnls_design_matrix();
  const auto names = ft::nnls_observation_names();
  for (const char* c : kCases) {
    const auto t = flowfit::io::CsvTable::read(golden_dir(c) / "nnls_design_B.csv");
    ASSERT_EQ(t.n_rows(), ft::kNumObservations);
    ASSERT_EQ(t.n_columns(), 1 + ft::kNumPopulationYears);
    for (int i = 0; i < ft::kNumObservations; ++i) {
      EXPECT_EQ(t.field(i, 0), names[i]);
      for (int j = 0; j < ft::kNumPopulationYears; ++j) {
        EXPECT_EQ(t.header()[1 + j], "x" + std::to_string(2009 + j));
        EXPECT_EQ(t.number(i, 1 + j), b[i * ft::kNumPopulationYears + j])
            << c << " B[" << i << "," << j << "]";  // bit-exact (1/3 etc.)
      }
    }
  }
}

TEST(NnlsGolden, ReproducesResolvedPopulationsAndKkt) {
  const auto b = ft::nnls_design_matrix();
  for (const char* c : kCases) {
    const ft::CbgPopulationInputs in = load_inputs(c);
    ft::NnlsBatchStats stats;
    const ft::YearlyPopulations x = ft::resolve_yearly_populations(in, &stats);
    const auto want = flowfit::io::CsvTable::read(golden_dir(c) / "cbg_pop_resolved.csv");
    ASSERT_EQ(want.n_rows(), x.size()) << c;
    const int g_geoid = want.column("cbg_geoid");
    double max_rel = 0.0;
    for (int64_t i = 0; i < x.size(); ++i) {
      ASSERT_EQ(want.field(i, g_geoid), x.geoids[i]) << c;
      for (int yr = 2009; yr <= 2019; ++yr) {
        const double w = want.number(i, want.column("x" + std::to_string(yr)));
        const double got = x.at(i, yr);
        EXPECT_TRUE(close(got, w))
            << c << " CBG " << x.geoids[i] << " x" << yr << ": got " << got << " want " << w;
        if (w == 0.0) {
          EXPECT_EQ(got, 0.0) << c << " " << x.geoids[i] << " x" << yr;
        } else {
          max_rel = std::max(max_rel, std::abs(got - w) / std::abs(w));
        }
      }
      const auto y = observations(in, i);
      expect_kkt(b.data(), y.data(), &x.values[i * ft::kNumPopulationYears],
                 std::string(c) + " CBG " + x.geoids[i]);
    }
    std::cout << c << ": " << stats.n_cbgs << " CBGs, " << stats.n_constrained
              << " needed the active set, max rel diff to golden " << max_rel << "\n";
    EXPECT_EQ(stats.n_not_converged, 0);
  }
}

TEST(NnlsGolden, Case01KnownZeros) {
  const ft::YearlyPopulations x = ft::resolve_yearly_populations(load_inputs("case01"));
  for (int yr = 2009; yr <= 2019; ++yr) EXPECT_EQ(x.at(8, yr), 0.0);  // CBG 8 is empty
  EXPECT_NEAR(x.at(4, 2009), 0.0, 1e-12);                             // 20 + 4 * (2009 - 2014)
  EXPECT_NEAR(x.at(4, 2014), 20.0, 1e-12);
  EXPECT_THROW(x.at(0, 2008), flowfit::ConfigError);
  EXPECT_THROW(x.at(0, 2020), flowfit::ConfigError);
}

// Exhaustive oracle: the NNLS solution comes from a passive set P whose least-squares solution
// is > 0 on P and whose gradient is >= 0 off P. Solved in long double by normal equations.
TEST(NnlsSolver, AgreesWithExhaustiveActiveSetOracle) {
  const auto b = ft::nnls_design_matrix();
  constexpr int m = ft::kNumObservations, n = ft::kNumPopulationYears;
  const ft::NnlsSolver solver(m, n, b);
  std::mt19937_64 rng(20240611);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  int n_constrained = 0, n_warm = 0, n_iterated = 0;
  for (int trial = 0; trial < 200; ++trial) {
    double y[m];
    const double level = trial % 4 == 0 ? 5.0 : 300.0;
    for (int i = 0; i < m; ++i) y[i] = std::round(level * (0.2 + 1.6 * u(rng)));
    double x[n];
    const ft::NnlsOutcome o = solver.solve(y, x);
    n_constrained += !o.unconstrained;
    n_warm += o.warm_start;
    n_iterated += o.iterations > 0;
    EXPECT_TRUE(o.converged);
    int found = 0;
    for (int mask = 0; mask < (1 << n); ++mask) {
      int idx[n], k = 0;
      for (int j = 0; j < n; ++j)
        if (mask >> j & 1) idx[k++] = j;
      long double g[n][n + 1];
      for (int p = 0; p < k; ++p) {
        for (int q = 0; q < k; ++q) {
          long double s = 0;
          for (int i = 0; i < m; ++i) s += (long double)b[i * n + idx[p]] * b[i * n + idx[q]];
          g[p][q] = s;
        }
        long double s = 0;
        for (int i = 0; i < m; ++i) s += (long double)b[i * n + idx[p]] * y[i];
        g[p][k] = s;
      }
      for (int p = 0; p < k; ++p)  // Gauss-Jordan (SPD, no pivoting needed)
        for (int q = 0; q < k; ++q) {
          if (q == p) continue;
          const long double f = g[q][p] / g[p][p];
          for (int c = p; c <= k; ++c) g[q][c] -= f * g[p][c];
        }
      long double z[n] = {};
      bool positive = true;
      for (int p = 0; p < k; ++p) {
        z[idx[p]] = g[p][k] / g[p][p];
        positive = positive && z[idx[p]] > 0;
      }
      if (!positive) continue;
      bool kkt = true;
      for (int j = 0; j < n && kkt; ++j) {
        if (mask >> j & 1) continue;
        long double gr = 0;
        for (int i = 0; i < m; ++i) {
          long double r = -y[i];
          for (int c = 0; c < n; ++c) r += (long double)b[i * n + c] * z[c];
          gr += (long double)b[i * n + j] * r;
        }
        kkt = gr >= -1e-9L;
      }
      if (!kkt) continue;
      ++found;
      for (int j = 0; j < n; ++j) {
        const double want = static_cast<double>(z[j]);
        EXPECT_TRUE(close(x[j], want))
            << "trial " << trial << " x[" << j << "] " << x[j] << " vs oracle " << want;
      }
    }
    // Degenerate data (a free variable exactly at 0) can satisfy the tolerant oracle with two
    // passive sets; both must then agree with the solver, which the loop checks.
    EXPECT_GE(found, 1) << "trial " << trial;
  }
  // The random data exercise all three paths: unconstrained, warm start, full Lawson–Hanson.
  EXPECT_GT(n_constrained, 50);
  EXPECT_GT(n_warm, 10);
  EXPECT_GT(n_iterated, 10);
  std::cout << n_constrained << " of 200 constrained, " << n_warm << " by warm start, "
            << n_iterated << " by Lawson–Hanson iterations\n";
}

TEST(NnlsSolver, RejectsBadInput) {
  const auto b = ft::nnls_design_matrix();
  EXPECT_THROW(ft::NnlsSolver(11, 12, std::span<const double>(b.data(), 11 * 11)),
               flowfit::ConfigError);
  std::array<double, 4> singular{1, 2, 2, 4};
  EXPECT_THROW(ft::NnlsSolver(2, 2, singular), flowfit::ConfigError);
  const ft::NnlsSolver solver(11, 11, b);
  std::array<double, 11> y{};
  std::array<double, 11> x{};
  y[3] = std::nan("");
  EXPECT_THROW(solver.solve(y, x), flowfit::ConfigError);

  ft::CbgPopulationInputs in;
  in.source = "mem";
  in.geoids = {"010010201001"};
  in.census2010 = {5};
  in.acs5.assign(10, 1.0);
  in.acs5[4] = INFINITY;
  try {
    ft::resolve_yearly_populations(in);
    FAIL() << "expected InputError";
  } catch (const flowfit::InputError& e) {
    EXPECT_EQ(e.field(), "acs5_2014");
    EXPECT_NE(std::string(e.what()).find("010010201001"), std::string::npos);
  }
}

namespace {

// Realistic national-scale input: lognormal CBG sizes, smooth trends, yearly noise, ACS 5-year
// sampling noise of ~8%, a few empty and tiny CBGs; integer counts as published.
ft::CbgPopulationInputs realistic_inputs(int64_t n) {
  ft::CbgPopulationInputs in;
  in.source = "synthetic";
  in.geoids.resize(n);
  in.census2010.resize(n);
  in.acs5.resize(n * ft::kNumAcs5Years);
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  for (int64_t i = 0; i < n; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "%012lld", static_cast<long long>(10000000000LL + i));
    in.geoids[i] = id;
    const double kind = unif(rng);
    const double base = kind < 0.004  ? 0.0
                        : kind < 0.02 ? 20.0 * unif(rng)
                                      : std::exp(7.1 + 0.6 * normal(rng));
    const double growth = 0.005 + 0.02 * normal(rng);
    double x[16];  // years 2005..2019
    for (int k = 0; k < 15; ++k)
      x[k] = std::max(0.0, base * std::pow(1.0 + growth, k - 5) * (1.0 + 0.02 * normal(rng)));
    in.census2010[i] = std::round(x[5]);
    for (int a = 0; a < ft::kNumAcs5Years; ++a) {  // window 2006+a .. 2010+a
      double mean = 0.0;
      for (int k = a + 1; k <= a + 5; ++k) mean += x[k] / 5.0;
      in.acs5[i * ft::kNumAcs5Years + a] =
          std::max(0.0, std::round(mean * (1.0 + 0.08 * normal(rng))));
    }
  }
  return in;
}

}  // namespace

// National scale: the result does not depend on the thread count (timing: bench/nnls_bench).
TEST(NnlsBatch, NationalScaleThreadInvariance) {
  const int64_t n = 217740;
  const ft::CbgPopulationInputs in = realistic_inputs(n);
  const int threads = omp_get_max_threads();

  ft::NnlsBatchStats stats;
  const ft::YearlyPopulations multi = ft::resolve_yearly_populations(in, &stats);
  omp_set_num_threads(1);
  const ft::YearlyPopulations single = ft::resolve_yearly_populations(in);
  omp_set_num_threads(threads);
  // The same through the explicit thread count, without touching OpenMP's process-wide default.
  const ft::YearlyPopulations three = ft::resolve_yearly_populations(in, nullptr, {.threads = 3});
  EXPECT_EQ(three.values, multi.values);

  ASSERT_EQ(multi.values.size(), single.values.size());
  EXPECT_EQ(
      std::memcmp(multi.values.data(), single.values.data(), multi.values.size() * sizeof(double)),
      0)
      << "results depend on the thread count";
  EXPECT_EQ(stats.n_not_converged, 0);
  EXPECT_GT(stats.n_constrained, 0);

  // Spot-check the KKT conditions on a sample (the constrained ones included).
  const auto b = ft::nnls_design_matrix();
  for (int64_t i = 0; i < n; i += 997) {
    const auto y = observations(in, i);
    expect_kkt(b.data(), y.data(), &multi.values[i * ft::kNumPopulationYears],
               "synthetic CBG " + std::to_string(i));
  }
}
