// Every kernel of every built backend against the serial reference backend (the test oracle), on
// random inputs larger than a warp (empty rows, skewed rows, rectangular shapes, split diagonals,
// cell spaces large enough for the sorted numbering path, cells larger than one reduction chunk),
// plus quotient problems of 1-4 margins with zero targets, zero-current blocks and cells outside
// margins. Parametrised over the OpenMP backend (1, 2, 3 threads) and, where built, the CUDA
// backend, whose cases skip when no device is present.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "flowfit/backend.hpp"
#include "flowfit/csr_matrix.hpp"
#include "flowfit/error.hpp"

namespace flowfit {
namespace {

// ---- random inputs ------------------------------------------------------------------------------

struct MatrixShape {
  int64_t rows = 200;
  int64_t cols = 200;
  double density = 0.1;
  double empty_row_share = 0.1;
  int skewed_rows = 3;             // rows with ~90% of columns stored
  double zero_value_share = 0.02;  // stored explicit zeros
};

CsrMatrix random_csr(std::mt19937_64& rng, const MatrixShape& s) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::lognormal_distribution<double> value(0.0, 2.0);
  CsrMatrix m;
  m.n_rows = s.rows;
  m.n_cols = s.cols;
  m.row_ptr.assign(1, 0);
  std::vector<int64_t> skewed;
  for (int k = 0; k < s.skewed_rows && s.rows > 0; ++k)
    skewed.push_back(static_cast<int64_t>(u(rng) * static_cast<double>(s.rows)) % s.rows);
  for (int64_t i = 0; i < s.rows; ++i) {
    const bool is_skewed = std::find(skewed.begin(), skewed.end(), i) != skewed.end();
    const bool empty = !is_skewed && u(rng) < s.empty_row_share;
    const double p = is_skewed ? 0.9 : s.density;
    if (!empty)
      for (int64_t j = 0; j < s.cols; ++j)
        if (u(rng) < p || (i == j && u(rng) < 0.7)) {
          m.col_idx.push_back(static_cast<int32_t>(j));
          m.values.push_back(u(rng) < s.zero_value_share ? 0.0 : value(rng));
        }
    m.row_ptr.push_back(static_cast<int64_t>(m.col_idx.size()));
  }
  return m;
}

CellLayout random_layout(std::mt19937_64& rng, const CsrMatrix& m, int32_t n_row_cells,
                         int32_t n_col_cells, bool split) {
  CellLayout l;
  l.n_row_cells = n_row_cells;
  l.n_col_cells = n_col_cells;
  l.split_diagonal = split;
  std::uniform_int_distribution<int32_t> rc(0, n_row_cells - 1), cc(0, n_col_cells - 1);
  for (int64_t i = 0; i < m.n_rows; ++i) l.row_cell_of_row.push_back(rc(rng));
  for (int64_t j = 0; j < m.n_cols; ++j) l.col_cell_of_col.push_back(cc(rng));
  return l;
}

void expect_rel_near(const std::vector<double>& got, const std::vector<double>& want, double rel,
                     double abs_floor, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    const double tol = rel * std::max(std::fabs(want[i]), abs_floor);
    EXPECT_LE(std::fabs(got[i] - want[i]), tol)
        << what << " [" << i << "]: got " << got[i] << ", want " << want[i];
  }
}

// Bitwise equality (EXPECT_EQ on doubles compares ==; NaN never occurs here).
void expect_identical(const std::vector<double>& a, const std::vector<double>& b,
                      const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << what << " [" << i << "]";
}

// ---- kernels ------------------------------------------------------------------------------------

// A backend under test: made fresh for every test; `device` ones skip without a CUDA device.
struct BackendCase {
  std::string name;
  std::function<std::unique_ptr<Backend>()> make;
  bool needs_device = false;
};

std::vector<BackendCase> backend_cases() {
  std::vector<BackendCase> cases{
      {"openmp1", [] { return make_openmp_backend(1); }, false},
      {"openmp2", [] { return make_openmp_backend(2); }, false},
      {"openmp3", [] { return make_openmp_backend(3); }, false},
  };
  if (cuda_built()) cases.push_back({"cuda", [] { return make_cuda_backend(0); }, true});
  return cases;
}

// Every kernel of a backend against the serial reference backend (the test oracle). The OpenMP
// backend runs with 1, 2 and 3 threads (its dense and sparse cell paths are chosen by the
// layout: few row cells take the dense path); the CUDA backend where it is built and a device is
// present.
class BackendKernels : public ::testing::TestWithParam<BackendCase> {
 protected:
  void SetUp() override {
    if (GetParam().needs_device && cuda_device_count() == 0)
      GTEST_SKIP() << "no CUDA device present";
    gpu_ = GetParam().make();
    ref_ = make_reference_backend();
  }
  bool is_host_backend() const { return gpu_->kind() != BackendKind::cuda; }

  // Compares every per-entry kernel on one matrix and layout.
  void check_layout_kernels(const CsrMatrix& m, const CellLayout& layout, const std::string& what) {
    SCOPED_TRACE(what);
    auto gm = gpu_->upload(m);
    auto rm = ref_->upload(m);
    auto gc = gpu_->assign_cells(*gm, layout);
    auto rc = ref_->assign_cells(*rm, layout);

    // Cell tables: identical numbering.
    ASSERT_EQ(gc->n_cells(), rc->n_cells());
    EXPECT_EQ(gc->table().row_cell, rc->table().row_cell);
    EXPECT_EQ(gc->table().col_cell, rc->table().col_cell);
    EXPECT_EQ(gc->table().diagonal, rc->table().diagonal);

    // Cell sums: rounding-level agreement, bit-identical reruns.
    const std::vector<double> gq = gpu_->reduce_by_cell(*gm, *gc);
    const std::vector<double> rq = ref_->reduce_by_cell(*rm, *rc);
    expect_rel_near(gq, rq, 1e-12, 1e-300, "reduce_by_cell");
    expect_identical(gpu_->reduce_by_cell(*gm, *gc), gq, "reduce_by_cell rerun");

    // Per-entry cell ids: scaling by factor c + 1 is exact, so equal values mean equal ids.
    std::vector<double> factor(static_cast<size_t>(gc->n_cells()));
    for (size_t c = 0; c < factor.size(); ++c) factor[c] = static_cast<double>(c) + 1.0;
    auto gm2 = gpu_->clone(*gm);
    gpu_->scale_by_cell(*gm2, *gc, factor);
    ref_->scale_by_cell(*rm, *rc, factor);
    const CsrMatrix scaled = gpu_->download(*gm2);
    EXPECT_EQ(scaled.row_ptr, m.row_ptr);
    EXPECT_EQ(scaled.col_idx, m.col_idx);
    expect_identical(scaled.values, ref_->download(*rm).values, "scale_by_cell");
    // The clone was scaled, the original not.
    expect_identical(gpu_->download(*gm).values, m.values, "clone is independent");

    // L1 distance between the scaled and the original matrix.
    auto rm0 = ref_->upload(m);
    const double gl1 = gpu_->l1_distance(*gm2, *gm);
    const double rl1 = ref_->l1_distance(*rm, *rm0);
    EXPECT_LE(std::fabs(gl1 - rl1), 1e-12 * std::max(rl1, 1e-300));
    EXPECT_EQ(gpu_->l1_distance(*gm2, *gm), gl1) << "l1_distance rerun";
    EXPECT_EQ(gpu_->l1_distance(*gm, *gm), 0.0);
  }

  // The backend under test (named gpu_ from the suite's CUDA origins) and the reference.
  std::unique_ptr<Backend> gpu_;
  std::unique_ptr<Backend> ref_;
};

TEST_P(BackendKernels, UploadDownloadRoundTrip) {
  std::mt19937_64 rng(1);
  MatrixShape s;
  s.rows = 300;
  s.cols = 170;
  const CsrMatrix m = random_csr(rng, s);
  auto g = gpu_->upload(m);
  EXPECT_EQ(g->n_rows(), m.n_rows);
  EXPECT_EQ(g->n_cols(), m.n_cols);
  EXPECT_EQ(g->nnz(), m.nnz());
  const CsrMatrix back = gpu_->download(*g);
  EXPECT_EQ(back.n_rows, m.n_rows);
  EXPECT_EQ(back.n_cols, m.n_cols);
  EXPECT_EQ(back.row_ptr, m.row_ptr);
  EXPECT_EQ(back.col_idx, m.col_idx);
  expect_identical(back.values, m.values, "values");
  const CsrMatrix cloned = gpu_->download(*gpu_->clone(*g));
  EXPECT_EQ(cloned.row_ptr, m.row_ptr);
  expect_identical(cloned.values, m.values, "clone");
}

TEST_P(BackendKernels, LargeUploadDownloadGoesThroughPinnedChunks) {
  // 5M entries: values 40 MB (two 32 MB staging chunks), column indices 20 MB (one), offsets
  // below the 1 MB direct-copy threshold. Every value distinct, so a misplaced chunk shows.
  CsrMatrix m;
  const int64_t rows = 50000, per_row = 100;
  m.n_rows = rows;
  m.n_cols = 1000;
  m.row_ptr.resize(rows + 1);
  for (int64_t i = 0; i <= rows; ++i) m.row_ptr[i] = i * per_row;
  m.col_idx.resize(rows * per_row);
  m.values.resize(rows * per_row);
  for (int64_t e = 0; e < rows * per_row; ++e) {
    m.col_idx[e] = static_cast<int32_t>((e % per_row) * 10 + (e / per_row) % 10);
    m.values[e] = 1.0 + static_cast<double>(e) * 0.25;
  }
  auto g = gpu_->upload(m);
  const CsrMatrix back = gpu_->download(*g);
  EXPECT_EQ(back.row_ptr, m.row_ptr);
  EXPECT_EQ(back.col_idx, m.col_idx);
  expect_identical(back.values, m.values, "values");
}

TEST_P(BackendKernels, EmptyMatrices) {
  CsrMatrix empty;
  empty.n_rows = 40;
  empty.n_cols = 40;
  empty.row_ptr.assign(41, 0);
  std::mt19937_64 rng(2);
  const CellLayout layout = random_layout(rng, empty, 5, 5, true);
  auto g = gpu_->upload(empty);
  auto c = gpu_->assign_cells(*g, layout);
  EXPECT_EQ(c->n_cells(), 0);
  EXPECT_TRUE(gpu_->reduce_by_cell(*g, *c).empty());
  gpu_->scale_by_cell(*g, *c, std::vector<double>{});
  EXPECT_EQ(gpu_->l1_distance(*g, *g), 0.0);
  EXPECT_EQ(gpu_->download(*g).row_ptr, empty.row_ptr);

  CsrMatrix none;  // 0 x 0
  auto g0 = gpu_->upload(none);
  EXPECT_EQ(gpu_->download(*g0).n_rows, 0);
}

TEST_P(BackendKernels, RandomLayoutsMatchReference) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 6; ++trial) {
    MatrixShape s;
    s.rows = 100 + 97 * trial;
    s.cols = trial % 2 == 0 ? s.rows : s.rows / 2 + 33;  // square and rectangular
    s.density = 0.02 + 0.03 * trial;
    s.skewed_rows = trial;
    const CsrMatrix m = random_csr(rng, s);
    ASSERT_GT(m.nnz(), 32);
    const int32_t nr = 1 + trial * 7, nc = 1 + trial * 5;
    check_layout_kernels(m, random_layout(rng, m, nr, nc, false),
                         "trial " + std::to_string(trial) + " plain");
    check_layout_kernels(m, random_layout(rng, m, nr, nc, true),
                         "trial " + std::to_string(trial) + " split diagonal");
  }
}

TEST_P(BackendKernels, OneCellPerRowAndColumn) {
  // The finest layout: every (row, column) pair its own cell (cells as fine as the matrix).
  std::mt19937_64 rng(4);
  MatrixShape s;
  s.rows = 150;
  s.cols = 150;
  const CsrMatrix m = random_csr(rng, s);
  CellLayout l;
  l.n_row_cells = static_cast<int32_t>(m.n_rows);
  l.n_col_cells = static_cast<int32_t>(m.n_cols);
  l.split_diagonal = true;
  for (int32_t i = 0; i < m.n_rows; ++i) l.row_cell_of_row.push_back(i);
  for (int32_t j = 0; j < m.n_cols; ++j) l.col_cell_of_col.push_back(j);
  check_layout_kernels(m, l, "identity layout");
}

TEST_P(BackendKernels, LargeCellSpaceUsesSortedNumbering) {
  // 40,000 x 40,000 x 2 possible cells (3.2e9 keys): far above the dense limit.
  std::mt19937_64 rng(5);
  MatrixShape s;
  s.rows = 400;
  s.cols = 350;
  const CsrMatrix m = random_csr(rng, s);
  check_layout_kernels(m, random_layout(rng, m, 40000, 40000, true), "sparse keys, split");
  check_layout_kernels(m, random_layout(rng, m, 40000, 40000, false), "sparse keys");
}

TEST_P(BackendKernels, CellsLargerThanOneReductionChunk) {
  // One or two cells holding tens of thousands of entries: several chunks per cell.
  std::mt19937_64 rng(6);
  MatrixShape s;
  s.rows = 300;
  s.cols = 300;
  s.density = 0.6;
  const CsrMatrix m = random_csr(rng, s);
  ASSERT_GT(m.nnz(), 40000);
  check_layout_kernels(m, random_layout(rng, m, 1, 1, false), "single cell");
  check_layout_kernels(m, random_layout(rng, m, 1, 1, true), "diagonal and off-diagonal");
  check_layout_kernels(m, random_layout(rng, m, 3, 2, true), "six big cells");
}

TEST_P(BackendKernels, ErrorsAreReported) {
  std::mt19937_64 rng(7);
  MatrixShape s;
  const CsrMatrix m = random_csr(rng, s);
  auto g = gpu_->upload(m);
  auto r = ref_->upload(m);
  const CellLayout layout = random_layout(rng, m, 4, 4, false);
  auto gc = gpu_->assign_cells(*g, layout);
  auto rc = ref_->assign_cells(*r, layout);
  // Wrong number of factors.
  EXPECT_THROW(gpu_->scale_by_cell(*g, *gc, std::vector<double>(1, 2.0)), Error);
  // Objects of another backend (the CPU backends share host residency, so only a device backend
  // can tell).
  if (!is_host_backend()) {
    EXPECT_THROW(gpu_->reduce_by_cell(*r, *gc), Error);
    EXPECT_THROW(gpu_->reduce_by_cell(*g, *rc), Error);
    EXPECT_THROW(gpu_->download(*r), Error);
  }
  // A layout that does not fit the matrix.
  CellLayout bad = layout;
  bad.row_cell_of_row.pop_back();
  EXPECT_THROW(gpu_->assign_cells(*g, bad), Error);
  bad = layout;
  bad.col_cell_of_col[0] = bad.n_col_cells;
  EXPECT_THROW(gpu_->assign_cells(*g, bad), Error);
  // Matrices of different patterns.
  MatrixShape s2 = s;
  s2.rows = s.rows + 1;
  auto g2 = gpu_->upload(random_csr(rng, s2));
  ASSERT_NE(g2->nnz(), g->nnz());
  EXPECT_THROW(gpu_->l1_distance(*g, *g2), Error);
  // Cell ids of another matrix.
  EXPECT_THROW(gpu_->reduce_by_cell(*g2, *gc), Error);
  // Invalid CSR input.
  CsrMatrix broken = m;
  broken.row_ptr.back() += 1;
  EXPECT_THROW(gpu_->upload(broken), Error);
}

// ---- quotient engine ----------------------------------------------------------------------------

struct ProblemShape {
  int64_t n_cells = 1000;
  int n_margins = 2;
  int32_t max_blocks = 40;
  double outside_share = 0.1;      // cells outside a margin
  double zero_target_share = 0.1;  // zero (or negative) targets
  bool one_wide_margin = false;    // a margin with blocks of >= 4096 cells
};

QuotientProblem random_problem(std::mt19937_64& rng, const ProblemShape& s) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::lognormal_distribution<double> value(0.0, 1.5);
  QuotientProblem p;
  for (int64_t c = 0; c < s.n_cells; ++c) p.cell_values.push_back(u(rng) < 0.03 ? 0.0 : value(rng));
  for (int k = 0; k < s.n_margins; ++k) {
    QuotientMarginSpec m;
    const bool wide = s.one_wide_margin && k == s.n_margins - 1;
    m.n_blocks = wide ? 2 : 1 + static_cast<int32_t>(u(rng) * s.max_blocks);
    std::uniform_int_distribution<int32_t> blk(0, m.n_blocks - 1);
    for (int64_t c = 0; c < s.n_cells; ++c)
      m.block_of_cell.push_back(u(rng) < s.outside_share ? -1 : blk(rng));
    // A block of zero current: its cells get q0 = 0 (only when there are spare blocks).
    if (m.n_blocks > 3 && k == 0)
      for (int64_t c = 0; c < s.n_cells; ++c)
        if (m.block_of_cell[c] == 1) p.cell_values[c] = 0.0;
    std::vector<double> sums(m.n_blocks, 0.0);
    for (int64_t c = 0; c < s.n_cells; ++c)
      if (m.block_of_cell[c] >= 0) sums[m.block_of_cell[c]] += p.cell_values[c];
    for (int32_t b = 0; b < m.n_blocks; ++b) {
      const double r = u(rng);
      if (r < s.zero_target_share / 2)
        m.targets.push_back(0.0);
      else if (r < s.zero_target_share)
        m.targets.push_back(-1.0);
      else
        m.targets.push_back((sums[b] > 0 ? sums[b] : 1.0) * (0.5 + 1.5 * u(rng)));
    }
    p.margins.push_back(std::move(m));
  }
  return p;
}

double problem_total(const QuotientProblem& p) {
  double t = 0;
  for (double v : p.cell_values) t += v;
  for (const auto& m : p.margins)
    for (double x : m.targets) t = std::max(t, std::fabs(x));
  return std::max(t, 1.0);
}

void expect_reports_agree(const SweepReport& g, const SweepReport& r, double scale,
                          const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(g.sweeps_run, r.sweeps_run);
  EXPECT_EQ(g.stopped_on_l1, r.stopped_on_l1);
  // Engines that track cell values may report the sweep L1 change unasked; asked, they must.
  if (r.last_sweep_l1) {
    ASSERT_TRUE(g.last_sweep_l1.has_value());
  }
  if (r.last_sweep_l1 && g.last_sweep_l1) {
    EXPECT_LE(std::fabs(*g.last_sweep_l1 - *r.last_sweep_l1),
              1e-9 * std::fabs(*r.last_sweep_l1) + 1e-11 * scale);
  }
  ASSERT_EQ(g.last_step_l1.size(), r.last_step_l1.size());
  for (size_t k = 0; k < r.last_step_l1.size(); ++k)
    EXPECT_LE(std::fabs(g.last_step_l1[k] - r.last_step_l1[k]),
              1e-9 * std::fabs(r.last_step_l1[k]) + 1e-11 * scale)
        << "margin " << k;
}

// Cell factors are compared where the cell has mass: the factor of a cell whose value is 0 is
// not observable (its entries, non-negative, are all 0) and engines that keep cell values
// report 1 there (QuotientEngine::cell_factors).
void expect_engines_agree(QuotientEngine& g, QuotientEngine& r, const QuotientProblem& p,
                          double scale, const std::string& what) {
  SCOPED_TRACE(what);
  std::vector<double> gf = g.cell_factors(), rf = r.cell_factors();
  ASSERT_EQ(gf.size(), p.cell_values.size());
  for (size_t c = 0; c < gf.size() && c < rf.size(); ++c)
    if (p.cell_values[c] == 0.0) gf[c] = rf[c] = 1.0;
  expect_rel_near(gf, rf, 1e-9, 1e-300, "cell_factors");
  const auto gs = g.block_sums();
  const auto rs = r.block_sums();
  ASSERT_EQ(gs.size(), rs.size());
  for (size_t k = 0; k < rs.size(); ++k)
    expect_rel_near(gs[k], rs[k], 1e-9, 1e-12 * scale, "block_sums margin " + std::to_string(k));
}

class BackendQuotient : public BackendKernels {};

TEST_P(BackendQuotient, RandomProblemsMatchReference) {
  std::mt19937_64 rng(11);
  for (int margins = 1; margins <= 4; ++margins)
    for (int trial = 0; trial < 3; ++trial) {
      ProblemShape s;
      s.n_margins = margins;
      s.n_cells = 200 + 900 * trial;
      s.max_blocks = 10 + 50 * trial;
      const QuotientProblem p = random_problem(rng, s);
      const double scale = problem_total(p);
      const std::string what = std::to_string(margins) + " margins, trial " + std::to_string(trial);
      auto g = gpu_->make_quotient_engine(p);
      auto r = ref_->make_quotient_engine(p);
      // Before any sweep: factors 1 and the initial sums.
      expect_engines_agree(*g, *r, p, scale, what + " initial");
      // 70 sweeps (two 32-sweep graphs and six single sweeps), the last one measured.
      expect_reports_agree(g->run_sweeps(70, std::nullopt, true),
                           r->run_sweeps(70, std::nullopt, true), scale, what + " run 1");
      expect_engines_agree(*g, *r, p, scale, what + " after run 1");
      // The state carries over between calls; unmeasured sweeps report no sweep L1.
      expect_reports_agree(g->run_sweeps(5, std::nullopt, false),
                           r->run_sweeps(5, std::nullopt, false), scale, what + " run 2");
      expect_reports_agree(g->run_sweeps(1, std::nullopt, true),
                           r->run_sweeps(1, std::nullopt, true), scale, what + " run 3");
      expect_engines_agree(*g, *r, p, scale, what + " after run 3");
      // Zero sweeps change nothing.
      expect_reports_agree(g->run_sweeps(0, std::nullopt, true),
                           r->run_sweeps(0, std::nullopt, true), scale, what + " run 0");
    }
}

TEST_P(BackendQuotient, WideBlocksAndManyMargins) {
  std::mt19937_64 rng(12);
  for (int margins : {1, 2, 4}) {
    ProblemShape s;
    s.n_cells = 12000;
    s.n_margins = margins;
    s.one_wide_margin = true;
    const QuotientProblem p = random_problem(rng, s);
    const double scale = problem_total(p);
    auto g = gpu_->make_quotient_engine(p);
    auto r = ref_->make_quotient_engine(p);
    const std::string what = "wide, " + std::to_string(margins) + " margins";
    expect_reports_agree(g->run_sweeps(40, std::nullopt, true),
                         r->run_sweeps(40, std::nullopt, true), scale, what);
    expect_engines_agree(*g, *r, p, scale, what);
  }
}

TEST_P(BackendQuotient, L1StopEndsOnTheSameSweepAsReference) {
  std::mt19937_64 rng(13);
  ProblemShape s;
  s.n_cells = 3000;
  s.n_margins = 2;
  s.max_blocks = 30;
  s.zero_target_share = 0.0;
  const QuotientProblem p = random_problem(rng, s);
  const double scale = problem_total(p);

  // The reference's per-sweep L1 sequence, one sweep at a time.
  std::vector<double> l1;
  {
    auto r = ref_->make_quotient_engine(p);
    for (int i = 0; i < 120; ++i) l1.push_back(*r->run_sweeps(1, std::nullopt, true).last_sweep_l1);
  }
  // Stop thresholds halfway (geometrically) between two sweeps whose L1 clearly differ, so that
  // rounding-level differences cannot move the stop: early (inside the first 32-sweep graph),
  // late (after a full batch), and never (runs to max).
  std::vector<int> stop_at;
  // Only where the L1 change is far above rounding noise (1e-8 of the problem's mass).
  for (int target : {5, 45, 90}) {
    int k = target;
    while (k < static_cast<int>(l1.size()) && !(l1[k] < l1[k - 1] * (1 - 1e-6))) ++k;
    if (k < static_cast<int>(l1.size()) && l1[k] > 1e-8 * scale) stop_at.push_back(k);
  }
  ASSERT_FALSE(stop_at.empty()) << "the random problem did not converge at all";
  for (int k : stop_at) {
    const double threshold = std::sqrt(l1[k] * l1[k - 1]);
    auto g = gpu_->make_quotient_engine(p);
    auto r = ref_->make_quotient_engine(p);
    const SweepReport gr = g->run_sweeps(100, threshold, false);
    const SweepReport rr = r->run_sweeps(100, threshold, false);
    EXPECT_TRUE(rr.stopped_on_l1 || k >= 100);
    expect_reports_agree(gr, rr, scale, "stop after sweep " + std::to_string(k + 1));
    expect_engines_agree(*g, *r, p, scale, "stop after sweep " + std::to_string(k + 1));
    // A second call continues from the stopped state.
    expect_reports_agree(g->run_sweeps(3, threshold, false), r->run_sweeps(3, threshold, false),
                         scale, "continued");
  }
  // A negative threshold never stops: every sweep measured, all run.
  auto g = gpu_->make_quotient_engine(p);
  auto r = ref_->make_quotient_engine(p);
  expect_reports_agree(g->run_sweeps(37, -1.0, false), r->run_sweeps(37, -1.0, false), scale,
                       "never stops");
}

TEST_P(BackendQuotient, RerunsAreBitIdentical) {
  std::mt19937_64 rng(14);
  ProblemShape s;
  s.n_cells = 5000;
  s.n_margins = 3;
  const QuotientProblem p = random_problem(rng, s);
  auto a = gpu_->make_quotient_engine(p);
  auto b = gpu_->make_quotient_engine(p);
  const SweepReport ra = a->run_sweeps(50, std::nullopt, true);
  const SweepReport rb = b->run_sweeps(50, std::nullopt, true);
  EXPECT_EQ(*ra.last_sweep_l1, *rb.last_sweep_l1);
  expect_identical(ra.last_step_l1, rb.last_step_l1, "last_step_l1");
  expect_identical(a->cell_factors(), b->cell_factors(), "cell_factors");
  const auto sa = a->block_sums();
  const auto sb = b->block_sums();
  for (size_t k = 0; k < sa.size(); ++k) expect_identical(sa[k], sb[k], "block_sums");
}

TEST_P(BackendQuotient, DegenerateProblems) {
  const double inf_scale = 1.0;
  // No margins at all: sweeps change nothing, the L1 change is 0 and an L1 stop ends at once.
  QuotientProblem none;
  none.cell_values = {1.0, 2.0, 3.0};
  {
    auto g = gpu_->make_quotient_engine(none);
    auto r = ref_->make_quotient_engine(none);
    expect_reports_agree(g->run_sweeps(10, 0.0, false), r->run_sweeps(10, 0.0, false), inf_scale,
                         "no margins, stop");
    expect_reports_agree(g->run_sweeps(10, std::nullopt, true),
                         r->run_sweeps(10, std::nullopt, true), inf_scale, "no margins");
    expect_identical(g->cell_factors(), r->cell_factors(), "no margins factors");
  }
  // No cells; a margin with blocks but no cells; a margin without blocks.
  QuotientProblem empty;
  empty.margins.push_back({3, {}, {1.0, 2.0, 0.0}});
  empty.margins.push_back({0, {}, {}});
  {
    auto g = gpu_->make_quotient_engine(empty);
    auto r = ref_->make_quotient_engine(empty);
    expect_reports_agree(g->run_sweeps(4, 1e-9, true), r->run_sweeps(4, 1e-9, true), inf_scale,
                         "no cells");
    EXPECT_TRUE(g->cell_factors().empty());
    const auto sums = g->block_sums();
    ASSERT_EQ(sums.size(), 2u);
    EXPECT_EQ(sums[0], (std::vector<double>{0.0, 0.0, 0.0}));
    EXPECT_TRUE(sums[1].empty());
  }
  // Inconsistent problems are rejected.
  QuotientProblem bad;
  bad.cell_values = {1.0, 2.0};
  bad.margins.push_back({2, {0, 2}, {1.0, 1.0}});
  EXPECT_THROW(gpu_->make_quotient_engine(bad), Error);
  bad.margins[0] = {2, {0}, {1.0, 1.0}};
  EXPECT_THROW(gpu_->make_quotient_engine(bad), Error);
  bad.margins[0] = {2, {0, 1}, {1.0}};
  EXPECT_THROW(gpu_->make_quotient_engine(bad), Error);
}

TEST_P(BackendQuotient, HandCheckedTwoByTwo) {
  // Cells (r, c) of a 2 x 2 table [[1 2] [3 4]]; rows to (6, 14), then columns to (8, 12).
  QuotientProblem p;
  p.cell_values = {1, 2, 3, 4};
  p.margins.push_back({2, {0, 0, 1, 1}, {6, 14}});
  p.margins.push_back({2, {0, 1, 0, 1}, {8, 12}});
  auto g = gpu_->make_quotient_engine(p);
  const SweepReport rep = g->run_sweeps(1, std::nullopt, true);
  // Row factors 2 and 2: [[2 4] [6 8]], step L1 = 3 + 7 = 10. Column sums 8, 12: factors 1.
  EXPECT_EQ(rep.sweeps_run, 1);
  ASSERT_EQ(rep.last_step_l1.size(), 2u);
  EXPECT_DOUBLE_EQ(rep.last_step_l1[0], 10.0);
  EXPECT_DOUBLE_EQ(rep.last_step_l1[1], 0.0);
  ASSERT_TRUE(rep.last_sweep_l1.has_value());
  EXPECT_DOUBLE_EQ(*rep.last_sweep_l1, 10.0);
  EXPECT_EQ(g->cell_factors(), (std::vector<double>{2, 2, 2, 2}));
  const auto sums = g->block_sums();
  EXPECT_EQ(sums[0], (std::vector<double>{6, 14}));
  EXPECT_EQ(sums[1], (std::vector<double>{8, 12}));
}

std::string case_name(const ::testing::TestParamInfo<BackendCase>& info) {
  return info.param.name;
}
INSTANTIATE_TEST_SUITE_P(Backends, BackendKernels, ::testing::ValuesIn(backend_cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Backends, BackendQuotient, ::testing::ValuesIn(backend_cases()),
                         case_name);

}  // namespace
}  // namespace flowfit
