#pragma once
// Host-side entry points of the per-entry CUDA kernels (cell ids, per-cell sums, per-cell
// scaling, L1 distance). Each enqueues its work on `stream`; those that return host data
// synchronize the stream before returning. Every device pointer belongs to the current device.
#include <cuda_runtime.h>

#include <cstdint>
#include <vector>

#include "flowfit/backend.hpp"
#include "kernels/aggregate_plan.hpp"
#include "kernels/device_buffer.cuh"

namespace flowfit::cuda {

// The pattern of a CSR matrix in device memory.
struct DeviceCsrPattern {
  int64_t n_rows = 0;
  int64_t n_cols = 0;
  int64_t nnz = 0;
  const int64_t* row_ptr = nullptr;  // n_rows + 1
  const int32_t* col_idx = nullptr;  // nnz
};

// A cell layout with its row/column maps in device memory.
struct DeviceCellLayout {
  int32_t n_row_cells = 1;
  int32_t n_col_cells = 1;
  bool split_diagonal = false;
  const int32_t* row_cell_of_row = nullptr;  // n_rows
  const int32_t* col_cell_of_col = nullptr;  // n_cols
};

// A host CellLayout's row/column maps copied to the device, with the view the kernels take.
struct ResidentCellLayout {
  DeviceBuffer<int32_t> row_cell_of_row;
  DeviceBuffer<int32_t> col_cell_of_col;
  DeviceCellLayout view;
};
ResidentCellLayout upload_cell_layout(const CellLayout& layout, cudaStream_t stream);

// Writes the cell id of every entry into cell_of_entry (nnz int32) and returns the occupied cell
// keys in ascending order, key = (row_cell * n_col_cells + col_cell) * (split ? 2 : 1) + diagonal.
// Cell ids are the ranks of the keys. Throws flowfit::Error when there are 2^31 cells or more.
std::vector<uint64_t> assign_cells_device(const DeviceCsrPattern& m, const DeviceCellLayout& layout,
                                          int32_t* cell_of_entry, cudaStream_t stream);

// Sum of values[e] over the entries of every cell, deterministic: entries are stably sorted by
// cell, each cell's run is cut into fixed chunks summed by one warp each (fixed lane stride and
// shuffle tree), and a cell's chunk sums are added in chunk order.
std::vector<double> reduce_by_cell_device(const double* values, const int32_t* cell_of_entry,
                                          int64_t nnz, int64_t n_cells, cudaStream_t stream);

// An AggregatePlan (kernels/aggregate_plan.hpp) in device memory, resident for a stage.
struct DeviceAggregatePlan {
  int64_t n_cells = 0;
  int64_t n_partials = 0;
  int32_t max_cells = 0;
  DeviceBuffer<Piece> pieces;
  DeviceBuffer<int32_t> rc_cell_begin;
  DeviceBuffer<int32_t> rc_piece_begin;
  DeviceBuffer<int32_t> cell_row_cell;
};
DeviceAggregatePlan upload_aggregate_plan(const AggregatePlan& plan, cudaStream_t stream);

// The same sums without a sort (the "pieces" path): one warp per piece into a shared-memory
// accumulator, then each cell's partials in piece order (aggregate_plan.hpp). Deterministic; the
// result equals emulate_cell_sums(emulate_piece_sums(...)) bit for bit. Temporaries are
// stream-ordered (cudaMallocAsync); the only synchronization is the download of the sums.
std::vector<double> reduce_by_cell_pieces_device(const double* values, const int32_t* cell_of_entry,
                                                 const DeviceAggregatePlan& plan,
                                                 cudaStream_t stream);

// values[e] *= factor_of_cell[cell_of_entry[e]] (factor_of_cell is a device array).
void scale_by_cell_device(double* values, const int32_t* cell_of_entry, int64_t nnz,
                          const double* factor_of_cell, cudaStream_t stream);

// sum_e |a[e] - b[e]|, deterministic (fixed grid from n, fixed trees).
double l1_distance_device(const double* a, const double* b, int64_t n, cudaStream_t stream);

}  // namespace flowfit::cuda
