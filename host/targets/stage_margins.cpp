#include "flowfit/targets/stage_margins.hpp"

#include <cmath>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "flowfit/error.hpp"
#include "host/targets/fips_index.hpp"

namespace flowfit::targets {
namespace {

using detail::format_number;

// Warning for table rows whose group the geography does not use.
void warn_ignored(StageMargins& out, int64_t n_ignored, int64_t n_rows, const std::string& what,
                  const std::string& source) {
  if (n_ignored == 0) return;
  out.warnings.push_back({WarningKind::ignored_census_rows, "", static_cast<double>(n_ignored),
                          std::to_string(n_ignored) + " of " + std::to_string(n_rows) + " " + what +
                              " in " + source + " are not in the geography and are ignored"});
}

// Target-defect warnings whose group (a label, or "p->q") lies entirely in `groups`.
void copy_relevant(StageMargins& out, const std::vector<TargetWarning>& warnings,
                   const Grouping& groups, std::initializer_list<WarningKind> kinds) {
  for (const TargetWarning& w : warnings) {
    bool wanted = false;
    for (WarningKind k : kinds) wanted = wanted || w.kind == k;
    if (!wanted) continue;
    const auto arrow = w.group.find("->");
    const bool inside = arrow == std::string::npos
                            ? groups.find(w.group).has_value()
                            : groups.find(w.group.substr(0, arrow)).has_value() &&
                                  groups.find(w.group.substr(arrow + 2)).has_value();
    if (inside) out.warnings.push_back(w);
  }
}

std::vector<int32_t> state_rows(const StateTargets& targets, const Grouping& states) {
  std::vector<int32_t> rows(states.n_groups());
  for (int32_t g = 0; g < states.n_groups(); ++g) {
    auto k = targets.find(states.label(g));
    if (!k)
      throw InputError(
          targets.source, 0, "state_fips",
          "no census components for state " + states.label(g) + ", which is in the geography");
    rows[g] = *k;
  }
  return rows;
}

}  // namespace

StageMargins cbg_row_margins(const YearlyPopulations& populations, const Geography& geo,
                             int matrix_year) {
  const int year = matrix_year - 1;
  if (!YearlyPopulations::has_year(year))
    throw ConfigError("year", "stage 1 of matrix year " + std::to_string(matrix_year) +
                                  " needs populations of " + std::to_string(year) +
                                  ", outside 2009..2019");
  const std::string source =
      populations.source.empty() ? "<NNLS CBG populations>" : populations.source;
  std::unordered_map<std::string_view, int64_t> row_of;
  row_of.reserve(populations.geoids.size());
  for (int64_t i = 0; i < populations.size(); ++i) row_of.emplace(populations.geoids[i], i);

  Grouping rows = Grouping::from_labels(geo.geoids());
  std::vector<double> targets(rows.n_groups(), 0.0);
  int64_t n_zero = 0;
  std::string zero_examples;
  for (int64_t u = 0; u < geo.size(); ++u) {
    auto it = row_of.find(geo.geoid(u));
    if (it == row_of.end())
      throw InputError(source, 0, "cbg_geoid",
                       "no population for CBG " + geo.geoid(u) + ", which is in the geography");
    const double x = populations.at(it->second, year);
    targets[rows.group_of(u)] = x;
    if (x <= 0) {
      if (n_zero < 5) zero_examples += (n_zero ? ", " : "") + geo.geoid(u);
      ++n_zero;
    }
  }
  StageMargins out;
  if (n_zero > 0)
    out.warnings.push_back({WarningKind::zero_population, "", static_cast<double>(n_zero),
                            std::to_string(n_zero) + " CBG(s) have NNLS population x" +
                                std::to_string(year) + " = 0 (e.g. " + zero_examples +
                                "); their rows are left unchanged"});
  int64_t n_ignored = 0;
  for (const auto& g : populations.geoids) n_ignored += !geo.find(g).has_value();
  warn_ignored(out, n_ignored, populations.size(), "CBG population rows", source);
  out.margins.push_back(row_margin("cbg rows", std::move(rows), geo.size(), std::move(targets)));
  return out;
}

StageMargins state_nonmover_margins(const StateTargets& targets, const Geography& geo) {
  Grouping states = Grouping::by_level(geo, Level::state);
  const std::vector<int32_t> k = state_rows(targets, states);
  std::vector<double> movers(states.n_groups());
  std::vector<double> nonmovers(states.n_groups());
  for (int32_t g = 0; g < states.n_groups(); ++g) {
    movers[g] = targets.movers[k[g]];
    nonmovers[g] = targets.nonmovers[k[g]];
  }
  StageMargins out;
  copy_relevant(out, targets.warnings, states,
                {WarningKind::negative_emigrants, WarningKind::nonpositive_movers,
                 WarningKind::nonpositive_nonmovers});
  warn_ignored(out, targets.size() - states.n_groups(), targets.size(), "state rows",
               targets.source);
  out.margins.push_back(
      col_margin("state movers", geo.size(), states, std::move(movers), EntryClass::off_diagonal));
  out.margins.push_back(col_margin("state non-movers", geo.size(), std::move(states),
                                   std::move(nonmovers), EntryClass::diagonal));
  return out;
}

StageMargins state_flow_margins(const StateTargets& targets, const Geography& geo) {
  Grouping states = Grouping::by_level(geo, Level::state);
  const std::vector<int32_t> k = state_rows(targets, states);
  const int32_t s = states.n_groups();
  std::vector<double> blocks(int64_t{s} * s);
  for (int32_t p = 0; p < s; ++p)
    for (int32_t q = 0; q < s; ++q) {
      const double v = targets.flow(k[p], k[q]);
      if (std::isnan(v))
        throw InputError(targets.source, 0, "estimate",
                         "no ACS state-to-state estimate for " + states.label(p) + "->" +
                             states.label(q) + ", a pair of states in the geography");
      blocks[int64_t{p} * s + q] = v;
    }
  StageMargins out;
  copy_relevant(out, targets.warnings, states,
                {WarningKind::negative_emigrants, WarningKind::nonpositive_flow});
  warn_ignored(out, targets.size() - s, targets.size(), "state rows", targets.source);
  out.margins.push_back(block_margin("state flows", states, states, std::move(blocks)));
  return out;
}

StageMargins county_margins(const CountyTargets& targets, const Geography& geo) {
  Grouping counties = Grouping::by_level(geo, Level::county);
  const int32_t n = counties.n_groups();
  std::vector<double> cols(n);
  std::vector<double> rows(n);
  double row_total = 0.0;
  double col_total = 0.0;
  for (int32_t g = 0; g < n; ++g) {
    auto k = targets.find(counties.label(g));
    if (!k)
      throw InputError(
          targets.source, 0, "county_fips",
          "no census components for county " + counties.label(g) + ", which is in the geography");
    rows[g] = targets.row_targets[*k];
    cols[g] = targets.col_targets[*k];
    row_total += rows[g];
    col_total += cols[g];
  }
  StageMargins out;
  copy_relevant(out, targets.warnings, counties, {WarningKind::nonpositive_county});
  if (row_total != col_total)
    out.warnings.push_back({WarningKind::county_totals_mismatch, "", col_total - row_total,
                            "over the geography's " + std::to_string(n) +
                                " counties the row targets sum to " + format_number(row_total) +
                                " but the column targets to " + format_number(col_total) +
                                "; the IPF cannot meet both"});
  warn_ignored(out, targets.size() - n, targets.size(), "county rows", targets.source);
  out.margins.push_back(col_margin("county columns", geo.size(), counties, std::move(cols)));
  out.margins.push_back(
      row_margin("county rows", std::move(counties), geo.size(), std::move(rows)));
  return out;
}

}  // namespace flowfit::targets
