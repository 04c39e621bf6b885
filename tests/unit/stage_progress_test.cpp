// StageRunOptions::progress: called after every sweep batch, and a throw abandons the stage
// (the quotient method then leaves the matrix unchanged).
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <vector>

#include "flowfit/fit.hpp"
#include "support/random_problems.hpp"

namespace flowfit {
namespace {

struct Abandon : std::runtime_error {
  Abandon() : std::runtime_error("abandon") {}
};

TEST(StageProgress, CalledAfterEveryBatchWithTheIterationsDone) {
  std::mt19937_64 rng(7);
  CsrMatrix m = testing::random_matrix(rng, {});
  Stage stage = testing::random_stage(rng, m, 120);
  stage.log_every = 50;
  std::vector<StageProgress> seen;
  StageRunOptions options;
  options.progress = [&](const StageProgress& p) { seen.push_back(p); };
  auto backend = make_reference_backend();
  const StageResult r = run_stage(*backend, m, stage, options);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front().iterations_done, 1);
  EXPECT_EQ(seen.back().iterations_done, r.iterations);
  for (size_t k = 1; k < seen.size(); ++k) {
    EXPECT_GT(seen[k].iterations_done, seen[k - 1].iterations_done);
    EXPECT_LE(seen[k].iterations_done - seen[k - 1].iterations_done, 50);
    EXPECT_EQ(seen[k].max_iterations, 120);
  }
}

TEST(StageProgress, ThrowingAbandonsTheStageAndLeavesTheMatrixUnchanged) {
  std::mt19937_64 rng(8);
  CsrMatrix m = testing::random_matrix(rng, {});
  const CsrMatrix before = m;
  Stage stage = testing::random_stage(rng, m, 500);
  stage.stop = StopRule::exactly(500);
  stage.method = FitMethod::quotient;
  stage.log_every = 50;
  StageRunOptions options;
  int calls = 0;
  options.progress = [&](const StageProgress& p) {
    ++calls;
    if (p.iterations_done >= 100) throw Abandon();
  };
  auto backend = make_openmp_backend(2);
  EXPECT_THROW(run_stage(*backend, m, stage, options), Abandon);
  EXPECT_EQ(calls, 3);  // after sweeps 1, 50 and 100
  EXPECT_EQ(m.values, before.values);
  EXPECT_EQ(m.col_idx, before.col_idx);
}

}  // namespace
}  // namespace flowfit
