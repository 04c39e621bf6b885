#pragma once
// Geographies (unit GEOIDs in matrix order) and unit -> group mapping tables from CSV/TSV.
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

#include "flowfit/geography.hpp"

namespace flowfit::io {

// The units, in file order, from the GEOID column (e.g. `cbg_geoid` of cbg2010.csv or of the
// golden geography.csv). Empty and duplicate GEOIDs are InputErrors naming the line(s).
Geography read_geography(const std::filesystem::path& path,
                         std::string_view geoid_column = "cbg_geoid");

// One column `column` holding the GEOIDs in order.
void write_geography(const std::filesystem::path& path, const Geography& geography,
                     std::string_view column = "cbg_geoid");

// unit GEOID -> group label from two named columns, for Grouping::from_mapping. A unit listed
// twice is an InputError (even with the same group); an empty unit or group is an InputError.
std::unordered_map<std::string, std::string> read_mapping(const std::filesystem::path& path,
                                                          std::string_view unit_column,
                                                          std::string_view group_column);

}  // namespace flowfit::io
