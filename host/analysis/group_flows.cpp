#include "flowfit/analysis/group_flows.hpp"

#include <limits>

#include "flowfit/error.hpp"

namespace flowfit::analysis {
namespace {
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
double safe_ratio(double a, double b) {
  return b > 0 ? a / b : kNan;
}
}  // namespace

double GroupFlows::origin_movers(int32_t g) const {
  double s = 0;
  for (int32_t h = 0; h < n(); ++h) s += flow(g, h);
  return s;
}
double GroupFlows::destination_movers(int32_t h) const {
  double s = 0;
  for (int32_t g = 0; g < n(); ++g) s += flow(g, h);
  return s;
}
double GroupFlows::all_movers() const {
  double s = 0;
  for (double v : flows) s += v;
  return s;
}
double GroupFlows::share(int32_t g, int32_t h) const {
  return safe_ratio(flow(g, h), origin_movers(g));
}
double GroupFlows::all_share(int32_t h) const {
  return safe_ratio(destination_movers(h), all_movers());
}
double GroupFlows::ratio(int32_t g, int32_t h) const {
  return safe_ratio(share(g, h), all_share(h));
}
double GroupFlows::population_share(int32_t h) const {
  double s = 0;
  for (double p : population) s += p;
  return safe_ratio(population[static_cast<size_t>(h)], s);
}

GroupFlows group_flows(const CsrMatrix& m, const Grouping& groups, const Geography* geo,
                       const GroupFlowOptions& o) {
  if (!m.is_square() || m.n_rows != groups.n_units())
    throw ConfigError("matrix", "group flows need a square matrix over the grouped units");
  std::vector<int32_t> county;
  if (o.out_of_county_only) {
    if (!geo || geo->size() != m.n_rows)
      throw ConfigError("--out-of-county", "the out-of-county rule needs the CBG geography");
    const Grouping c = Grouping::by_level(*geo, Level::county);
    county = c.group_of_unit();
  }
  GroupFlows r;
  r.labels = groups.labels();
  const auto g = static_cast<size_t>(groups.n_groups());
  r.flows.assign(g * g, 0.0);
  r.population.assign(g, 0.0);
  for (int64_t i = 0; i < m.n_rows; ++i) {
    const int32_t a = groups.group_of(i);
    for (int64_t k = m.row_ptr[i]; k < m.row_ptr[i + 1]; ++k) {
      const int32_t j = m.col_idx[k];
      const double v = m.values[k];
      if (a >= 0) r.population[static_cast<size_t>(a)] += v;
      if (j == i) continue;
      if (o.out_of_county_only && county[static_cast<size_t>(i)] == county[static_cast<size_t>(j)])
        continue;
      const int32_t b = groups.group_of(j);
      if (a < 0 || b < 0) {
        r.dropped_movers += v;
        continue;
      }
      r.flows[static_cast<size_t>(a) * g + static_cast<size_t>(b)] += v;
    }
  }
  return r;
}

}  // namespace flowfit::analysis
