#include "host/fit/sweep_driver.hpp"

#include <algorithm>

#include "host/fit/residuals.hpp"

namespace flowfit::detail {
namespace {

bool all_within(const std::vector<MarginResidual>& residuals, double tolerance) {
  return std::all_of(residuals.begin(), residuals.end(),
                     [&](const MarginResidual& r) { return r.max_rel <= tolerance; });
}

}  // namespace

SweepOutcome drive_sweeps(QuotientEngine& engine, const Stage& stage,
                          const StageRunOptions& options) {
  const StopRule& stop = stage.stop;
  const int max_it = stop.max_iterations;
  const int log_every = std::max(1, stage.log_every);
  auto is_logged = [&](int k) { return k == 1 || k % log_every == 0 || k == max_it; };

  SweepOutcome out;
  int it = 0;
  while (it < max_it) {
    // Sweeps run in batches up to the next log point; a residual tolerance is checked after
    // every sweep, so it forces batches of one.
    int next = it == 0 ? 1 : std::min(max_it, (it / log_every + 1) * log_every);
    int batch = next - it;
    std::optional<double> l1_stop = stop.l1_tolerance;
    if (stop.residual_tolerance) {
      batch = 1;
      l1_stop.reset();  // both tolerances are checked here, after the sweep
    }
    const SweepReport rep = engine.run_sweeps(batch, l1_stop, /*measure_last=*/true);
    it += rep.sweeps_run;
    out.last_l1 = rep.last_sweep_l1;
    if (options.progress) options.progress(StageProgress{it, max_it});

    bool done = rep.stopped_on_l1;
    std::optional<std::vector<MarginResidual>> residuals;
    if (stop.residual_tolerance) {
      residuals = stage_residuals(stage, engine.block_sums());
      const bool l1_ok =
          !stop.l1_tolerance || (rep.last_sweep_l1 && *rep.last_sweep_l1 <= *stop.l1_tolerance);
      done = l1_ok && all_within(*residuals, *stop.residual_tolerance);
    }
    if (done || is_logged(it)) {
      IterationRecord rec;
      rec.iteration = it;
      rec.l1_change = rep.last_sweep_l1.value_or(0.0);
      rec.step_l1 = rep.last_step_l1;
      rec.residuals = residuals ? *residuals : stage_residuals(stage, engine.block_sums());
      out.history.push_back(std::move(rec));
    }
    if (done) {
      out.met_tolerance = true;
      break;
    }
    if (rep.sweeps_run == 0) break;  // defensive: an engine that makes no progress
  }
  out.iterations = it;
  return out;
}

}  // namespace flowfit::detail
