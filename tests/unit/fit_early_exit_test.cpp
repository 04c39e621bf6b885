// Exact early exit and the parallel path of the OpenMP quotient engine: a run that stops
// computing once its state repeats must give the same factors and the same logged history, bit
// for bit, as a run that computes every sweep, for any thread count.
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <optional>
#include <random>
#include <set>

#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "host/cpu/openmp_kernels.hpp"
#include "host/cpu/state_cycle.hpp"
#include "host/fit/cell_refinement.hpp"
#include "host/fit/sweep_driver.hpp"
#include "support/naive_oracle.hpp"
#include "support/random_problems.hpp"

namespace flowfit {
namespace {

struct EngineRun {
  detail::SweepOutcome sweeps;
  std::vector<double> factors;
};

QuotientProblem quotient_of(const CsrMatrix& m, const Stage& st) {
  const detail::CellRefinement ref = detail::refine_cells(st, m.n_rows, m.n_cols);
  auto backend = make_openmp_backend(1);
  auto resident = backend->upload(m);
  auto cells = backend->assign_cells(*resident, ref.layout);
  return detail::build_quotient_problem(st, ref, cells->table(),
                                        backend->reduce_by_cell(*resident, *cells));
}

// With `mode`, the engine sweeps in that mode whatever the quotient's size; without, it uses the
// production defaults (serial below kParallelFitCells, else chosen by measured speed).
EngineRun run_engine(const QuotientProblem& p, const Stage& st, int threads, bool detect,
                     std::optional<cpu::SweepModePolicy> mode = std::nullopt) {
  cpu::QuotientEngineOptions opt;
  opt.detect_cycles = detect;
  if (mode) {
    opt.min_parallel_cells = 0;
    opt.sweep_mode = *mode;
  }
  auto engine = cpu::make_openmp_quotient_engine(p, threads, opt);
  EngineRun r;
  r.sweeps = detail::drive_sweeps(*engine, st);
  r.factors = engine->cell_factors();
  return r;
}

// Bitwise: EXPECT_EQ on doubles compares exactly.
void expect_same_run(const EngineRun& a, const EngineRun& b, const std::string& what) {
  EXPECT_EQ(a.factors, b.factors) << what;
  EXPECT_EQ(a.sweeps.iterations, b.sweeps.iterations) << what;
  EXPECT_EQ(a.sweeps.met_tolerance, b.sweeps.met_tolerance) << what;
  EXPECT_EQ(a.sweeps.last_l1, b.sweeps.last_l1) << what;
  ASSERT_EQ(a.sweeps.history.size(), b.sweeps.history.size()) << what;
  for (size_t i = 0; i < a.sweeps.history.size(); ++i) {
    const IterationRecord &x = a.sweeps.history[i], &y = b.sweeps.history[i];
    EXPECT_EQ(x.iteration, y.iteration) << what;
    EXPECT_EQ(x.l1_change, y.l1_change) << what << " iteration " << x.iteration;
    EXPECT_EQ(x.step_l1, y.step_l1) << what << " iteration " << x.iteration;
    ASSERT_EQ(x.residuals.size(), y.residuals.size());
    for (size_t k = 0; k < x.residuals.size(); ++k) {
      EXPECT_EQ(x.residuals[k].max_abs, y.residuals[k].max_abs) << what;
      EXPECT_EQ(x.residuals[k].max_rel, y.residuals[k].max_rel) << what;
      EXPECT_EQ(x.residuals[k].total_abs, y.residuals[k].total_abs) << what;
      EXPECT_EQ(x.residuals[k].current_total, y.residuals[k].current_total) << what;
    }
  }
}

// The detector is given each state and its hash; it checks a hash hit bitwise one period later.
void record_state(cpu::StateCycleDetector& d, const std::vector<double>& state, double l1) {
  d.record(state, cpu::state_hash(state), cpu::SweepFacts{{l1}, 2 * l1});
}

TEST(StateCycleDetector, FindsAPeriodThreeCycleAndReadsAnyLaterSweep) {
  // States: 0 (initial), 1, 2, then 3, 4, 5 repeating: after sweep 2 the cycle is 3, 4, 5, 3...
  auto state_of = [](int64_t t) {
    const int64_t v = t <= 2 ? t : 3 + (t - 3) % 3;
    return std::vector<double>{static_cast<double>(v), 0.5 * static_cast<double>(v)};
  };
  cpu::StateCycleDetector d(8);
  d.start(cpu::state_hash(state_of(0)));
  int64_t t = 0;
  while (!d.found()) {
    ++t;
    record_state(d, state_of(t), 10 * state_of(t)[0]);
    ASSERT_LT(t, 20);
  }
  // Sweep 6 hashes like sweep 3: a candidate, confirmed bitwise when sweep 9 equals sweep 6.
  EXPECT_EQ(t, 9);
  EXPECT_EQ(d.cycle_start(), 6);
  EXPECT_EQ(d.period(), 3);
  for (int64_t later : {6, 7, 8, 9, 10, 100, 2999, 3000}) {
    const auto s = d.state_after(later);
    EXPECT_EQ(std::vector<double>(s.begin(), s.end()), state_of(later)) << later;
    EXPECT_EQ(d.facts_after(later).step_l1[0], 10 * state_of(later)[0]) << later;
    EXPECT_EQ(d.facts_after(later).sweep_l1, 20 * state_of(later)[0]) << later;
  }
  EXPECT_THROW(d.state_after(5), Error);  // before the verified cycle
  d.advance_to(3000);
  EXPECT_EQ(d.sweeps_done(), 3000);
}

TEST(StateCycleDetector, PeriodLongerThanTheWindowIsNotFound) {
  cpu::StateCycleDetector d(3);  // keeps the hashes of 3 sweeps: periods up to 3
  d.start(cpu::state_hash(std::vector<double>{0.0}));
  for (int t = 1; t <= 12 && !d.found(); ++t)
    record_state(d, std::vector<double>{static_cast<double>(t % 3)}, 0.0);
  EXPECT_TRUE(d.found());
  EXPECT_EQ(d.period(), 3);
  cpu::StateCycleDetector small(3);
  small.start(cpu::state_hash(std::vector<double>{9.0}));
  for (int t = 1; t <= 12; ++t)
    record_state(small, std::vector<double>{static_cast<double>(t % 4)}, 0.0);
  EXPECT_FALSE(small.found());  // period 4 needs 4 hashes kept
}

TEST(StateCycleDetector, AHashCollisionIsNotACycle) {
  // Every state gets the same hash: each candidate fails the bitwise check, none is found.
  cpu::StateCycleDetector d(4);
  d.start(7);
  for (int t = 1; t <= 40; ++t) {
    d.record(std::vector<double>{static_cast<double>(t)}, 7, cpu::SweepFacts{{0.0}, 0.0});
    ASSERT_FALSE(d.found()) << t;
  }
  // Then a real fixed point with the same (colliding) hash is still confirmed.
  for (int t = 0; t < 3 && !d.found(); ++t)
    d.record(std::vector<double>{-1.0}, 7, cpu::SweepFacts{{0.0}, 0.0});
  EXPECT_TRUE(d.found());
  EXPECT_EQ(d.period(), 1);
}

TEST(StateCycleDetector, HashIsASumOfPositionTerms) {
  // Any split of the positions gives the same hash (what makes it thread-count independent).
  const std::vector<double> s = {1.5, -2.0, 0.0, 3.25, 1e-300};
  uint64_t split = 0;
  for (size_t i = 0; i < s.size(); ++i)
    split += cpu::state_hash_term(std::bit_cast<uint64_t>(s[i]), static_cast<int64_t>(i));
  EXPECT_EQ(split, cpu::state_hash(s));
  std::vector<double> swapped = s;
  std::swap(swapped[0], swapped[1]);
  EXPECT_NE(cpu::state_hash(swapped), cpu::state_hash(s));
}

// Consistent targets (rows and columns from the same matrix) converge to a fixed point.
Stage consistent_ipf(std::mt19937_64& rng, const CsrMatrix& m, int iterations, int log_every) {
  const CsrMatrix shape = [&] {
    CsrMatrix t = m;
    std::uniform_real_distribution<double> u(0.5, 2.0);
    for (double& v : t.values) v *= u(rng);
    return t;
  }();
  Stage st;
  st.name = "ipf";
  const Grouping rows = testing::random_grouping(rng, m.n_rows, 30, false);
  const Grouping cols = testing::random_grouping(rng, m.n_cols, 25, false);
  st.margins.push_back(col_margin("cols", m.n_rows, cols, {}));
  st.margins.push_back(row_margin("rows", rows, m.n_cols, {}));
  for (auto& mg : st.margins) mg.targets = testing::naive_block_sums(shape, mg);
  st.stop = StopRule::exactly(iterations);
  st.log_every = log_every;
  return st;
}

TEST(FitEarlyExit, RandomProblemsMatchTheFullRunBitForBit) {
  std::mt19937_64 rng(2024);
  int exits = 0;
  for (int trial = 0; trial < 12; ++trial) {
    testing::RandomMatrixOptions opt;
    opt.n = 80 + 15 * trial;
    opt.density = 0.1;
    opt.skewed = trial % 2 == 0;
    const CsrMatrix m = testing::random_matrix(rng, opt);
    const int log_every = trial % 3 == 0 ? 1 : (trial % 3 == 1 ? 7 : 50);
    const Stage st = trial % 4 == 3 ? testing::random_stage(rng, m, 700)
                                    : consistent_ipf(rng, m, 700, log_every);
    const QuotientProblem p = quotient_of(m, st);
    const EngineRun full = run_engine(p, st, 1, false);
    const EngineRun fast = run_engine(p, st, 1, true);
    const EngineRun fast2 = run_engine(p, st, 2, true, cpu::SweepModePolicy::parallel);
    EXPECT_FALSE(full.sweeps.fixed_point);
    expect_same_run(full, fast, "trial " + std::to_string(trial));
    expect_same_run(full, fast2, "trial " + std::to_string(trial) + " parallel");
    if (fast.sweeps.fixed_point) {
      ++exits;
      EXPECT_LT(*fast.sweeps.fixed_point, 700);
      EXPECT_GE(fast.sweeps.fixed_point_period, 1);
      EXPECT_EQ(fast.sweeps.fixed_point, fast2.sweeps.fixed_point);
    }
  }
  // With explicit cell values as the state (no free direction), 5 of these 12 problems repeat a
  // state within 700 sweeps (the others are still converging above the rounding floor).
  EXPECT_GE(exits, 4) << "several problems reach a bitwise repeated state in 700 sweeps";
}

TEST(FitEarlyExit, ResidualToleranceAndL1StopsAreUnchanged) {
  std::mt19937_64 rng(99);
  testing::RandomMatrixOptions opt;
  opt.n = 150;
  opt.density = 0.1;
  const CsrMatrix m = testing::random_matrix(rng, opt);
  Stage st = consistent_ipf(rng, m, 900, 10);
  st.stop.residual_tolerance = 1e-14;
  const QuotientProblem p = quotient_of(m, st);
  expect_same_run(run_engine(p, st, 1, false), run_engine(p, st, 1, true), "residual stop");
  st.stop.residual_tolerance.reset();
  st.stop.l1_tolerance = 0.0;  // reached only at a fixed point
  expect_same_run(run_engine(p, st, 1, false),
                  run_engine(p, st, 2, true, cpu::SweepModePolicy::parallel), "l1 stop");
}

TEST(FitEarlyExit, ThreadCountsAreBitIdenticalOnTheParallelPath) {
  std::mt19937_64 rng(7);
  testing::RandomMatrixOptions opt;
  opt.n = 400;
  opt.density = 0.05;
  const CsrMatrix m = testing::random_matrix(rng, opt);
  const Stage st = consistent_ipf(rng, m, 60, 5);
  const QuotientProblem p = quotient_of(m, st);
  const EngineRun serial = run_engine(p, st, 1, false);
  for (int threads : {2, 3, 5})
    expect_same_run(serial, run_engine(p, st, threads, false, cpu::SweepModePolicy::parallel),
                    std::to_string(threads) + " threads");
}

TEST(FitEarlyExit, RunStageReportsTheFixedPointAndMatchesTheReference) {
  std::mt19937_64 rng(5);
  testing::RandomMatrixOptions opt;
  opt.n = 120;
  opt.density = 0.1;
  const CsrMatrix m0 = testing::random_matrix(rng, opt);
  const Stage st = consistent_ipf(rng, m0, 3000, 50);
  CsrMatrix a = m0, c = m0;
  const StageResult ra = run_stage(*make_openmp_backend(2), a, st);
  const StageResult rc = run_stage(*make_reference_backend(), c, st);
  ASSERT_TRUE(ra.fixed_point);
  EXPECT_LT(*ra.fixed_point, 3000);
  EXPECT_EQ(ra.iterations, 3000);
  ASSERT_EQ(ra.history.size(), rc.history.size());
  EXPECT_EQ(ra.history.back().iteration, 3000);
  EXPECT_LE(testing::max_rel_diff(a, c), 1e-12);
}

// The county stage of every golden case, from the reference's stage-3 matrix.
TEST(FitEarlyExit, GoldenCountyStagesMatchTheFullRunBitForBit) {
  std::set<int> periods;
  for (const char* name : {"case01", "case02", "case04", "case05"}) {
    const auto dir = std::filesystem::path(FLOWFIT_TEST_DATA_DIR) / "golden" / name;
    pipeline::Plan plan;
    plan.name = "golden";
    plan.geography = dir / "geography.csv";
    plan.census.golden_dir = dir;
    plan.years.push_back({2015, dir / "E_raw.mtx"});
    plan.output.dir = dir / "unused";
    plan.stages = {pipeline::StageSpec{}};
    plan.stages[0] = pipeline::released_stages().back();
    ASSERT_EQ(plan.stages[0].kind, pipeline::StageKind::county_ipf);
    const pipeline::SharedInputs shared = pipeline::load_shared_inputs(plan);
    const CsrMatrix m = io::read_matrix(dir / "after_stage3_state_flows.mtx");
    const pipeline::YearProblem problem = pipeline::prepare_year(plan, shared, 2015, m);
    Stage st;
    st.name = "county_ipf";
    st.margins = problem.margins_of(pipeline::StageKind::county_ipf)->margins;
    st.stop = plan.stages[0].stop;
    st.log_every = plan.stages[0].log_every;
    const QuotientProblem p = quotient_of(m, st);
    const EngineRun full = run_engine(p, st, 1, false);
    const EngineRun fast = run_engine(p, st, 1, true);
    expect_same_run(full, fast, name);
    // Every case reaches a repeated state well before 3,000 sweeps: the consistent ones a fixed
    // point; case04, whose totals contradict each other, a cycle of period 4 (with explicit cell
    // values as the state; the earlier factor state kept drifting there).
    EXPECT_TRUE(fast.sweeps.fixed_point) << name;
    EXPECT_LT(fast.sweeps.fixed_point.value_or(3000), 2000) << name;
    periods.insert(fast.sweeps.fixed_point_period);
    expect_same_run(full, run_engine(p, st, 2, true, cpu::SweepModePolicy::parallel),
                    std::string(name) + " parallel");
  }
  ASSERT_FALSE(periods.empty());
  EXPECT_EQ(*periods.begin(), 1) << "a fixed point is exercised";
  EXPECT_GT(*periods.rbegin(), 1) << "a longer cycle is exercised";
}

// Serial and parallel sweeps give the same bits, so the speed-chosen mix does too: an adaptive
// run (which probes serial, then parallel sweeps, then runs the faster) equals a serial one.
TEST(FitEarlyExit, AdaptiveSweepModeGivesTheSerialBits) {
  std::mt19937_64 rng(77);
  testing::RandomMatrixOptions opt;
  opt.n = 150;
  opt.density = 0.1;
  const CsrMatrix m = testing::random_matrix(rng, opt);
  const Stage st = consistent_ipf(rng, m, 300, 7);
  const QuotientProblem p = quotient_of(m, st);
  expect_same_run(run_engine(p, st, 1, true),
                  run_engine(p, st, 2, true, cpu::SweepModePolicy::adaptive), "adaptive");
}

using cpu::SweepMode;
using cpu::SweepModeChooser;

// Runs the chooser for `sweeps` sweeps against per-sweep costs; returns the sweeps per mode.
std::array<int, 2> drive_chooser(SweepModeChooser& c, int sweeps, double serial_s,
                                 double parallel_s) {
  std::array<int, 2> ran = {0, 0};
  while (sweeps > 0) {
    const SweepModeChooser::Step step = c.next(sweeps);
    EXPECT_GT(step.sweeps, 0);
    EXPECT_LE(step.sweeps, sweeps);
    const double cost = step.mode == SweepMode::parallel ? parallel_s : serial_s;
    c.record(step.mode, step.sweeps, cost * step.sweeps);
    ran[static_cast<int>(step.mode)] += step.sweeps;
    sweeps -= step.sweeps;
  }
  return ran;
}

TEST(SweepModeChooser, ProbesBothThenRunsTheFaster) {
  SweepModeChooser c;
  SweepModeChooser::Step s = c.next(3000);
  EXPECT_EQ(s.mode, SweepMode::serial);
  EXPECT_EQ(s.sweeps, SweepModeChooser::kProbeSweeps);
  c.record(s.mode, s.sweeps, 1e-3 * s.sweeps);
  s = c.next(3000);
  EXPECT_EQ(s.mode, SweepMode::parallel);
  c.record(s.mode, s.sweeps, 0.5e-3 * s.sweeps);
  s = c.next(3000);
  EXPECT_EQ(s.mode, SweepMode::parallel);
  EXPECT_EQ(s.sweeps, SweepModeChooser::kChunkSweeps);
  EXPECT_EQ(c.next(5).sweeps, 5) << "never more than remain";
  // Idle machine: almost every sweep in parallel, a few serial re-probes.
  SweepModeChooser idle;
  const auto ran = drive_chooser(idle, 3000, 1e-3, 0.5e-3);
  EXPECT_GT(ran[1], 2900);
  EXPECT_GE(ran[0], SweepModeChooser::kProbeSweeps);
}

TEST(SweepModeChooser, ABusyMachineMakesParallelLoseAndProbesBackOff) {
  // Parallel sweeps 20x slower (preempted workers stall barriers): after its probe it is tried
  // again after 256, then 512, 1024, ... sweeps.
  SweepModeChooser c;
  const auto ran = drive_chooser(c, 3000, 1e-3, 20e-3);
  EXPECT_LE(ran[1], 4 * SweepModeChooser::kProbeSweeps);
  EXPECT_GT(ran[0], 2980);
}

TEST(SweepModeChooser, SwitchesWhenTheRunningModeSlowsDown) {
  SweepModeChooser c;
  drive_chooser(c, 100, 1e-3, 0.5e-3);  // idle: parallel wins
  EXPECT_EQ(c.winner(), SweepMode::parallel);
  // The machine gets busy: the next parallel chunk is slow, serial (last measured 1 ms) takes over.
  const SweepModeChooser::Step s = c.next(1000);
  ASSERT_EQ(s.mode, SweepMode::parallel);
  c.record(s.mode, s.sweeps, 10e-3 * s.sweeps);
  EXPECT_EQ(c.next(1000).mode, SweepMode::serial);
}

}  // namespace
}  // namespace flowfit
