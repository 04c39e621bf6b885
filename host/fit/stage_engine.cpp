// run_stage: aggregate -> fit the quotient -> apply, the same on every backend.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "host/fit/cell_refinement.hpp"
#include "host/fit/naive_engine.hpp"
#include "host/fit/residuals.hpp"
#include "host/fit/sweep_driver.hpp"

namespace flowfit {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void validate_stage(const Stage& stage, int64_t n_rows, int64_t n_cols) {
  const std::string key = "stage '" + stage.name + "'";
  if (stage.margins.empty()) throw ConfigError(key, "has no margins");
  stage.validate(key + ".");
  for (const Margin& m : stage.margins) {
    m.validate(n_rows, n_cols);
    if (m.n_blocks() > std::numeric_limits<int32_t>::max())
      throw ConfigError("margin '" + m.name + "'", "has more than 2^31-1 blocks");
  }
}

// Verdict and its explanation from the final residuals and how the iteration ended.
void decide_verdict(const Stage& stage, const detail::SweepOutcome& sweeps,
                    const std::optional<std::string>& inconsistency, StageResult& r) {
  std::vector<std::string> notes;
  for (const MarginResidual& m : r.residuals) {
    if (m.blocks_zero_target > 0)
      notes.push_back(
          fmt::format("margin '{}': {} block(s) with zero or negative target left "
                      "unchanged",
                      m.margin, m.blocks_zero_target));
    if (m.blocks_zero_current > 0)
      notes.push_back(
          fmt::format("margin '{}': {} block(s) with no flow cannot reach their "
                      "positive target",
                      m.margin, m.blocks_zero_current));
  }
  auto worst = std::max_element(
      r.residuals.begin(), r.residuals.end(),
      [](const MarginResidual& a, const MarginResidual& b) { return a.max_rel < b.max_rel; });
  const double worst_rel = worst == r.residuals.end() ? 0.0 : worst->max_rel;

  if (inconsistency) {
    r.verdict = Verdict::inconsistent_targets;
    notes.insert(notes.begin(), *inconsistency);
  } else if (sweeps.met_tolerance || worst_rel <= stage.report_tolerance) {
    r.verdict = Verdict::converged;
  } else {
    // The iterate stopped moving but a margin is still off: the targets contradict each other.
    const double mass = std::max(worst->current_total, 1e-300);
    const bool stalled = r.iterations > 1 && sweeps.last_l1 && *sweeps.last_l1 <= 1e-10 * mass;
    r.verdict = stalled ? Verdict::inconsistent_targets : Verdict::iteration_cap;
    notes.insert(notes.begin(),
                 fmt::format("{} after {} iteration(s); margin '{}' is off by up to {:.3g} "
                             "(worst block {}: relative {:.3g})",
                             stalled ? "the iteration converged but the targets cannot all hold"
                                     : "stopped at the iteration cap",
                             r.iterations, worst->margin, worst->max_abs, worst->worst_block,
                             worst->max_rel));
  }
  for (size_t k = 0; k < notes.size(); ++k) r.verdict_detail += (k ? "; " : "") + notes[k];
}

}  // namespace

StageResult run_stage(Backend& backend, ResidentMatrix& matrix, const Stage& stage) {
  return run_stage(backend, matrix, stage, StageRunOptions{});
}

StageResult run_stage(Backend& backend, ResidentMatrix& matrix, const Stage& stage,
                      const StageRunOptions& options) {
  const auto t_start = Clock::now();
  validate_stage(stage, matrix.n_rows(), matrix.n_cols());

  StageResult r;
  r.stage = stage.name;
  r.backend = backend.name();
  r.method = stage.method;

  // Aggregate: entry -> cell, cell sums. The naive method needs this only for the consistency
  // check; the quotient method fits these sums.
  auto t0 = Clock::now();
  const detail::CellRefinement refinement =
      detail::refine_cells(stage, matrix.n_rows(), matrix.n_cols());
  const std::unique_ptr<CellAssignment> cells = backend.assign_cells(matrix, refinement.layout);
  QuotientProblem problem = detail::build_quotient_problem(stage, refinement, cells->table(),
                                                           backend.reduce_by_cell(matrix, *cells));
  const auto inconsistency =
      detail::find_inconsistent_totals(stage, problem, stage.consistency_tolerance);

  std::unique_ptr<QuotientEngine> engine;
  if (stage.method == FitMethod::quotient) {
    r.cells = cells->n_cells();
    engine = backend.make_quotient_engine(problem);
  } else {
    r.cells = matrix.nnz();
    engine = detail::make_naive_engine(backend, matrix, stage);
  }
  r.timings.aggregate_s = seconds_since(t0);

  t0 = Clock::now();
  const detail::SweepOutcome sweeps = detail::drive_sweeps(*engine, stage, options);
  r.iterations = sweeps.iterations;
  r.history = sweeps.history;
  r.fixed_point = sweeps.fixed_point;
  r.fixed_point_period = sweeps.fixed_point_period;
  r.residuals = detail::stage_residuals(stage, engine->block_sums());
  r.timings.fit_s = seconds_since(t0);

  t0 = Clock::now();
  if (stage.method == FitMethod::quotient)
    backend.scale_by_cell(matrix, *cells, engine->cell_factors());
  r.timings.apply_s = seconds_since(t0);

  decide_verdict(stage, sweeps, inconsistency, r);
  r.timings.total_s = seconds_since(t_start);
  return r;
}

StageResult run_stage(Backend& backend, CsrMatrix& matrix, const Stage& stage) {
  return run_stage(backend, matrix, stage, StageRunOptions{});
}

StageResult run_stage(Backend& backend, CsrMatrix& matrix, const Stage& stage,
                      const StageRunOptions& options) {
  auto resident = backend.adopt(std::move(matrix));
  StageResult r;
  try {
    r = run_stage(backend, *resident, stage, options);
  } catch (...) {
    matrix = backend.release(std::move(resident));  // give the caller its matrix back
    throw;
  }
  matrix = backend.release(std::move(resident));
  return r;
}

}  // namespace flowfit
