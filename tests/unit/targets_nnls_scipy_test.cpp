// The default NNLS against the reference's solver itself: scipy.optimize.nnls (SciPy 1.10, run by
// /usr/bin/python3) on 200,000 ACS-like CBG rows, near-degenerate, zero and one-nonzero rows
// included (tests/nnls/scipy_nnls_rows.py). Every row must have scipy's zero pattern exactly and
// values within 1e-9 relative + 1e-12 absolute. Skips when python3 or scipy is missing.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "flowfit/targets/cbg_populations.hpp"
#include "flowfit/targets/nnls.hpp"

namespace ft = flowfit::targets;
namespace fs = std::filesystem;

namespace {

constexpr int kRowDoubles = 22;  // y (11) then scipy's x (11)

// Runs the generator; returns the rows, or an empty vector with `skip` set when scipy is absent.
std::vector<double> scipy_rows(int64_t n_rows, int seed, std::string& skip) {
  const fs::path python = "/usr/bin/python3";
  if (!fs::exists(python)) {
    skip = "/usr/bin/python3 not found";
    return {};
  }
  const fs::path script = fs::path(FLOWFIT_SOURCE_DIR) / "tests" / "nnls" / "scipy_nnls_rows.py";
  const fs::path out =
      fs::temp_directory_path() / ("flowfit_scipy_nnls_" + std::to_string(::getpid()) + ".bin");
  const std::string cmd = python.string() + " " + script.string() + " " + out.string() + " " +
                          std::to_string(n_rows) + " " + std::to_string(seed);
  const int rc = std::system(cmd.c_str());
  if (rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 77) {
    skip = "numpy/scipy not importable by /usr/bin/python3";
    return {};
  }
  EXPECT_TRUE(rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd << " failed";
  std::vector<double> rows(n_rows * kRowDoubles);
  std::ifstream in(out, std::ios::binary);
  in.read(reinterpret_cast<char*>(rows.data()), static_cast<std::streamsize>(rows.size() * 8));
  EXPECT_EQ(in.gcount(), static_cast<std::streamsize>(rows.size() * 8)) << out;
  in.close();
  fs::remove(out);
  return rows;
}

struct Comparison {
  int64_t pattern_mismatch = 0;  // rows whose set of zero years differs from scipy's
  int64_t value_mismatch = 0;    // rows with a value outside 1e-9 relative + 1e-12 absolute
  int64_t bit_identical = 0;
  int64_t with_zero = 0;
  int64_t tiny_positive = 0;  // rows where scipy has a year in (0, 1e-9]: the hard cases
  std::string first_failure;
};

template <class Solver>
Comparison compare(const Solver& solver, const std::vector<double>& rows) {
  Comparison c;
  const int64_t n = static_cast<int64_t>(rows.size()) / kRowDoubles;
  for (int64_t r = 0; r < n; ++r) {
    const double* y = &rows[r * kRowDoubles];
    const double* want = y + ft::kNumObservations;
    double x[ft::kNumPopulationYears];
    solver.solve(std::span<const double>(y, ft::kNumObservations),
                 std::span<double>(x, ft::kNumPopulationYears));
    bool pattern = true, values = true, bits = true, zero = false, tiny = false;
    for (int j = 0; j < ft::kNumPopulationYears; ++j) {
      pattern = pattern && ((x[j] == 0.0) == (want[j] == 0.0));
      values = values && std::abs(x[j] - want[j]) <= 1e-9 * std::abs(want[j]) + 1e-12;
      bits = bits && std::memcmp(&x[j], &want[j], sizeof(double)) == 0;
      zero = zero || want[j] == 0.0;
      tiny = tiny || (want[j] > 0.0 && want[j] <= 1e-9);
    }
    c.pattern_mismatch += !pattern;
    c.value_mismatch += !values;
    c.bit_identical += bits;
    c.with_zero += zero;
    c.tiny_positive += tiny;
    if ((!pattern || !values) && c.first_failure.empty()) {
      c.first_failure = "row " + std::to_string(r) + ":";
      for (int j = 0; j < ft::kNumPopulationYears; ++j) {
        char buf[80];
        std::snprintf(buf, sizeof buf, " x%d %.17g/%.17g", 2009 + j, x[j], want[j]);
        c.first_failure += buf;
      }
    }
  }
  return c;
}

}  // namespace

TEST(NnlsScipy, LawsonHansonHasScipysZeroPatternOn200kRows) {
  constexpr int64_t kRows = 200000;
  std::string skip;
  const std::vector<double> rows = scipy_rows(kRows, 20261201, skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_EQ(rows.size(), static_cast<size_t>(kRows * kRowDoubles));
  const auto b = ft::nnls_design_matrix();

  // Without the fast path: scipy's arithmetic on every row, so every bit agrees.
  const Comparison exact = compare(
      ft::LawsonHansonNnls(ft::kNumObservations, ft::kNumPopulationYears, b, -1, false), rows);
  EXPECT_EQ(exact.pattern_mismatch, 0) << exact.first_failure;
  EXPECT_EQ(exact.bit_identical, kRows);
  // The default (fast path for rows far from the bound): same zero pattern, values to rounding.
  const Comparison lh =
      compare(ft::LawsonHansonNnls(ft::kNumObservations, ft::kNumPopulationYears, b), rows);
  EXPECT_EQ(lh.pattern_mismatch, 0) << lh.first_failure;
  EXPECT_EQ(lh.value_mismatch, 0) << lh.first_failure;
  // The data must contain the cases that matter: zero years and tiny positive years.
  EXPECT_GT(lh.with_zero, kRows / 10);
  EXPECT_GT(lh.tiny_positive, 100);
  std::cout << "exact path: " << exact.bit_identical << " of " << kRows
            << " rows bit-identical; default: " << lh.bit_identical << " of " << kRows
            << " rows bit-identical, " << lh.with_zero << " with a zero year, " << lh.tiny_positive
            << " with a year in (0, 1e-9]\n";

  // The denoised solver (nnls.snap_noise) is not faithful: the same check fails for it, which
  // shows the comparison can tell the two apart.
  const Comparison snap =
      compare(ft::NnlsSolver(ft::kNumObservations, ft::kNumPopulationYears, b), rows);
  EXPECT_GT(snap.pattern_mismatch, 0);
  std::cout << "denoised NNLS vs scipy: " << snap.pattern_mismatch
            << " rows with a different zero pattern\n";
}
