#pragma once
// Backends: where the matrix lives and the kernels that touch it. The stage engine
// (flowfit/fit.hpp) is written once against this interface; the serial reference backend, the
// OpenMP backend and the CUDA backend each implement the kernels. Kernels know nothing about
// geography or census tables: they see CSR matrices, cell ids and quotient problems.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "flowfit/csr_matrix.hpp"

namespace flowfit {

enum class BackendKind { reference, openmp, cuda };
std::string_view to_string(BackendKind k);

// What the user asks for. `automatic` picks CUDA when built and a device is present, else OpenMP.
enum class BackendChoice { automatic, cpu, cuda, reference };
BackendChoice backend_choice_from_string(std::string_view s);  // auto | cpu | cuda | reference

// A CSR matrix resident in a backend's memory (host memory or device memory).
class ResidentMatrix {
 public:
  virtual ~ResidentMatrix() = default;
  virtual int64_t n_rows() const = 0;
  virtual int64_t n_cols() const = 0;
  virtual int64_t nnz() const = 0;
};

// How matrix entries map to cells: the cell of entry (i, j) is
// (row_cell_of_row[i], col_cell_of_col[j], split_diagonal ? i == j : false).
struct CellLayout {
  int32_t n_row_cells = 1;
  int32_t n_col_cells = 1;
  bool split_diagonal = false;
  std::vector<int32_t> row_cell_of_row;  // size n_rows, values in [0, n_row_cells)
  std::vector<int32_t> col_cell_of_col;  // size n_cols, values in [0, n_col_cells)
};

// The occupied cells, numbered in ascending (row_cell, col_cell, diagonal) order. Every backend
// numbers cells the same way, so quotient problems are backend-independent.
struct CellTable {
  std::vector<int32_t> row_cell;
  std::vector<int32_t> col_cell;
  std::vector<uint8_t> diagonal;  // 1 when the cell holds diagonal entries (split_diagonal only)
  int64_t size() const { return static_cast<int64_t>(row_cell.size()); }
};

// Entry -> cell ids resident next to the matrix, plus the host-side cell table.
class CellAssignment {
 public:
  virtual ~CellAssignment() = default;
  const CellTable& table() const { return table_; }
  int64_t n_cells() const { return table_.size(); }

 protected:
  CellTable table_;
};

// A quotient problem: one value per cell and, per margin, the block of every cell (-1 when the
// cell is not in the margin) and one target per block.
struct QuotientMarginSpec {
  int32_t n_blocks = 0;
  std::vector<int32_t> block_of_cell;
  std::vector<double> targets;
};
struct QuotientProblem {
  std::vector<double> cell_values;
  std::vector<QuotientMarginSpec> margins;
  // Throws flowfit::Error naming the margin when a block count is negative, a margin has not one
  // block id per cell or not one target per block, a block id is out of [-1, n_blocks), or there
  // are 2^31 cells or more. Every backend's make_quotient_engine calls it.
  void validate() const;
};

struct SweepReport {
  int sweeps_run = 0;
  bool stopped_on_l1 = false;
  std::optional<double> last_sweep_l1;  // whole-sweep L1 change of the last sweep, if measured
  std::vector<double> last_step_l1;     // per margin, of the last sweep
  // Engines that detect a repeating state (optional): once the state after sweep
  // fixed_point_sweep recurs with period cycle_period (> 0), later sweeps are not computed but
  // read from the cycle, bit-identical to computing them. 0 / 0 when none was found.
  int fixed_point_sweep = 0;
  int cycle_period = 0;
};

// Fits a quotient problem by sweeping its margins in order. Implementations keep their state
// resident (one factor per block per margin, or explicit cell values).
class QuotientEngine {
 public:
  virtual ~QuotientEngine() = default;
  // Runs up to max_sweeps sweeps. With l1_stop set, every sweep's whole-sweep L1 change is
  // measured and the batch ends after the first sweep whose change is <= *l1_stop. With
  // measure_last set, the L1 change of the last sweep is measured in any case.
  virtual SweepReport run_sweeps(int max_sweeps, std::optional<double> l1_stop,
                                 bool measure_last) = 0;
  // Current block sums of every margin.
  virtual std::vector<std::vector<double>> block_sums() = 0;
  // Product of every factor applied so far, per cell (what the apply pass multiplies by), to
  // rounding. Engines that keep cell values derive it as current / initial value, and give 1 for
  // a cell whose initial value is 0 (its entries, non-negative, are all 0: any factor leaves
  // them unchanged).
  virtual std::vector<double> cell_factors() = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual BackendKind kind() const = 0;
  // Human-readable: "reference", "openmp (2 threads)", "cuda (NVIDIA H100 80GB HBM3)".
  virtual std::string name() const = 0;

  virtual std::unique_ptr<ResidentMatrix> upload(const CsrMatrix& m) = 0;
  // Like upload, but may take over the host storage (the CPU backends do: no copy).
  virtual std::unique_ptr<ResidentMatrix> adopt(CsrMatrix&& m) { return upload(m); }
  virtual CsrMatrix download(const ResidentMatrix& m) = 0;
  // Like download, but consumes the resident matrix (the CPU backends move it out: no copy).
  virtual CsrMatrix release(std::unique_ptr<ResidentMatrix> m) { return download(*m); }
  virtual std::unique_ptr<ResidentMatrix> clone(const ResidentMatrix& m) = 0;

  // Kernel: entry -> cell ids for a layout; cells numbered as CellTable says.
  virtual std::unique_ptr<CellAssignment> assign_cells(const ResidentMatrix& m,
                                                       const CellLayout& layout) = 0;
  // Kernel: sum of the entries of every cell, deterministic (fixed summation order).
  virtual std::vector<double> reduce_by_cell(const ResidentMatrix& m,
                                             const CellAssignment& cells) = 0;
  // Kernel: every entry multiplied by the factor of its cell.
  virtual void scale_by_cell(ResidentMatrix& m, const CellAssignment& cells,
                             std::span<const double> factor_of_cell) = 0;
  // Kernel: sum |a - b| over entries of two matrices with the same pattern, deterministic.
  virtual double l1_distance(const ResidentMatrix& a, const ResidentMatrix& b) = 0;
  // Kernel: the quotient IPF loop.
  virtual std::unique_ptr<QuotientEngine> make_quotient_engine(const QuotientProblem& p) = 0;
};

// Backend construction. threads <= 0 means "OpenMP default". make_backend(automatic) says in
// *why which backend it picked and why. Throws BackendUnavailable for cuda when not built or
// when no device is present.
std::unique_ptr<Backend> make_backend(BackendChoice choice, int threads = 0,
                                      std::string* why = nullptr);
std::unique_ptr<Backend> make_reference_backend();
std::unique_ptr<Backend> make_openmp_backend(int threads = 0);
std::unique_ptr<Backend> make_cuda_backend(int device = 0);

bool cuda_built();        // compiled with the CUDA backend
int cuda_device_count();  // 0 when not built or no device/driver

}  // namespace flowfit
