#pragma once
// The key of a cell, (row cell, column cell, diagonal class) in one integer, shared by every
// backend's kernels on the host and on the device. Keys ascend in the order in which CellTable
// numbers cells: row cell first, then column cell, then the diagonal class (0: off-diagonal or
// not split, 1: diagonal). Key spaces stay below 2^63: both cell counts are below 2^31.
#include <cstdint>

#include "flowfit/host_device.hpp"

namespace flowfit {

struct CellKeyCodec {
  int64_t n_col_cells = 1;
  int64_t n_class = 1;  // 2 when the diagonal is split off (CellLayout::split_diagonal), else 1

  FLOWFIT_HOST_DEVICE static CellKeyCodec of(int64_t n_col_cells, bool split_diagonal) {
    return CellKeyCodec{n_col_cells, split_diagonal ? 2 : 1};
  }
  // Whether entry (i, j) is in the diagonal class.
  FLOWFIT_HOST_DEVICE bool diagonal(int64_t i, int64_t j) const { return n_class == 2 && i == j; }
  // The key within one row cell (column cell and diagonal class), in [0, keys_per_row_cell()).
  FLOWFIT_HOST_DEVICE int64_t in_row_cell(int64_t col_cell, bool diagonal) const {
    return col_cell * n_class + (diagonal ? 1 : 0);
  }
  FLOWFIT_HOST_DEVICE int64_t keys_per_row_cell() const { return n_col_cells * n_class; }
  FLOWFIT_HOST_DEVICE int64_t key(int64_t row_cell, int64_t col_cell, bool diagonal) const {
    return row_cell * keys_per_row_cell() + in_row_cell(col_cell, diagonal);
  }
  FLOWFIT_HOST_DEVICE int32_t row_cell(int64_t key) const {
    return static_cast<int32_t>(key / n_class / n_col_cells);
  }
  // Also the column cell of a key within a row cell.
  FLOWFIT_HOST_DEVICE int32_t col_cell(int64_t key) const {
    return static_cast<int32_t>((key / n_class) % n_col_cells);
  }
  FLOWFIT_HOST_DEVICE uint8_t diagonal_class(int64_t key) const {
    return static_cast<uint8_t>(key % n_class);
  }
};

}  // namespace flowfit
