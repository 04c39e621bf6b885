// The piece plan and the index arithmetic of the CUDA backend's sort-free aggregate
// (kernels/aggregate_plan.hpp), checked on the CPU: every entry in exactly one piece of its row
// cell, partial offsets, the warp-step helpers, and a host emulation of the kernels' exact order
// of additions against plain serial sums. With a device present, the kernels must reproduce the
// emulation bit for bit and both reduce_by_cell paths (pieces, sort) must match the reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "flowfit/backend.hpp"
#include "flowfit/csr_matrix.hpp"
#include "kernels/aggregate_plan.hpp"

namespace flowfit {
namespace {

using cuda::AggregatePlan;
using cuda::kPieceEntries;
using cuda::Piece;

// A random CSR matrix with empty rows, sorted columns and lognormal values.
CsrMatrix random_matrix(std::mt19937_64& rng, int64_t rows, int64_t cols, double density) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::lognormal_distribution<double> value(0.0, 2.0);
  CsrMatrix m;
  m.n_rows = rows;
  m.n_cols = cols;
  m.row_ptr.assign(1, 0);
  for (int64_t i = 0; i < rows; ++i) {
    if (u(rng) >= 0.1)
      for (int64_t j = 0; j < cols; ++j)
        if (u(rng) < density) {
          m.col_idx.push_back(static_cast<int32_t>(j));
          m.values.push_back(value(rng));
        }
    m.row_ptr.push_back(static_cast<int64_t>(m.col_idx.size()));
  }
  return m;
}

// Row cells either in contiguous blocks of rows (a geography sorted by GEOID) or scattered.
CellLayout make_layout(std::mt19937_64& rng, const CsrMatrix& m, int32_t n_row_cells,
                       int32_t n_col_cells, bool split, bool contiguous) {
  CellLayout l;
  l.n_row_cells = n_row_cells;
  l.n_col_cells = n_col_cells;
  l.split_diagonal = split;
  std::uniform_int_distribution<int32_t> rc(0, n_row_cells - 1), cc(0, n_col_cells - 1);
  for (int64_t i = 0; i < m.n_rows; ++i)
    l.row_cell_of_row.push_back(
        contiguous ? static_cast<int32_t>(i * n_row_cells / std::max<int64_t>(m.n_rows, 1))
                   : rc(rng));
  for (int64_t j = 0; j < m.n_cols; ++j) l.col_cell_of_col.push_back(cc(rng));
  return l;
}

// Cells as CellTable numbers them (ascending keys), computed on the host.
struct HostCells {
  std::vector<int32_t> cell_row_cell;
  std::vector<int32_t> cell_of_entry;
  int64_t n_cells() const { return static_cast<int64_t>(cell_row_cell.size()); }
};
HostCells host_cells(const CsrMatrix& m, const CellLayout& l) {
  using Key = std::tuple<int32_t, int32_t, int>;
  auto key_of = [&](int64_t i, int32_t j) {
    return Key{l.row_cell_of_row[i], l.col_cell_of_col[j], l.split_diagonal && i == j ? 1 : 0};
  };
  std::map<Key, int32_t> rank;
  for (int64_t i = 0; i < m.n_rows; ++i)
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) rank[key_of(i, m.col_idx[e])] = 0;
  HostCells h;
  for (auto& [k, r] : rank) {
    r = static_cast<int32_t>(h.cell_row_cell.size());
    h.cell_row_cell.push_back(std::get<0>(k));
  }
  for (int64_t i = 0; i < m.n_rows; ++i)
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e)
      h.cell_of_entry.push_back(rank[key_of(i, m.col_idx[e])]);
  return h;
}

std::vector<double> serial_sums(const CsrMatrix& m, const HostCells& h) {
  std::vector<double> s(static_cast<size_t>(h.n_cells()), 0.0);
  for (size_t e = 0; e < m.values.size(); ++e) s[h.cell_of_entry[e]] += m.values[e];
  return s;
}

AggregatePlan plan_for(const CsrMatrix& m, const CellLayout& l, const HostCells& h,
                       int64_t max_partials = int64_t{1} << 40) {
  return cuda::make_aggregate_plan(m.row_ptr, l.row_cell_of_row, l.n_row_cells, h.cell_row_cell,
                                   max_partials);
}

void expect_plan_consistent(const CsrMatrix& m, const CellLayout& l, const HostCells& h,
                            const AggregatePlan& p) {
  ASSERT_TRUE(p.usable) << p.why_not;
  std::vector<int> covered(m.values.size(), 0);
  std::vector<int32_t> row_of(m.values.size());
  for (int64_t i = 0; i < m.n_rows; ++i)
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) row_of[e] = static_cast<int32_t>(i);
  int64_t partial = 0;
  for (int32_t rc = 0; rc < l.n_row_cells; ++rc) {
    int64_t last_hi = -1;
    for (int32_t q = p.rc_piece_begin[rc]; q < p.rc_piece_begin[rc + 1]; ++q) {
      const Piece& piece = p.pieces[q];
      EXPECT_LT(piece.lo, piece.hi);
      EXPECT_LE(piece.hi - piece.lo, kPieceEntries);
      EXPECT_GE(piece.lo, last_hi) << "pieces of a row cell in entry order";
      last_hi = piece.hi;
      EXPECT_EQ(piece.cell_begin, p.rc_cell_begin[rc]);
      EXPECT_EQ(piece.n_cells, p.rc_cell_begin[rc + 1] - p.rc_cell_begin[rc]);
      EXPECT_EQ(piece.partial, partial);
      partial += piece.n_cells;
      for (int64_t e = piece.lo; e < piece.hi; ++e) {
        ++covered[e];
        EXPECT_EQ(l.row_cell_of_row[row_of[e]], rc) << "entry " << e;
        const int32_t local = h.cell_of_entry[e] - piece.cell_begin;
        EXPECT_GE(local, 0);
        EXPECT_LT(local, piece.n_cells);
      }
    }
  }
  EXPECT_EQ(partial, p.n_partials);
  EXPECT_EQ(p.rc_piece_begin.back(), static_cast<int32_t>(p.pieces.size()));
  for (size_t e = 0; e < covered.size(); ++e) ASSERT_EQ(covered[e], 1) << "entry " << e;
}

void expect_rel_near(const std::vector<double>& got, const std::vector<double>& want, double rel) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t c = 0; c < got.size(); ++c)
    EXPECT_LE(std::fabs(got[c] - want[c]), rel * std::fabs(want[c])) << "cell " << c;
}

TEST(CudaAggregatePlan, WarpStepHelpers) {
  // Heads at lanes 0, 3, 4 and 20.
  const unsigned heads = (1u << 0) | (1u << 3) | (1u << 4) | (1u << 20);
  EXPECT_EQ(cuda::run_start(heads, 0), 0);
  EXPECT_EQ(cuda::run_start(heads, 2), 0);
  EXPECT_EQ(cuda::run_start(heads, 3), 3);
  EXPECT_EQ(cuda::run_start(heads, 4), 4);
  EXPECT_EQ(cuda::run_start(heads, 19), 4);
  EXPECT_EQ(cuda::run_start(heads, 31), 20);
  EXPECT_TRUE(cuda::is_run_tail(heads, 2));
  EXPECT_TRUE(cuda::is_run_tail(heads, 3));
  EXPECT_FALSE(cuda::is_run_tail(heads, 4));
  EXPECT_TRUE(cuda::is_run_tail(heads, 19));
  EXPECT_TRUE(cuda::is_run_tail(heads, 31));
  EXPECT_FALSE(cuda::is_run_tail(heads, 30));
  EXPECT_EQ(cuda::lanes_below(0), 0u);
  EXPECT_EQ(cuda::lanes_below(31), 0x7fffffffu);
}

TEST(CudaAggregatePlan, WarpStepAddsEveryLaneOnce) {
  // Runs of one slot, repeated non-adjacent slots and trailing lanes without entries: every
  // value lands in its slot exactly once (integers, so the sums are exact in any order).
  std::mt19937_64 rng(1);
  for (int trial = 0; trial < 200; ++trial) {
    double v[32];
    int32_t slot[32];
    const int valid = 1 + trial % 32;
    std::uniform_int_distribution<int32_t> pick(0, 1 + trial % 7);
    for (int l = 0; l < 32; ++l) {
      v[l] = static_cast<double>(1 + (rng() % 1000));
      slot[l] = l >= valid ? -1 : (l > 0 && rng() % 3 == 0 ? slot[l - 1] : pick(rng));
    }
    std::vector<double> acc(16, 0.5), want(16, 0.5);
    for (int l = 0; l < 32; ++l)
      if (slot[l] >= 0) want[slot[l]] += v[l];
    cuda::emulate_warp_step(acc.data(), v, slot);
    EXPECT_EQ(acc, want) << "trial " << trial;
  }
}

TEST(CudaAggregatePlan, PlansCoverEveryEntryOnce) {
  std::mt19937_64 rng(2);
  for (bool contiguous : {true, false})
    for (bool split : {false, true}) {
      SCOPED_TRACE(std::string(contiguous ? "contiguous" : "scattered") +
                   (split ? ", split diagonal" : ""));
      const CsrMatrix m = random_matrix(rng, 300, 300, 0.08);
      const CellLayout l = make_layout(rng, m, 17, 11, split, contiguous);
      const HostCells h = host_cells(m, l);
      expect_plan_consistent(m, l, h, plan_for(m, l, h));
    }
}

TEST(CudaAggregatePlan, EmulationMatchesSerialSums) {
  std::mt19937_64 rng(3);
  // Small cells, one big cell spanning several pieces (> kPieceEntries entries), split diagonal.
  struct Case {
    int64_t rows, cols;
    double density;
    int32_t nr, nc;
    bool split, contiguous;
  };
  for (const Case& c :
       {Case{200, 150, 0.1, 9, 13, false, true}, Case{450, 450, 0.8, 1, 1, true, true},
        Case{400, 400, 0.5, 3, 2, true, false}, Case{500, 300, 0.05, 40, 30, true, false}}) {
    const CsrMatrix m = random_matrix(rng, c.rows, c.cols, c.density);
    const CellLayout l = make_layout(rng, m, c.nr, c.nc, c.split, c.contiguous);
    const HostCells h = host_cells(m, l);
    const AggregatePlan p = plan_for(m, l, h);
    expect_plan_consistent(m, l, h, p);
    if (c.nr == 1) {
      EXPECT_GT(p.pieces.size(), 2u) << "the big cell must span several pieces";
    }
    const std::vector<double> got =
        cuda::emulate_cell_sums(cuda::emulate_piece_sums(m.values, h.cell_of_entry, p), p);
    expect_rel_near(got, serial_sums(m, h), 1e-12);
  }
}

TEST(CudaAggregatePlan, UnusablePlansSayWhy) {
  std::mt19937_64 rng(4);
  const CsrMatrix m = random_matrix(rng, 200, 200, 0.5);
  // Every (row, column) pair its own cell, one row cell: > kMaxPieceSlots cells in it.
  CellLayout fine;
  fine.n_row_cells = 1;
  fine.n_col_cells = static_cast<int32_t>(m.n_cols);
  fine.row_cell_of_row.assign(static_cast<size_t>(m.n_rows), 0);
  for (int32_t j = 0; j < m.n_cols; ++j) fine.col_cell_of_col.push_back(j);
  fine.split_diagonal = true;
  std::vector<int32_t> many(cuda::kMaxPieceSlots + 1, 0);
  const AggregatePlan wide =
      cuda::make_aggregate_plan(m.row_ptr, fine.row_cell_of_row, 1, many, int64_t{1} << 40);
  EXPECT_FALSE(wide.usable);
  EXPECT_NE(wide.why_not.find("accumulator slots"), std::string::npos) << wide.why_not;
  // Scattered row cells with a tight bound on the partials.
  const CellLayout l = make_layout(rng, m, 50, 40, false, false);
  const HostCells h = host_cells(m, l);
  const AggregatePlan tight = plan_for(m, l, h, 10);
  EXPECT_FALSE(tight.usable);
  EXPECT_NE(tight.why_not.find("partial sums"), std::string::npos) << tight.why_not;
}

// ---- on a device: the kernels against the emulation and the reference --------------------------

TEST(CudaAggregateDevice, BothPathsMatchReferenceAndPiecesMatchEmulation) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device present";
  std::mt19937_64 rng(5);
  auto ref = make_reference_backend();
  const char* old = std::getenv("FLOWFIT_CUDA_AGGREGATE");
  const std::string saved = old == nullptr ? "" : old;
  ::setenv("FLOWFIT_CUDA_AGGREGATE", "pieces", 1);
  auto pieces = make_cuda_backend(0);
  ::setenv("FLOWFIT_CUDA_AGGREGATE", "sort", 1);
  auto sorted = make_cuda_backend(0);
  if (old == nullptr)
    ::unsetenv("FLOWFIT_CUDA_AGGREGATE");
  else
    ::setenv("FLOWFIT_CUDA_AGGREGATE", saved.c_str(), 1);
  for (bool contiguous : {true, false})
    for (int32_t nr : {1, 7, 60}) {
      SCOPED_TRACE("row cells " + std::to_string(nr) + (contiguous ? " contiguous" : " scattered"));
      const CsrMatrix m = random_matrix(rng, 420, 380, nr == 1 ? 0.6 : 0.15);
      const CellLayout l = make_layout(rng, m, nr, 23, true, contiguous);
      const HostCells h = host_cells(m, l);
      auto rm = ref->upload(m);
      const std::vector<double> want = ref->reduce_by_cell(*rm, *ref->assign_cells(*rm, l));
      for (Backend* b : {pieces.get(), sorted.get()}) {
        auto gm = b->upload(m);
        auto gc = b->assign_cells(*gm, l);
        const std::vector<double> got = b->reduce_by_cell(*gm, *gc);
        expect_rel_near(got, want, 1e-12);
        EXPECT_EQ(b->reduce_by_cell(*gm, *gc), got) << "rerun differs";
      }
      const AggregatePlan p = plan_for(m, l, h, std::max<int64_t>(m.nnz() / 2, int64_t{1} << 20));
      ASSERT_TRUE(p.usable) << p.why_not;
      auto gm = pieces->upload(m);
      const std::vector<double> got = pieces->reduce_by_cell(*gm, *pieces->assign_cells(*gm, l));
      const std::vector<double> emulated =
          cuda::emulate_cell_sums(cuda::emulate_piece_sums(m.values, h.cell_of_entry, p), p);
      ASSERT_EQ(got.size(), emulated.size());
      for (size_t c = 0; c < got.size(); ++c) ASSERT_EQ(got[c], emulated[c]) << "cell " << c;
    }
}

}  // namespace
}  // namespace flowfit
