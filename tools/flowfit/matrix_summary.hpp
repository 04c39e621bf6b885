#pragma once
// Whole-matrix figures for `flowfit info` (and the other subcommands' messages).
#include <cstdint>

#include <nlohmann/json.hpp>

#include "flowfit/csr_matrix.hpp"

namespace flowfit::cli {

struct MatrixSummary {
  int64_t rows = 0, cols = 0, nonzeros = 0;
  double total = 0;
  double row_sum_min = 0, row_sum_max = 0;
  double col_sum_min = 0, col_sum_max = 0;
  int64_t empty_rows = 0, empty_cols = 0;  // no stored entry
  int64_t diagonal_stored = 0;
  double diagonal_total = 0;
  double diagonal_share = 0;  // diagonal_total / total (0 when total is 0)
  double value_min = 0, value_max = 0;
  int64_t stored_zeros = 0;
  int64_t storage_bytes = 0;
};

MatrixSummary summarize(const CsrMatrix& m);
nlohmann::json to_json(const MatrixSummary& s);

}  // namespace flowfit::cli
