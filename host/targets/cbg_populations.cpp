#include "flowfit/targets/cbg_populations.hpp"

#include <algorithm>
#include <cmath>
#include <span>

#include <omp.h>

#include "flowfit/error.hpp"
#include "flowfit/targets/nnls.hpp"

namespace flowfit::targets {

std::array<double, kNumObservations * kNumPopulationYears> nnls_design_matrix() {
  std::array<double, kNumObservations * kNumPopulationYears> b{};
  // census2010 observes x2010 exactly.
  b[0 * kNumPopulationYears + (2010 - kFirstPopulationYear)] = 1.0;
  for (int a = 0; a < kNumAcs5Years; ++a) {
    const int year = kFirstAcs5Year + a;
    const int first = std::max(kFirstPopulationYear, year - 4);
    const double weight = 1.0 / static_cast<double>(year - first + 1);
    for (int y = first; y <= year; ++y)
      b[(1 + a) * kNumPopulationYears + (y - kFirstPopulationYear)] = weight;
  }
  return b;
}

std::vector<std::string> nnls_observation_names() {
  std::vector<std::string> names{"census2010"};
  for (int a = 0; a < kNumAcs5Years; ++a)
    names.push_back("acs5_" + std::to_string(kFirstAcs5Year + a));
  return names;
}

void CbgPopulationInputs::validate() const {
  const std::string file = source.empty() ? "<cbg populations>" : source;
  if (census2010.size() != geoids.size())
    throw InputError(file, 0, "census2010",
                     std::to_string(census2010.size()) + " values for " +
                         std::to_string(geoids.size()) + " CBGs");
  if (acs5.size() != geoids.size() * kNumAcs5Years)
    throw InputError(file, 0, "acs5",
                     std::to_string(acs5.size()) + " values for " + std::to_string(geoids.size()) +
                         " CBGs x " + std::to_string(kNumAcs5Years) + " years");
  for (int64_t i = 0; i < size(); ++i) {
    if (!std::isfinite(census2010[i]))
      throw InputError(file, 0, "census2010", "CBG " + geoids[i] + ": value is not finite");
    for (int a = 0; a < kNumAcs5Years; ++a)
      if (!std::isfinite(acs5[i * kNumAcs5Years + a]))
        throw InputError(file, 0, "acs5_" + std::to_string(kFirstAcs5Year + a),
                         "CBG " + geoids[i] + ": value is not finite");
  }
}

double YearlyPopulations::at(int64_t cbg, int year) const {
  if (!has_year(year))
    throw ConfigError("year", "NNLS populations cover 2009..2019, not " + std::to_string(year));
  return values[cbg * kNumPopulationYears + (year - kFirstPopulationYear)];
}

std::vector<double> YearlyPopulations::year_values(int year) const {
  if (!has_year(year))
    throw ConfigError("year", "NNLS populations cover 2009..2019, not " + std::to_string(year));
  std::vector<double> out(geoids.size());
  for (int64_t i = 0; i < size(); ++i)
    out[i] = values[i * kNumPopulationYears + (year - kFirstPopulationYear)];
  return out;
}

namespace {

template <class Solver>
void solve_all(const Solver& solver, const CbgPopulationInputs& inputs, YearlyPopulations& out,
               NnlsBatchStats& stats, int threads) {
  const int64_t n = inputs.size();
  const int team = threads > 0 ? threads : omp_get_max_threads();
  int64_t n_unconstrained = 0, n_warm = 0, n_with_zero = 0, n_not_converged = 0;
  int max_iterations = 0;
#pragma omp parallel for schedule(static) reduction(+ : n_unconstrained, n_warm, n_with_zero, n_not_converged) \
    reduction(max : max_iterations) num_threads(team)
  for (int64_t i = 0; i < n; ++i) {
    std::array<double, kNumObservations> y;
    y[0] = inputs.census2010[i];
    for (int a = 0; a < kNumAcs5Years; ++a) y[1 + a] = inputs.acs5[i * kNumAcs5Years + a];
    const NnlsOutcome o = solver.solve(
        y, std::span<double>(out.values.data() + i * kNumPopulationYears, kNumPopulationYears));
    n_unconstrained += o.unconstrained;
    n_warm += o.warm_start;
    n_with_zero += o.n_zero > 0;
    n_not_converged += !o.converged;
    max_iterations = std::max(max_iterations, o.iterations);
  }
  stats.n_cbgs = n;
  stats.n_unconstrained = n_unconstrained;
  stats.n_constrained = n - n_unconstrained;
  stats.n_warm_start = n_warm;
  stats.n_with_zero_year = n_with_zero;
  stats.n_not_converged = n_not_converged;
  stats.max_iterations = max_iterations;
}

}  // namespace

YearlyPopulations resolve_yearly_populations(const CbgPopulationInputs& inputs,
                                             NnlsBatchStats* stats, const NnlsOptions& options) {
  inputs.validate();
  const auto design = nnls_design_matrix();
  YearlyPopulations out;
  out.source = "NNLS populations from " + inputs.source;
  out.geoids = inputs.geoids;
  out.values.resize(inputs.size() * kNumPopulationYears);
  NnlsBatchStats local;
  if (options.snap_noise)
    solve_all(NnlsSolver(kNumObservations, kNumPopulationYears, design), inputs, out, local,
              options.threads);
  else
    solve_all(LawsonHansonNnls(kNumObservations, kNumPopulationYears, design), inputs, out, local,
              options.threads);
  local.snap_noise = options.snap_noise;
  if (stats) *stats = local;
  return out;
}

}  // namespace flowfit::targets
