#include "host/cpu/host_resident.hpp"

#include <string>

namespace flowfit::cpu {

void check_layout(const CsrMatrix& m, const CellLayout& layout) {
  if (static_cast<int64_t>(layout.row_cell_of_row.size()) != m.n_rows ||
      static_cast<int64_t>(layout.col_cell_of_col.size()) != m.n_cols)
    throw Error("cell layout does not match the matrix shape");
  for (int32_t c : layout.row_cell_of_row)
    if (c < 0 || c >= layout.n_row_cells) throw Error("row cell id out of range in layout");
  for (int32_t c : layout.col_cell_of_col)
    if (c < 0 || c >= layout.n_col_cells) throw Error("column cell id out of range in layout");
}

}  // namespace flowfit::cpu
