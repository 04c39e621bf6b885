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

class HostCells final : public CellAssignment {
 public:
  HostCells(CellTable table, std::vector<int32_t> cell_of_entry, RowsByCell rows = {})
      : cell_of_entry(std::move(cell_of_entry)), rows_by_row_cell(std::move(rows)) {
    table_ = std::move(table);
  }
  std::vector<int32_t> cell_of_entry;
  // The OpenMP backend's unit of parallel work: rows by row cell, or (few cells) fixed row
  // chunks that each reduce into their own partial sums.
  RowsByCell rows_by_row_cell;
  std::vector<int64_t> row_chunks;
};

// Checked downcasts: a resident object must come from a CPU backend.
inline const CsrMatrix& host_matrix(const ResidentMatrix& m) {
  auto* h = dynamic_cast<const HostMatrix*>(&m);
  if (!h) throw Error("matrix is not resident in host memory (it belongs to another backend)");
  return h->matrix;
}
inline CsrMatrix& host_matrix(ResidentMatrix& m) {
  auto* h = dynamic_cast<HostMatrix*>(&m);
  if (!h) throw Error("matrix is not resident in host memory (it belongs to another backend)");
  return h->matrix;
}

// The cell assignment `c` for matrix `m`: it must come from a CPU backend and hold one cell id
// per entry of `m` (ids assigned to another matrix would index out of bounds).
inline const HostCells& host_cells_for(const CellAssignment& c, const CsrMatrix& m) {
  auto* h = dynamic_cast<const HostCells*>(&c);
  if (!h) throw Error("cell assignment does not belong to a CPU backend");
  if (static_cast<int64_t>(h->cell_of_entry.size()) != m.nnz())
    throw Error("cell assignment has " + std::to_string(h->cell_of_entry.size()) +
                " entries, the matrix " + std::to_string(m.nnz()) +
                " (cells assigned to another matrix)");
  return *h;
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
