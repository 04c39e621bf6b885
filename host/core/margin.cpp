#include "flowfit/margin.hpp"

#include <cmath>

#include "flowfit/error.hpp"
#include "flowfit/escape.hpp"

namespace flowfit {

std::string_view to_string(EntryClass c) {
  switch (c) {
    case EntryClass::all:
      return "all";
    case EntryClass::diagonal:
      return "diagonal";
    case EntryClass::off_diagonal:
      return "off_diagonal";
  }
  return "?";
}

EntryClass entry_class_from_string(std::string_view s) {
  if (s == "all") return EntryClass::all;
  if (s == "diagonal") return EntryClass::diagonal;
  if (s == "off_diagonal" || s == "off-diagonal") return EntryClass::off_diagonal;
  throw ConfigError("entries",
                    "expected all, diagonal or off_diagonal, got " + quote_for_message(s));
}

void Margin::set_target(std::string_view row_label, std::string_view col_label, double value) {
  auto r = rows.find(row_label);
  if (!r) throw ConfigError(name, "unknown row group " + quote_for_message(row_label));
  auto c = cols.find(col_label);
  if (!c) throw ConfigError(name, "unknown column group " + quote_for_message(col_label));
  if (static_cast<int64_t>(targets.size()) != n_blocks()) targets.assign(n_blocks(), 0.0);
  targets[block_index(*r, *c)] = value;
}

void Margin::validate(int64_t n_rows, int64_t n_cols) const {
  const std::string key = "margin '" + name + "'";
  if (rows.n_units() != n_rows)
    throw ConfigError(key, "row grouping covers " + std::to_string(rows.n_units()) +
                               " units but the matrix has " + std::to_string(n_rows) + " rows");
  if (cols.n_units() != n_cols)
    throw ConfigError(key, "column grouping covers " + std::to_string(cols.n_units()) +
                               " units but the matrix has " + std::to_string(n_cols) + " columns");
  if (static_cast<int64_t>(targets.size()) != n_blocks())
    throw ConfigError(key, "has " + std::to_string(targets.size()) + " targets for " +
                               std::to_string(n_blocks()) + " blocks");
  for (int64_t b = 0; b < n_blocks(); ++b)
    if (!std::isfinite(targets[b]))
      throw ConfigError(key, "target of block (" + rows.label(b / cols.n_groups()) + ", " +
                                 cols.label(b % cols.n_groups()) + ") is not finite");
  if (entries != EntryClass::all && n_rows != n_cols)
    throw ConfigError(key, "a diagonal entry class needs a square matrix");
}

Margin row_margin(std::string name, Grouping rows, int64_t n_cols, std::vector<double> targets,
                  EntryClass entries) {
  return block_margin(std::move(name), std::move(rows), Grouping::whole(n_cols), std::move(targets),
                      entries);
}

Margin col_margin(std::string name, int64_t n_rows, Grouping cols, std::vector<double> targets,
                  EntryClass entries) {
  return block_margin(std::move(name), Grouping::whole(n_rows), std::move(cols), std::move(targets),
                      entries);
}

Margin block_margin(std::string name, Grouping rows, Grouping cols, std::vector<double> targets,
                    EntryClass entries) {
  Margin m;
  m.name = std::move(name);
  m.rows = std::move(rows);
  m.cols = std::move(cols);
  m.entries = entries;
  m.targets = std::move(targets);
  if (m.targets.empty()) m.targets.assign(m.n_blocks(), 0.0);
  return m;
}

}  // namespace flowfit
