#pragma once
// Groupings of matrix units (the CLI's --rows/--cols/--level/--mapping, plan-free analyses): a
// census level by GEOID prefix (state | county | tract | cbg), none (one group of every unit), or a
// mapping file (unit GEOID -> group label).
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>

#include "flowfit/geography.hpp"

namespace flowfit::targets {

// "state" | "county" | "tract" | "cbg" | "none". Throws ConfigError(option, ...) for any other
// name and InputError when a GEOID is shorter than the level's prefix.
Grouping grouping_by_level(const Geography* geography, int64_t n_units, const std::string& level,
                           const std::string& option, const std::string& geography_file);

// A mapping CSV with columns `unit_column` and `group_column`. Every line must name a unit of
// the geography (InputError naming the line otherwise), no unit twice, and every unit must have
// a group unless allow_unmapped (then it is left out of every group).
Grouping grouping_from_mapping(const Geography& geography, const std::filesystem::path& mapping,
                               const std::string& unit_column, const std::string& group_column,
                               const std::string& geography_file, bool allow_unmapped = false);

// "a,b" -> {"a", "b"}; ConfigError(option, ...) unless there are exactly two non-empty names.
std::pair<std::string, std::string> split_column_pair(const std::string& text,
                                                      const std::string& option);

}  // namespace flowfit::targets
