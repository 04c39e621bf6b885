#include "flowfit/analysis/rates.hpp"

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
