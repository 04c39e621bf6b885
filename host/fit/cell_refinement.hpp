#pragma once
// The common refinement of a stage's groupings: row cells refine every margin's row grouping,
// column cells every column grouping, and the diagonal is split off when some margin counts
// only diagonal or only off-diagonal entries.
#include <vector>

#include "flowfit/backend.hpp"
#include "flowfit/stage.hpp"

namespace flowfit::detail {

struct CellRefinement {
  CellLayout layout;
  // Per margin: the margin's row group of each row cell and column group of each column cell
  // (-1 where the cell's units are outside the margin).
  std::vector<std::vector<int32_t>> row_group_of_row_cell;
  std::vector<std::vector<int32_t>> col_group_of_col_cell;
};

CellRefinement refine_cells(const Stage& stage, int64_t n_rows, int64_t n_cols);

// The quotient problem of a stage: cell values from the reduction, blocks and targets per margin.
QuotientProblem build_quotient_problem(const Stage& stage, const CellRefinement& refinement,
                                       const CellTable& cells, std::vector<double> cell_values);

}  // namespace flowfit::detail
