#include "tools/flowfit/matrix_summary.hpp"

#include <algorithm>
#include <vector>

namespace flowfit::cli {

MatrixSummary summarize(const CsrMatrix& m) {
  MatrixSummary s;
  s.rows = m.n_rows;
  s.cols = m.n_cols;
  s.nonzeros = m.nnz();
  s.storage_bytes = m.storage_bytes();
  s.total = total(m);
  const std::vector<double> rs = row_sums(m), cs = col_sums(m);
  if (!rs.empty()) {
    const auto [lo, hi] = std::minmax_element(rs.begin(), rs.end());
    s.row_sum_min = *lo;
    s.row_sum_max = *hi;
  }
  if (!cs.empty()) {
    const auto [lo, hi] = std::minmax_element(cs.begin(), cs.end());
    s.col_sum_min = *lo;
    s.col_sum_max = *hi;
  }
  std::vector<uint8_t> col_used(static_cast<size_t>(m.n_cols), 0);
  for (int64_t i = 0; i < m.n_rows; ++i) {
    if (m.row_ptr[i] == m.row_ptr[i + 1]) ++s.empty_rows;
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) {
      col_used[static_cast<size_t>(m.col_idx[e])] = 1;
      if (m.col_idx[e] == i) {
        ++s.diagonal_stored;
        s.diagonal_total += m.values[e];
      }
      if (m.values[e] == 0.0) ++s.stored_zeros;
    }
  }
  s.empty_cols = static_cast<int64_t>(std::count(col_used.begin(), col_used.end(), 0));
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
