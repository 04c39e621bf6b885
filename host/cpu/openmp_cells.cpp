#include <algorithm>
#include <limits>
#include <numeric>

#include <omp.h>

#include "host/cpu/openmp_kernels.hpp"
#include "host/cpu/parallel_for.hpp"

namespace flowfit::cpu {

RowsByCell rows_by_cell(const CellLayout& layout, int64_t n_rows) {
  RowsByCell r;
  r.ptr.assign(static_cast<size_t>(layout.n_row_cells) + 1, 0);
  for (int64_t i = 0; i < n_rows; ++i) ++r.ptr[layout.row_cell_of_row[i] + 1];
  std::partial_sum(r.ptr.begin(), r.ptr.end(), r.ptr.begin());
  r.rows.resize(n_rows);
  std::vector<int64_t> next(r.ptr.begin(), r.ptr.end() - 1);
  for (int64_t i = 0; i < n_rows; ++i) r.rows[next[layout.row_cell_of_row[i]]++] = i;
  return r;
}

namespace {

// Distinct (column cell, diagonal) keys of one row cell, sorted. `mark` is a per-thread scratch
// array (all -1 on entry and on exit).
void distinct_keys(const CsrMatrix& m, const CellLayout& layout, const RowsByCell& rbc, int64_t rc,
                   std::vector<int32_t>& mark, std::vector<int32_t>& keys) {
  keys.clear();
  for (int64_t k = rbc.ptr[rc]; k < rbc.ptr[rc + 1]; ++k) {
    const int64_t i = rbc.rows[k];
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) {
      const int32_t key = row_cell_key(layout, i, m.col_idx[e]);
      if (mark[key] < 0) {
        mark[key] = 0;
        keys.push_back(key);
      }
    }
  }
  for (int32_t key : keys) mark[key] = -1;
  std::sort(keys.begin(), keys.end());
}

}  // namespace

std::unique_ptr<HostCells> openmp_assign_cells(const CsrMatrix& m, const CellLayout& layout,
                                               int threads) {
  if (use_dense_cells(layout)) return openmp_assign_dense_cells(m, layout, threads);
  const CellKeyCodec codec = layout.key_codec();
  const int64_t key_space = codec.keys_per_row_cell();
  RowsByCell rbc = rows_by_cell(layout, m.n_rows);
  const int64_t n_rc = layout.n_row_cells;

  // Pass 1: number of cells per row cell.
  std::vector<int64_t> base(n_rc + 1, 0);
  const bool parallel = m.nnz() >= kParallelThreshold && threads > 1;
#pragma omp parallel num_threads(parallel ? threads : 1)
  {
    std::vector<int32_t> mark(key_space, -1), keys;
#pragma omp for schedule(dynamic, 16)
    for (int64_t rc = 0; rc < n_rc; ++rc) {
      distinct_keys(m, layout, rbc, rc, mark, keys);
      base[rc + 1] = static_cast<int64_t>(keys.size());
    }
  }
  std::partial_sum(base.begin(), base.end(), base.begin());
  if (base.back() > std::numeric_limits<int32_t>::max())
    throw Error("a stage has more than 2^31-1 occupied cells");

  // Pass 2: number the cells (ascending key within each row cell). Entries keep no cell id: the
  // kernels find an entry's cell from its key (CellKeys).
  CellTable table;
  table.row_cell.resize(base.back());
  table.col_cell.resize(base.back());
  table.diagonal.resize(base.back());
#pragma omp parallel num_threads(parallel ? threads : 1)
  {
    std::vector<int32_t> mark(key_space, -1), keys;
#pragma omp for schedule(dynamic, 16)
    for (int64_t rc = 0; rc < n_rc; ++rc) {
      distinct_keys(m, layout, rbc, rc, mark, keys);
      for (size_t k = 0; k < keys.size(); ++k) {
        const int64_t cell = base[rc] + static_cast<int64_t>(k);
        table.row_cell[cell] = static_cast<int32_t>(rc);
        table.col_cell[cell] = codec.col_cell(keys[k]);
        table.diagonal[cell] = codec.diagonal_class(keys[k]);
      }
    }
  }
  CellKeys ck;
  ck.layout = layout;
  ck.rows_by_row_cell = std::move(rbc);
  ck.first_cell = std::move(base);
  return std::make_unique<HostCells>(std::move(table), std::move(ck));
}

namespace {

// Runs body(e, cell) for every entry of every row cell, one row cell per task: rows ascending,
// entries in CSR order. A thread's `mark` table maps the row cell's keys to its cells. Throws
// when an entry's key has no cell (the cells were assigned to another matrix).
template <class Body>
void for_each_keyed_entry(const CsrMatrix& m, const HostCells& cells, int threads, Body&& body) {
  const CellKeys& k = cells.keys;
  const CellTable& t = cells.table();
  const RowsByCell& rbc = k.rows_by_row_cell;
  const int64_t n_rc = static_cast<int64_t>(rbc.ptr.size()) - 1;
  const CellKeyCodec codec = k.layout.key_codec();
  const int64_t key_space = codec.keys_per_row_cell();
  const bool parallel = m.nnz() >= kParallelThreshold && threads > 1;
  bool orphan = false;
#pragma omp parallel num_threads(parallel ? threads : 1) reduction(|| : orphan)
  {
    std::vector<int32_t> mark(key_space, -1);
    auto key_of_cell = [&](int64_t c) { return codec.in_row_cell(t.col_cell[c], t.diagonal[c]); };
#pragma omp for schedule(dynamic, 16)
    for (int64_t rc = 0; rc < n_rc; ++rc) {
      for (int64_t c = k.first_cell[rc]; c < k.first_cell[rc + 1]; ++c)
        mark[key_of_cell(c)] = static_cast<int32_t>(c);
      for (int64_t r = rbc.ptr[rc]; r < rbc.ptr[rc + 1]; ++r) {
        const int64_t i = rbc.rows[r];
        for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) {
          const int32_t cell = mark[row_cell_key(k.layout, i, m.col_idx[e])];
          if (cell < 0) {
            orphan = true;
            continue;
          }
          body(e, cell);
        }
      }
      for (int64_t c = k.first_cell[rc]; c < k.first_cell[rc + 1]; ++c) mark[key_of_cell(c)] = -1;
    }
  }
  if (orphan)
    throw LogicError(
        "an entry has no cell: the cells were assigned to another matrix of this shape");
}

}  // namespace

std::vector<double> openmp_reduce_by_cell(const CsrMatrix& m, const HostCells& cells, int threads) {
  if (!cells.keyed()) throw LogicError("cell assignment was not made by the OpenMP backend");
  if (cells.keys.dense()) return openmp_reduce_dense_cells(m, cells, threads);
  // Each cell belongs to one row cell, so one thread sums it, in CSR order.
  std::vector<double> q(cells.n_cells(), 0.0);
  double* qp = q.data();
  const double* v = m.values.data();
  for_each_keyed_entry(m, cells, threads, [&](int64_t e, int32_t cell) { qp[cell] += v[e]; });
  return q;
}

void openmp_scale_by_cell(CsrMatrix& m, const HostCells& cells, std::span<const double> factor,
                          int threads) {
  if (!cells.keyed()) throw LogicError("cell assignment was not made by the OpenMP backend");
  if (cells.keys.dense()) return openmp_scale_dense_cells(m, cells, factor, threads);
  double* v = m.values.data();
  const double* f = factor.data();
  for_each_keyed_entry(m, cells, threads, [&](int64_t e, int32_t cell) { v[e] *= f[cell]; });
}

}  // namespace flowfit::cpu
