#include "flowfit/targets/county_targets.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "flowfit/error.hpp"
#include "flowfit/targets/formulas.hpp"
#include "host/targets/fips_index.hpp"

namespace flowfit::targets {

std::optional<int32_t> CountyTargets::find(std::string_view county_fips) const {
  return detail::find_sorted(fips, county_fips);
}

CountyTargets build_county_targets(const CountyCensusTable& table) {
  using detail::format_number;
  const std::string source = table.source.empty() ? "<county table>" : table.source;
  std::vector<size_t> order(table.counties.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return table.counties[a].fips < table.counties[b].fips; });

  CountyTargets t;
  t.year = table.year;
  t.source = source;
  for (size_t k : order) {
    const CountyComponents& c = table.counties[k];
    if (!t.fips.empty() && t.fips.back() == c.fips)
      throw InputError(source, 0, "county_fips", "county " + c.fips + " occurs twice");
    const std::pair<const char*, double> fields[] = {{"pop_t_minus_1", c.pop_t_minus_1},
                                                     {"pop_t", c.pop_t},
                                                     {"births", c.births},
                                                     {"deaths", c.deaths},
                                                     {"intl_mig_net", c.intl_mig_net}};
    for (const auto& [name, v] : fields)
      if (!std::isfinite(v))
        throw InputError(source, 0, name, "county " + c.fips + ": value is not finite");
    t.fips.push_back(c.fips);
    t.row_targets.push_back(county_row_target(c));
    t.col_targets.push_back(county_col_target(c));
  }

  double row_total = 0.0;
  double col_total = 0.0;
  for (int32_t k = 0; k < t.size(); ++k) {
    row_total += t.row_targets[k];
    col_total += t.col_targets[k];
    if (t.row_targets[k] <= 0)
      t.warnings.push_back({WarningKind::nonpositive_county, t.fips[k], t.row_targets[k],
                            "row target " + format_number(t.row_targets[k]) +
                                " <= 0: the county's rows are left unchanged"});
    if (t.col_targets[k] <= 0)
      t.warnings.push_back({WarningKind::nonpositive_county, t.fips[k], t.col_targets[k],
                            "column target " + format_number(t.col_targets[k]) +
                                " <= 0: the county's columns are left unchanged"});
  }
  if (row_total != col_total)
    t.warnings.push_back({WarningKind::county_totals_mismatch, "", col_total - row_total,
                          "county row targets sum to " + format_number(row_total) +
                              " (POP_t-1) but column targets sum to " + format_number(col_total) +
                              " (POP_t - births + deaths - intl mig); the IPF cannot meet both "
                              "and converges to columns scaled by their ratio"});
  return t;
}

}  // namespace flowfit::targets
