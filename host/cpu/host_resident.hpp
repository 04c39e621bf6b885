#pragma once
// Host-memory residency shared by the CPU backends: the matrix is a CsrMatrix, cell ids a vector.
#include <algorithm>
#include <string>
#include <vector>

#include "flowfit/backend.hpp"
#include "flowfit/error.hpp"

namespace flowfit::cpu {

class HostMatrix final : public ResidentMatrix {
 public:
  explicit HostMatrix(CsrMatrix m) : matrix(std::move(m)) {}
  int64_t n_rows() const override { return matrix.n_rows; }
  int64_t n_cols() const override { return matrix.n_cols; }
  int64_t nnz() const override { return matrix.nnz(); }
  CsrMatrix matrix;
};

// Rows grouped by row cell (CSR-like): rows of cell r are rows[ptr[r] .. ptr[r+1]), ascending.
struct RowsByCell {
  std::vector<int64_t> ptr;
  std::vector<int64_t> rows;
};

// The OpenMP backend's cell keys. Within one row cell, an entry's key is its column cell and
// diagonal class; over all cells (the dense path) the row cell comes first. Cells are numbered
// in ascending key order.
inline int32_t row_cell_key(const CellLayout& l, int64_t i, int32_t j) {
  const CellKeyCodec codec = l.key_codec();
  return static_cast<int32_t>(codec.in_row_cell(l.col_cell_of_col[j], codec.diagonal(i, j)));
}
inline int64_t cell_key(const CellLayout& l, int64_t i, int32_t j) {
  const CellKeyCodec codec = l.key_codec();
  return codec.key(l.row_cell_of_row[i], l.col_cell_of_col[j], codec.diagonal(i, j));
}

// How the OpenMP backend finds an entry's cell without storing a cell id per entry (4 bytes
// per nonzero, a third of the CSR bytes): from its key (row cell, column cell, diagonal), looked
// up in a small table. Sparse path: per row cell, its cells are
// [first_cell[rc], first_cell[rc + 1]) in ascending key order; dense path (few cells): a
// key -> cell table over all keys and fixed row chunks.
struct CellKeys {
  CellLayout layout;
  RowsByCell rows_by_row_cell;       // sparse path
  std::vector<int64_t> first_cell;   // sparse path
  std::vector<int64_t> row_chunks;   // dense path
  std::vector<int32_t> cell_of_key;  // dense path: -1 for keys without entries
  bool dense() const { return !row_chunks.empty(); }
};

class HostCells final : public CellAssignment {
 public:
  // One cell id per entry (the reference backend).
  HostCells(CellTable table, std::vector<int32_t> cell_of_entry)
      : cell_of_entry(std::move(cell_of_entry)) {
    table_ = std::move(table);
  }
  // Cells found from entry keys (the OpenMP backend).
  HostCells(CellTable table, CellKeys keys) : keys(std::move(keys)), is_keyed(true) {
    table_ = std::move(table);
  }
  std::vector<int32_t> cell_of_entry;  // empty when keyed
  CellKeys keys;                       // when keyed
  bool is_keyed = false;
  bool keyed() const { return is_keyed; }
};

// Checked downcasts: a resident object must come from a CPU backend.
inline const CsrMatrix& host_matrix(const ResidentMatrix& m) {
  auto* h = dynamic_cast<const HostMatrix*>(&m);
  if (!h) throw LogicError("matrix is not resident in host memory (it belongs to another backend)");
  return h->matrix;
}
inline CsrMatrix& host_matrix(ResidentMatrix& m) {
  auto* h = dynamic_cast<HostMatrix*>(&m);
  if (!h) throw LogicError("matrix is not resident in host memory (it belongs to another backend)");
  return h->matrix;
}

// The cell assignment `c` of a CPU backend (Backend's fronts have checked that it was made for
// this matrix's shape and number of entries).
inline const HostCells& host_cells_for(const CellAssignment& c) {
  auto* h = dynamic_cast<const HostCells*>(&c);
  if (!h) throw LogicError("cell assignment does not belong to a CPU backend");
  return *h;
}

// The per-entry cell ids of `c` (the reference backend's assignments).
inline const std::vector<int32_t>& host_cell_ids_for(const CellAssignment& c) {
  const HostCells& h = host_cells_for(c);
  if (h.keyed())
    throw LogicError("cell assignment was made by the OpenMP backend (no per-entry ids)");
  return h.cell_of_entry;
}

// Residency shared by the CPU backends: the matrix stays a host CsrMatrix, adopted and
// released without copies (Backend's fronts validate uploads: the kernels index with the offsets
// and column indices).
class HostResidentBackend : public Backend {
 protected:
  std::unique_ptr<ResidentMatrix> do_upload(ConstCsrView m) override {
    CsrMatrix copy;
    copy.n_rows = m.n_rows;
    copy.n_cols = m.n_cols;
    copy.row_ptr.assign(m.row_ptr.begin(), m.row_ptr.end());
    copy.col_idx.assign(m.col_idx.begin(), m.col_idx.end());
    copy.values.assign(m.values.begin(), m.values.end());
    return std::make_unique<HostMatrix>(std::move(copy));
  }
  std::unique_ptr<ResidentMatrix> do_adopt(CsrMatrix&& m) override {
    return std::make_unique<HostMatrix>(std::move(m));
  }
  void do_download(const ResidentMatrix& rm, std::span<int64_t> row_ptr, std::span<int32_t> col_idx,
                   std::span<double> values) override {
    const CsrMatrix& m = host_matrix(rm);
    std::copy(m.row_ptr.begin(), m.row_ptr.begin() + row_ptr.size(), row_ptr.begin());
    std::copy(m.col_idx.begin(), m.col_idx.begin() + col_idx.size(), col_idx.begin());
    std::copy(m.values.begin(), m.values.begin() + values.size(), values.begin());
  }
  CsrMatrix do_release(std::unique_ptr<ResidentMatrix> m) override {
    return std::move(host_matrix(*m));
  }
  std::unique_ptr<ResidentMatrix> do_clone(const ResidentMatrix& m) override {
    return std::make_unique<HostMatrix>(host_matrix(m));
  }
};

}  // namespace flowfit::cpu
