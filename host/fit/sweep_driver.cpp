#include "host/fit/sweep_driver.hpp"

#include <algorithm>
#include <chrono>

#include "host/fit/residuals.hpp"

namespace flowfit::detail {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kProgressInterval_s = 0.1;

bool all_within(const std::vector<MarginResidual>& residuals, double tolerance) {
  return std::all_of(residuals.begin(), residuals.end(),
                     [&](const MarginResidual& r) { return r.max_rel <= tolerance; });
}

// Runs `batch` sweeps like one run_sweeps call; with a progress sink, in pieces sized from the
// measured sweep rate so that a progress call follows about every kProgressInterval_s.
class PiecewiseRunner {
 public:
  PiecewiseRunner(QuotientEngine& engine, const Stage& stage) : engine_(engine), stage_(stage) {}

  SweepReport run(int done_before, int batch, std::optional<double> l1_stop,
                  const SweepOutcome& so_far) {
    if (!stage_.on_progress) return engine_.run_sweeps(batch, l1_stop, /*measure_last=*/true);
    SweepReport total;
    while (total.sweeps_run < batch) {
      const int piece = std::clamp(piece_, 1, batch - total.sweeps_run);
      const bool last = total.sweeps_run + piece == batch;
      const auto t0 = Clock::now();
      SweepReport r = engine_.run_sweeps(piece, l1_stop, last);
      const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
      const int got = r.sweeps_run;
      const int ran = total.sweeps_run + got;
      total = std::move(r);
      total.sweeps_run = ran;
      // Next piece: about kProgressInterval_s of sweeps at the rate just measured.
      piece_ =
          dt > 0 ? std::clamp(static_cast<int>(piece * kProgressInterval_s / dt), 1, 2 * piece + 1)
                 : 2 * piece + 1;
      report(done_before + ran, so_far, total);
      if (total.stopped_on_l1 || got == 0) break;
    }
    return total;
  }

 private:
  void report(int done, const SweepOutcome& so_far, const SweepReport& r) const {
    SweepProgress p;
    p.stage = stage_.name;
    p.sweeps_done = done;
    p.max_sweeps = stage_.stop.max_iterations;
    if (r.last_sweep_l1)
      p.l1_change = r.last_sweep_l1;
    else if (!so_far.history.empty())
      p.l1_change = so_far.history.back().l1_change;
    p.elapsed_s = std::chrono::duration<double>(Clock::now() - start_).count();
    if (r.cycle_period > 0) p.fixed_point = r.fixed_point_sweep;
    stage_.on_progress(p);
  }

  QuotientEngine& engine_;
  const Stage& stage_;
  int piece_ = 1;
  Clock::time_point start_ = Clock::now();
};

}  // namespace

SweepOutcome drive_sweeps(QuotientEngine& engine, const Stage& stage,
                          const StageRunOptions& options) {
  const StopRule& stop = stage.stop;
  const int max_it = stop.max_iterations;
  const int log_every = std::max(1, stage.log_every);
  auto is_logged = [&](int k) { return k == 1 || k % log_every == 0 || k == max_it; };

  SweepOutcome out;
  PiecewiseRunner runner(engine, stage);
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
    const SweepReport rep = runner.run(it, batch, l1_stop, out);
    it += rep.sweeps_run;
    out.last_l1 = rep.last_sweep_l1;
    if (rep.cycle_period > 0) {
      out.fixed_point = rep.fixed_point_sweep;
      out.fixed_point_period = rep.cycle_period;
    }
    if (options.progress) options.progress(StageProgress{it, max_it});
    throw_if_cancelled(options.cancel, "in stage '" + stage.name + "' after " + std::to_string(it) +
                                           " iteration(s)");

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
