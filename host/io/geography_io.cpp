#include "flowfit/io/geography_io.hpp"

#include <unordered_map>
#include <utility>
#include <vector>

#include "flowfit/error.hpp"
#include "flowfit/escape.hpp"
#include "flowfit/io/csv_reader.hpp"
#include "flowfit/io/csv_writer.hpp"

namespace flowfit::io {

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
