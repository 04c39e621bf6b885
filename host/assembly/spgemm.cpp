// Transpose and row-wise (Gustavson) sparse matrix product on the CPU.
#include <numeric>
#include <string>

#include "flowfit/assembly.hpp"
#include "flowfit/error.hpp"
#include "host/assembly/row_accumulator.hpp"

namespace flowfit::assembly {

CsrMatrix transpose(const CsrMatrix& m) {
  if (m.n_rows > (int64_t{1} << 31) - 1)
    throw Error("transpose: " + std::to_string(m.n_rows) +
                " rows would become more than the 2^31 - 1 columns a CSR matrix holds");
  CsrMatrix t;
  t.n_rows = m.n_cols;
  t.n_cols = m.n_rows;
  t.row_ptr.assign(static_cast<size_t>(m.n_cols + 1), 0);
  for (int32_t c : m.col_idx) ++t.row_ptr[static_cast<size_t>(c) + 1];
  std::partial_sum(t.row_ptr.begin(), t.row_ptr.end(), t.row_ptr.begin());
  t.col_idx.resize(m.col_idx.size());
  t.values.resize(m.values.size());
  std::vector<int64_t> next(t.row_ptr.begin(), t.row_ptr.end() - 1);
  // Rows of m in ascending order: each row of t receives its columns sorted.
  for (int64_t i = 0; i < m.n_rows; ++i) {
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) {
      const int64_t at = next[static_cast<size_t>(m.col_idx[e])]++;
      t.col_idx[at] = static_cast<int32_t>(i);
      t.values[at] = m.values[e];
    }
  }
  return t;
}

CsrMatrix spgemm(const CsrMatrix& a, const CsrMatrix& b) {
  if (a.n_cols != b.n_rows)
    throw ConfigError("shape", "cannot multiply a " + std::to_string(a.n_rows) + " x " +
                                   std::to_string(a.n_cols) + " matrix by a " +
                                   std::to_string(b.n_rows) + " x " + std::to_string(b.n_cols) +
                                   " matrix");
  return detail::build_rows(a.n_rows, b.n_cols, [&](int64_t i, detail::SparseAccumulator& acc) {
    for (int64_t e = a.row_ptr[i]; e < a.row_ptr[i + 1]; ++e) {
      const int64_t k = a.col_idx[e];
      const double aik = a.values[e];
      for (int64_t f = b.row_ptr[k]; f < b.row_ptr[k + 1]; ++f)
        acc.add(b.col_idx[f], aik * b.values[f]);
    }
  });
}

}  // namespace flowfit::assembly
