#include "flowfit/io/geography_io.hpp"

#include <unordered_map>
#include <utility>
#include <vector>

#include "flowfit/error.hpp"
#include "flowfit/escape.hpp"
#include "flowfit/io/csv_reader.hpp"
#include "flowfit/io/csv_writer.hpp"

namespace flowfit::io {
namespace {

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

// The GEOID length a column name promises: cbg_geoid 12, tract 11, county 5, state 2; 0 when the
// name does not tell (address ids, group labels).
std::size_t level_length(std::string_view column) {
  auto has = [&](std::string_view word) { return column.find(word) != std::string_view::npos; };
  if (has("cbg") || has("block_group")) return 12;
  if (has("tract")) return 11;
  if (has("county")) return 5;
  if (has("state")) return 2;
  return 0;
}

// Numeric GEOIDs in a column whose name tells the level (cbg_geoid, tract_geoid, county_fips,
// state_fips) must have that level's length. A shorter one has usually lost its leading zero
// (pandas reads GEOIDs as integers unless told dtype=str), and its units would land in the wrong
// state or county. Other columns (address ids, labels) may hold any ids.
void check_geoid_lengths(const std::filesystem::path& path, std::string_view column,
                         const std::vector<std::string>& geoids,
                         const std::vector<int64_t>& lines) {
  const std::size_t want = level_length(column);
  if (want == 0) return;
  for (std::size_t i = 0; i < geoids.size(); ++i) {
    const std::string& g = geoids[i];
    if (!all_digits(g) || g.size() == want) continue;
    std::string why = "GEOID '" + g + "' has " + std::to_string(g.size()) + " digits, but a " +
                      std::string(column) + " has " + std::to_string(want);
    if (g.size() < want)
      why +=
          "; a leading zero was probably lost (pandas drops it when it reads GEOIDs as "
          "integers: read them with dtype=str and write them zero-padded)";
    throw InputError(path.string(), lines[i], std::string(column), why);
  }
}

}  // namespace

Geography read_geography(const std::filesystem::path& path, std::string_view geoid_column) {
  CsvReader reader(path, csv_options_for(path));
  const int col = reader.column(geoid_column);
  std::vector<std::string> geoids;
  std::unordered_map<std::string_view, int64_t> first_line;
  std::vector<int64_t> lines;
  while (reader.next()) {
    std::string_view g = reader.field(col);
    if (g.empty()) reader.fail(col, "empty GEOID");
    geoids.emplace_back(g);
    lines.push_back(reader.line());
  }
  check_geoid_lengths(reader.file(), geoid_column, geoids, lines);
  first_line.reserve(geoids.size());
  for (std::size_t i = 0; i < geoids.size(); ++i) {
    auto [it, inserted] = first_line.emplace(geoids[i], lines[i]);
    if (!inserted) {
      throw InputError(reader.file(), lines[i], std::string(geoid_column),
                       "duplicate GEOID " + quote_for_message(geoids[i]) + " (first on line " +
                           std::to_string(it->second) + ")");
    }
  }
  return Geography(std::move(geoids));
}

void write_geography(const std::filesystem::path& path, const Geography& geography,
                     std::string_view column) {
  CsvWriteOptions options;
  options.delimiter = csv_options_for(path).delimiter;
  CsvWriter out(path, {std::string(column)}, options);
  for (const std::string& g : geography.geoids()) {
    out.field(g);
    out.end_row();
  }
  out.commit();
}

std::unordered_map<std::string, std::string> read_mapping(const std::filesystem::path& path,
                                                          std::string_view unit_column,
                                                          std::string_view group_column) {
  CsvReader reader(path, csv_options_for(path));
  const int unit = reader.column(unit_column);
  const int group = reader.column(group_column);
  std::unordered_map<std::string, std::string> mapping;
  std::unordered_map<std::string, int64_t> line_of;
  while (reader.next()) {
    std::string_view u = reader.field(unit);
    std::string_view g = reader.field(group);
    if (u.empty()) reader.fail(unit, "empty unit GEOID");
    if (g.empty()) reader.fail(group, "empty group label");
    auto [it, inserted] = line_of.emplace(std::string(u), reader.line());
    if (!inserted) {
      reader.fail(unit, "unit " + quote_for_message(u) + " is listed twice (first on line " +
                            std::to_string(it->second) + ")");
    }
    mapping.emplace(std::string(u), std::string(g));
  }
  return mapping;
}

}  // namespace flowfit::io
