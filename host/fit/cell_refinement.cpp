#include "host/fit/cell_refinement.hpp"

#include <algorithm>

namespace flowfit::detail {
namespace {

// Refines `cell_of_unit` (ids in [0, n_cells)) by `group_of_unit` (ids in [-1, n_groups)).
// New ids follow the lexicographic order of (old id, group), so the numbering is canonical.
int32_t refine_by(std::vector<int32_t>& cell_of_unit, int32_t n_cells,
                  const std::vector<int32_t>& group_of_unit, int32_t n_groups) {
  const uint64_t width = static_cast<uint64_t>(n_groups) + 1;
  std::vector<uint64_t> keys(cell_of_unit.size());
  for (size_t u = 0; u < keys.size(); ++u)
    keys[u] = static_cast<uint64_t>(cell_of_unit[u]) * width + (group_of_unit[u] + 1);
  std::vector<uint64_t> distinct = keys;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  (void)n_cells;
  for (size_t u = 0; u < keys.size(); ++u)
    cell_of_unit[u] = static_cast<int32_t>(
        std::lower_bound(distinct.begin(), distinct.end(), keys[u]) - distinct.begin());
  return static_cast<int32_t>(distinct.size());
}

// Group of each cell, read off one representative unit per cell.
std::vector<int32_t> group_of_cell(const std::vector<int32_t>& cell_of_unit, int32_t n_cells,
                                   const Grouping& grouping) {
  std::vector<int32_t> out(n_cells, -1);
  for (size_t u = 0; u < cell_of_unit.size(); ++u)
    out[cell_of_unit[u]] = grouping.group_of(static_cast<int64_t>(u));
  return out;
}

}  // namespace

CellRefinement refine_cells(const Stage& stage, int64_t n_rows, int64_t n_cols) {
  CellRefinement r;
  r.layout.row_cell_of_row.assign(n_rows, 0);
  r.layout.col_cell_of_col.assign(n_cols, 0);
  r.layout.n_row_cells = n_rows > 0 ? 1 : 0;
  r.layout.n_col_cells = n_cols > 0 ? 1 : 0;
  for (const Margin& m : stage.margins) {
    if (!m.rows.is_whole())
      r.layout.n_row_cells = refine_by(r.layout.row_cell_of_row, r.layout.n_row_cells,
                                       m.rows.group_of_unit(), m.rows.n_groups());
    if (!m.cols.is_whole())
      r.layout.n_col_cells = refine_by(r.layout.col_cell_of_col, r.layout.n_col_cells,
                                       m.cols.group_of_unit(), m.cols.n_groups());
    if (m.entries != EntryClass::all) r.layout.split_diagonal = true;
  }
  for (const Margin& m : stage.margins) {
    r.row_group_of_row_cell.push_back(
        group_of_cell(r.layout.row_cell_of_row, r.layout.n_row_cells, m.rows));
    r.col_group_of_col_cell.push_back(
        group_of_cell(r.layout.col_cell_of_col, r.layout.n_col_cells, m.cols));
  }
  return r;
}

QuotientProblem build_quotient_problem(const Stage& stage, const CellRefinement& refinement,
                                       const CellTable& cells, std::vector<double> cell_values) {
  QuotientProblem p;
  p.cell_values = std::move(cell_values);
  const int64_t n_cells = cells.size();
  for (size_t k = 0; k < stage.margins.size(); ++k) {
    const Margin& m = stage.margins[k];
    const auto& row_group = refinement.row_group_of_row_cell[k];
    const auto& col_group = refinement.col_group_of_col_cell[k];
    QuotientMarginSpec spec;
    spec.n_blocks = static_cast<int32_t>(m.n_blocks());
    spec.targets = m.targets;
    spec.block_of_cell.assign(n_cells, -1);
    for (int64_t c = 0; c < n_cells; ++c) {
      const int32_t rg = row_group[cells.row_cell[c]];
      const int32_t cg = col_group[cells.col_cell[c]];
      if (rg < 0 || cg < 0) continue;
      const bool diag = cells.diagonal[c] != 0;
      if (m.entries == EntryClass::diagonal && !diag) continue;
      if (m.entries == EntryClass::off_diagonal && diag) continue;
      spec.block_of_cell[c] = static_cast<int32_t>(m.block_index(rg, cg));
    }
    p.margins.push_back(std::move(spec));
  }
  return p;
}

}  // namespace flowfit::detail
