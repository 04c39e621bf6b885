// The public phases of run_stage (stage_cells -> aggregate -> fit_quotient -> apply), composed
// by hand and over a matrix split into parts, and Backend's checked fronts for caller memory
// (upload of a view, download_values), on every backend.
#include <gtest/gtest.h>

#include <random>

#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "support/backends.hpp"
#include "support/naive_oracle.hpp"
#include "support/random_problems.hpp"

namespace flowfit {
namespace {

using testing::TestBackend;

class FitPhases : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    backend_ = testing::make_test_backend(GetParam());
    if (!backend_) GTEST_SKIP() << "no CUDA device present";
  }
  std::unique_ptr<Backend> backend_;
};

// The matrix's entries split into `n_parts` matrices of the full shape (entry e goes to part
// part_of(e)); their sum is the matrix.
std::vector<CsrMatrix> split_entries(const CsrMatrix& m, int n_parts, std::mt19937_64& rng) {
  std::vector<CsrMatrix> parts(n_parts);
  for (CsrMatrix& p : parts) {
    p.n_rows = m.n_rows;
    p.n_cols = m.n_cols;
    p.row_ptr.assign(m.n_rows + 1, 0);
  }
  std::uniform_int_distribution<int> pick(0, n_parts - 1);
  for (int64_t i = 0; i < m.n_rows; ++i) {
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) {
      CsrMatrix& p = parts[pick(rng)];
      p.col_idx.push_back(m.col_idx[e]);
      p.values.push_back(m.values[e]);
    }
    for (CsrMatrix& p : parts) p.row_ptr[i + 1] = p.nnz();
  }
  return parts;
}

TEST_P(FitPhases, ComposedPhasesAreRunStageBitForBit) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    std::mt19937_64 rng(seed);
    const CsrMatrix m0 = testing::random_matrix(rng, {.n = 60, .full_diagonal = seed % 2 == 0});
    const Stage stage = testing::random_stage(rng, m0, 20);

    auto whole = backend_->upload(m0);
    const StageResult expected = run_stage(*backend_, *whole, stage);

    auto by_hand = backend_->upload(m0);
    const StageCells cells = stage_cells(stage, m0.n_rows, m0.n_cols);
    const PartQuotient part = aggregate(*backend_, *by_hand, cells);
    const QuotientFit fit = fit_quotient(*backend_, stage, cells, part.quotient);
    apply(*backend_, *by_hand, part, fit);

    EXPECT_EQ(fit.result.iterations, expected.iterations) << "seed " << seed;
    EXPECT_EQ(fit.result.verdict, expected.verdict) << "seed " << seed;
    EXPECT_EQ(fit.result.cells, expected.cells) << "seed " << seed;
    EXPECT_EQ(backend_->download(*by_hand).values, backend_->download(*whole).values)
        << "seed " << seed;
  }
}

// Entries split across parts (as across processes or devices): aggregate each, combine, fit
// once, apply to each; the parts then add up to the stage run on the whole matrix.
TEST_P(FitPhases, PartsAddUpToTheWholeMatrixFit) {
  for (uint64_t seed = 11; seed <= 16; ++seed) {
    std::mt19937_64 rng(seed);
    const CsrMatrix m0 = testing::random_matrix(rng, {.n = 70, .density = 0.2});
    const Stage stage = testing::random_stage(rng, m0, 30);
    CsrMatrix whole = m0;
    const StageResult expected = run_stage(*backend_, whole, stage);

    const std::vector<CsrMatrix> split = split_entries(m0, 3, rng);
    const StageCells cells = stage_cells(stage, m0.n_rows, m0.n_cols);
    std::vector<std::unique_ptr<ResidentMatrix>> parts;
    std::vector<PartQuotient> aggregated;
    std::vector<Quotient> quotients;
    for (const CsrMatrix& p : split) {
      parts.push_back(backend_->upload(p));
      aggregated.push_back(aggregate(*backend_, *parts.back(), cells));
      quotients.push_back(aggregated.back().quotient);
    }
    const Quotient combined = combine_quotients(quotients);
    EXPECT_EQ(combined.table.size(), expected.cells) << "seed " << seed;
    const QuotientFit fit = fit_quotient(*backend_, stage, cells, combined);
    EXPECT_EQ(fit.result.iterations, expected.iterations) << "seed " << seed;
    EXPECT_EQ(fit.result.verdict, expected.verdict) << "seed " << seed;

    // Every entry sits in exactly one part: put the fitted parts' entries back together.
    CsrMatrix together = m0;
    std::vector<int64_t> next(split.size(), 0);
    for (size_t k = 0; k < split.size(); ++k) {
      apply(*backend_, *parts[k], aggregated[k], fit);
      const CsrMatrix fitted = backend_->download(*parts[k]);
      for (int64_t i = 0; i < m0.n_rows; ++i)
        for (int64_t e = fitted.row_ptr[i]; e < fitted.row_ptr[i + 1]; ++e) {
          const auto* row = &m0.col_idx[m0.row_ptr[i]];
          const int64_t n = m0.row_ptr[i + 1] - m0.row_ptr[i];
          const int64_t at = std::lower_bound(row, row + n, fitted.col_idx[e]) - row;
          together.values[m0.row_ptr[i] + at] = fitted.values[e];
        }
    }
    EXPECT_LE(testing::max_rel_diff(together, whole), 1e-12) << "seed " << seed;
  }
}

TEST_P(FitPhases, ApplyRefusesAFitOfOtherCells) {
  std::mt19937_64 rng(5);
  const CsrMatrix m0 = testing::random_matrix(rng, {.n = 40});
  const Stage stage = testing::random_stage(rng, m0, 5);
  const StageCells cells = stage_cells(stage, m0.n_rows, m0.n_cols);
  auto a = backend_->upload(m0);
  const PartQuotient part = aggregate(*backend_, *a, cells);
  QuotientFit fit = fit_quotient(*backend_, stage, cells, part.quotient);
  ASSERT_GT(fit.table.size(), 1);
  // Drop the first fitted cell: the part's first cell has no factor any more.
  fit.table.row_cell.erase(fit.table.row_cell.begin());
  fit.table.col_cell.erase(fit.table.col_cell.begin());
  fit.table.diagonal.erase(fit.table.diagonal.begin());
  fit.factor_of_cell.erase(fit.factor_of_cell.begin());
  EXPECT_THROW(apply(*backend_, *a, part, fit), LogicError);
}

TEST_P(FitPhases, UploadFromAViewAndDownloadValuesIntoCallerMemory) {
  std::mt19937_64 rng(9);
  CsrMatrix m0 = testing::random_matrix(rng, {.n = 30});
  auto r = backend_->upload(ConstCsrView(view(m0)));
  std::vector<double> values(m0.nnz(), -1.0);
  backend_->download_values(*r, values);
  EXPECT_EQ(values, m0.values);
  std::vector<double> short_by_one(m0.nnz() - 1);
  EXPECT_THROW(backend_->download_values(*r, short_by_one), LogicError);
  // A malformed view is refused before anything is copied.
  ConstCsrView broken = view(m0);
  broken.n_cols = 0;
  EXPECT_THROW(backend_->upload(broken), Error);
}

TEST(CombineQuotients, AddsMatchingCellsAndKeepsTheOthersInCellOrder) {
  Quotient a{{{0, 0, 1}, {0, 1, 0}, {0, 0, 0}}, {1.0, 2.0, 3.0}};
  Quotient b{{{0, 1, 2}, {1, 0, 0}, {0, 0, 0}}, {10.0, 20.0, 30.0}};
  const Quotient sum = combine_quotients(std::vector<Quotient>{a, b});
  EXPECT_EQ(sum.table.row_cell, (std::vector<int32_t>{0, 0, 1, 2}));
  EXPECT_EQ(sum.table.col_cell, (std::vector<int32_t>{0, 1, 0, 0}));
  EXPECT_EQ(sum.values, (std::vector<double>{1.0, 12.0, 23.0, 30.0}));
  EXPECT_TRUE(combine_quotients({}).values.empty());
}

TEST(FitQuotient, RefusesTheNaiveMethod) {
  std::mt19937_64 rng(3);
  const CsrMatrix m0 = testing::random_matrix(rng, {.n = 20});
  Stage stage = testing::random_stage(rng, m0, 2);
  stage.method = FitMethod::naive;
  auto backend = make_reference_backend();
  const StageCells cells = stage_cells(stage, m0.n_rows, m0.n_cols);
  auto r = backend->upload(m0);
  const PartQuotient part = aggregate(*backend, *r, cells);
  EXPECT_THROW(fit_quotient(*backend, stage, cells, part.quotient), ConfigError);
}

TEST_P(FitPhases, CancelledStageLeavesTheMatrixUnchanged) {
  std::mt19937_64 rng(21);
  const CsrMatrix m0 = testing::random_matrix(rng, {.n = 50});
  Stage stage = testing::random_stage(rng, m0, 400);
  stage.stop = StopRule::exactly(400);  // no tolerance: batches end at the log points
  stage.log_every = 10;
  auto r = backend_->upload(m0);
  CancelToken cancel;
  StageRunOptions options;
  options.cancel = &cancel;
  int batches = 0;
  options.progress = [&](const StageProgress&) {
    if (++batches == 3) cancel.cancel();  // the token is read right after this call
  };
  try {
    run_stage(*backend_, *r, stage, options);
    FAIL() << "expected Cancelled";
  } catch (const Cancelled& e) {
    EXPECT_NE(std::string(e.what()).find("after 20 iteration(s)"), std::string::npos) << e.what();
  }
  EXPECT_EQ(batches, 3);
  EXPECT_EQ(backend_->download(*r).values, m0.values);
}

INSTANTIATE_TEST_SUITE_P(Backends, FitPhases, ::testing::ValuesIn(testing::all_test_backends()),
                         [](const auto& info) { return testing::name_of(info.param); });

}  // namespace
}  // namespace flowfit
