// Assembly (E = Gᵀ(A − diag A)G + diag(Gᵀ diag A)), SpGEMM and transpose against dense
// arithmetic, and bit-identical results for any OpenMP thread count.
#include <gtest/gtest.h>
#include <omp.h>

#include <random>
#include <vector>

#include "flowfit/assembly.hpp"
#include "flowfit/error.hpp"
#include "support/random_problems.hpp"

namespace flowfit {
namespace {

using Dense = std::vector<std::vector<double>>;

Dense to_dense(const CsrMatrix& m) {
  Dense d(m.n_rows, std::vector<double>(m.n_cols, 0.0));
  for (int64_t i = 0; i < m.n_rows; ++i)
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) d[i][m.col_idx[e]] = m.values[e];
  return d;
}

void expect_near_dense(const CsrMatrix& got, const Dense& want) {
  ASSERT_NO_THROW(got.validate());
  Dense g = to_dense(got);
  ASSERT_EQ(g.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    for (size_t j = 0; j < want[i].size(); ++j)
      EXPECT_NEAR(g[i][j], want[i][j], 1e-12 * (1 + std::abs(want[i][j])))
          << "entry (" << i << ", " << j << ")";
}

// A random row-stochastic crosswalk n x m: some rows a single 1, some split, some empty.
CsrMatrix random_crosswalk(std::mt19937_64& rng, int64_t n, int64_t m) {
  std::vector<int64_t> r, c;
  std::vector<double> v;
  std::uniform_int_distribution<int64_t> unit(0, m - 1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int64_t i = 0; i < n; ++i) {
    const double kind = u(rng);
    if (kind < 0.05) continue;  // unmapped address
    if (kind < 0.6) {
      r.push_back(i), c.push_back(unit(rng)), v.push_back(1.0);
      continue;
    }
    std::vector<int64_t> units;
    for (int k = 0; k < 3; ++k) {
      int64_t j = unit(rng);
      if (std::find(units.begin(), units.end(), j) == units.end()) units.push_back(j);
    }
    std::vector<double> w;
    double sum = 0;
    for (size_t k = 0; k < units.size(); ++k) w.push_back(u(rng) + 0.1), sum += w.back();
    for (size_t k = 0; k < units.size(); ++k)
      r.push_back(i), c.push_back(units[k]), v.push_back(w[k] / sum);
  }
  return csr_from_triplets(n, m, r, c, v);
}

Dense dense_assemble(const Dense& a, const Dense& g) {
  const size_t n = a.size(), m = g[0].size();
  Dense e(m, std::vector<double>(m, 0.0));
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) {
      if (a[i][j] == 0) continue;
      if (i == j) {
        for (size_t k = 0; k < m; ++k) e[k][k] += g[i][k] * a[i][i];
      } else {
        for (size_t k = 0; k < m; ++k)
          for (size_t l = 0; l < m; ++l) e[k][l] += g[i][k] * a[i][j] * g[j][l];
      }
    }
  return e;
}

TEST(AssemblySpgemm, TransposeMatchesDense) {
  std::mt19937_64 rng(7);
  CsrMatrix m = random_crosswalk(rng, 40, 13);
  CsrMatrix t = assembly::transpose(m);
  ASSERT_NO_THROW(t.validate());
  Dense d = to_dense(m);
  Dense want(13, std::vector<double>(40));
  for (int i = 0; i < 40; ++i)
    for (int j = 0; j < 13; ++j) want[j][i] = d[i][j];
  expect_near_dense(t, want);
}

TEST(AssemblySpgemm, ProductMatchesDense) {
  std::mt19937_64 rng(11);
  testing::RandomMatrixOptions opt;
  opt.n = 60;
  opt.skewed = true;
  CsrMatrix a = testing::random_matrix(rng, opt);
  CsrMatrix b = random_crosswalk(rng, 60, 17);
  CsrMatrix c = assembly::spgemm(a, b);
  Dense da = to_dense(a), db = to_dense(b);
  Dense want(60, std::vector<double>(17, 0.0));
  for (int i = 0; i < 60; ++i)
    for (int k = 0; k < 60; ++k)
      for (int j = 0; j < 17; ++j) want[i][j] += da[i][k] * db[k][j];
  expect_near_dense(c, want);
}

TEST(AssemblySpgemm, ShapeMismatchIsAConfigError) {
  CsrMatrix a = csr_from_triplets(2, 3, std::vector<int64_t>{0}, std::vector<int64_t>{2},
                                  std::vector<double>{1});
  try {
    assembly::spgemm(a, a);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "shape");
    EXPECT_NE(std::string(e.what()).find("2 x 3"), std::string::npos) << e.what();
  }
}

// A 3-address, 2-unit case worked by hand.
TEST(AssemblySpgemm, HandCheckedAssembly) {
  // A: address 0 stays (5), moves 0->1 (2), 1->2 (4), address 2 stays (1).
  CsrMatrix a =
      csr_from_triplets(3, 3, std::vector<int64_t>{0, 0, 1, 2}, std::vector<int64_t>{0, 1, 2, 2},
                        std::vector<double>{5, 2, 4, 1});
  // G: address 0 in unit 0; address 1 half/half; address 2 in unit 1.
  CsrMatrix g =
      csr_from_triplets(3, 2, std::vector<int64_t>{0, 1, 1, 2}, std::vector<int64_t>{0, 0, 1, 1},
                        std::vector<double>{1, 0.5, 0.5, 1});
  assembly::AssemblyStats stats;
  CsrMatrix e = assembly::assemble_flows(a, g, &stats);
  // Movers 0->1: 2 split as (0,0) 1, (0,1) 1. Movers 1->2: 4 as (0,1) 2, (1,1) 2.
  // Stayers: 5 at unit 0, 1 at unit 1.
  expect_near_dense(e, Dense{{1 + 5, 1 + 2}, {0, 2 + 1}});
  EXPECT_EQ(stats.addresses, 3);
  EXPECT_EQ(stats.units, 2);
  EXPECT_EQ(stats.a_diagonal, 2);
  EXPECT_DOUBLE_EQ(stats.a_total, 12);
  EXPECT_DOUBLE_EQ(stats.e_total, 12);
  EXPECT_EQ(stats.unmapped_addresses, 0);
}

TEST(AssemblySpgemm, RandomAssemblyMatchesDenseAndKeepsMassOfMappedAddresses) {
  std::mt19937_64 rng(3);
  testing::RandomMatrixOptions opt;
  opt.n = 70;
  opt.full_diagonal = true;
  CsrMatrix a = testing::random_matrix(rng, opt);
  CsrMatrix g = random_crosswalk(rng, 70, 9);
  assembly::AssemblyStats stats;
  CsrMatrix e = assembly::assemble_flows(a, g, &stats);
  expect_near_dense(e, dense_assemble(to_dense(a), to_dense(g)));
  EXPECT_GT(stats.unmapped_addresses, 0);
  EXPECT_LT(stats.e_total, stats.a_total);  // flows touching unmapped addresses vanish
}

TEST(AssemblySpgemm, BitIdenticalForAnyThreadCount) {
  std::mt19937_64 rng(5);
  testing::RandomMatrixOptions opt;
  opt.n = 5000;  // several row chunks
  opt.density = 0.004;
  opt.skewed = true;
  CsrMatrix a = testing::random_matrix(rng, opt);
  CsrMatrix g = random_crosswalk(rng, 5000, 700);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  CsrMatrix e1 = assembly::assemble_flows(a, g);
  omp_set_num_threads(4);
  CsrMatrix e4 = assembly::assemble_flows(a, g);
  omp_set_num_threads(saved);
  EXPECT_EQ(e1.row_ptr, e4.row_ptr);
  EXPECT_EQ(e1.col_idx, e4.col_idx);
  EXPECT_EQ(e1.values, e4.values);  // bitwise
  EXPECT_GT(e1.nnz(), 0);
}

TEST(AssemblySpgemm, NonSquareFlowsOrWrongCrosswalkRowsAreRejected) {
  CsrMatrix a = csr_from_triplets(2, 3, std::vector<int64_t>{}, std::vector<int64_t>{},
                                  std::vector<double>{});
  CsrMatrix g = csr_from_triplets(2, 1, std::vector<int64_t>{}, std::vector<int64_t>{},
                                  std::vector<double>{});
  EXPECT_THROW(assembly::assemble_flows(a, g), ConfigError);
  CsrMatrix sq = csr_from_triplets(3, 3, std::vector<int64_t>{}, std::vector<int64_t>{},
                                   std::vector<double>{});
  EXPECT_THROW(assembly::assemble_flows(sq, g), ConfigError);
}

}  // namespace
}  // namespace flowfit
