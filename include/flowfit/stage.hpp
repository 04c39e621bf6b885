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

// The largest iteration count (max_iterations, log_every) a stage accepts.
inline constexpr int64_t kMaxStageIterations = 1'000'000'000;

// When to stop sweeping. Iteration stops at max_iterations, or earlier as soon as every
// tolerance that is set holds. With no tolerance set exactly max_iterations sweeps run.
struct StopRule {
  int max_iterations = 1;
  std::optional<double> l1_tolerance;        // whole-sweep L1 change of the matrix <= this
  std::optional<double> residual_tolerance;  // every margin's max relative residual <= this

  static StopRule exactly(int n) { return StopRule{n, std::nullopt, std::nullopt}; }
  static StopRule single_pass() { return exactly(1); }
  // Throws ConfigError keyed by the option ("max_iterations", "l1_tolerance", ...), after
  // key_prefix ("stages[2].").
  void validate(std::string_view key_prefix = {}) const;
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

// The rules of the stage options, one per kind of value; each throws ConfigError(key, reason)
// (ConfigError::reason() is the message without the key, for readers that add file and line).
// Iteration counts: 1..kMaxStageIterations.
void check_iteration_count(std::string_view key, int64_t n);
// Tolerances: finite and >= 0.
void check_tolerance(std::string_view key, double v);

// How a stage is fitted: everything about a stage except its margins. Plans set these per stage
// (pipeline::StageSpec), and every one of them is a `[[stages]]` key of a plan file: the table
// for_each_stage_option below is what the plan reader, writer and canonical text iterate over.
struct StageOptions {
  StopRule stop;
  FitMethod method = FitMethod::quotient;
  int log_every = 50;  // history records iteration 1, every multiple of log_every, and the last
  // Two margins that cover exactly the same entries must have equal target totals; a relative
  // difference above this marks the stage's targets as inconsistent.
  double consistency_tolerance = 1e-9;
  // A stage that ran to its iteration cap still counts as converged when every margin's max
  // relative residual is at most this.
  double report_tolerance = 1e-9;

  // Throws ConfigError keyed by the option ("log_every", "report_tolerance", ...), after
  // key_prefix ("stages[2].", "stage 'fit'.").
  void validate(std::string_view key_prefix = {}) const;
};

// How an option appears in plan files and in Plan::canonical_text (docs/stage_options.md).
struct StageOptionKey {
  std::string_view key;  // the `[[stages]]` key, also the ConfigError key
  // Written (plan writer, canonical text) even at its default. Only the options that plans always
  // wrote; a new option is written only when set away from its default, so that existing
  // canonical texts, and the resume keys made from them, stay the same.
  bool always_written = false;
  // Part of Plan::canonical_text: it can change the results. False for display-only options.
  bool affects_results = true;
};

// The table of the stop options: f(StageOptionKey, rule.field...) for each field, in order.
// Every `rules` is a StopRule (const or not); several are visited in step.
template <class F, class... Rules>
void for_each_stop_option(F&& f, Rules&... rules) {
  f(StageOptionKey{"max_iterations", true}, rules.max_iterations...);
  f(StageOptionKey{"l1_tolerance", false}, rules.l1_tolerance...);
  f(StageOptionKey{"residual_tolerance", false}, rules.residual_tolerance...);
}

// The table of all stage options (the stop options included), in the order of the canonical text
// and of plan files: f(StageOptionKey, options.field...). Every `options` is a StageOptions, or a
// class derived from it (Stage, pipeline::StageSpec); several are visited in step, e.g. a value
// and the defaults. The value types are int (iteration counts), double (tolerances),
// std::optional<double> (optional tolerances) and FitMethod.
// Adding an option: a field above and a line here (docs/stage_options.md).
template <class F, class... Options>
void for_each_stage_option(F&& f, Options&... options) {
  f(StageOptionKey{"method", true}, options.method...);
  for_each_stop_option(f, options.stop...);
  f(StageOptionKey{"log_every", true, false}, options.log_every...);
  f(StageOptionKey{"consistency_tolerance"}, options.consistency_tolerance...);
  f(StageOptionKey{"report_tolerance"}, options.report_tolerance...);
}

// A stage: its margins and how they are fitted (the StageOptions it derives from).
struct Stage : StageOptions {
  std::string name;
  std::vector<Margin> margins;    // applied in this order in every sweep
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
