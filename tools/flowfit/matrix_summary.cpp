#include "tools/flowfit/matrix_summary.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

namespace flowfit::cli {
namespace {

struct ColumnFigures {
  double min = 0, max = 0;
  int64_t empty = 0;
};

// Column sums, their range and the empty columns. A matrix can declare far more columns than it
// stores entries (a 1 x (2^31-1) file of a few bytes): then the sums are accumulated over the
// entries sorted by column, O(nnz) memory instead of O(columns). Both ways add each column's
// entries in storage order, so the figures are bit-identical.
ColumnFigures column_figures(const CsrMatrix& m) {
  ColumnFigures f;
  if (m.n_cols == 0) return f;
  std::vector<double> sums;  // one per non-empty column
  if (m.n_cols <= m.nnz()) {
    const std::vector<double> cs = col_sums(m);
    std::vector<uint8_t> used(static_cast<size_t>(m.n_cols), 0);
    for (int32_t c : m.col_idx) used[static_cast<size_t>(c)] = 1;
    f.empty = static_cast<int64_t>(std::count(used.begin(), used.end(), 0));
    for (size_t c = 0; c < cs.size(); ++c) {
      if (used[c]) sums.push_back(cs[c]);
    }
  } else {
    std::vector<int64_t> order(static_cast<size_t>(m.nnz()));
    std::iota(order.begin(), order.end(), int64_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return m.col_idx[a] < m.col_idx[b]; });
    for (size_t k = 0; k < order.size(); ++k) {
      const int32_t c = m.col_idx[order[k]];
      if (k == 0 || c != m.col_idx[order[k - 1]]) {
        sums.push_back(0.0);
      }
      sums.back() += m.values[order[k]];
    }
    f.empty = m.n_cols - static_cast<int64_t>(sums.size());
  }
  if (f.empty > 0) sums.push_back(0.0);  // an empty column sums to zero
  const auto [lo, hi] = std::minmax_element(sums.begin(), sums.end());
  f.min = *lo;
  f.max = *hi;
  return f;
}

}  // namespace

MatrixSummary summarize(const CsrMatrix& m) {
  MatrixSummary s;
  s.rows = m.n_rows;
  s.cols = m.n_cols;
  s.nonzeros = m.nnz();
  s.storage_bytes = m.storage_bytes();
  s.total = total(m);
  const std::vector<double> rs = row_sums(m);
  if (!rs.empty()) {
    const auto [lo, hi] = std::minmax_element(rs.begin(), rs.end());
    s.row_sum_min = *lo;
    s.row_sum_max = *hi;
  }
  const ColumnFigures cf = column_figures(m);
  s.col_sum_min = cf.min;
  s.col_sum_max = cf.max;
  s.empty_cols = cf.empty;
  for (int64_t i = 0; i < m.n_rows; ++i) {
    if (m.row_ptr[i] == m.row_ptr[i + 1]) ++s.empty_rows;
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) {
      if (m.col_idx[e] == i) {
        ++s.diagonal_stored;
        s.diagonal_total += m.values[e];
      }
      if (m.values[e] == 0.0) ++s.stored_zeros;
    }
  }
  s.diagonal_share = s.total != 0 ? s.diagonal_total / s.total : 0.0;
  if (!m.values.empty()) {
    const auto [lo, hi] = std::minmax_element(m.values.begin(), m.values.end());
    s.value_min = *lo;
    s.value_max = *hi;
  }
  return s;
}

nlohmann::json to_json(const MatrixSummary& s) {
  return nlohmann::json{
      {"rows", s.rows},
      {"cols", s.cols},
      {"nonzeros", s.nonzeros},
      {"total", s.total},
      {"row_sums", {{"min", s.row_sum_min}, {"max", s.row_sum_max}}},
      {"col_sums", {{"min", s.col_sum_min}, {"max", s.col_sum_max}}},
      {"empty_rows", s.empty_rows},
      {"empty_cols", s.empty_cols},
      {"diagonal",
       {{"stored", s.diagonal_stored}, {"total", s.diagonal_total}, {"share", s.diagonal_share}}},
      {"values", {{"min", s.value_min}, {"max", s.value_max}}},
      {"stored_zeros", s.stored_zeros},
      {"storage_bytes", s.storage_bytes}};
}

}  // namespace flowfit::cli
