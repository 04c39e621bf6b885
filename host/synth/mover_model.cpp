// Calibrated mover rates and the destination distributions of the truth generator.
#include <algorithm>
#include <cmath>

#include "flowfit/synth/rng.hpp"
#include "flowfit/synth/truth.hpp"

namespace flowfit::synth {

namespace {

// IRS inter-county out-migration rate per county (national rate where IRS has no rows).
std::vector<double> irs_out_rates(const SynthInputs& in) {
  std::vector<double> out(in.counties.size(), 0.0);
  for (const IrsFlow& f : in.irs) out[f.orig] += f.exemptions;
  double o = 0, n = 0;
  for (size_t c = 0; c < out.size(); ++c) {
    o += out[c];
    n += in.irs_nonmigrants[c] + out[c];
  }
  const double national = n > 0 ? o / n : 0.04;
  std::vector<double> rate(out.size());
  for (size_t c = 0; c < out.size(); ++c) {
    const double d = in.irs_nonmigrants[c] + out[c];
    rate[c] = d > 0 && out[c] > 0 ? out[c] / d : national;
  }
  return rate;
}

void build_county_cdf(const SynthInputs& in, const SynthConfig& config, MoverModel& m) {
  const int32_t nc = in.n_counties();
  const double rho = config.truth.gravity_share;
  const double f2 = config.truth.gravity_floor_miles * config.truth.gravity_floor_miles;
  // IRS outflows grouped by origin (in.irs is sorted by origin, then destination).
  std::vector<int64_t> irs_ptr(nc + 1, 0);
  for (const IrsFlow& f : in.irs) ++irs_ptr[f.orig + 1];
  for (int32_t c = 0; c < nc; ++c) irs_ptr[c + 1] += irs_ptr[c];
  m.county_cdf.assign(static_cast<size_t>(nc) * nc, 0.0);
  // Unit vectors of the county centroids: great-circle distance = 2 R asin(chord / 2).
  std::vector<double> ux(nc), uy(nc), uz(nc);
  for (int32_t c = 0; c < nc; ++c) {
    const double la = in.counties[c].lat * 0.017453292519943295;
    const double lo = in.counties[c].lon * 0.017453292519943295;
    ux[c] = std::cos(la) * std::cos(lo);
    uy[c] = std::cos(la) * std::sin(lo);
    uz[c] = std::sin(la);
  }
#pragma omp parallel
  {
    std::vector<double> p(nc);
#pragma omp for schedule(dynamic, 16)
    for (int32_t c = 0; c < nc; ++c) {
      double grav = 0;
      for (int32_t d = 0; d < nc; ++d) {
        if (d == c) {
          p[d] = 0;
          continue;
        }
        const double cx = ux[c] - ux[d], cy = uy[c] - uy[d], cz = uz[c] - uz[d];
        const double chord = std::sqrt(cx * cx + cy * cy + cz * cz);
        const double dist = 2.0 * 3958.7613 * std::asin(std::min(1.0, 0.5 * chord));
        p[d] = m.county_population[d] / (dist * dist + f2);
        grav += p[d];
      }
      double irs_total = 0;
      for (int64_t k = irs_ptr[c]; k < irs_ptr[c + 1]; ++k) irs_total += in.irs[k].exemptions;
      const double w_grav = irs_total > 0 ? rho : 1.0;
      for (int32_t d = 0; d < nc; ++d) p[d] = grav > 0 ? w_grav * p[d] / grav : 0.0;
      if (irs_total > 0)
        for (int64_t k = irs_ptr[c]; k < irs_ptr[c + 1]; ++k)
          p[in.irs[k].dest] += (1.0 - rho) * in.irs[k].exemptions / irs_total;
      double* cdf = &m.county_cdf[static_cast<size_t>(c) * nc];
      double acc = 0;
      for (int32_t d = 0; d < nc; ++d) cdf[d] = (acc += p[d]);
      for (int32_t d = 0; d < nc; ++d) cdf[d] = acc > 0 ? cdf[d] / acc : 0.0;
    }
  }
}

}  // namespace

MoverModel build_mover_model(const SynthInputs& in, const SynthConfig& config,
                             const PopulationTrajectories& trajectories) {
  config.validate();
  const TruthConfig& tc = config.truth;
  const int64_t n = in.n_cbgs();
  const int32_t nc = in.n_counties();
  MoverModel m;
  m.population = trajectories.year_values(config.year - 1);

  // Populated CBGs per county, county populations, CBG choice in proportion to P.
  std::vector<int64_t> populated(nc, 0);
  m.county_population.assign(nc, 0.0);
  m.member_cdf.assign(in.county_members.size(), 0.0);
  m.member_lat.resize(in.county_members.size());
  m.member_lon.resize(in.county_members.size());
  m.member_pop.resize(in.county_members.size());
  for (size_t p = 0; p < in.county_members.size(); ++p) {
    const int64_t i = in.county_members[p];
    m.member_lat[p] = in.lat[i];
    m.member_lon[p] = in.lon[i];
    m.member_pop[p] = m.population[i];
  }
  for (int32_t c = 0; c < nc; ++c) {
    double acc = 0;
    for (int64_t p = in.county_ptr[c]; p < in.county_ptr[c + 1]; ++p) {
      const double pop = m.population[in.county_members[p]];
      populated[c] += pop > 0;
      m.member_cdf[p] = (acc += pop);
    }
    m.county_population[c] = acc;
    for (int64_t p = in.county_ptr[c]; p < in.county_ptr[c + 1]; ++p)
      m.member_cdf[p] = acc > 0 ? m.member_cdf[p] / acc : 0.0;
  }

  // Calibration of lambda (within-county rate) and kappa (scale of the IRS inter-county rates).
  const std::vector<double> r = irs_out_rates(in);
  std::vector<double> g(nc), v(n);
  for (int32_t c = 0; c < nc; ++c)
    g[c] = populated[c] > 1 ? static_cast<double>(populated[c]) /
                                  (static_cast<double>(populated[c]) + tc.local_size_half)
                            : 0.0;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i)
    v[i] = Rng(config.seed, Stream::cbg_movers, static_cast<uint64_t>(i))
               .lognormal_mean1(tc.mover_rate_sigma);
  double total = 0, sum_g = 0, sum_r = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int32_t c = in.county_of[i];
    total += m.population[i];
    sum_g += m.population[i] * v[i] * g[c];
    sum_r += m.population[i] * v[i] * r[c];
  }
  const double movers = (1.0 - tc.stayer_share) * total;
  m.lambda = sum_g > 0 ? tc.within_county_share * movers / sum_g : 0.0;
  m.kappa = sum_r > 0 ? (1.0 - tc.within_county_share) * movers / sum_r : 0.0;
  m.mover_rate.resize(n);
  m.local_prob.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    const int32_t c = in.county_of[i];
    const double local = m.lambda * g[c], cross = m.kappa * r[c];
    m.mover_rate[i] = std::min(tc.max_mover_rate, v[i] * (local + cross));
    m.local_prob[i] = local + cross > 0 ? local / (local + cross) : 0.0;
  }
  build_county_cdf(in, config, m);
  return m;
}

}  // namespace flowfit::synth
