// Aggregation of a flow matrix to row groups x column groups (tracts, counties, states, ...).
#include <string>

#include "flowfit/assembly.hpp"
#include "flowfit/error.hpp"
#include "host/assembly/row_accumulator.hpp"

namespace flowfit::assembly {

CsrMatrix aggregate(const CsrMatrix& m, const Grouping& rows, const Grouping& cols,
                    AggregationStats* stats) {
  if (rows.n_units() != m.n_rows)
    throw ConfigError("grouping", "the row grouping has " + std::to_string(rows.n_units()) +
                                      " units but the matrix has " + std::to_string(m.n_rows) +
                                      " rows");
  if (cols.n_units() != m.n_cols)
    throw ConfigError("grouping", "the column grouping has " + std::to_string(cols.n_units()) +
                                      " units but the matrix has " + std::to_string(m.n_cols) +
                                      " columns");

  // Rows of every group, ascending (CSR-like offsets).
  const int32_t n_groups = rows.n_groups();
  std::vector<int64_t> group_ptr(static_cast<size_t>(n_groups) + 1, 0);
  for (int64_t i = 0; i < m.n_rows; ++i)
    if (rows.group_of(i) >= 0) ++group_ptr[static_cast<size_t>(rows.group_of(i)) + 1];
  for (int32_t g = 0; g < n_groups; ++g) group_ptr[g + 1] += group_ptr[g];
  std::vector<int64_t> members(static_cast<size_t>(group_ptr.back()));
  {
    std::vector<int64_t> next(group_ptr.begin(), group_ptr.end() - 1);
    for (int64_t i = 0; i < m.n_rows; ++i)
      if (rows.group_of(i) >= 0) members[next[rows.group_of(i)]++] = i;
  }
  const std::vector<int32_t>& col_group = cols.group_of_unit();

  CsrMatrix out =
      detail::build_rows(n_groups, cols.n_groups(), [&](int64_t g, detail::SparseAccumulator& acc) {
        for (int64_t p = group_ptr[g]; p < group_ptr[g + 1]; ++p) {
          const int64_t i = members[p];
          for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) {
            const int32_t h = col_group[m.col_idx[e]];
            if (h >= 0) acc.add(h, m.values[e]);
          }
        }
      });

  if (stats) {
    *stats = AggregationStats{};
    for (int64_t i = 0; i < m.n_rows; ++i)
      if (rows.group_of(i) < 0) ++stats->dropped_rows;
    for (int32_t h : col_group)
      if (h < 0) ++stats->dropped_cols;
    for (int64_t i = 0; i < m.n_rows; ++i) {
      const bool row_dropped = rows.group_of(i) < 0;
      for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) {
        if (row_dropped || col_group[m.col_idx[e]] < 0) {
          ++stats->dropped_entries;
          stats->dropped_total += m.values[e];
        }
      }
    }
  }
  return out;
}

}  // namespace flowfit::assembly
