#pragma once
// Hidden yearly CBG populations x2009..x2019: the 2010 census count carried along the real PEP
// county trend, with a small per-CBG growth drift, then bent so that the county sums of year t-1
// equal PEP POPESTIMATE_{t-1} (x2010 stays the census count). x_{t-1} is rounded to whole people:
// it is the row sum of the truth T. The NNLS inputs (census 2010 + noisy ACS 5-year averages) are
// derived from these trajectories, so the pipeline's NNLS step tries to recover them.
#include <cstdint>
#include <vector>

#include "flowfit/synth/config.hpp"
#include "flowfit/synth/inputs.hpp"

namespace flowfit::synth {

inline constexpr int kFirstTrajectoryYear = 2009;
inline constexpr int kNumTrajectoryYears = 11;  // x2009 .. x2019

struct PopulationTrajectories {
  int64_t n = 0;
  std::vector<double> values;  // row-major n x 11

  double at(int64_t cbg, int year) const {
    return values[cbg * kNumTrajectoryYears + (year - kFirstTrajectoryYear)];
  }
  double& at(int64_t cbg, int year) {
    return values[cbg * kNumTrajectoryYears + (year - kFirstTrajectoryYear)];
  }
  std::vector<double> year_values(int year) const;
};

PopulationTrajectories population_trajectories(const SynthInputs& inputs,
                                               const SynthConfig& config);

}  // namespace flowfit::synth
