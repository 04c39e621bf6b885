#include "host/fit/naive_engine.hpp"

#include "host/core/block_arithmetic.hpp"
#include "host/core/plain_sweeps.hpp"

namespace flowfit::detail {
namespace {

// One margin laid out as its own cells: (row group, column group, diagonal flag). Units outside
// the margin fall into an extra group that maps to no block.
struct MarginCells {
  std::unique_ptr<CellAssignment> cells;
  std::vector<int32_t> block_of_cell;
  std::vector<double> targets;
  int32_t n_blocks = 0;
};

MarginCells lay_out(Backend& backend, const ResidentMatrix& matrix, const Margin& m) {
  CellLayout layout;
  layout.n_row_cells = m.rows.n_groups() + 1;
  layout.n_col_cells = m.cols.n_groups() + 1;
  layout.split_diagonal = m.entries != EntryClass::all;
  layout.row_cell_of_row.resize(m.rows.n_units());
  layout.col_cell_of_col.resize(m.cols.n_units());
  for (int64_t i = 0; i < m.rows.n_units(); ++i) {
    const int32_t g = m.rows.group_of(i);
    layout.row_cell_of_row[i] = g < 0 ? m.rows.n_groups() : g;
  }
  for (int64_t j = 0; j < m.cols.n_units(); ++j) {
    const int32_t g = m.cols.group_of(j);
    layout.col_cell_of_col[j] = g < 0 ? m.cols.n_groups() : g;
  }
  MarginCells mc;
  mc.cells = backend.assign_cells(matrix, layout);
  mc.targets = m.targets;
  mc.n_blocks = static_cast<int32_t>(m.n_blocks());
  const CellTable& t = mc.cells->table();
  mc.block_of_cell.assign(t.size(), -1);
  for (int64_t c = 0; c < t.size(); ++c) {
    if (t.row_cell[c] == m.rows.n_groups() || t.col_cell[c] == m.cols.n_groups()) continue;
    if (m.entries == EntryClass::diagonal && !t.diagonal[c]) continue;
    if (m.entries == EntryClass::off_diagonal && t.diagonal[c]) continue;
    mc.block_of_cell[c] = static_cast<int32_t>(m.block_index(t.row_cell[c], t.col_cell[c]));
  }
  return mc;
}

class NaiveEngine final : public QuotientEngine {
 public:
  NaiveEngine(Backend& backend, ResidentMatrix& matrix, const Stage& stage)
      : backend_(backend), matrix_(matrix) {
    for (const Margin& m : stage.margins) margins_.push_back(lay_out(backend, matrix, m));
  }

  SweepReport run_sweeps(int max_sweeps, std::optional<double> l1_stop,
                         bool measure_last) override {
    return plain_sweeps(
        margins_.size(), max_sweeps, l1_stop, measure_last,
        [&] { return std::shared_ptr<ResidentMatrix>(backend_.clone(matrix_)); },
        [&](size_t k) { return step(margins_[k]); },
        [&](const std::shared_ptr<ResidentMatrix>& start) {
          return backend_.l1_distance(*start, matrix_);
        });
  }

  std::vector<std::vector<double>> block_sums() override {
    std::vector<std::vector<double>> out;
    for (const MarginCells& mc : margins_) out.push_back(sums_of(mc));
    return out;
  }

  // The factors are already in the matrix.
  std::vector<double> cell_factors() override { return {}; }

 private:
  std::vector<double> sums_of(const MarginCells& mc) {
    return sum_into_blocks(backend_.reduce_by_cell(matrix_, *mc.cells), mc.block_of_cell,
                           mc.n_blocks);
  }

  // Scales the matrix for one margin; returns the L1 change of the step.
  double step(const MarginCells& mc) {
    std::vector<double> factor_of_block;
    const double l1 = block_factors(sums_of(mc), mc.targets, factor_of_block);
    std::vector<double> factor_of_cell(mc.block_of_cell.size(), 1.0);
    for (size_t c = 0; c < factor_of_cell.size(); ++c)
      if (mc.block_of_cell[c] >= 0) factor_of_cell[c] = factor_of_block[mc.block_of_cell[c]];
    backend_.scale_by_cell(matrix_, *mc.cells, factor_of_cell);
    return l1;
  }

  Backend& backend_;
  ResidentMatrix& matrix_;
  std::vector<MarginCells> margins_;
};

}  // namespace

std::unique_ptr<QuotientEngine> make_naive_engine(Backend& backend, ResidentMatrix& matrix,
                                                  const Stage& stage) {
  return std::make_unique<NaiveEngine>(backend, matrix, stage);
}

}  // namespace flowfit::detail
