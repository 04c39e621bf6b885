#include "flowfit/analysis/levels.hpp"

#include <string>

#include "flowfit/assembly.hpp"
#include "flowfit/error.hpp"

namespace flowfit::analysis {

std::string_view to_string(AreaLevel level) {
  switch (level) {
    case AreaLevel::cbg:
      return "cbg";
    case AreaLevel::tract:
      return "tract";
    case AreaLevel::county:
      return "county";
    case AreaLevel::state:
      return "state";
  }
  return "?";
}

AreaLevel area_level_from_string(std::string_view s) {
  for (AreaLevel l : all_area_levels())
    if (to_string(l) == s) return l;
  throw ConfigError("level", "expected cbg, tract, county or state, got '" + std::string(s) + "'");
}

const std::vector<AreaLevel>& all_area_levels() {
  static const std::vector<AreaLevel> levels{AreaLevel::cbg, AreaLevel::tract, AreaLevel::county,
                                             AreaLevel::state};
  return levels;
}

Grouping area_grouping(const Geography& geo, AreaLevel level) {
  switch (level) {
    case AreaLevel::cbg:
      return Grouping::by_level(geo, Level::block_group);
    case AreaLevel::tract:
      return Grouping::by_level(geo, Level::tract);
    case AreaLevel::county:
      return Grouping::by_level(geo, Level::county);
    case AreaLevel::state:
      return Grouping::by_level(geo, Level::state);
  }
  throw ConfigError("level", "unknown area level");
}

AreaFlows aggregate_to_level(const CsrMatrix& m, const Geography& geo, AreaLevel level) {
  if (m.n_rows != geo.size() || m.n_cols != geo.size())
    throw ConfigError("geography", "the matrix is " + std::to_string(m.n_rows) + " x " +
                                       std::to_string(m.n_cols) + " but the geography has " +
                                       std::to_string(geo.size()) + " units");
  AreaFlows out;
  out.level = level;
  out.areas = area_grouping(geo, level);
  if (level == AreaLevel::cbg && out.areas.n_groups() == geo.size()) {
    // GEOID order is the sorted label order only when the geography is sorted; check it.
    bool identity = true;
    for (int64_t i = 0; i < geo.size() && identity; ++i) identity = out.areas.group_of(i) == i;
    if (identity) {
      out.flows = m;
      return out;
    }
  }
  out.flows = assembly::aggregate(m, out.areas, out.areas);
  return out;
}

}  // namespace flowfit::analysis
