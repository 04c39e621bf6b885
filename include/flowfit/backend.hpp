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

#include "flowfit/cell_key.hpp"
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
  CellKeyCodec key_codec() const { return CellKeyCodec::of(n_col_cells, split_diagonal); }
};

// The occupied cells, numbered in ascending (row_cell, col_cell, diagonal) order. Every backend
// numbers cells the same way, so quotient problems are backend-independent.
struct CellTable {
  std::vector<int32_t> row_cell;
  std::vector<int32_t> col_cell;
  std::vector<uint8_t> diagonal;  // 1 when the cell holds diagonal entries (split_diagonal only)
  int64_t size() const { return static_cast<int64_t>(row_cell.size()); }
};
// The table of the cells whose keys (cell_key.hpp) are `ascending_keys`, distinct and ascending.
CellTable cell_table_from_keys(std::span<const uint64_t> ascending_keys, const CellKeyCodec& codec);

// Entry -> cell ids resident next to the matrix, plus the host-side cell table. It belongs to
// the matrix it was assigned for: Backend's kernels refuse it for a matrix of another shape.
class CellAssignment {
 public:
  virtual ~CellAssignment() = default;
  const CellTable& table() const { return table_; }
  int64_t n_cells() const { return table_.size(); }
  // The matrix the cells were assigned for (set by Backend::assign_cells).
  int64_t matrix_rows() const { return rows_; }
  int64_t matrix_cols() const { return cols_; }
  int64_t matrix_nnz() const { return nnz_; }

 protected:
  CellTable table_;

 private:
  friend class Backend;
  int64_t rows_ = 0, cols_ = 0, nnz_ = 0;
};

// Throws LogicError when `layout` does not fit an n_rows x n_cols matrix (one row cell per row,
// one column cell per column, every cell id in range). Backend::assign_cells calls it.
void check_layout(int64_t n_rows, int64_t n_cols, const CellLayout& layout);

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

// A backend: residency plus kernels. The public members are checked fronts: each validates its
// arguments once, the same way for every backend (CSR structure, layout sizes, cells belonging
// to the matrix, factor counts, matching patterns, the quotient problem), and then calls the
// backend's protected implementation, which may assume valid arguments. Misuse throws LogicError;
// a malformed uploaded matrix throws Error.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual BackendKind kind() const = 0;
  // Human-readable: "reference", "openmp (2 threads)", "cuda (NVIDIA H100 80GB HBM3)".
  virtual std::string name() const = 0;

  // Copies caller memory (a CsrMatrix, NumPy/SciPy arrays, a memory-mapped .ffm file) into the
  // backend's memory: one copy, no intermediate CsrMatrix.
  std::unique_ptr<ResidentMatrix> upload(ConstCsrView m);
  std::unique_ptr<ResidentMatrix> upload(const CsrMatrix& m) { return upload(view(m)); }
  // Like upload, but may take over the host storage (the CPU backends do: no copy).
  std::unique_ptr<ResidentMatrix> adopt(CsrMatrix&& m);
  CsrMatrix download(const ResidentMatrix& m);
  // The values only, into caller memory of m.nnz() doubles: no intermediate copy (the kernels
  // never change the pattern, so a caller that uploaded from its own arrays has it already).
  void download_values(const ResidentMatrix& m, std::span<double> values);
  // Like download, but consumes the resident matrix (the CPU backends move it out: no copy).
  CsrMatrix release(std::unique_ptr<ResidentMatrix> m);
  std::unique_ptr<ResidentMatrix> clone(const ResidentMatrix& m);

  // Kernel: entry -> cell ids for a layout; cells numbered as CellTable says.
  std::unique_ptr<CellAssignment> assign_cells(const ResidentMatrix& m, const CellLayout& layout);
  // Kernel: sum of the entries of every cell, deterministic (fixed summation order).
  std::vector<double> reduce_by_cell(const ResidentMatrix& m, const CellAssignment& cells);
  // Kernel: every entry multiplied by the factor of its cell.
  void scale_by_cell(ResidentMatrix& m, const CellAssignment& cells,
                     std::span<const double> factor_of_cell);
  // Kernel: sum |a - b| over entries of two matrices with the same pattern, deterministic.
  double l1_distance(const ResidentMatrix& a, const ResidentMatrix& b);
  // Kernel: the quotient IPF loop.
  std::unique_ptr<QuotientEngine> make_quotient_engine(const QuotientProblem& p);

 protected:
  // The implementations behind the fronts; arguments are already checked. Each backend still
  // checks that resident objects are its own (only it knows its types).
  virtual std::unique_ptr<ResidentMatrix> do_upload(ConstCsrView m) = 0;
  virtual std::unique_ptr<ResidentMatrix> do_adopt(CsrMatrix&& m) { return do_upload(view(m)); }
  // Writes the non-empty spans (row_ptr: n_rows + 1, col_idx and values: nnz).
  virtual void do_download(const ResidentMatrix& m, std::span<int64_t> row_ptr,
                           std::span<int32_t> col_idx, std::span<double> values) = 0;
  virtual CsrMatrix do_release(std::unique_ptr<ResidentMatrix> m) { return download(*m); }
  virtual std::unique_ptr<ResidentMatrix> do_clone(const ResidentMatrix& m) = 0;
  virtual std::unique_ptr<CellAssignment> do_assign_cells(const ResidentMatrix& m,
                                                          const CellLayout& layout) = 0;
  virtual std::vector<double> do_reduce_by_cell(const ResidentMatrix& m,
                                                const CellAssignment& cells) = 0;
  virtual void do_scale_by_cell(ResidentMatrix& m, const CellAssignment& cells,
                                std::span<const double> factor_of_cell) = 0;
  virtual double do_l1_distance(const ResidentMatrix& a, const ResidentMatrix& b) = 0;
  virtual std::unique_ptr<QuotientEngine> do_make_quotient_engine(const QuotientProblem& p) = 0;
};

// Backend construction. threads <= 0 means "OpenMP default" (the CPU backends use exactly
// `threads` threads in their own regions; nothing process-global is set). `automatic` picks
// CUDA when built and a device is present, else OpenMP. Throws BackendUnavailable for cuda when
// not built, when no device is present, or when `device` is not one of them.
struct BackendRequest {
  BackendChoice choice = BackendChoice::automatic;
  int threads = 0;  // CPU backends
  int device = 0;   // CUDA backend: the device index
};
struct SelectedBackend {
  std::unique_ptr<Backend> backend;
  std::string reason;  // which backend was picked and why ("auto: no CUDA device found, ...")
};
SelectedBackend select_backend(const BackendRequest& request);
// The same, without the reason; *why receives it when given.
std::unique_ptr<Backend> make_backend(BackendChoice choice, int threads = 0,
                                      std::string* why = nullptr);
std::unique_ptr<Backend> make_reference_backend();
std::unique_ptr<Backend> make_openmp_backend(int threads = 0);
std::unique_ptr<Backend> make_cuda_backend(int device = 0);

bool cuda_built();        // compiled with the CUDA backend
int cuda_device_count();  // 0 when not built or no device/driver

}  // namespace flowfit
