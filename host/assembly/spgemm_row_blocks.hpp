#pragma once
// How the GPU assembly cuts a sparse product C = A · B into blocks of A's rows so that cuSPARSE's
// buffers, which grow with the intermediate products, stay bounded (kernels/cuda_assembly.cu).
// Plain C++ so that the CPU tests check the cutting rule.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace flowfit::assembly {

// The first row of every block, given cumulative_products (n_rows + 1 exclusive prefix sums of
// the intermediate products per row): a block takes consecutive rows while its products stay
// within max_products_per_block; a row above the budget forms a block alone. Starts with 0.
inline std::vector<int64_t> spgemm_row_blocks(const std::vector<int64_t>& cumulative_products,
                                              int64_t max_products_per_block) {
  const int64_t n_rows = static_cast<int64_t>(cumulative_products.size()) - 1;
  std::vector<int64_t> starts{0};
  if (n_rows <= 0) return starts;
  const int64_t budget = std::max<int64_t>(max_products_per_block, 1);
  int64_t block_start = 0;
  for (int64_t next = 1; next < n_rows; ++next) {
    // Rows [block_start, next] would exceed the budget: row `next` starts a new block.
    if (cumulative_products[next + 1] - cumulative_products[block_start] > budget) {
      starts.push_back(next);
      block_start = next;
    }
  }
  return starts;
}

}  // namespace flowfit::assembly
