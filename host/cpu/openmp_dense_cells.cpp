// Cell assignment and reduction for layouts with few cells. Grouping by row cell (the general
// path) gives no parallelism when rows are not grouped at all (e.g. destination-state margins);
// here the key (row cell, column cell, diagonal) indexes a small dense table instead, and the
// matrix is cut into a fixed number of row chunks balanced by nonzeros. Each chunk reduces into
// its own partial sums, added in chunk order: deterministic for any thread count.
#include <algorithm>
#include <numeric>

#include "host/cpu/openmp_kernels.hpp"
#include "host/cpu/parallel_for.hpp"

namespace flowfit::cpu {
namespace {

constexpr int64_t kMaxRowCells = 64;
constexpr int64_t kMaxKeys = 1 << 16;
constexpr int64_t kChunks = 64;

int64_t key_space(const CellLayout& layout) {
  return layout.n_row_cells * layout.key_codec().keys_per_row_cell();
}

// Chunk boundaries (rows), each chunk holding about nnz / kChunks entries.
std::vector<int64_t> row_chunks(const CsrMatrix& m) {
  std::vector<int64_t> b(kChunks + 1, m.n_rows);
  b[0] = 0;
  for (int64_t c = 1; c < kChunks; ++c) {
    const int64_t target = m.nnz() * c / kChunks;
    b[c] = std::lower_bound(m.row_ptr.begin(), m.row_ptr.end() - 1, target) - m.row_ptr.begin();
  }
  for (int64_t c = 1; c <= kChunks; ++c) b[c] = std::max(b[c], b[c - 1]);
  return b;
}

template <class Body>
void for_each_entry_in_chunk(const CsrMatrix& m, const std::vector<int64_t>& chunks, int64_t c,
                             Body&& body) {
  for (int64_t i = chunks[c]; i < chunks[c + 1]; ++i)
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) body(i, e);
}

}  // namespace

bool use_dense_cells(const CellLayout& layout) {
  return layout.n_row_cells < kMaxRowCells && key_space(layout) <= kMaxKeys;
}

std::unique_ptr<HostCells> openmp_assign_dense_cells(const CsrMatrix& m, const CellLayout& layout,
                                                     int threads) {
  const int64_t n_keys = key_space(layout);
  auto key_of = [&](int64_t i, int64_t e) { return cell_key(layout, i, m.col_idx[e]); };
  const std::vector<int64_t> chunks = row_chunks(m);
  const bool parallel = m.nnz() >= kParallelThreshold;

  // Occupied keys: one flag array per chunk, OR-ed in chunk order.
  std::vector<std::vector<uint8_t>> seen(kChunks);
  parallel_for(kChunks, parallel, threads, Schedule::dynamic, [&](int64_t c) {
    seen[c].assign(n_keys, 0);
    for_each_entry_in_chunk(m, chunks, c, [&](int64_t i, int64_t e) { seen[c][key_of(i, e)] = 1; });
  });
  std::vector<int32_t> id_of_key(n_keys, -1);
  std::vector<uint64_t> occupied_keys;
  for (int64_t k = 0; k < n_keys; ++k) {
    bool occupied = false;
    for (int64_t c = 0; c < kChunks && !occupied; ++c) occupied = seen[c][k] != 0;
    if (!occupied) continue;
    id_of_key[k] = static_cast<int32_t>(occupied_keys.size());
    occupied_keys.push_back(static_cast<uint64_t>(k));
  }
  CellTable table = cell_table_from_keys(occupied_keys, layout.key_codec());

  CellKeys ck;
  ck.layout = layout;
  ck.row_chunks = chunks;
  ck.cell_of_key = std::move(id_of_key);
  return std::make_unique<HostCells>(std::move(table), std::move(ck));
}

namespace {

// Runs body(e, cell) for every entry of chunk c; returns false when an entry's key has no cell
// (the cells were assigned to another matrix).
template <class Body>
bool for_each_keyed_entry_in_chunk(const CsrMatrix& m, const CellKeys& k, int64_t c, Body&& body) {
  bool ok = true;
  for_each_entry_in_chunk(m, k.row_chunks, c, [&](int64_t i, int64_t e) {
    const int32_t cell = k.cell_of_key[cell_key(k.layout, i, m.col_idx[e])];
    if (cell < 0)
      ok = false;
    else
      body(e, cell);
  });
  return ok;
}

void refuse_orphans(const std::vector<uint8_t>& ok) {
  for (uint8_t x : ok)
    if (!x)
      throw LogicError(
          "an entry has no cell: the cells were assigned to another matrix of this shape");
}

}  // namespace

std::vector<double> openmp_reduce_dense_cells(const CsrMatrix& m, const HostCells& cells,
                                              int threads) {
  const CellKeys& k = cells.keys;
  const int64_t n_chunks = static_cast<int64_t>(k.row_chunks.size()) - 1;
  const int64_t n_cells = cells.n_cells();
  std::vector<double> partial(n_chunks * n_cells, 0.0);
  std::vector<uint8_t> ok(n_chunks, 1);
  parallel_for(n_chunks, m.nnz() >= kParallelThreshold, threads, Schedule::dynamic, [&](int64_t c) {
    double* p = partial.data() + c * n_cells;
    ok[c] = for_each_keyed_entry_in_chunk(m, k, c,
                                          [&](int64_t e, int32_t cell) { p[cell] += m.values[e]; });
  });
  refuse_orphans(ok);
  std::vector<double> q(n_cells, 0.0);
  for (int64_t c = 0; c < n_chunks; ++c)
    for (int64_t j = 0; j < n_cells; ++j) q[j] += partial[c * n_cells + j];
  return q;
}

void openmp_scale_dense_cells(CsrMatrix& m, const HostCells& cells, std::span<const double> factor,
                              int threads) {
  const CellKeys& k = cells.keys;
  const int64_t n_chunks = static_cast<int64_t>(k.row_chunks.size()) - 1;
  std::vector<uint8_t> ok(n_chunks, 1);
  double* v = m.values.data();
  const double* f = factor.data();
  parallel_for(n_chunks, m.nnz() >= kParallelThreshold, threads, Schedule::fixed, [&](int64_t c) {
    ok[c] =
        for_each_keyed_entry_in_chunk(m, k, c, [&](int64_t e, int32_t cell) { v[e] *= f[cell]; });
  });
  refuse_orphans(ok);
}

}  // namespace flowfit::cpu
