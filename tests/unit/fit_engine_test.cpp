// The stage engine against the naive full-matrix oracle, on every backend.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>

#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "support/backends.hpp"
#include "support/naive_oracle.hpp"
#include "support/random_problems.hpp"

namespace flowfit {
namespace {

using testing::TestBackend;

class FitEngine : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    backend_ = testing::make_test_backend(GetParam());
    if (!backend_) GTEST_SKIP() << "no CUDA device present";
  }
  std::unique_ptr<Backend> backend_;
};

// A 3x3 case small enough to check by hand.
TEST_P(FitEngine, HandCheckedRowThenColumn) {
  // [[1 2 .] [. 3 1] [4 . 4]]
  CsrMatrix m = csr_from_triplets(3, 3, std::vector<int64_t>{0, 0, 1, 1, 2, 2},
                                  std::vector<int64_t>{0, 1, 1, 2, 0, 2},
                                  std::vector<double>{1, 2, 3, 1, 4, 4});
  Grouping each_row = Grouping::from_labels(std::vector<std::string>{"a", "b", "c"});
  Stage st;
  st.name = "rows";
  // Rows to 6, 8, 4: factors 2, 2, 0.5.
  st.margins.push_back(row_margin("rows", each_row, 3, {6, 8, 4}));
  StageResult r = run_stage(*backend_, m, st);
  EXPECT_EQ(m.values, (std::vector<double>{2, 4, 6, 2, 2, 2}));
  EXPECT_EQ(r.iterations, 1);
  EXPECT_EQ(r.verdict, Verdict::converged);
  // L1 change: |2-1|+|4-2|+|6-3|+|2-1|+|2-4|+|2-4| = 11.
  ASSERT_EQ(r.history.size(), 1u);
  EXPECT_DOUBLE_EQ(r.history[0].l1_change, 11.0);
}

TEST_P(FitEngine, RatioRuleZeroTargetAndZeroCurrentLeaveBlocksUnchanged) {
  CsrMatrix m = csr_from_triplets(3, 3, std::vector<int64_t>{0, 2}, std::vector<int64_t>{1, 2},
                                  std::vector<double>{5, 7});
  Grouping each_row = Grouping::from_labels(std::vector<std::string>{"a", "b", "c"});
  Stage st;
  st.name = "rows";
  // Row a: zero target -> unchanged. Row b: no entries (zero current) -> stays empty.
  // Row c: negative target -> unchanged.
  st.margins.push_back(row_margin("rows", each_row, 3, {0, 10, -3}));
  StageResult r = run_stage(*backend_, m, st);
  EXPECT_EQ(m.values, (std::vector<double>{5, 7}));
  ASSERT_EQ(r.residuals.size(), 1u);
  EXPECT_EQ(r.residuals[0].blocks_zero_target, 2);
  EXPECT_EQ(r.residuals[0].blocks_zero_current, 1);
  EXPECT_NE(r.verdict_detail.find("cannot reach"), std::string::npos);
  EXPECT_EQ(r.residuals[0].worst_block, "");  // no block was measured
}

TEST_P(FitEngine, DiagonalAndOffDiagonalClassesScaleSeparately) {
  CsrMatrix m =
      csr_from_triplets(2, 2, std::vector<int64_t>{0, 0, 1, 1}, std::vector<int64_t>{0, 1, 0, 1},
                        std::vector<double>{10, 1, 2, 20});
  Stage st;
  st.name = "classes";
  st.margins.push_back(col_margin("movers", 2, Grouping::whole(2), {6}, EntryClass::off_diagonal));
  st.margins.push_back(col_margin("stayers", 2, Grouping::whole(2), {15}, EntryClass::diagonal));
  run_stage(*backend_, m, st);
  EXPECT_DOUBLE_EQ(m.values[0], 5);
  EXPECT_DOUBLE_EQ(m.values[1], 2);
  EXPECT_DOUBLE_EQ(m.values[2], 4);
  EXPECT_DOUBLE_EQ(m.values[3], 10);
}

// The core property: for random matrices, groupings, classes and targets, the quotient engine
// equals the naive full-matrix iteration after every iteration count, to 1e-12 relative.
TEST_P(FitEngine, QuotientEqualsNaiveIterationByIteration) {
  std::mt19937_64 rng(20261124);
  for (int trial = 0; trial < 60; ++trial) {
    testing::RandomMatrixOptions opt;
    opt.n = 20 + trial % 50;
    opt.full_diagonal = trial % 3 == 0;
    opt.skewed = trial % 4 == 1;
    const CsrMatrix m0 = testing::random_matrix(rng, opt);
    Stage st = testing::random_stage(rng, m0, 1);
    st.log_every = 1;
    CsrMatrix oracle = m0;
    const int iterations = 1 + trial % 7;
    for (int k = 1; k <= iterations; ++k) {
      const auto sweep = testing::naive_ipf(oracle, st, 1).front();
      Stage stk = st;
      stk.stop = StopRule::exactly(k);
      CsrMatrix m = m0;
      const StageResult r = run_stage(*backend_, m, stk);
      ASSERT_LE(testing::max_rel_diff(m, oracle), 1e-12) << "trial " << trial << " iteration " << k;
      ASSERT_EQ(r.iterations, k);
      const IterationRecord& last = r.history.back();
      ASSERT_EQ(last.iteration, k);
      EXPECT_NEAR(last.l1_change, sweep.l1_change, 1e-9 * (1 + sweep.l1_change));
      for (size_t s = 0; s < sweep.step_l1.size(); ++s)
        EXPECT_NEAR(last.step_l1[s], sweep.step_l1[s], 1e-9 * (1 + sweep.step_l1[s]));
    }
  }
}

TEST_P(FitEngine, NaiveMethodEqualsQuotientMethod) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    testing::RandomMatrixOptions opt;
    opt.n = 30 + trial;
    const CsrMatrix m0 = testing::random_matrix(rng, opt);
    Stage st = testing::random_stage(rng, m0, 5);
    CsrMatrix a = m0, b = m0;
    const StageResult ra = run_stage(*backend_, a, st);
    st.method = FitMethod::naive;
    const StageResult rb = run_stage(*backend_, b, st);
    EXPECT_LE(testing::max_rel_diff(a, b), 1e-12) << "trial " << trial;
    EXPECT_EQ(ra.verdict, rb.verdict);
    EXPECT_EQ(rb.cells, m0.nnz());
  }
}

TEST_P(FitEngine, RerunsAreBitIdentical) {
  std::mt19937_64 rng(99);
  testing::RandomMatrixOptions opt;
  opt.n = 300;
  opt.density = 0.05;
  const CsrMatrix m0 = testing::random_matrix(rng, opt);
  const Stage st = testing::random_stage(rng, m0, 40);
  CsrMatrix a = m0, b = m0;
  run_stage(*backend_, a, st);
  run_stage(*backend_, b, st);
  EXPECT_EQ(a.values, b.values);
}

// A full-diagonal random matrix and an alternating column/row IPF stage over one random
// grouping. The targets are the block sums of the matrix with entry e scaled by scale(e): any
// scale keeps the two margins consistent (equal totals, a common solution exists).
struct IpfProblem {
  CsrMatrix matrix;
  Stage stage;
};
IpfProblem ipf_problem(uint64_t seed, int64_t n, int32_t groups,
                       const std::function<double(int64_t)>& scale) {
  std::mt19937_64 rng(seed);
  testing::RandomMatrixOptions opt;
  opt.n = n;
  opt.full_diagonal = true;
  opt.empty_row_share = opt.empty_col_share = 0;
  IpfProblem p;
  p.matrix = testing::random_matrix(rng, opt);
  const Grouping g = testing::random_grouping(rng, n, groups, false);
  CsrMatrix truth = p.matrix;
  for (int64_t e = 0; e < truth.nnz(); ++e) truth.values[e] *= scale(e);
  p.stage.name = "ipf";
  p.stage.margins.push_back(col_margin("cols", n, g, {}));
  p.stage.margins.push_back(row_margin("rows", g, n, {}));
  for (Margin& mg : p.stage.margins) mg.targets = testing::naive_block_sums(truth, mg);
  return p;
}

TEST_P(FitEngine, AlternatingIpfWithConsistentTotalsConverges) {
  IpfProblem p =
      ipf_problem(5, 80, 6, [](int64_t e) { return 1 + 0.5 * ((e * 7919) % 13) / 13.0; });
  p.stage.stop.max_iterations = 5000;
  p.stage.stop.l1_tolerance = 1e-10;
  const StageResult r = run_stage(*backend_, p.matrix, p.stage);
  EXPECT_EQ(r.verdict, Verdict::converged) << r.verdict_detail;
  EXPECT_LT(r.iterations, 5000);
  EXPECT_LE(r.history.back().l1_change, 1e-10);
  for (const auto& res : r.residuals) EXPECT_LE(res.max_rel, 1e-9);
}

TEST_P(FitEngine, InconsistentTotalsAreReported) {
  IpfProblem p = ipf_problem(6, 60, 5, [](int64_t) { return 1.0; });
  p.stage.margins[0].targets[0] *= 1.1;  // column total now exceeds the row total
  p.stage.stop = StopRule::exactly(200);
  const StageResult r = run_stage(*backend_, p.matrix, p.stage);
  EXPECT_EQ(r.verdict, Verdict::inconsistent_targets);
  EXPECT_NE(r.verdict_detail.find("'cols' and 'rows'"), std::string::npos) << r.verdict_detail;
  // The last margin holds; the first cannot.
  EXPECT_LE(r.residuals[1].max_rel, 1e-12);
  EXPECT_GT(r.residuals[0].max_rel, 1e-3);
}

TEST_P(FitEngine, ResidualToleranceStopsAtTheFirstSweepThatMeetsIt) {
  const IpfProblem p = ipf_problem(8, 60, 4, [](int64_t e) { return 1 + ((e * 31) % 5) / 5.0; });
  Stage st = p.stage;
  st.stop.max_iterations = 1000;
  st.stop.residual_tolerance = 1e-6;
  CsrMatrix m = p.matrix;
  const StageResult r = run_stage(*backend_, m, st);
  EXPECT_EQ(r.verdict, Verdict::converged);
  ASSERT_GT(r.iterations, 1);
  EXPECT_LT(r.iterations, 1000);
  for (const auto& res : r.residuals) EXPECT_LE(res.max_rel, 1e-6);
  // One sweep fewer does not meet the tolerance.
  st.stop = StopRule::exactly(r.iterations - 1);
  CsrMatrix earlier = p.matrix;
  const StageResult before = run_stage(*backend_, earlier, st);
  double worst = 0;
  for (const auto& res : before.residuals) worst = std::max(worst, res.max_rel);
  EXPECT_GT(worst, 1e-6);
}

TEST_P(FitEngine, IterationCapIsReportedWhenNotConverged) {
  IpfProblem p = ipf_problem(9, 60, 5, [](int64_t e) { return 1.0 + ((e * 31) % 5); });
  p.stage.stop = StopRule::exactly(2);
  const StageResult r = run_stage(*backend_, p.matrix, p.stage);
  EXPECT_EQ(r.verdict, Verdict::iteration_cap) << r.verdict_detail;
  EXPECT_EQ(r.iterations, 2);
}

TEST_P(FitEngine, BadStagesAreRejectedWithTheKey) {
  CsrMatrix m = csr_from_triplets(2, 2, std::vector<int64_t>{0}, std::vector<int64_t>{1},
                                  std::vector<double>{1});
  Stage st;
  st.name = "bad";
  EXPECT_THROW(run_stage(*backend_, m, st), ConfigError);  // no margins
  st.margins.push_back(row_margin("rows", Grouping::whole(3), 2, {1}));
  EXPECT_THROW(run_stage(*backend_, m, st), ConfigError);  // grouping of the wrong size
  st.margins[0] = row_margin("rows", Grouping::whole(2), 2, {std::nan("")});
  EXPECT_THROW(run_stage(*backend_, m, st), ConfigError);  // NaN target
}

INSTANTIATE_TEST_SUITE_P(AllBackends, FitEngine, ::testing::ValuesIn(testing::all_test_backends()),
                         [](const auto& info) { return testing::name_of(info.param); });

// Bit-identical results for 1 and 2 OpenMP threads, and OpenMP equal to the reference.
TEST(FitEngineDeterminism, OneAndTwoThreadsAreBitIdentical) {
  std::mt19937_64 rng(1234);
  auto one = make_openmp_backend(1);
  auto two = make_openmp_backend(2);
  auto ref = make_reference_backend();
  for (int trial = 0; trial < 15; ++trial) {
    testing::RandomMatrixOptions opt;
    opt.n = 100 + 20 * trial;
    opt.density = 0.08;
    opt.skewed = trial % 2 == 0;
    const CsrMatrix m0 = testing::random_matrix(rng, opt);
    const Stage st = testing::random_stage(rng, m0, 30);
    CsrMatrix a = m0, b = m0, c = m0;
    const StageResult ra = run_stage(*one, a, st);
    const StageResult rb = run_stage(*two, b, st);
    run_stage(*ref, c, st);
    EXPECT_EQ(a.values, b.values) << "trial " << trial;
    EXPECT_EQ(ra.history.back().l1_change, rb.history.back().l1_change);
    EXPECT_LE(testing::max_rel_diff(a, c), 1e-12);
  }
}

}  // namespace
}  // namespace flowfit

namespace flowfit {
namespace {

// A quotient large enough (> 32k cells) for the OpenMP engine to run its parallel path.
TEST(FitEngineDeterminism, LargeQuotientOneAndTwoThreadsAreBitIdentical) {
  std::mt19937_64 rng(4321);
  testing::RandomMatrixOptions opt;
  opt.n = 3000;
  opt.density = 0.012;
  opt.full_diagonal = true;
  const CsrMatrix m0 = testing::random_matrix(rng, opt);
  std::vector<std::string> own(m0.n_rows);
  for (int64_t i = 0; i < m0.n_rows; ++i) own[i] = std::to_string(100000 + i);
  Stage st;
  st.name = "fine";
  const Grouping rows = Grouping::from_labels(own);
  const Grouping cols = testing::random_grouping(rng, m0.n_cols, 40, false);
  st.margins.push_back(block_margin("blocks", rows, cols, {}));
  st.margins.push_back(col_margin("cols", m0.n_rows, cols, {}));
  st.margins[0].targets =
      testing::random_targets(rng, testing::naive_block_sums(m0, st.margins[0]), 0.05);
  st.margins[1].targets =
      testing::random_targets(rng, testing::naive_block_sums(m0, st.margins[1]), 0.0);
  st.stop = StopRule::exactly(25);
  CsrMatrix a = m0, b = m0, c = m0;
  const StageResult ra = run_stage(*make_openmp_backend(1), a, st);
  const StageResult rb = run_stage(*make_openmp_backend(2), b, st);
  run_stage(*make_reference_backend(), c, st);
  ASSERT_GT(ra.cells, 32768);
  EXPECT_EQ(a.values, b.values);
  EXPECT_EQ(ra.history.back().l1_change, rb.history.back().l1_change);
  EXPECT_LE(testing::max_rel_diff(a, c), 1e-12);
}

}  // namespace
}  // namespace flowfit

namespace flowfit {
namespace {

// An empty group (no flows at all) cannot reach its target; it must not hide that the other
// groups' row and column totals disagree.
TEST(FitEngineVerdict, InconsistentTotalsAreFoundDespiteAnEmptyGroup) {
  // Units 0..3 in groups a, b, c (c has no entries).
  CsrMatrix m =
      csr_from_triplets(4, 4, std::vector<int64_t>{0, 0, 1, 1, 2},
                        std::vector<int64_t>{0, 1, 0, 1, 2}, std::vector<double>{5, 1, 2, 6, 3});
  const Grouping g = Grouping::from_labels(std::vector<std::string>{"a", "a", "b", "c"});
  Stage st;
  st.name = "ipf";
  st.margins.push_back(col_margin("cols", 4, g, {10, 4, 7}));
  st.margins.push_back(row_margin("rows", g, 4, {9, 3, 7}));  // 12 vs 14 over a, b
  st.stop = StopRule::exactly(50);
  auto backend = make_reference_backend();
  const StageResult r = run_stage(*backend, m, st);
  EXPECT_EQ(r.verdict, Verdict::inconsistent_targets) << r.verdict_detail;
  EXPECT_EQ(r.residuals[0].blocks_zero_current, 1);
  EXPECT_NE(r.verdict_detail.find("cannot reach"), std::string::npos);
  // The columns (first margin) end off; the worst block is named by its group label.
  EXPECT_TRUE(r.residuals[0].worst_block == "a" || r.residuals[0].worst_block == "b")
      << r.residuals[0].worst_block;
}

}  // namespace
}  // namespace flowfit

namespace flowfit {
namespace {

// Few cells but many entries: the OpenMP backend's dense-key path with parallel row chunks.
TEST(FitEngineDeterminism, FewCellsManyEntriesOneAndTwoThreadsAreBitIdentical) {
  std::mt19937_64 rng(777);
  testing::RandomMatrixOptions opt;
  opt.n = 3000;
  opt.density = 0.012;
  const CsrMatrix m0 = testing::random_matrix(rng, opt);
  ASSERT_GT(m0.nnz(), 65536);
  const Grouping cols = testing::random_grouping(rng, m0.n_cols, 12, true);
  Stage st;
  st.name = "states";
  st.margins.push_back(col_margin("movers", m0.n_rows, cols, {}, EntryClass::off_diagonal));
  st.margins.push_back(col_margin("stayers", m0.n_rows, cols, {}, EntryClass::diagonal));
  for (auto& mg : st.margins)
    mg.targets = testing::random_targets(rng, testing::naive_block_sums(m0, mg), 0.1);
  CsrMatrix a = m0, b = m0, c = m0, oracle = m0;
  run_stage(*make_openmp_backend(1), a, st);
  run_stage(*make_openmp_backend(2), b, st);
  run_stage(*make_reference_backend(), c, st);
  testing::naive_ipf(oracle, st, 1);
  EXPECT_EQ(a.values, b.values);
  EXPECT_LE(testing::max_rel_diff(a, c), 1e-12);
  EXPECT_LE(testing::max_rel_diff(a, oracle), 1e-12);
}

}  // namespace
}  // namespace flowfit
