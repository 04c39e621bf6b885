#pragma once
// Kernels of the OpenMP backend. Every parallel decomposition is fixed by the problem, never by
// the thread count, so results are bit-identical for any number of threads.
#include <memory>

#include "flowfit/backend.hpp"
#include "host/cpu/host_resident.hpp"
#include "host/cpu/sweep_mode.hpp"

namespace flowfit::cpu {

RowsByCell rows_by_cell(const CellLayout& layout, int64_t n_rows);

// The occupied cells of a layout. Cells of different row cells are disjoint, so each row cell is
// numbered by one thread; numbering is ascending (row cell, column cell, diagonal). Entries keep
// no cell id: the kernels find an entry's cell from its key (CellKeys), which saves 4 bytes per
// nonzero.
std::unique_ptr<HostCells> openmp_assign_cells(const CsrMatrix& m, const CellLayout& layout,
                                               int threads);

// The same for layouts with few cells (few row cells, e.g. rows not grouped): a dense key table
// and fixed row chunks, so the work parallelises even when there is a single row cell.
bool use_dense_cells(const CellLayout& layout);
std::unique_ptr<HostCells> openmp_assign_dense_cells(const CsrMatrix& m, const CellLayout& layout,
                                                     int threads);
std::vector<double> openmp_reduce_dense_cells(const CsrMatrix& m, const HostCells& cells,
                                              int threads);

void openmp_scale_dense_cells(CsrMatrix& m, const HostCells& cells, std::span<const double> factor,
                              int threads);

// Cell sums; each cell is summed in CSR order (rows ascending, then columns) by one thread.
std::vector<double> openmp_reduce_by_cell(const CsrMatrix& m, const HostCells& cells, int threads);
// Every entry multiplied by its cell's factor.
void openmp_scale_by_cell(CsrMatrix& m, const HostCells& cells, std::span<const double> factor,
                          int threads);

// Quotients below this many cells fit on the calling thread: a sweep costs less than the
// barriers a parallel sweep needs. Larger ones choose serial or parallel sweeps by measured speed
// (sweep_mode.hpp): both give the same bits, so the choice follows the machine. Measured
// (bench/RESULTS.md, issue #12, quotient_fit_bench): at 150k cells two threads gain 1.7x on idle
// cores, and lose up to 40x on a shared machine with spinning waits.
inline constexpr int64_t kParallelFitCells = int64_t{1} << 15;

struct QuotientEngineOptions {
  int64_t min_parallel_cells = kParallelFitCells;
  SweepModePolicy sweep_mode = SweepModePolicy::adaptive;  // above min_parallel_cells
  bool detect_cycles = true;  // exact early exit when the factors repeat (fixed-iteration stops)
  int cycle_window = 16;      // hashes kept: finds cycles of period up to 16
};

std::unique_ptr<QuotientEngine> make_openmp_quotient_engine(const QuotientProblem& p, int threads);
std::unique_ptr<QuotientEngine> make_openmp_quotient_engine(const QuotientProblem& p, int threads,
                                                            const QuotientEngineOptions& options);

}  // namespace flowfit::cpu
