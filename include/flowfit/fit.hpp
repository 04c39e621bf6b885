#pragma once
// The stage engine: aggregate the matrix into the quotient of the stage's cells, fit the
// quotient, apply the cumulative per-cell factors once. Written once for every backend.
#include "flowfit/backend.hpp"
#include "flowfit/stage.hpp"

namespace flowfit {

// Runs one stage on a matrix resident in `backend`; the matrix is updated in place.
StageResult run_stage(Backend& backend, ResidentMatrix& matrix, const Stage& stage);

// Convenience for host matrices: uploads, runs, downloads into `matrix`.
StageResult run_stage(Backend& backend, CsrMatrix& matrix, const Stage& stage);

// Block sums of one margin on a host matrix (one pass over the entries; for reports and checks).
std::vector<double> margin_block_sums(const CsrMatrix& matrix, const Margin& margin);

}  // namespace flowfit
