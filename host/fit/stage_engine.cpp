// run_stage: aggregate -> fit the quotient -> apply, the same on every backend.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <tuple>

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

// The sweeps, residuals and verdict of a stage on `engine` (quotient or naive), filling `r`.
detail::SweepOutcome fit_with_engine(QuotientEngine& engine, const Stage& stage,
                                     const std::optional<std::string>& inconsistency,
                                     const StageRunOptions& options, StageResult& r) {
  const auto t0 = Clock::now();
  detail::SweepOutcome sweeps = detail::drive_sweeps(engine, stage, options);
  r.iterations = sweeps.iterations;
  r.history = sweeps.history;
  r.fixed_point = sweeps.fixed_point;
  r.fixed_point_period = sweeps.fixed_point_period;
  r.residuals = detail::stage_residuals(stage, engine.block_sums());
  r.timings.fit_s = seconds_since(t0);
  decide_verdict(stage, sweeps, inconsistency, r);
  return sweeps;
}

bool same_cell(const CellTable& a, int64_t i, const CellTable& b, int64_t k) {
  return a.row_cell[i] == b.row_cell[k] && a.col_cell[i] == b.col_cell[k] &&
         a.diagonal[i] == b.diagonal[k];
}
bool cell_before(const CellTable& a, int64_t i, const CellTable& b, int64_t k) {
  return std::tie(a.row_cell[i], a.col_cell[i], a.diagonal[i]) <
         std::tie(b.row_cell[k], b.col_cell[k], b.diagonal[k]);
}

}  // namespace

StageCells stage_cells(const Stage& stage, int64_t n_rows, int64_t n_cols) {
  validate_stage(stage, n_rows, n_cols);
  return detail::refine_cells(stage, n_rows, n_cols);
}

PartQuotient aggregate(Backend& backend, const ResidentMatrix& part, const StageCells& cells) {
  PartQuotient out;
  out.cells = backend.assign_cells(part, cells.layout);
  out.quotient.table = out.cells->table();
  out.quotient.values = backend.reduce_by_cell(part, *out.cells);
  return out;
}

Quotient combine_quotients(std::span<const Quotient> parts) {
  if (parts.empty()) return {};
  Quotient sum = parts[0];
  for (size_t p = 1; p < parts.size(); ++p) {
    const Quotient& q = parts[p];
    if (q.values.size() != q.table.row_cell.size())
      throw LogicError("combine_quotients: a part has not one value per cell");
    // Both tables ascend in cell order: merge them.
    Quotient merged;
    int64_t i = 0, k = 0;
    const int64_t n = sum.table.size(), m = q.table.size();
    auto take = [&](const Quotient& from, int64_t c, double v) {
      merged.table.row_cell.push_back(from.table.row_cell[c]);
      merged.table.col_cell.push_back(from.table.col_cell[c]);
      merged.table.diagonal.push_back(from.table.diagonal[c]);
      merged.values.push_back(v);
    };
    while (i < n || k < m) {
      if (k == m || (i < n && cell_before(sum.table, i, q.table, k))) {
        take(sum, i, sum.values[i]);
        ++i;
      } else if (i == n || cell_before(q.table, k, sum.table, i)) {
        take(q, k, q.values[k]);
        ++k;
      } else {
        take(sum, i, sum.values[i] + q.values[k]);
        ++i;
        ++k;
      }
    }
    sum = std::move(merged);
  }
  return sum;
}

QuotientFit fit_quotient(Backend& backend, const Stage& stage, const StageCells& cells,
                         const Quotient& quotient, const StageRunOptions& options) {
  if (stage.method != FitMethod::quotient)
    throw ConfigError("stage '" + stage.name + "'.method",
                      "fit_quotient fits the quotient method only (the naive method scales the "
                      "whole matrix: use run_stage)");
  if (static_cast<int64_t>(quotient.values.size()) != quotient.table.size())
    throw LogicError("fit_quotient: the quotient has not one value per cell");
  QuotientFit fit;
  StageResult& r = fit.result;
  r.stage = stage.name;
  r.backend = backend.name();
  r.method = stage.method;
  r.cells = quotient.table.size();
  const QuotientProblem problem =
      detail::build_quotient_problem(stage, cells, quotient.table, quotient.values);
  const auto inconsistency =
      detail::find_inconsistent_totals(stage, problem, stage.consistency_tolerance);
  const std::unique_ptr<QuotientEngine> engine = backend.make_quotient_engine(problem);
  fit_with_engine(*engine, stage, inconsistency, options, r);
  fit.table = quotient.table;
  fit.factor_of_cell = engine->cell_factors();
  return fit;
}

void apply(Backend& backend, ResidentMatrix& part, const PartQuotient& aggregated,
           const QuotientFit& fit) {
  const CellTable& own = aggregated.cells->table();
  const CellTable& fitted = fit.table;
  if (static_cast<int64_t>(fit.factor_of_cell.size()) != fitted.size())
    throw LogicError("apply: the fit has not one factor per cell");
  // The part's cells are a subset of the fitted cells, both ascending: walk them together.
  std::vector<double> factor(own.size());
  int64_t k = 0;
  for (int64_t c = 0; c < own.size(); ++c) {
    while (k < fitted.size() && cell_before(fitted, k, own, c)) ++k;
    if (k == fitted.size() || !same_cell(fitted, k, own, c))
      throw LogicError(
          "apply: a cell of the part is not in the fitted quotient (the fit was made "
          "from other cells)");
    factor[c] = fit.factor_of_cell[k];
  }
  backend.scale_by_cell(part, *aggregated.cells, factor);
}

StageResult run_stage(Backend& backend, ResidentMatrix& matrix, const Stage& stage) {
  return run_stage(backend, matrix, stage, StageRunOptions{});
}

StageResult run_stage(Backend& backend, ResidentMatrix& matrix, const Stage& stage,
                      const StageRunOptions& options) {
  const auto t_start = Clock::now();
  // Aggregate: entry -> cell, cell sums. The naive method needs this only for the consistency
  // check; the quotient method fits these sums.
  auto t0 = Clock::now();
  const StageCells cells = stage_cells(stage, matrix.n_rows(), matrix.n_cols());
  const PartQuotient part = aggregate(backend, matrix, cells);
  const double aggregate_s = seconds_since(t0);

  StageResult r;
  if (stage.method == FitMethod::quotient) {
    QuotientFit fit = fit_quotient(backend, stage, cells, part.quotient, options);
    t0 = Clock::now();
    apply(backend, matrix, part, fit);
    r = std::move(fit.result);
    r.timings.apply_s = seconds_since(t0);
  } else {
    r.stage = stage.name;
    r.backend = backend.name();
    r.method = stage.method;
    r.cells = matrix.nnz();
    const QuotientProblem problem =
        detail::build_quotient_problem(stage, cells, part.quotient.table, part.quotient.values);
    const auto inconsistency =
        detail::find_inconsistent_totals(stage, problem, stage.consistency_tolerance);
    t0 = Clock::now();
    const std::unique_ptr<QuotientEngine> engine =
        detail::make_naive_engine(backend, matrix, stage);
    const double setup_s = seconds_since(t0);  // counted with the aggregate (StageTimings)
    fit_with_engine(*engine, stage, inconsistency, options, r);
    r.timings.aggregate_s = setup_s;
  }
  r.timings.aggregate_s += aggregate_s;
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
