#include "flowfit/targets/margin_tables.hpp"

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/escape.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/targets/groupings.hpp"

namespace flowfit::targets {
namespace {

Grouping make_grouping(const std::string& level, const std::string& mapping, int64_t n_units,
                       const MarginContext& ctx, const std::string& option) {
  if (!mapping.empty()) {
    if (ctx.geography == nullptr)
      throw ConfigError("--geography", "a mapping file needs the unit GEOIDs: give --geography");
    return grouping_from_mapping(*ctx.geography, mapping, ctx.mapping_unit_column,
                                 ctx.mapping_group_column, ctx.geography_file);
  }
  return grouping_by_level(ctx.geography, n_units, level, option, ctx.geography_file);
}

std::string side_name(const MarginArgs& a, bool rows) {
  const std::string& mapping = rows ? a.row_mapping : a.col_mapping;
  const std::string& level = rows ? a.rows : a.cols;
  const std::string what = rows ? "row" : "column";
  return mapping.empty() ? fmt::format("{} {}", what, level)
                         : fmt::format("{} group of {}", what, mapping);
}

}  // namespace

MarginArgs parse_margin_spec(const std::string& text) {
  MarginArgs m;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string::npos)
      throw ConfigError("--margin",
                        fmt::format("expected KEY=VALUE, got '{}' in '{}'", item, text));
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "name") {
      m.name = value;
    } else if (key == "rows") {
      m.rows = value;
    } else if (key == "cols") {
      m.cols = value;
    } else if (key == "row_mapping") {
      m.row_mapping = value;
    } else if (key == "col_mapping") {
      m.col_mapping = value;
    } else if (key == "entries") {
      m.entries = value;
    } else if (key == "targets") {
      m.targets = value;
    } else {
      throw ConfigError("--margin",
                        fmt::format("unknown key '{}' in '{}' (name, rows, cols, row_mapping, "
                                    "col_mapping, entries, targets)",
                                    key, text));
    }
  }
  if (m.targets.empty())
    throw ConfigError("--margin", fmt::format("'{}' names no targets=FILE", text));
  return m;
}

Margin build_margin(const MarginArgs& a, const MarginContext& ctx, int index) {
  Margin m;
  m.name = a.name.empty() ? fmt::format("margin{}", index + 1) : a.name;
  try {
    m.entries = entry_class_from_string(a.entries);
  } catch (const ConfigError&) {
    throw ConfigError("--entries",
                      fmt::format("expected all, diagonal or off_diagonal, got '{}'", a.entries));
  }
  m.rows = make_grouping(a.rows, a.row_mapping, ctx.n_rows, ctx, "--rows");
  m.cols = make_grouping(a.cols, a.col_mapping, ctx.n_cols, ctx, "--cols");
  m.targets.assign(static_cast<size_t>(m.n_blocks()), 0.0);
  const bool by_rows = !m.rows.is_whole(), by_cols = !m.cols.is_whole();

  const io::CsvTable t = io::CsvTable::read(a.targets);
  const int target_col = t.column("target");
  const std::optional<int> group_col = t.find_column("group");
  const std::optional<int> col_group_col = t.find_column("col_group");
  if ((by_rows || by_cols) && !group_col) t.column("group");  // throws "missing column"
  if (by_rows && by_cols && !col_group_col) t.column("col_group");
  if (!(by_rows && by_cols) && col_group_col)
    throw InputError(a.targets, 1, "col_group",
                     "a col_group column needs both rows and columns grouped (this margin groups " +
                         std::string(by_rows   ? "rows only"
                                     : by_cols ? "columns only"
                                               : "neither") +
                         ")");
  if (by_rows && by_cols) {
    const int key[] = {*group_col, *col_group_col};
    t.check_unique(std::span<const int>(key));
  } else if (group_col) {
    t.check_unique({std::string_view("group")});
  }
  if (!by_rows && !by_cols && t.n_rows() != 1)
    throw InputError(
        a.targets, 0, "target",
        fmt::format("a margin over the whole matrix takes one target row, got {}", t.n_rows()));

  std::vector<uint8_t> given(m.targets.size(), 0);
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    int32_t rg = 0, cg = 0;
    auto lookup = [&](const Grouping& g, int col, bool rows) {
      const std::string_view label = t.field(r, col);
      auto found = g.find(label);
      if (!found)
        t.fail(r, col,
               fmt::format("unknown group {}: not a {} of {}", flowfit::quote_for_message(label),
                           side_name(a, rows),
                           ctx.geography_file.empty() ? "the matrix" : ctx.geography_file));
      return *found;
    };
    if (by_rows && by_cols) {
      rg = lookup(m.rows, *group_col, true);
      cg = lookup(m.cols, *col_group_col, false);
    } else if (by_rows) {
      rg = lookup(m.rows, *group_col, true);
    } else if (by_cols) {
      cg = lookup(m.cols, *group_col, false);
    }
    const double value = t.number(r, target_col, io::NumberRule::finite);
    m.targets[static_cast<size_t>(m.block_index(rg, cg))] = value;
    given[static_cast<size_t>(m.block_index(rg, cg))] = 1;
  }
  if (!(by_rows && by_cols) && !ctx.allow_missing_targets) {
    const Grouping& g = by_rows ? m.rows : m.cols;
    int64_t missing = 0;
    std::string first;
    for (int32_t k = 0; k < g.n_groups(); ++k)
      if (!given[static_cast<size_t>(k)] && missing++ == 0) first = g.label(k);
    if (missing > 0)
      throw InputError(
          a.targets, 0, "group",
          fmt::format("no target for {} {} group(s), first {} (give every group a "
                      "target, or --missing-targets keep to leave them unchanged)",
                      missing, by_rows ? "row" : "column", flowfit::quote_for_message(first)));
  }
  m.validate(ctx.n_rows, ctx.n_cols);
  return m;
}

}  // namespace flowfit::targets
