#pragma once
// The common refinement of a stage's groupings: row cells refine every margin's row grouping,
// column cells every column grouping, and the diagonal is split off when some margin counts
// only diagonal or only off-diagonal entries.
#include <vector>

#include "flowfit/backend.hpp"
#include "flowfit/fit.hpp"
#include "flowfit/stage.hpp"

namespace flowfit::detail {

// The refinement is public as flowfit::StageCells (fit.hpp).
using CellRefinement = StageCells;

CellRefinement refine_cells(const Stage& stage, int64_t n_rows, int64_t n_cols);

// The quotient problem of a stage: cell values from the reduction, blocks and targets per margin.
QuotientProblem build_quotient_problem(const Stage& stage, const CellRefinement& refinement,
                                       const CellTable& cells, std::vector<double> cell_values);

}  // namespace flowfit::detail
