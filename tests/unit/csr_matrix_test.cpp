// CSR construction, queries and the stage-0 diagonal clip.
#include <gtest/gtest.h>

#include <random>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/error.hpp"
#include "support/random_problems.hpp"

namespace flowfit {
namespace {

TEST(CsrMatrix, TripletsAreSortedAndDuplicatesRejectedOrSummed) {
  const std::vector<int64_t> r{1, 0, 1, 0}, c{2, 1, 0, 1};
  const std::vector<double> v{3, 1, 2, 4};
  EXPECT_THROW(csr_from_triplets(2, 3, r, c, v), Error);
  const CsrMatrix m = csr_from_triplets(2, 3, r, c, v, Duplicates::sum);
  EXPECT_EQ(m.row_ptr, (std::vector<int64_t>{0, 1, 3}));
  EXPECT_EQ(m.col_idx, (std::vector<int32_t>{1, 0, 2}));
  EXPECT_EQ(m.values, (std::vector<double>{5, 2, 3}));
  EXPECT_NO_THROW(m.validate());
  EXPECT_EQ(row_sums(m), (std::vector<double>{5, 5}));
  EXPECT_EQ(col_sums(m), (std::vector<double>{2, 5, 3}));
  EXPECT_EQ(total(m), 10);
  EXPECT_THROW(csr_from_triplets(2, 3, std::vector<int64_t>{2}, std::vector<int64_t>{0},
                                 std::vector<double>{1}),
               Error);
}

// Reference clip: dense rebuild through triplets.
CsrMatrix clip_by_triplets(const CsrMatrix& m, double minimum) {
  std::vector<int64_t> r, c;
  std::vector<double> v;
  std::vector<bool> has(m.n_rows, false);
  for (int64_t i = 0; i < m.n_rows; ++i)
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) {
      r.push_back(i);
      c.push_back(m.col_idx[e]);
      v.push_back(m.col_idx[e] == i ? std::max(m.values[e], minimum) : m.values[e]);
      if (m.col_idx[e] == i) has[i] = true;
    }
  for (int64_t i = 0; i < m.n_rows; ++i)
    if (!has[i]) {
      r.push_back(i);
      c.push_back(i);
      v.push_back(minimum);
    }
  return csr_from_triplets(m.n_rows, m.n_cols, r, c, v);
}

TEST(CsrMatrix, ClipDiagonalInsertsMissingAndRaisesSmallDiagonals) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 30; ++trial) {
    testing::RandomMatrixOptions opt;
    opt.n = 5 + trial * 3;
    opt.empty_row_share = 0.2;
    CsrMatrix m = testing::random_matrix(rng, opt);
    for (double& x : m.values) x *= 0.01;  // many diagonals below 1
    const CsrMatrix expected = clip_by_triplets(m, 1.0);
    const int64_t inserted = clip_diagonal(m, 1.0);
    EXPECT_EQ(inserted, expected.nnz() - (m.nnz() - inserted));
    EXPECT_EQ(m.row_ptr, expected.row_ptr);
    EXPECT_EQ(m.col_idx, expected.col_idx);
    EXPECT_EQ(m.values, expected.values);
    EXPECT_EQ(clip_diagonal(m, 1.0), 0);  // idempotent
  }
}

}  // namespace
}  // namespace flowfit
