#include "flowfit/synth/trajectories.hpp"

#include <cmath>

#include "flowfit/synth/rng.hpp"

namespace flowfit::synth {

std::vector<double> PopulationTrajectories::year_values(int year) const {
  std::vector<double> out(n);
  for (int64_t i = 0; i < n; ++i) out[i] = at(i, year);
  return out;
}

PopulationTrajectories population_trajectories(const SynthInputs& in, const SynthConfig& config) {
  config.validate();
  const int base = config.year - 1;  // the year of the truth's row sums
  PopulationTrajectories tr;
  tr.n = in.n_cbgs();
  tr.values.assign(tr.n * kNumTrajectoryYears, 0.0);

  // County trend relative to July 2010, years 2009..2019 (2009 extrapolated geometrically).
  std::vector<double> trend(in.counties.size() * kNumTrajectoryYears, 1.0);
  for (size_t c = 0; c < in.counties.size(); ++c) {
    const SynthCounty& k = in.counties[c];
    double* t = &trend[c * kNumTrajectoryYears];
    for (int y = 2010; y <= 2019; ++y)
      t[y - kFirstTrajectoryYear] = k.pop[0] > 0 ? k.pop[y - kFirstPepYear] / k.pop[0] : 1.0;
    t[0] = t[2] > 0 ? 1.0 / t[2] : 1.0;
  }

#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < tr.n; ++i) {
    Rng rng(config.seed, Stream::cbg_growth, static_cast<uint64_t>(i));
    const double drift = config.truth.growth_drift_sigma * rng.normal();
    const double* t = &trend[in.county_of[i] * kNumTrajectoryYears];
    for (int y = kFirstTrajectoryYear; y < kFirstTrajectoryYear + kNumTrajectoryYears; ++y)
      tr.at(i, y) = in.pop2010[i] * t[y - kFirstTrajectoryYear] * std::exp(drift * (y - 2010));
  }

  // Bend each county's trajectories so that year t-1 sums to PEP, keeping x2010.
  for (int32_t c = 0; c < in.n_counties(); ++c) {
    double sum = 0;
    for (int64_t p = in.county_ptr[c]; p < in.county_ptr[c + 1]; ++p)
      sum += tr.at(in.county_members[p], base);
    const double target = in.counties[c].pop[base - kFirstPepYear];
    const double kappa = sum > 0 ? target / sum : 1.0;
    for (int64_t p = in.county_ptr[c]; p < in.county_ptr[c + 1]; ++p) {
      const int64_t i = in.county_members[p];
      for (int y = kFirstTrajectoryYear; y < kFirstTrajectoryYear + kNumTrajectoryYears; ++y) {
        const double e = base > 2010 ? static_cast<double>(y - 2010) / (base - 2010) : 1.0;
        tr.at(i, y) *= std::pow(kappa, e);
      }
      tr.at(i, base) = std::round(tr.at(i, base));
    }
  }
  return tr;
}

}  // namespace flowfit::synth
