#pragma once
// Building CSR matrices row by row in parallel, deterministically. Rows are split into fixed
// chunks (independent of the thread count); each chunk is computed by one thread into its own
// buffers with a sparse accumulator, and the chunks are concatenated in order.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "flowfit/csr_matrix.hpp"

namespace flowfit::assembly::detail {

// Sparse accumulator over [0, width): touched columns in first-touch order, sums in place.
// Adding terms in a fixed order gives a fixed result.
class SparseAccumulator {
 public:
  explicit SparseAccumulator(int64_t width) : sum_(width, 0.0), seen_(width, 0) {}

  void add(int32_t col, double value) {
    if (!seen_[col]) {
      seen_[col] = 1;
      touched_.push_back(col);
      sum_[col] = value;
    } else {
      sum_[col] += value;
    }
  }
  // Appends the touched columns in ascending order and their sums, then clears.
  void flush(std::vector<int32_t>& cols, std::vector<double>& values) {
    std::sort(touched_.begin(), touched_.end());
    for (int32_t c : touched_) {
      cols.push_back(c);
      values.push_back(sum_[c]);
      seen_[c] = 0;
    }
    touched_.clear();
  }

 private:
  std::vector<double> sum_;
  std::vector<uint8_t> seen_;
  std::vector<int32_t> touched_;
};

// Calls fill_row(row, accumulator) for every output row and assembles the CSR result. fill_row
// must only add terms; the accumulator is flushed after each row.
CsrMatrix build_rows(int64_t n_rows, int64_t n_cols,
                     const std::function<void(int64_t, SparseAccumulator&)>& fill_row);

}  // namespace flowfit::assembly::detail
