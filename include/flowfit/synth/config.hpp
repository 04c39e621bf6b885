#pragma once
// Every knob of the synthetic national problem, with the defaults documented in
// docs/synthetic.md. The defaults give ~87% stayers, ~50% of moves within the county and ~37%
// of moves under 5 miles on the real geography.
#include <cstdint>
#include <string>
#include <string_view>

namespace flowfit::synth {

enum class TargetSource {
  synthetic,  // census-like tables derived from the truth with ACS-like sampling noise
  real        // the real PEP/ACS tables of the year; the truth is rescaled to their counties
};
std::string_view to_string(TargetSource s);
TargetSource target_source_from_string(std::string_view s);  // synthetic | real

// The ground truth T (people at CBG i in t-1 and CBG j in t).
struct TruthConfig {
  double stayer_share = 0.87;         // national share of people on the diagonal
  double within_county_share = 0.50;  // national share of movers that stay in their county
  double mover_rate_sigma = 0.35;     // CBG-to-CBG variation of the mover rate (lognormal)
  double max_mover_rate = 0.6;
  // Within-county destinations: weight P_j / (1 + (d / local_scale)^2)^local_decay.
  double local_scale_miles = 3.0;
  double local_decay = 1.5;
  // Half-size (in CBGs) of the county size at which within-county moves reach half their rate:
  // tiny counties send most movers to other counties.
  double local_size_half = 8.0;
  // Other-county destinations: IRS outflow shares of the origin county, mixed with a gravity
  // model (pop_c' / (d^2 + gravity_floor^2)) for the flows IRS does not publish.
  double gravity_share = 0.25;
  double gravity_floor_miles = 15.0;
  // Flow values: share of the draws times a lognormal (mean 1) household-size factor.
  double flow_jitter_sigma = 0.7;
  // Nonzeros per row grow like population^nnz_exponent.
  double nnz_exponent = 0.6;
  // Per-CBG yearly growth drift around the county trend (population trajectories).
  double growth_drift_sigma = 0.01;
  // Cap on draws per row, as a multiple of the row's nonzero budget (plus a constant).
  double max_draw_factor = 24.0;
};

// The observed matrix E: T distorted like proprietary address data.
struct ObserveConfig {
  // Coverage of people (multiplies stayers; movers get sqrt(coverage_i coverage_j)): lognormal
  // effects per state, county and CBG, and an elasticity on CBG size (larger CBGs over-counted).
  double state_sigma = 0.15;
  double county_sigma = 0.12;
  double cbg_sigma = 0.12;
  double size_elasticity = 0.10;
  // Mover detection: multiplies off-diagonal entries of a row (mean mover_detection).
  double mover_detection = 0.85;
  double mover_detection_sigma = 0.20;
  // Random thinning: an off-diagonal entry below thin_relative x the row's mean off-diagonal
  // value is dropped with probability thin_probability.
  double thin_relative = 0.5;
  double thin_probability = 0.30;
  // ZIP-like spreading: with probability spread_probability an off-diagonal entry is spread over
  // the CBGs of its destination's pseudo-ZIP (zip_tracts consecutive tracts of the county),
  // population-weighted, as a ZIP-to-CBG crosswalk does.
  double spread_probability = 0.12;
  int zip_tracts = 2;
};

// Census-like targets from T.
struct NoiseConfig {
  // ACS 5-year CBG populations. Consecutive 5-year windows share 4 of their 5 annual samples,
  // so their errors are strongly correlated: every window gets a persistent CBG error (CV cbg_cv)
  // plus the mean of its five annual sampling errors (together CV cbg_window_cv per window). The
  // NNLS inversion amplifies the window-to-window part ~3x and passes the persistent part through,
  // so the recovered yearly populations have a CV of ~cbg_cv too. Both CVs apply at the median CBG
  // size and scale like 1/sqrt(size), clipped to [cbg_cv_min, cbg_cv_max] x (cv / cbg_cv).
  double cbg_cv = 0.15;
  double cbg_window_cv = 0.02;
  double cbg_cv_min = 0.05;
  double cbg_cv_max = 0.60;
  // ACS 1-year state-to-state flows: CV = flow_cv_scale * estimate^-flow_cv_exponent, clipped to
  // [0.03, 1.5] (fitted to the MOEs of the real 2018 table).
  double flow_cv_scale = 4.52;
  double flow_cv_exponent = 0.358;
  double same_house_cv = 0.004;  // state non-movers
  double same_state_cv = 0.021;
};

struct SynthConfig {
  int64_t nnz = 10'000'000;  // nonzeros of the truth T
  uint64_t seed = 1;
  int year = 2018;  // matrix year t: flows t-1 -> t (2011..2019)
  TargetSource targets = TargetSource::synthetic;
  TruthConfig truth;
  ObserveConfig observe;
  NoiseConfig noise;

  // Throws ConfigError naming the field.
  void validate() const;
};

}  // namespace flowfit::synth
