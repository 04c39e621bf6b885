#include "flowfit/fit.hpp"

namespace flowfit {

std::vector<double> margin_block_sums(const CsrMatrix& m, const Margin& margin) {
  std::vector<double> sums(margin.n_blocks(), 0.0);
  const int32_t n_col_groups = margin.cols.n_groups();
  for (int64_t i = 0; i < m.n_rows; ++i) {
    const int32_t rg = margin.rows.group_of(i);
    if (rg < 0) continue;
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) {
      const int32_t j = m.col_idx[e];
      if (margin.entries == EntryClass::diagonal && i != j) continue;
      if (margin.entries == EntryClass::off_diagonal && i == j) continue;
      const int32_t cg = margin.cols.group_of(j);
      if (cg >= 0) sums[int64_t{rg} * n_col_groups + cg] += m.values[e];
    }
  }
  return sums;
}

}  // namespace flowfit
