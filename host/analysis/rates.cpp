#include "flowfit/analysis/rates.hpp"

#include <limits>
#include <string>

#include "flowfit/error.hpp"

namespace flowfit::analysis {

AreaMigration area_migration(const CsrMatrix& m) {
  if (!m.is_square())
    throw ConfigError("matrix", "migration figures need a square matrix, got " +
                                    std::to_string(m.n_rows) + " x " + std::to_string(m.n_cols));
  AreaMigration a;
  a.population_before = row_sums(m);
  a.population_after = col_sums(m);
  a.stayers = diagonal(m);
  const size_t n = a.stayers.size();
  a.out_movers.resize(n);
  a.in_movers.resize(n);
  for (size_t i = 0; i < n; ++i) {
    a.out_movers[i] = a.population_before[i] - a.stayers[i];
    a.in_movers[i] = a.population_after[i] - a.stayers[i];
  }
  return a;
}

namespace {
std::vector<double> ratio(const std::vector<double>& num, const std::vector<double>& den) {
  std::vector<double> r(num.size(), 0.0);
  for (size_t i = 0; i < num.size(); ++i) r[i] = den[i] != 0 ? num[i] / den[i] : 0.0;
  return r;
}
}  // namespace

std::vector<double> out_migration_rates(const AreaMigration& a) {
  return ratio(a.out_movers, a.population_before);
}
std::vector<double> in_migration_rates(const AreaMigration& a) {
  return ratio(a.in_movers, a.population_after);
}
std::vector<double> out_migration_rates(const CsrMatrix& m) {
  return out_migration_rates(area_migration(m));
}
std::vector<double> in_migration_rates(const CsrMatrix& m) {
  return in_migration_rates(area_migration(m));
}

}  // namespace flowfit::analysis

namespace flowfit::analysis {

AreaFlowsSummary area_flows_summary(const CsrMatrix& m, const Grouping& areas) {
  if (!m.is_square() || m.n_rows != areas.n_units())
    throw ConfigError("matrix", "migration rates need a square matrix over the " +
                                    std::to_string(areas.n_units()) + " units, got " +
                                    std::to_string(m.n_rows) + " x " + std::to_string(m.n_cols));
  AreaFlowsSummary s;
  s.areas = areas;
  const auto g = static_cast<size_t>(areas.n_groups());
  for (auto* v : {&s.population_before, &s.population_after, &s.cbg_stayers, &s.within_area_movers,
                  &s.out_migrants, &s.in_migrants})
    v->assign(g, 0.0);
  s.n_units.assign(g, 0);
  for (int64_t u = 0; u < areas.n_units(); ++u)
    if (areas.group_of(u) >= 0) ++s.n_units[static_cast<size_t>(areas.group_of(u))];
  for (int64_t i = 0; i < m.n_rows; ++i) {
    const int32_t a = areas.group_of(i);
    for (int64_t k = m.row_ptr[i]; k < m.row_ptr[i + 1]; ++k) {
      const int32_t j = m.col_idx[k];
      const int32_t b = areas.group_of(j);
      const double v = m.values[k];
      if (a < 0 || b < 0) {
        s.dropped += v;
        continue;
      }
      s.population_before[a] += v;
      s.population_after[b] += v;
      if (i == j)
        s.cbg_stayers[a] += v;
      else if (a == b)
        s.within_area_movers[a] += v;
      else {
        s.out_migrants[a] += v;
        s.in_migrants[b] += v;
      }
    }
  }
  return s;
}

AreaRateValues area_rate_values(const AreaFlowsSummary& s, int32_t area, double min_population) {
  const auto a = static_cast<size_t>(area);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double before = s.population_before[a], after = s.population_after[a];
  const bool ok_before = before > 0 && before >= min_population;
  const bool ok_after = after > 0 && after >= min_population;
  AreaRateValues r{};
  r.suppressed = !ok_before;
  r.out_rate = ok_before ? s.out_migrants[a] / before : nan;
  r.net_rate = ok_before ? (s.in_migrants[a] - s.out_migrants[a]) / before : nan;
  r.mover_rate = ok_before ? (s.within_area_movers[a] + s.out_migrants[a]) / before : nan;
  r.in_rate = ok_after ? s.in_migrants[a] / after : nan;
  return r;
}

}  // namespace flowfit::analysis
