#pragma once
// The stage engine: aggregate the matrix into the quotient of the stage's cells, fit the
// quotient, apply the cumulative per-cell factors once. Written once for every backend.
#include <functional>

#include "flowfit/backend.hpp"
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
};

// Runs one stage on a matrix resident in `backend`; the matrix is updated in place.
StageResult run_stage(Backend& backend, ResidentMatrix& matrix, const Stage& stage);
StageResult run_stage(Backend& backend, ResidentMatrix& matrix, const Stage& stage,
                      const StageRunOptions& options);

// Convenience for host matrices: uploads, runs, downloads into `matrix`.
StageResult run_stage(Backend& backend, CsrMatrix& matrix, const Stage& stage);
StageResult run_stage(Backend& backend, CsrMatrix& matrix, const Stage& stage,
                      const StageRunOptions& options);

// Block sums of one margin on a host matrix (one pass over the entries; for reports and checks).
std::vector<double> margin_block_sums(const CsrMatrix& matrix, const Margin& margin);

}  // namespace flowfit
