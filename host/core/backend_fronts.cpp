// The checked fronts of Backend (flowfit/backend.hpp): every argument rule that holds for all
// backends is checked here, once, before the backend's implementation runs.
#include <string>

#include "flowfit/backend.hpp"
#include "flowfit/error.hpp"

namespace flowfit {
namespace {

std::string shape_text(int64_t rows, int64_t cols, int64_t nnz) {
  return std::to_string(rows) + " x " + std::to_string(cols) + " matrix of " + std::to_string(nnz) +
         " entries";
}

// Cells assigned for another matrix would index out of bounds.
void check_cells_match(const char* kernel, const CellAssignment& cells, const ResidentMatrix& m) {
  if (cells.matrix_rows() != m.n_rows() || cells.matrix_cols() != m.n_cols() ||
      cells.matrix_nnz() != m.nnz())
    throw LogicError(std::string(kernel) + ": the cell assignment was made for a " +
                     shape_text(cells.matrix_rows(), cells.matrix_cols(), cells.matrix_nnz()) +
                     ", not this " + shape_text(m.n_rows(), m.n_cols(), m.nnz()) +
                     " (cells assigned to another matrix)");
}

}  // namespace

CellTable cell_table_from_keys(std::span<const uint64_t> ascending_keys,
                               const CellKeyCodec& codec) {
  CellTable table;
  table.row_cell.reserve(ascending_keys.size());
  table.col_cell.reserve(ascending_keys.size());
  table.diagonal.reserve(ascending_keys.size());
  for (uint64_t k : ascending_keys) {
    const auto key = static_cast<int64_t>(k);
    table.row_cell.push_back(codec.row_cell(key));
    table.col_cell.push_back(codec.col_cell(key));
    table.diagonal.push_back(codec.diagonal_class(key));
  }
  return table;
}

void check_layout(int64_t n_rows, int64_t n_cols, const CellLayout& layout) {
  if (static_cast<int64_t>(layout.row_cell_of_row.size()) != n_rows ||
      static_cast<int64_t>(layout.col_cell_of_col.size()) != n_cols)
    throw LogicError("cell layout does not match the matrix shape (" +
                     std::to_string(layout.row_cell_of_row.size()) + " row cells for " +
                     std::to_string(n_rows) + " rows, " +
                     std::to_string(layout.col_cell_of_col.size()) + " column cells for " +
                     std::to_string(n_cols) + " columns)");
  if (layout.n_row_cells < 0 || layout.n_col_cells < 0)
    throw LogicError("cell layout has a negative cell count");
  for (int32_t c : layout.row_cell_of_row)
    if (c < 0 || c >= layout.n_row_cells) throw LogicError("row cell id out of range in layout");
  for (int32_t c : layout.col_cell_of_col)
    if (c < 0 || c >= layout.n_col_cells) throw LogicError("column cell id out of range in layout");
}

std::unique_ptr<ResidentMatrix> Backend::upload(ConstCsrView m) {
  validate(m);  // the kernels index with the offsets and column indices
  return do_upload(m);
}

std::unique_ptr<ResidentMatrix> Backend::adopt(CsrMatrix&& m) {
  m.validate();
  return do_adopt(std::move(m));
}

CsrMatrix Backend::download(const ResidentMatrix& rm) {
  CsrMatrix m;
  m.n_rows = rm.n_rows();
  m.n_cols = rm.n_cols();
  m.row_ptr.resize(static_cast<size_t>(rm.n_rows()) + 1);
  m.col_idx.resize(static_cast<size_t>(rm.nnz()));
  m.values.resize(static_cast<size_t>(rm.nnz()));
  do_download(rm, m.row_ptr, m.col_idx, m.values);
  return m;
}

void Backend::download_values(const ResidentMatrix& m, std::span<double> values) {
  if (static_cast<int64_t>(values.size()) != m.nnz())
    throw LogicError("download_values: room for " + std::to_string(values.size()) +
                     " values given, the matrix has " + std::to_string(m.nnz()));
  do_download(m, {}, {}, values);
}

CsrMatrix Backend::release(std::unique_ptr<ResidentMatrix> m) {
  if (!m) throw LogicError("release: no matrix");
  return do_release(std::move(m));
}

std::unique_ptr<ResidentMatrix> Backend::clone(const ResidentMatrix& m) {
  return do_clone(m);
}

std::unique_ptr<CellAssignment> Backend::assign_cells(const ResidentMatrix& m,
                                                      const CellLayout& layout) {
  check_layout(m.n_rows(), m.n_cols(), layout);
  std::unique_ptr<CellAssignment> cells = do_assign_cells(m, layout);
  cells->rows_ = m.n_rows();
  cells->cols_ = m.n_cols();
  cells->nnz_ = m.nnz();
  return cells;
}

std::vector<double> Backend::reduce_by_cell(const ResidentMatrix& m, const CellAssignment& cells) {
  check_cells_match("reduce_by_cell", cells, m);
  return do_reduce_by_cell(m, cells);
}

void Backend::scale_by_cell(ResidentMatrix& m, const CellAssignment& cells,
                            std::span<const double> factor_of_cell) {
  check_cells_match("scale_by_cell", cells, m);
  if (static_cast<int64_t>(factor_of_cell.size()) != cells.n_cells())
    throw LogicError("scale_by_cell: one factor per cell expected (got " +
                     std::to_string(factor_of_cell.size()) + " factors for " +
                     std::to_string(cells.n_cells()) + " cells)");
  do_scale_by_cell(m, cells, factor_of_cell);
}

double Backend::l1_distance(const ResidentMatrix& a, const ResidentMatrix& b) {
  if (a.n_rows() != b.n_rows() || a.n_cols() != b.n_cols() || a.nnz() != b.nnz())
    throw LogicError("l1_distance: matrices differ in pattern (a " +
                     shape_text(a.n_rows(), a.n_cols(), a.nnz()) + " and a " +
                     shape_text(b.n_rows(), b.n_cols(), b.nnz()) + ")");
  return do_l1_distance(a, b);
}

std::unique_ptr<QuotientEngine> Backend::make_quotient_engine(const QuotientProblem& p) {
  p.validate();
  return do_make_quotient_engine(p);
}

}  // namespace flowfit
