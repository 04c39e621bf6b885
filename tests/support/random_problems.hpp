#pragma once
// Random matrices, groupings and stages for property tests. Deterministic from a seed.
#include <cstdint>
#include <random>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/stage.hpp"

namespace flowfit::testing {

struct RandomMatrixOptions {
  int64_t n = 50;                // square n x n
  double density = 0.15;         // probability that an off-diagonal entry is stored
  double empty_row_share = 0.1;  // rows with no entries at all
  double empty_col_share = 0.1;  // columns with no entries at all
  bool full_diagonal = false;    // store every diagonal entry (as stage 0 leaves it)
  bool skewed = false;           // a few rows hold most of the entries
};
CsrMatrix random_matrix(std::mt19937_64& rng, const RandomMatrixOptions& opt);

// A grouping of n units into about n_groups groups, non-contiguous (units shuffled), with a
// share of units left ungrouped when `with_ungrouped`.
Grouping random_grouping(std::mt19937_64& rng, int64_t n, int32_t n_groups, bool with_ungrouped);

// Targets near the current block sums (factor 0.5..2), with some zero targets when asked.
std::vector<double> random_targets(std::mt19937_64& rng, const std::vector<double>& sums,
                                   double zero_share);

// A random stage of 1-3 margins mixing row, column and block margins and entry classes.
Stage random_stage(std::mt19937_64& rng, const CsrMatrix& m, int max_iterations);

}  // namespace flowfit::testing
