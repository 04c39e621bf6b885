#include "host/assembly/row_accumulator.hpp"

#include <omp.h>

#include <exception>
#include <string>

#include "flowfit/error.hpp"

namespace flowfit::assembly::detail {
namespace {

// Rows per chunk: small enough to balance skewed rows, large enough to amortize the buffers.
// Fixed (not derived from the thread count) so that the work split never changes the result.
constexpr int64_t kRowsPerChunk = 2048;

struct Chunk {
  std::vector<int64_t> row_nnz;
  std::vector<int32_t> cols;
  std::vector<double> values;
};

}  // namespace

CsrMatrix build_rows(int64_t n_rows, int64_t n_cols,
                     const std::function<void(int64_t, SparseAccumulator&)>& fill_row) {
  if (n_cols > (int64_t{1} << 31) - 1)
    throw Error("result would have " + std::to_string(n_cols) +
                " columns, more than the 2^31 - 1 a CSR matrix holds");
  const int64_t n_chunks = (n_rows + kRowsPerChunk - 1) / kRowsPerChunk;
  std::vector<Chunk> chunks(static_cast<size_t>(n_chunks));
  std::exception_ptr failure;

#pragma omp parallel
  {
    SparseAccumulator acc(n_cols);
#pragma omp for schedule(dynamic, 1)
    for (int64_t c = 0; c < n_chunks; ++c) {
      try {
        Chunk& chunk = chunks[static_cast<size_t>(c)];
        const int64_t first = c * kRowsPerChunk;
        const int64_t last = std::min(n_rows, first + kRowsPerChunk);
        chunk.row_nnz.reserve(static_cast<size_t>(last - first));
        for (int64_t row = first; row < last; ++row) {
          const size_t before = chunk.cols.size();
          fill_row(row, acc);
          acc.flush(chunk.cols, chunk.values);
          chunk.row_nnz.push_back(static_cast<int64_t>(chunk.cols.size() - before));
        }
      } catch (...) {
#pragma omp critical(flowfit_build_rows_failure)
        if (!failure) failure = std::current_exception();
      }
    }
  }
  if (failure) std::rethrow_exception(failure);

  CsrMatrix out;
  out.n_rows = n_rows;
  out.n_cols = n_cols;
  out.row_ptr.assign(static_cast<size_t>(n_rows + 1), 0);
  int64_t nnz = 0;
  int64_t row = 0;
  for (const Chunk& chunk : chunks) {
    for (int64_t k : chunk.row_nnz) {
      nnz += k;
      out.row_ptr[static_cast<size_t>(++row)] = nnz;
    }
  }
  out.col_idx.reserve(static_cast<size_t>(nnz));
  out.values.reserve(static_cast<size_t>(nnz));
  for (Chunk& chunk : chunks) {
    out.col_idx.insert(out.col_idx.end(), chunk.cols.begin(), chunk.cols.end());
    out.values.insert(out.values.end(), chunk.values.begin(), chunk.values.end());
    chunk = Chunk{};  // release as we go
  }
  return out;
}

}  // namespace flowfit::assembly::detail
