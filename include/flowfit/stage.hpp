#pragma once
// A stage: one or more margins applied in order, repeated in sweeps under a stop rule. A single
// pass is a stage with max_iterations = 1; the reference county IPF is StopRule::exactly(3000).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flowfit/margin.hpp"

namespace flowfit {

// When to stop sweeping. Iteration stops at max_iterations, or earlier as soon as every
// tolerance that is set holds. With no tolerance set exactly max_iterations sweeps run.
struct StopRule {
  int max_iterations = 1;
  std::optional<double> l1_tolerance;        // whole-sweep L1 change of the matrix <= this
  std::optional<double> residual_tolerance;  // every margin's max relative residual <= this

  static StopRule exactly(int n) { return StopRule{n, std::nullopt, std::nullopt}; }
  static StopRule single_pass() { return exactly(1); }
};

enum class FitMethod {
  quotient,  // aggregate to cells, fit the quotient, apply the factors once (fast, exact)
  naive      // scale the full matrix at every step, as the reference implementation does
};
std::string_view to_string(FitMethod m);

// Progress inside a stage, for displays: sent every few sweeps (about every 0.1 s).
struct SweepProgress {
  std::string_view stage;
  int sweeps_done = 0;
  int max_sweeps = 0;
  std::optional<double> l1_change;  // whole-sweep L1 change at the last logged iteration
  double elapsed_s = 0;             // since the sweeps began
  std::optional<int> fixed_point;   // the iteration whose state recurs, once found
};
using SweepProgressSink = std::function<void(const SweepProgress&)>;

struct Stage {
  std::string name;
  std::vector<Margin> margins;  // applied in this order in every sweep
  StopRule stop;
  FitMethod method = FitMethod::quotient;
  int log_every = 50;  // history records iteration 1, every multiple of log_every, and the last
  // Two margins that cover exactly the same entries must have equal target totals; a relative
  // difference above this marks the stage's targets as inconsistent.
  double consistency_tolerance = 1e-9;
  // A stage that ran to its iteration cap still counts as converged when every margin's max
  // relative residual is at most this.
  double report_tolerance = 1e-9;
  SweepProgressSink on_progress;  // optional; called between sweeps, cheap to leave unset
};

enum class Verdict {
  converged,            // every margin holds (within tolerance) where the ratio rule applies
  iteration_cap,        // stopped at max_iterations with some margin still off
  inconsistent_targets  // the targets cannot all hold at once (e.g. row and column totals differ)
};
std::string_view to_string(Verdict v);

// How well one margin holds, over its blocks. Blocks with a zero or negative target, or with a
// zero current sum, are left unchanged by the ratio rule and are counted, not measured.
struct MarginResidual {
  std::string margin;
  int64_t blocks = 0;               // blocks with at least one stored entry
  int64_t blocks_zero_target = 0;   // target <= 0: left unchanged
  int64_t blocks_zero_current = 0;  // current sum 0 with a positive target: target unmet
  double max_abs = 0;               // max |sum - target| over the measured blocks
  double max_rel = 0;               // max |sum - target| / target over the measured blocks
  double total_abs = 0;             // sum |sum - target| over the measured blocks
  double target_total = 0;          // sum of positive targets of occupied blocks
  double current_total = 0;         // sum of block sums
  std::string worst_block;          // label of the block with the largest relative residual
};

struct IterationRecord {
  int iteration = 0;
  double l1_change = 0;                   // sum |E_end - E_start| over the whole sweep
  std::vector<double> step_l1;            // per margin: sum |E_after_step - E_before_step|
  std::vector<MarginResidual> residuals;  // per margin, at the end of the sweep
};

struct StageTimings {
  double aggregate_s = 0;  // cell assignment + reduction (quotient) / setup (naive)
  double fit_s = 0;        // the sweeps
  double apply_s = 0;      // applying the cell factors (quotient)
  double total_s = 0;
};

struct StageResult {
  std::string stage;
  std::string backend;
  FitMethod method = FitMethod::quotient;
  int iterations = 0;
  int64_t cells = 0;  // size of the quotient (nonzeros for the naive method)
  std::vector<IterationRecord> history;
  std::vector<MarginResidual> residuals;  // final, per margin
  Verdict verdict = Verdict::converged;
  std::string verdict_detail;
  // When the iterate repeated bit for bit (the OpenMP engine checks on fixed-iteration stages):
  // the state after iteration *fixed_point recurs with period fixed_point_period, so iterations
  // after fixed_point + period were read from the cycle instead of computed. The result and the
  // history are bit-identical to computing every iteration.
  std::optional<int> fixed_point;
  int fixed_point_period = 0;
  StageTimings timings;
};

}  // namespace flowfit
