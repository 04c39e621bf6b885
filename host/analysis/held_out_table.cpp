// A held-out table from a CSV: flows between areas, or one value per area (row or column sums).
#include <map>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "flowfit/analysis/census_validation.hpp"
#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"

namespace flowfit::analysis {

namespace {

std::vector<std::string> split_columns(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

bool is_geoid_length(size_t n) {
  return n == 2 || n == 5 || n == 11 || n == 12;
}

}  // namespace

CensusTable read_held_out_table(const std::string& path, const Geography& geo,
                                const std::string& columns, bool column_sums,
                                std::vector<std::string>& warnings,
                                const CountyCodeChanges* changes) {
  const io::CsvTable csv = io::CsvTable::read(path);
  std::vector<std::string> names = split_columns(columns);
  if (names.empty())
    names = csv.find_column("origin") ? std::vector<std::string>{"origin", "destination", "value"}
                                      : std::vector<std::string>{"geoid", "value"};
  if (names.size() != 2 && names.size() != 3)
    throw ConfigError("--held-out-columns",
                      "expected ORIGIN,DESTINATION,VALUE (a flow table) or GEOID,VALUE (one value "
                      "per area); got '" +
                          columns + "'");
  const bool flows = names.size() == 3;
  std::vector<int> col;
  for (const std::string& n : names) col.push_back(csv.column(n));
  const int value_col = col.back();

  // GEOID length: one for the whole table.
  size_t length = 0;
  for (int64_t r = 0; r < csv.n_rows(); ++r)
    for (size_t c = 0; c + 1 < col.size(); ++c) {
      const std::string_view g = csv.field(r, col[c]);
      if (g.empty() || g.find_first_not_of("0123456789") != std::string_view::npos)
        csv.fail(r, col[c], "expected a GEOID of digits, got '" + std::string(g) + "'");
      if (length == 0) length = g.size();
      if (g.size() != length || !is_geoid_length(length))
        csv.fail(r, col[c],
                 fmt::format("GEOIDs of one level are needed (2 state, 5 county, 11 tract or 12 "
                             "CBG digits); '{}' has {} digits where the table started with {}",
                             g, g.size(), length));
    }
  if (csv.n_rows() == 0) throw InputError(path, 0, names.front(), "the table has no rows");
  for (const std::string& g : geo.geoids())
    if (g.size() < length)
      throw InputError(path, 0, names.front(),
                       fmt::format("the table's GEOIDs have {} digits but the geography's unit {} "
                                   "has only {}: inconsistent geography",
                                   length, g, g.size()));
  if (flows)
    csv.check_unique(std::span<const int>(col.data(), 2));
  else
    csv.check_unique(std::span<const int>(col.data(), 1));

  const Grouping areas = Grouping::by_prefix(geo, static_cast<int>(length));
  const int32_t n = areas.n_groups();
  TableQuantity q;
  q.name = flows ? fmt::format("flows between {}-digit areas ({})", length, names.back())
                 : fmt::format("{} sums by {}-digit area ({})", column_sums ? "column" : "row",
                               length, names.back());
  if (flows)
    q.margin = block_margin(q.name, areas, areas,
                            std::vector<double>(static_cast<size_t>(int64_t{n} * n), 0.0));
  else if (column_sums)
    q.margin = col_margin(q.name, geo.size(), areas, std::vector<double>(n, 0.0));
  else
    q.margin = row_margin(q.name, areas, geo.size(), std::vector<double>(n, 0.0));
  q.compared.assign(static_cast<size_t>(q.margin.n_blocks()), 0);
  q.split_diagonal_blocks = flows;
  // 2019 county code -> the 2010 code that became it, for codes the geography lacks.
  std::unordered_map<std::string, std::string> to_2010;
  if (changes && length >= 5)
    for (const auto& [old_code, new_code] : changes->to_2019) to_2010[new_code] = old_code;
  int64_t outside = 0, used = 0, translated = 0;
  const auto find = [&](std::string_view g) -> std::optional<int32_t> {
    if (auto k = areas.find(g)) return k;
    const auto it = to_2010.find(std::string(g.substr(0, 5)));
    if (it == to_2010.end()) return std::nullopt;
    auto k = areas.find(it->second + std::string(g.substr(5)));
    translated += k.has_value();
    return k;
  };
  std::string example;
  for (int64_t r = 0; r < csv.n_rows(); ++r) {
    const double v = csv.number(r, value_col, io::NumberRule::finite);
    const auto a = find(csv.field(r, col[0]));
    const auto b = flows ? find(csv.field(r, col[1])) : std::optional<int32_t>(0);
    if (!a || !b) {
      if (example.empty()) example = std::string(csv.field(r, col[a ? 1 : 0]));
      ++outside;
      continue;
    }
    const int64_t block = flows ? q.margin.block_index(*a, *b) : *a;
    q.margin.targets[static_cast<size_t>(block)] = v;
    q.compared[static_cast<size_t>(block)] = 1;
    ++used;
  }
  if (used == 0)
    throw InputError(path, 0, names.front(),
                     fmt::format("no row of the table names an area of the geography (e.g. {}): "
                                 "inconsistent geography, nothing to compare",
                                 example));
  if (outside > 0)
    warnings.push_back(
        fmt::format("{}: {} of {} rows name areas outside the geography (e.g. {}) "
                    "and are not compared",
                    path, outside, csv.n_rows(), example));
  if (translated > 0)
    warnings.push_back(
        fmt::format("{}: {} GEOID(s) with a 2019 county code read as the 2010 code "
                    "that became it",
                    path, translated));
  CensusTable t;
  t.name = std::filesystem::path(path).stem().string();
  t.source = path;
  t.role = TableRole::held_out;
  t.quantities.push_back(std::move(q));
  return t;
}

}  // namespace flowfit::analysis
