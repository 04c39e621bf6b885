#pragma once
// Entry-wise and marginal differences between two matrices of the same shape.
#include <cstdint>

#include <nlohmann/json.hpp>

#include "flowfit/csr_matrix.hpp"

namespace flowfit::cli {

// Relative differences use the golden-file convention: |a - b| / max(|a|, |b|), and the
// absolute difference where both values are below 1 in magnitude.
double relative_difference(double a, double b);

struct DiffStats {
  double max_abs = 0;
  double max_rel = 0;
  int64_t worst_index = -1;  // entry: row * n_cols + col; marginal: its index
};

struct MatrixComparison {
  int64_t union_entries = 0;  // stored in A or in B
  int64_t only_in_a = 0, only_in_b = 0;
  DiffStats entries;
  DiffStats row_sums, col_sums, diagonal;
  double total_a = 0, total_b = 0;
  double pearson_r = 0;  // of the entries over the union of the patterns (NaN when undefined)
  int64_t n_cols = 0;
};

// Throws InputError(file_b, 0, "shape", ...) when the shapes differ.
MatrixComparison compare_matrices(const CsrMatrix& a, const CsrMatrix& b, const std::string& file_a,
                                  const std::string& file_b);

nlohmann::json to_json(const MatrixComparison& c);

}  // namespace flowfit::cli
