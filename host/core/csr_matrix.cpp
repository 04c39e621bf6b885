#include "flowfit/csr_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "flowfit/error.hpp"

namespace flowfit {

void validate(ConstCsrView m) {
  if (m.n_rows < 0 || m.n_cols < 0) throw Error("CSR matrix has a negative dimension");
  if (m.n_cols > (int64_t{1} << 31) - 1) throw Error("CSR matrix has more than 2^31-1 columns");
  if (static_cast<int64_t>(m.row_ptr.size()) != m.n_rows + 1)
    throw Error("CSR row_ptr has " + std::to_string(m.row_ptr.size()) + " offsets, expected " +
                std::to_string(m.n_rows + 1));
  if (m.values.size() != m.col_idx.size())
    throw Error("CSR values and column indices differ in length");
  if (m.row_ptr.front() != 0 || m.row_ptr.back() != m.nnz())
    throw Error("CSR row_ptr must start at 0 and end at nnz");
  for (int64_t i = 0; i < m.n_rows; ++i) {
    if (m.row_ptr[i + 1] < m.row_ptr[i])
      throw Error("CSR row_ptr decreases at row " + std::to_string(i));
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) {
      if (m.col_idx[e] < 0 || m.col_idx[e] >= m.n_cols)
        throw Error("CSR column index out of range in row " + std::to_string(i));
      if (e > m.row_ptr[i] && m.col_idx[e] <= m.col_idx[e - 1])
        throw Error("CSR column indices not sorted and unique in row " + std::to_string(i));
    }
  }
}

void CsrMatrix::validate() const {
  flowfit::validate(view(*this));
}

int64_t CsrMatrix::storage_bytes() const {
  return static_cast<int64_t>(row_ptr.size() * sizeof(int64_t) + col_idx.size() * sizeof(int32_t) +
                              values.size() * sizeof(double));
}

CsrMatrix csr_from_triplets(int64_t n_rows, int64_t n_cols, std::span<const int64_t> rows,
                            std::span<const int64_t> cols, std::span<const double> values,
                            Duplicates duplicates) {
  if (rows.size() != cols.size() || rows.size() != values.size())
    throw Error("triplet arrays differ in length");
  const auto n = static_cast<int64_t>(rows.size());
  for (int64_t k = 0; k < n; ++k) {
    if (rows[k] < 0 || rows[k] >= n_rows || cols[k] < 0 || cols[k] >= n_cols)
      throw Error("triplet " + std::to_string(k) + " (" + std::to_string(rows[k]) + ", " +
                  std::to_string(cols[k]) + ") is outside the " + std::to_string(n_rows) + " x " +
                  std::to_string(n_cols) + " matrix");
  }
  // Stable counting sort by row, then sort each row by column (stable keeps input order of
  // duplicates so that reported positions are in file order).
  std::vector<int64_t> count(n_rows + 1, 0);
  for (int64_t k = 0; k < n; ++k) ++count[rows[k] + 1];
  std::partial_sum(count.begin(), count.end(), count.begin());
  std::vector<int64_t> order(n);
  {
    std::vector<int64_t> next(count.begin(), count.end() - 1);
    for (int64_t k = 0; k < n; ++k) order[next[rows[k]]++] = k;
  }
  CsrMatrix m;
  m.n_rows = n_rows;
  m.n_cols = n_cols;
  m.row_ptr.assign(n_rows + 1, 0);
  m.col_idx.reserve(n);
  m.values.reserve(n);
  for (int64_t i = 0; i < n_rows; ++i) {
    auto first = order.begin() + count[i];
    auto last = order.begin() + count[i + 1];
    std::stable_sort(first, last, [&](int64_t a, int64_t b) { return cols[a] < cols[b]; });
    for (auto it = first; it != last; ++it) {
      const int64_t k = *it;
      if (it != first && cols[*(it - 1)] == cols[k]) {
        if (duplicates == Duplicates::reject)
          throw Error("duplicate entry (" + std::to_string(rows[k]) + ", " +
                      std::to_string(cols[k]) + ") at triplets " + std::to_string(*(it - 1)) +
                      " and " + std::to_string(k));
        m.values.back() += values[k];
        continue;
      }
      m.col_idx.push_back(static_cast<int32_t>(cols[k]));
      m.values.push_back(values[k]);
    }
    m.row_ptr[i + 1] = static_cast<int64_t>(m.col_idx.size());
  }
  return m;
}

std::vector<double> row_sums(const CsrMatrix& m) {
  std::vector<double> s(m.n_rows, 0.0);
  for (int64_t i = 0; i < m.n_rows; ++i)
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) s[i] += m.values[e];
  return s;
}

std::vector<double> col_sums(const CsrMatrix& m) {
  std::vector<double> s(m.n_cols, 0.0);
  for (int64_t e = 0; e < m.nnz(); ++e) s[m.col_idx[e]] += m.values[e];
  return s;
}

std::vector<double> diagonal(const CsrMatrix& m) {
  std::vector<double> d(std::min(m.n_rows, m.n_cols), 0.0);
  for (int64_t i = 0; i < static_cast<int64_t>(d.size()); ++i) {
    auto first = m.col_idx.begin() + m.row_ptr[i];
    auto last = m.col_idx.begin() + m.row_ptr[i + 1];
    auto it = std::lower_bound(first, last, static_cast<int32_t>(i));
    if (it != last && *it == i) d[i] = m.values[it - m.col_idx.begin()];
  }
  return d;
}

double total(const CsrMatrix& m) {
  double t = 0;
  for (double v : m.values) t += v;
  return t;
}

int64_t clip_diagonal(CsrMatrix& m, double minimum) {
  if (!m.is_square()) throw Error("clip_diagonal needs a square matrix");
  // Count the missing diagonal entries first so the matrix is rebuilt at most once.
  std::vector<uint8_t> missing(m.n_rows, 1);
  int64_t n_missing = m.n_rows;
  for (int64_t i = 0; i < m.n_rows; ++i) {
    auto first = m.col_idx.begin() + m.row_ptr[i];
    auto last = m.col_idx.begin() + m.row_ptr[i + 1];
    auto it = std::lower_bound(first, last, static_cast<int32_t>(i));
    if (it != last && *it == i) {
      double& v = m.values[it - m.col_idx.begin()];
      v = std::max(v, minimum);
      missing[i] = 0;
      --n_missing;
    }
  }
  if (n_missing == 0) return 0;
  // Grow the arrays once and move every row right by the number of insertions before it,
  // walking backwards so no entry is overwritten before it has moved.
  const int64_t old_nnz = m.nnz();
  m.col_idx.resize(old_nnz + n_missing);
  m.values.resize(old_nnz + n_missing);
  int64_t shift = n_missing;
  for (int64_t i = m.n_rows - 1; i >= 0 && shift > 0; --i) {
    const int64_t begin = m.row_ptr[i], end = m.row_ptr[i + 1];
    int64_t w = end + shift - 1;
    bool pending = missing[i] != 0;
    for (int64_t e = end - 1; e >= begin; --e) {
      if (pending && m.col_idx[e] < i) {
        m.col_idx[w] = static_cast<int32_t>(i);
        m.values[w--] = minimum;
        pending = false;
      }
      m.col_idx[w] = m.col_idx[e];
      m.values[w--] = m.values[e];
    }
    if (pending) {
      m.col_idx[w] = static_cast<int32_t>(i);
      m.values[w--] = minimum;
    }
    m.row_ptr[i + 1] = end + shift;
    shift -= missing[i];
  }
  return n_missing;
}

}  // namespace flowfit
