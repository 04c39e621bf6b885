#pragma once
// The stage engine: aggregate the matrix into the quotient of the stage's cells, fit the
// quotient, apply the cumulative per-cell factors once. Written once for every backend.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "flowfit/backend.hpp"
#include "flowfit/cancel.hpp"
#include "flowfit/stage.hpp"

namespace flowfit {

// Optional hooks of one stage run, kept apart from Stage (which says *what* to fit). The Python
// module uses `progress` for its progress callback and for Ctrl-C.
struct StageProgress {
  int iterations_done = 0;
  int max_iterations = 0;
};
struct StageRunOptions {
  // Called on the calling thread after every batch of sweeps (at most log_every sweeps apart).
  // It may throw to abandon the stage: the exception propagates out of run_stage; with the
  // quotient method the matrix is then unchanged (the factors are applied only at the end).
  std::function<void(const StageProgress&)> progress;
  // Checked at the same points (nullptr: none); a set token throws Cancelled.
  const CancelToken* cancel = nullptr;
};

// Runs one stage on a matrix resident in `backend`; the matrix is updated in place.
StageResult run_stage(Backend& backend, ResidentMatrix& matrix, const Stage& stage);
StageResult run_stage(Backend& backend, ResidentMatrix& matrix, const Stage& stage,
                      const StageRunOptions& options);

// Convenience for host matrices: uploads, runs, downloads into `matrix`.
StageResult run_stage(Backend& backend, CsrMatrix& matrix, const Stage& stage);
StageResult run_stage(Backend& backend, CsrMatrix& matrix, const Stage& stage,
                      const StageRunOptions& options);

// ---- The phases of run_stage ------------------------------------------------------------------
// run_stage with the quotient method is exactly:
//
//   const StageCells cells = stage_cells(stage, matrix.n_rows(), matrix.n_cols());
//   const PartQuotient part = aggregate(backend, matrix, cells);
//   const QuotientFit fit = fit_quotient(backend, stage, cells, part.quotient, options);
//   apply(backend, matrix, part, fit);
//
// A caller holding the matrix as several parts (its entries split across processes, devices or
// files, each part a matrix of the full shape holding some of the entries) aggregates every part,
// adds the parts' quotients with combine_quotients, fits once, and applies the same fit to every
// part: the parts then hold the stage's result for the whole matrix (tests/unit/
// fit_phases_test.cpp). Only the quotient method splits so; the naive method needs one matrix.

// The common refinement of a stage's groupings (no matrix needed): row cells refine every
// margin's row grouping, column cells every column grouping, and the diagonal is split off when
// some margin counts only diagonal or only off-diagonal entries.
struct StageCells {
  CellLayout layout;
  // Per margin: the margin's row group of each row cell and column group of each column cell
  // (-1 where the cell's units are outside the margin).
  std::vector<std::vector<int32_t>> row_group_of_row_cell;
  std::vector<std::vector<int32_t>> col_group_of_col_cell;
};
// Validates the stage for an n_rows x n_cols matrix (ConfigError) and refines its groupings.
StageCells stage_cells(const Stage& stage, int64_t n_rows, int64_t n_cols);

// Occupied cells and one value per cell (the sum of the cell's entries).
struct Quotient {
  CellTable table;
  std::vector<double> values;
};

// Phase 1: a matrix (part)'s cells, resident next to it, and their sums.
struct PartQuotient {
  std::unique_ptr<CellAssignment> cells;
  Quotient quotient;
};
PartQuotient aggregate(Backend& backend, const ResidentMatrix& part, const StageCells& cells);

// The quotient of the sum of the parts: cells matched by (row cell, column cell, diagonal), values
// added in the order of `parts` (deterministic). Every part must come from the same StageCells.
Quotient combine_quotients(std::span<const Quotient> parts);

// Phase 2: the sweeps on a quotient, with the stop rule, history, residuals and verdict of the
// stage. `result.timings` holds the fit time only.
struct QuotientFit {
  StageResult result;
  CellTable table;                     // the fitted quotient's cells
  std::vector<double> factor_of_cell;  // the product of every factor applied, per cell
};
QuotientFit fit_quotient(Backend& backend, const Stage& stage, const StageCells& cells,
                         const Quotient& quotient, const StageRunOptions& options = {});

// Phase 3: every entry of the part times its cell's factor (a part's cells are a subset of the
// fitted quotient's cells: any cell of the part missing from it throws LogicError).
void apply(Backend& backend, ResidentMatrix& part, const PartQuotient& aggregated,
           const QuotientFit& fit);

// Block sums of one margin on a host matrix (one pass over the entries; for reports and checks).
std::vector<double> margin_block_sums(const CsrMatrix& matrix, const Margin& margin);

}  // namespace flowfit
