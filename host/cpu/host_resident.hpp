#pragma once
// Host-memory residency shared by the CPU backends: the matrix is a CsrMatrix, cell ids a vector.
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
  return l.col_cell_of_col[j] * (l.split_diagonal ? 2 : 1) + (l.split_diagonal && i == j ? 1 : 0);
}
inline int64_t cell_key(const CellLayout& l, int64_t i, int32_t j) {
  return int64_t{l.row_cell_of_row[i]} * l.n_col_cells * (l.split_diagonal ? 2 : 1) +
         row_cell_key(l, i, j);
}

// How the OpenMP backend finds an entry's cell without storing a cell id per entry (4 bytes
// per nonzero, a third of the CSR bytes): from its key (row cell, column cell, diagonal), looked
// up in a small table. Sparse path: per row cell, its cells are
// [first_cell[rc], first_cell[rc + 1]) in ascending key order; dense path (few cells): a
// key -> cell table over all keys and fixed row chunks.
struct CellKeys {
  int64_t n_rows = 0, n_cols = 0, nnz = 0;  // the matrix the cells were assigned to
  CellLayout layout;
  RowsByCell rows_by_row_cell;       // sparse path
  std::vector<int64_t> first_cell;   // sparse path
  std::vector<int64_t> row_chunks;   // dense path
  std::vector<int32_t> cell_of_key;  // dense path: -1 for keys without entries
  bool dense() const { return !row_chunks.empty(); }
  int32_t n_class() const { return layout.split_diagonal ? 2 : 1; }
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

// The cell assignment `c` for matrix `m`: it must come from a CPU backend and have been made
// for a matrix of the same shape and number of entries (cells assigned to another matrix would
// index out of bounds; keyed kernels also refuse an entry whose key has no cell).
inline const HostCells& host_cells_for(const CellAssignment& c, const CsrMatrix& m) {
  auto* h = dynamic_cast<const HostCells*>(&c);
  if (!h) throw LogicError("cell assignment does not belong to a CPU backend");
  if (h->keyed()) {
    if (h->keys.nnz != m.nnz() || h->keys.n_rows != m.n_rows || h->keys.n_cols != m.n_cols)
      throw LogicError("cell assignment was made for a " + std::to_string(h->keys.n_rows) + " x " +
                       std::to_string(h->keys.n_cols) + " matrix of " +
                       std::to_string(h->keys.nnz) +
                       " entries, not this one (cells assigned to another matrix)");
    return *h;
  }
  if (static_cast<int64_t>(h->cell_of_entry.size()) != m.nnz())
    throw LogicError("cell assignment has " + std::to_string(h->cell_of_entry.size()) +
                     " entries, the matrix " + std::to_string(m.nnz()) +
                     " (cells assigned to another matrix)");
  return *h;
}

// The per-entry cell ids of `c` for matrix `m` (the reference backend's assignments).
inline const std::vector<int32_t>& host_cell_ids_for(const CellAssignment& c, const CsrMatrix& m) {
  const HostCells& h = host_cells_for(c, m);
  if (h.keyed())
    throw LogicError("cell assignment was made by the OpenMP backend (no per-entry ids)");
  return h.cell_of_entry;
}

// Residency shared by the CPU backends: the matrix stays a host CsrMatrix, adopted and
// released without copies. Uploads are validated as the CUDA backend's are (the kernels index
// with the offsets and column indices): one pass over them.
class HostResidentBackend : public Backend {
 public:
  std::unique_ptr<ResidentMatrix> upload(const CsrMatrix& m) override {
    m.validate();
    return std::make_unique<HostMatrix>(m);
  }
  std::unique_ptr<ResidentMatrix> adopt(CsrMatrix&& m) override {
    m.validate();
    return std::make_unique<HostMatrix>(std::move(m));
  }
  CsrMatrix download(const ResidentMatrix& m) override { return host_matrix(m); }
  CsrMatrix release(std::unique_ptr<ResidentMatrix> m) override {
    return std::move(host_matrix(*m));
  }
  std::unique_ptr<ResidentMatrix> clone(const ResidentMatrix& m) override {
    return std::make_unique<HostMatrix>(host_matrix(m));
  }
};

// Checks a layout against a matrix (sizes and cell ranges); throws flowfit::Error.
void check_layout(const CsrMatrix& m, const CellLayout& layout);

}  // namespace flowfit::cpu
