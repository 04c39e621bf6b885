#pragma once
// The observed matrix E: the truth distorted the way proprietary address data are.
//   coverage   E_ii = a_i T_ii, E_ij = sqrt(a_i a_j) mu_i T_ij: a_i is a product of lognormal
//              state, county and CBG effects and a size elasticity (normalised to a
//              population-weighted mean of 1); mu_i is the mover detection of CBG i.
//   thinning   small off-diagonal entries (below thin_relative x the row's mean off-diagonal
//              value) are dropped at random;
//   spreading  some off-diagonal entries are spread over the CBGs of the destination's pseudo-ZIP
//              (a few consecutive tracts of the county), population-weighted, as a ZIP-to-CBG
//              crosswalk does; spread mass can land on the diagonal.
// Each row has its own random stream (thread-count independent).
#include <cstdint>
#include <span>
#include <vector>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/synth/config.hpp"
#include "flowfit/synth/inputs.hpp"

namespace flowfit::synth {

struct ObservationModel {
  std::vector<double> coverage;   // a_i
  std::vector<double> detection;  // mu_i
  std::vector<int32_t> zip_of;    // pseudo-ZIP of each CBG
  std::vector<int64_t> zip_ptr;   // members of zip z: zip_members[zip_ptr[z]..zip_ptr[z+1])
  std::vector<int64_t> zip_members;
  std::vector<double> zip_share;  // population share of each member within its zip
  int32_t n_zips() const { return static_cast<int32_t>(zip_ptr.size()) - 1; }
};

// population: P_i at t-1 (the truth's row sums), used for the size effect and ZIP shares.
ObservationModel build_observation_model(const SynthInputs& inputs, const SynthConfig& config,
                                         std::span<const double> population);

struct ObserveStats {
  int64_t entries_thinned = 0;
  double mass_thinned = 0;  // truth mass of the dropped entries
  int64_t entries_spread = 0;
  double mass_spread = 0;  // truth mass of the spread entries
};

CsrMatrix observe(const CsrMatrix& truth, const ObservationModel& model, const SynthConfig& config,
                  ObserveStats* stats = nullptr);

}  // namespace flowfit::synth
