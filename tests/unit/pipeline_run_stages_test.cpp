// run_stages from a host matrix: leading diagonal clips run before the upload (a device backend
// would otherwise download and re-upload the matrix), with the same result as the resident path.
#include <gtest/gtest.h>

#include <algorithm>

#include "flowfit/backend.hpp"
#include "flowfit/pipeline/pipeline.hpp"

namespace flowfit {
namespace {

// Delegates to the reference backend and counts host <-> resident transfers.
class CountingBackend : public Backend {
 public:
  int uploads = 0, downloads = 0;
  BackendKind kind() const override { return inner_->kind(); }
  std::string name() const override { return "counting " + inner_->name(); }

 protected:
  std::unique_ptr<ResidentMatrix> do_upload(ConstCsrView m) override {
    ++uploads;
    return inner_->upload(m);
  }
  std::unique_ptr<ResidentMatrix> do_adopt(CsrMatrix&& m) override {
    ++uploads;
    return inner_->adopt(std::move(m));
  }
  void do_download(const ResidentMatrix& m, std::span<int64_t> row_ptr, std::span<int32_t> col_idx,
                   std::span<double> values) override {
    ++downloads;
    const CsrMatrix d = inner_->download(m);
    std::copy_n(d.row_ptr.begin(), row_ptr.size(), row_ptr.begin());
    std::copy_n(d.col_idx.begin(), col_idx.size(), col_idx.begin());
    std::copy_n(d.values.begin(), values.size(), values.begin());
  }
  CsrMatrix do_release(std::unique_ptr<ResidentMatrix> m) override {
    ++downloads;
    return inner_->release(std::move(m));
  }
  std::unique_ptr<ResidentMatrix> do_clone(const ResidentMatrix& m) override {
    return inner_->clone(m);
  }
  std::unique_ptr<CellAssignment> do_assign_cells(const ResidentMatrix& m,
                                                  const CellLayout& layout) override {
    return inner_->assign_cells(m, layout);
  }
  std::vector<double> do_reduce_by_cell(const ResidentMatrix& m,
                                        const CellAssignment& cells) override {
    return inner_->reduce_by_cell(m, cells);
  }
  void do_scale_by_cell(ResidentMatrix& m, const CellAssignment& cells,
                        std::span<const double> factor_of_cell) override {
    inner_->scale_by_cell(m, cells, factor_of_cell);
  }
  double do_l1_distance(const ResidentMatrix& a, const ResidentMatrix& b) override {
    return inner_->l1_distance(a, b);
  }
  std::unique_ptr<QuotientEngine> do_make_quotient_engine(const QuotientProblem& p) override {
    return inner_->make_quotient_engine(p);
  }

 private:
  std::unique_ptr<Backend> inner_ = make_reference_backend();
};

// 3 x 3, one diagonal entry missing (row 1) and one below the clip minimum (row 2).
CsrMatrix small_matrix() {
  const std::vector<int64_t> rows{0, 0, 1, 2, 2};
  const std::vector<int64_t> cols{0, 2, 0, 1, 2};
  const std::vector<double> vals{4.0, 2.0, 3.0, 5.0, 0.25};
  return csr_from_triplets(3, 3, rows, cols, vals);
}

// A one-margin stage: every row to 10 people (rows grouped one per row).
pipeline::YearProblem problem_with_rows(CsrMatrix m) {
  pipeline::YearProblem p;
  p.year = 2018;
  p.matrix = std::move(m);
  targets::StageMargins margins;
  margins.margins.push_back(
      row_margin("rows", Grouping::from_labels(std::vector<std::string>{"a", "b", "c"}), 3,
                 {10.0, 10.0, 10.0}));
  p.margins.emplace_back(pipeline::StageKind::cbg_rows, std::move(margins));
  return p;
}

pipeline::StageSpec spec(pipeline::StageKind kind) {
  return pipeline::StageSpec::defaults(kind);
}

void expect_same(const CsrMatrix& a, const CsrMatrix& b) {
  EXPECT_EQ(a.row_ptr, b.row_ptr);
  EXPECT_EQ(a.col_idx, b.col_idx);
  EXPECT_EQ(a.values, b.values);
}

TEST(RunStagesFromHost, LeadingClipRunsBeforeTheUpload) {
  CountingBackend backend;
  pipeline::YearProblem problem = problem_with_rows(small_matrix());
  const std::vector<pipeline::StageSpec> stages{spec(pipeline::StageKind::diagonal_clip),
                                                spec(pipeline::StageKind::cbg_rows)};
  int observed = 0;
  std::unique_ptr<ResidentMatrix> resident;
  const auto runs =
      pipeline::run_stages(backend, CsrMatrix(problem.matrix), resident, problem, stages,
                           [&](const pipeline::StageRun&, ResidentMatrix&) { ++observed; });
  EXPECT_EQ(backend.uploads, 1);
  EXPECT_EQ(backend.downloads, 0);  // no round trip for the clip
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].clip_inserted, 1);
  EXPECT_FALSE(runs[0].result.has_value());
  EXPECT_TRUE(runs[1].result.has_value());
  EXPECT_EQ(observed, 2);

  // The resident path (clip by download, clip, upload) gives the same matrix bit for bit.
  CountingBackend other;
  auto resident_path = other.upload(problem.matrix);
  const auto runs_resident = pipeline::run_stages(other, resident_path, problem, stages);
  EXPECT_EQ(other.downloads, 1);
  EXPECT_EQ(runs_resident[0].clip_inserted, 1);
  expect_same(backend.release(std::move(resident)), other.release(std::move(resident_path)));
}

TEST(RunStagesFromHost, ClipAfterAFitStageStillRuns) {
  CountingBackend backend;
  pipeline::YearProblem problem = problem_with_rows(small_matrix());
  const std::vector<pipeline::StageSpec> stages{spec(pipeline::StageKind::cbg_rows),
                                                spec(pipeline::StageKind::diagonal_clip)};
  std::unique_ptr<ResidentMatrix> resident;
  const auto runs =
      pipeline::run_stages(backend, CsrMatrix(problem.matrix), resident, problem, stages);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].clip_inserted, 1);
  const CsrMatrix out = backend.release(std::move(resident));
  const std::vector<double> d = diagonal(out);
  for (double v : d) EXPECT_GE(v, 1.0);
}

TEST(RunStagesFromHost, OnlyClipsNeedNoTargets) {
  CountingBackend backend;
  pipeline::YearProblem problem;  // no margins at all
  const std::vector<pipeline::StageSpec> stages{spec(pipeline::StageKind::diagonal_clip)};
  std::unique_ptr<ResidentMatrix> resident;
  CsrMatrix host = small_matrix();
  const auto runs = pipeline::run_stages(backend, std::move(host), resident, problem, stages);
  ASSERT_EQ(runs.size(), 1u);
  CsrMatrix expected = small_matrix();
  clip_diagonal(expected, 1.0);
  expect_same(backend.release(std::move(resident)), expected);
}

}  // namespace
}  // namespace flowfit
