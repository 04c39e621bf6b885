// GPU assembly (flowfit/assembly_cuda.hpp) against the CPU assembly (flowfit/assembly.hpp) on
// random inputs: the same pattern exactly, values within 1e-12 relative, bit-identical reruns,
// structural zeros kept, degenerate shapes (no addresses, no units, no movers, no stayers, a
// product with no entries), and the errors. Device tests skip when no CUDA device is present;
// the availability test runs everywhere (in a CPU-only build it checks BackendUnavailable).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "flowfit/assembly.hpp"
#include "flowfit/assembly_cuda.hpp"
#include "flowfit/backend.hpp"
#include "flowfit/csr_matrix.hpp"
#include "flowfit/error.hpp"
#include "support/random_problems.hpp"

namespace flowfit {
namespace {

using assembly::assemble_flows;
using assembly::assemble_flows_cuda;
using assembly::CudaAssemblyOptions;

CsrMatrix empty_matrix(int64_t rows, int64_t cols) {
  return csr_from_triplets(rows, cols, std::vector<int64_t>{}, std::vector<int64_t>{},
                           std::vector<double>{});
}

// A random row-stochastic crosswalk n x m: some rows a single 1, some split over up to three
// units, some empty (unmapped addresses). With zero_weights, some split weights are stored 0.0.
CsrMatrix random_crosswalk(std::mt19937_64& rng, int64_t n, int64_t m, bool zero_weights = false) {
  std::vector<int64_t> r, c;
  std::vector<double> v;
  std::uniform_int_distribution<int64_t> unit(0, m - 1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int64_t i = 0; i < n; ++i) {
    const double kind = u(rng);
    if (kind < 0.05) continue;
    if (kind < 0.6) {
      r.push_back(i), c.push_back(unit(rng)), v.push_back(1.0);
      continue;
    }
    std::vector<int64_t> units;
    for (int k = 0; k < 3; ++k) {
      const int64_t j = unit(rng);
      if (std::find(units.begin(), units.end(), j) == units.end()) units.push_back(j);
    }
    std::vector<double> w;
    double sum = 0;
    for (size_t k = 0; k < units.size(); ++k) {
      w.push_back(zero_weights && k == 0 && u(rng) < 0.3 ? 0.0 : u(rng) + 0.1);
      sum += w.back();
    }
    for (size_t k = 0; k < units.size(); ++k)
      r.push_back(i), c.push_back(units[k]), v.push_back(w[k] / sum);
  }
  return csr_from_triplets(n, m, r, c, v);
}

// Sparse address flows n x n with about per_row entries per row, mostly near the diagonal
// (addresses of one unit are often neighbours), the diagonal stored with probability
// diag_share, positive log-uniform values.
CsrMatrix sparse_flows(std::mt19937_64& rng, int64_t n, int per_row, double diag_share) {
  std::vector<int64_t> r, c;
  std::vector<double> v;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::uniform_int_distribution<int64_t> any(0, n - 1);
  for (int64_t i = 0; i < n; ++i) {
    if (u(rng) < diag_share) r.push_back(i), c.push_back(i), v.push_back(100 + 900 * u(rng));
    const int k = static_cast<int>(per_row * 2 * u(rng));
    for (int t = 0; t < k; ++t) {
      const int64_t near =
          std::clamp<int64_t>(i + static_cast<int64_t>((u(rng) - 0.5) * 200), 0, n - 1);
      const int64_t j = u(rng) < 0.7 ? near : any(rng);
      if (j == i) continue;
      r.push_back(i), c.push_back(j), v.push_back(std::pow(10.0, 3 * u(rng) - 1));
    }
  }
  return csr_from_triplets(n, n, r, c, v, Duplicates::sum);
}

// The same pattern exactly; values within 1e-12 of the larger magnitude (inputs here are
// non-negative, so every entry is a sum of non-negative terms and its rounding error is
// relative to itself).
void expect_same_assembly(const CsrMatrix& gpu, const CsrMatrix& cpu) {
  ASSERT_NO_THROW(gpu.validate());
  EXPECT_EQ(gpu.n_rows, cpu.n_rows);
  EXPECT_EQ(gpu.n_cols, cpu.n_cols);
  ASSERT_EQ(gpu.row_ptr, cpu.row_ptr);
  ASSERT_EQ(gpu.col_idx, cpu.col_idx);
  ASSERT_EQ(gpu.values.size(), cpu.values.size());
  double worst = 0;
  int64_t worst_at = -1;
  for (size_t e = 0; e < cpu.values.size(); ++e) {
    const double scale = std::max(std::fabs(cpu.values[e]), std::fabs(gpu.values[e]));
    const double rel = scale > 0 ? std::fabs(gpu.values[e] - cpu.values[e]) / scale : 0.0;
    if (rel > worst) worst = rel, worst_at = static_cast<int64_t>(e);
  }
  EXPECT_LE(worst, 1e-12) << "entry " << worst_at << ": gpu " << gpu.values[worst_at] << " cpu "
                          << cpu.values[worst_at];
}

// ---- availability (runs with or without a device) ---------------------------------------------

TEST(CudaAssemblyAvailability, ThrowsBackendUnavailableWithoutDevice) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "a CUDA device is present";
  std::mt19937_64 rng(1);
  testing::RandomMatrixOptions opt;
  opt.n = 20;
  const CsrMatrix a = testing::random_matrix(rng, opt);
  const CsrMatrix g = random_crosswalk(rng, 20, 4);
  EXPECT_THROW(assemble_flows_cuda(a, g), BackendUnavailable);
  EXPECT_THROW(assemble_flows_cuda(a, g, 1), BackendUnavailable);
  // Availability is decided before the inputs are looked at.
  EXPECT_THROW(assemble_flows_cuda(empty_matrix(2, 3), g), BackendUnavailable);
  try {
    assemble_flows_cuda(a, g);
    FAIL() << "expected BackendUnavailable";
  } catch (const BackendUnavailable& e) {
    const std::string what = e.what();
#ifdef FLOWFIT_WITH_CUDA
    EXPECT_NE(what.find("CUDA device"), std::string::npos) << what;
#else
    EXPECT_NE(what.find("built without CUDA"), std::string::npos) << what;
#endif
  }
}

// ---- on a device ----------------------------------------------------------------------------

class CudaAssembly : public ::testing::Test {
 protected:
  void SetUp() override {
    if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device present";
  }
};

TEST_F(CudaAssembly, DeviceOutOfRangeIsBackendUnavailable) {
  const CsrMatrix a = empty_matrix(3, 3);
  const CsrMatrix g = empty_matrix(3, 2);
  EXPECT_THROW(assemble_flows_cuda(a, g, cuda_device_count()), BackendUnavailable);
  EXPECT_THROW(assemble_flows_cuda(a, g, -1), BackendUnavailable);
}

// The CPU test's 3-address, 2-unit case worked by hand; every value is exact in binary.
TEST_F(CudaAssembly, HandCheckedAssembly) {
  const CsrMatrix a =
      csr_from_triplets(3, 3, std::vector<int64_t>{0, 0, 1, 2}, std::vector<int64_t>{0, 1, 2, 2},
                        std::vector<double>{5, 2, 4, 1});
  const CsrMatrix g =
      csr_from_triplets(3, 2, std::vector<int64_t>{0, 1, 1, 2}, std::vector<int64_t>{0, 0, 1, 1},
                        std::vector<double>{1, 0.5, 0.5, 1});
  const CsrMatrix e = assemble_flows_cuda(a, g);
  EXPECT_EQ(e.n_rows, 2);
  EXPECT_EQ(e.n_cols, 2);
  EXPECT_EQ(e.row_ptr, (std::vector<int64_t>{0, 2, 3}));
  EXPECT_EQ(e.col_idx, (std::vector<int32_t>{0, 1, 1}));
  EXPECT_EQ(e.values, (std::vector<double>{1 + 5, 1 + 2, 2 + 1}));
  expect_same_assembly(e, assemble_flows(a, g));
}

TEST_F(CudaAssembly, RandomInputsMatchCpu) {
  struct Case {
    int64_t n, m;
    double density;
    bool full_diagonal, skewed;
  };
  const std::vector<Case> cases = {
      {70, 9, 0.15, true, false},      // the CPU test's case
      {200, 40, 0.05, false, false},   // some diagonals missing
      {300, 1, 0.1, false, true},      // one unit: everything lands on (0, 0)
      {50, 300, 0.2, true, false},     // more units than addresses: many empty rows of E
      {2000, 700, 0.01, false, true},  // skewed rows, several blocks per kernel
  };
  uint64_t seed = 100;
  for (const Case& c : cases) {
    SCOPED_TRACE("n=" + std::to_string(c.n) + " m=" + std::to_string(c.m));
    std::mt19937_64 rng(seed++);
    testing::RandomMatrixOptions opt;
    opt.n = c.n;
    opt.density = c.density;
    opt.full_diagonal = c.full_diagonal;
    opt.skewed = c.skewed;
    const CsrMatrix a = testing::random_matrix(rng, opt);
    const CsrMatrix g = random_crosswalk(rng, c.n, c.m);
    expect_same_assembly(assemble_flows_cuda(a, g), assemble_flows(a, g));
  }
}

// Larger and sparse, closer to real address flows: tens of thousands of addresses, long rows in
// E (units receive from many units), units with many addresses (long rows of Gᵀ).
TEST_F(CudaAssembly, LargerSparseInputsMatchCpu) {
  std::mt19937_64 rng(9);
  const CsrMatrix a = sparse_flows(rng, 40000, 12, 0.9);
  const CsrMatrix g = random_crosswalk(rng, 40000, 1500);
  const CsrMatrix cpu = assemble_flows(a, g);
  ASSERT_GT(cpu.nnz(), 100000);
  expect_same_assembly(assemble_flows_cuda(a, g), cpu);
}

// SpGEMM in small row blocks (hundreds of blocks, single rows above the budget) gives the
// one-block result bit for bit: rows are independent in the product.
TEST_F(CudaAssembly, RowBlocksGiveTheSameBits) {
  std::mt19937_64 rng(13);
  const CsrMatrix a = sparse_flows(rng, 20000, 12, 0.9);
  const CsrMatrix g = random_crosswalk(rng, 20000, 900);
  CudaAssemblyOptions one_block;
  one_block.max_products_per_block = int64_t{1} << 40;
  const CsrMatrix whole = assemble_flows_cuda(a, g, one_block);
  for (int64_t budget : {int64_t{1}, int64_t{500}, int64_t{20000}}) {
    CudaAssemblyOptions blocked;
    blocked.max_products_per_block = budget;
    const CsrMatrix e = assemble_flows_cuda(a, g, blocked);
    EXPECT_EQ(e.row_ptr, whole.row_ptr) << "budget " << budget;
    EXPECT_EQ(e.col_idx, whole.col_idx) << "budget " << budget;
    EXPECT_EQ(e.values, whole.values) << "budget " << budget;
  }
  expect_same_assembly(whole, assemble_flows(a, g));
}

TEST_F(CudaAssembly, RerunsAreBitIdentical) {
  std::mt19937_64 rng(5);
  testing::RandomMatrixOptions opt;
  opt.n = 3000;
  opt.density = 0.005;
  opt.skewed = true;
  const CsrMatrix a = testing::random_matrix(rng, opt);
  const CsrMatrix g = random_crosswalk(rng, 3000, 500);
  const CsrMatrix e1 = assemble_flows_cuda(a, g);
  const CsrMatrix e2 = assemble_flows_cuda(a, g);
  EXPECT_EQ(e1.row_ptr, e2.row_ptr);
  EXPECT_EQ(e1.col_idx, e2.col_idx);
  EXPECT_EQ(e1.values, e2.values);  // bitwise
  EXPECT_GT(e1.nnz(), 0);
}

// Stored zeros in A (a zero diagonal, a zero flow) and in G (zero weights) give stored entries
// of E, as on the CPU.
TEST_F(CudaAssembly, StructuralEntriesAreKept) {
  std::mt19937_64 rng(21);
  testing::RandomMatrixOptions opt;
  opt.n = 120;
  opt.density = 0.05;
  CsrMatrix a = testing::random_matrix(rng, opt);
  for (int64_t i = 0; i < a.n_rows; i += 5)
    for (int64_t e = a.row_ptr[i]; e < a.row_ptr[i + 1]; ++e) a.values[e] = 0.0;
  const CsrMatrix g = random_crosswalk(rng, 120, 30, /*zero_weights=*/true);
  expect_same_assembly(assemble_flows_cuda(a, g), assemble_flows(a, g));

  // A stored zero flow, and a flow into a zero weight: E stores (0, 1) = 0 both times.
  const CsrMatrix g2 = csr_from_triplets(2, 2, std::vector<int64_t>{0, 1},
                                         std::vector<int64_t>{0, 1}, std::vector<double>{1.0, 1.0});
  const CsrMatrix a2 = csr_from_triplets(2, 2, std::vector<int64_t>{0}, std::vector<int64_t>{1},
                                         std::vector<double>{0.0});
  const CsrMatrix g3 = csr_from_triplets(2, 2, std::vector<int64_t>{0, 1},
                                         std::vector<int64_t>{0, 1}, std::vector<double>{1.0, 0.0});
  const CsrMatrix a3 = csr_from_triplets(2, 2, std::vector<int64_t>{0}, std::vector<int64_t>{1},
                                         std::vector<double>{5.0});
  for (const auto& [aa, gg] : {std::pair{&a2, &g2}, std::pair{&a3, &g3}}) {
    const CsrMatrix e = assemble_flows_cuda(*aa, *gg);
    EXPECT_EQ(e.row_ptr, (std::vector<int64_t>{0, 1, 1}));
    EXPECT_EQ(e.col_idx, (std::vector<int32_t>{1}));
    EXPECT_EQ(e.values, (std::vector<double>{0.0}));
    expect_same_assembly(e, assemble_flows(*aa, *gg));
  }

  // A stored zero stayer alone: E stores (0, 0) = 0.
  const CsrMatrix a0 = csr_from_triplets(1, 1, std::vector<int64_t>{0}, std::vector<int64_t>{0},
                                         std::vector<double>{0.0});
  const CsrMatrix g0 = csr_from_triplets(1, 2, std::vector<int64_t>{0}, std::vector<int64_t>{1},
                                         std::vector<double>{1.0});
  const CsrMatrix e0 = assemble_flows_cuda(a0, g0);
  EXPECT_EQ(e0.row_ptr, (std::vector<int64_t>{0, 0, 1}));
  EXPECT_EQ(e0.col_idx, (std::vector<int32_t>{1}));
  EXPECT_EQ(e0.values, (std::vector<double>{0.0}));
}

TEST_F(CudaAssembly, DegenerateShapes) {
  std::mt19937_64 rng(33);
  // Stayers only (no off-diagonal flows): no SpGEMM runs, E is diagonal.
  {
    std::vector<int64_t> idx(50);
    std::vector<double> v(50);
    for (int i = 0; i < 50; ++i) idx[i] = i, v[i] = 1.0 + i;
    const CsrMatrix a = csr_from_triplets(50, 50, idx, idx, v);
    const CsrMatrix g = random_crosswalk(rng, 50, 7);
    const CsrMatrix cpu = assemble_flows(a, g);
    expect_same_assembly(assemble_flows_cuda(a, g), cpu);
  }
  // Movers only (no stored diagonal).
  {
    testing::RandomMatrixOptions opt;
    opt.n = 80;
    CsrMatrix a = testing::random_matrix(rng, opt);
    std::vector<int64_t> r, c;
    std::vector<double> v;
    for (int64_t i = 0; i < a.n_rows; ++i)
      for (int64_t e = a.row_ptr[i]; e < a.row_ptr[i + 1]; ++e)
        if (a.col_idx[e] != i) r.push_back(i), c.push_back(a.col_idx[e]), v.push_back(a.values[e]);
    a = csr_from_triplets(80, 80, r, c, v);
    const CsrMatrix g = random_crosswalk(rng, 80, 11);
    expect_same_assembly(assemble_flows_cuda(a, g), assemble_flows(a, g));
  }
  // Movers only between unmapped addresses: (A − diag A) G has no entries although neither
  // operand is empty; the stayer of a mapped address remains.
  {
    const CsrMatrix a =
        csr_from_triplets(4, 4, std::vector<int64_t>{0, 1, 2}, std::vector<int64_t>{1, 0, 2},
                          std::vector<double>{3, 2, 7});
    const CsrMatrix g = csr_from_triplets(4, 2, std::vector<int64_t>{2, 3},
                                          std::vector<int64_t>{1, 0}, std::vector<double>{1, 1});
    const CsrMatrix e = assemble_flows_cuda(a, g);
    EXPECT_EQ(e.row_ptr, (std::vector<int64_t>{0, 0, 1}));
    EXPECT_EQ(e.col_idx, (std::vector<int32_t>{1}));
    EXPECT_EQ(e.values, (std::vector<double>{7}));
    expect_same_assembly(e, assemble_flows(a, g));
  }
  // No flows at all, an empty crosswalk, no units, no addresses.
  {
    testing::RandomMatrixOptions opt;
    opt.n = 30;
    const CsrMatrix a = testing::random_matrix(rng, opt);
    const CsrMatrix g = random_crosswalk(rng, 30, 5);
    expect_same_assembly(assemble_flows_cuda(empty_matrix(30, 30), g),
                         assemble_flows(empty_matrix(30, 30), g));
    expect_same_assembly(assemble_flows_cuda(a, empty_matrix(30, 5)),
                         assemble_flows(a, empty_matrix(30, 5)));
    expect_same_assembly(assemble_flows_cuda(a, empty_matrix(30, 0)),
                         assemble_flows(a, empty_matrix(30, 0)));
    expect_same_assembly(assemble_flows_cuda(empty_matrix(0, 0), empty_matrix(0, 4)),
                         assemble_flows(empty_matrix(0, 0), empty_matrix(0, 4)));
  }
}

TEST_F(CudaAssembly, ShapeErrorsAreConfigErrors) {
  const CsrMatrix g = empty_matrix(2, 1);
  try {
    assemble_flows_cuda(empty_matrix(2, 3), g);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "shape");
  }
  EXPECT_THROW(assemble_flows_cuda(empty_matrix(3, 3), g), ConfigError);
}

TEST_F(CudaAssembly, InvalidCsrIsRejectedBeforeTheDevice) {
  CsrMatrix a = csr_from_triplets(3, 3, std::vector<int64_t>{0, 1}, std::vector<int64_t>{1, 2},
                                  std::vector<double>{1, 1});
  a.col_idx[1] = 7;  // out of range
  EXPECT_THROW(assemble_flows_cuda(a, empty_matrix(3, 2)), Error);
}

}  // namespace
}  // namespace flowfit
