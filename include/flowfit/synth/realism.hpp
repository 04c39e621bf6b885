#pragma once
// How realistic a synthetic problem is: the shares the generator is calibrated to (stayers,
// within-county moves, moves under 5 miles) measured on the truth, and how far the observed
// matrix is from it.
#include <cstdint>
#include <span>

#include "flowfit/csr_matrix.hpp"

namespace flowfit::synth {

struct SynthInputs;

struct Realism {
  int64_t nnz = 0;
  double total = 0;                // people
  double stayers = 0;              // diagonal
  double stayer_share = 0;         // stayers / total
  double within_county_share = 0;  // of the movers (off-diagonal mass)
  double within_state_share = 0;
  double under_1mi_share = 0;  // centroid distance
  double under_5mi_share = 0;
  double under_50mi_share = 0;
  double mean_move_miles = 0;
};

// Shares of the off-diagonal mass use the CBG centroids of `inputs` (haversine distance).
Realism measure_realism(const CsrMatrix& truth, const SynthInputs& inputs);

struct Distortion {
  int64_t truth_nnz = 0, observed_nnz = 0;
  double total_ratio = 0;  // total(E) / total(T)
  double truth_mover_share = 0, observed_mover_share = 0;
  // CBG population (row sum) of E rescaled to total(T), relative to T: quantiles over the CBGs
  // with a positive truth population, and the share of CBGs off by more than 20%.
  double row_ratio_p05 = 0, row_ratio_p50 = 0, row_ratio_p95 = 0;
  double share_rows_off_20pct = 0;
  // Same for county populations.
  double county_ratio_p05 = 0, county_ratio_p95 = 0;
};

Distortion measure_distortion(const CsrMatrix& truth, const CsrMatrix& observed,
                              const SynthInputs& inputs);

}  // namespace flowfit::synth
