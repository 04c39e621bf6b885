#include "flowfit/targets/groupings.hpp"

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/escape.hpp"
#include "flowfit/io/csv_table.hpp"

namespace flowfit::targets {

Grouping grouping_by_level(const Geography* geography, int64_t n_units, const std::string& level,
                           const std::string& option, const std::string& geography_file) {
  if (level == "none" || level == "all") return Grouping::whole(n_units);
  int prefix = 0;
  if (level == "state") prefix = static_cast<int>(Level::state);
  if (level == "county") prefix = static_cast<int>(Level::county);
  if (level == "tract") prefix = static_cast<int>(Level::tract);
  if (level == "cbg" || level == "block_group") prefix = static_cast<int>(Level::block_group);
  if (prefix == 0)
    throw ConfigError(option,
                      fmt::format("expected state, county, tract, cbg or none, got '{}'", level));
  if (geography == nullptr)
    throw ConfigError(
        "--geography",
        fmt::format("grouping by {} needs the unit GEOIDs: give --geography FILE", level));
  for (int64_t u = 0; u < geography->size(); ++u) {
    if (static_cast<int>(geography->geoid(u).size()) < prefix)
      throw InputError(geography_file, 0, "GEOID",
                       fmt::format("GEOID '{}' (unit {}) is shorter than the {} characters of a "
                                   "{} GEOID prefix",
                                   geography->geoid(u), u, prefix, level));
  }
  return Grouping::by_prefix(*geography, prefix);
}

Grouping grouping_from_mapping(const Geography& geography, const std::filesystem::path& mapping,
                               const std::string& unit_column, const std::string& group_column,
                               const std::string& geography_file, bool allow_unmapped) {
  const io::CsvTable table = io::CsvTable::read(mapping);
  const int unit_col = table.column(unit_column);
  const int group_col = table.column(group_column);
  table.check_unique({std::string_view(unit_column)});
  std::vector<std::string> label_of_unit(static_cast<size_t>(geography.size()));
  for (int64_t r = 0; r < table.n_rows(); ++r) {
    const std::string_view unit = table.field(r, unit_col);
    const std::string_view group = table.field(r, group_col);
    auto u = geography.find(unit);
    if (!u)
      table.fail(r, unit_col,
                 fmt::format("unknown GEOID {} (not a unit of {})",
                             flowfit::quote_for_message(unit), geography_file));
    if (group.empty()) table.fail(r, group_col, "empty group label");
    label_of_unit[static_cast<size_t>(*u)] = std::string(group);
  }
  if (!allow_unmapped) {
    int64_t missing = 0;
    std::string first;
    for (int64_t u = 0; u < geography.size(); ++u)
      if (label_of_unit[static_cast<size_t>(u)].empty() && missing++ == 0)
        first = geography.geoid(u);
    if (missing > 0)
      throw InputError(mapping.string(), 0, unit_column,
                       fmt::format("{} unit(s) of {} have no group, first {}", missing,
                                   geography_file, flowfit::quote_for_message(first)));
  }
  return Grouping::from_labels(label_of_unit);
}

std::pair<std::string, std::string> split_column_pair(const std::string& text,
                                                      const std::string& option) {
  const auto comma = text.find(',');
  if (comma == std::string::npos || comma == 0 || comma + 1 == text.size() ||
      text.find(',', comma + 1) != std::string::npos)
    throw ConfigError(option,
                      fmt::format("expected two column names 'UNIT,GROUP', got '{}'", text));
  return {text.substr(0, comma), text.substr(comma + 1)};
}

}  // namespace flowfit::targets
