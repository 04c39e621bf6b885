#include "flowfit/analysis/attributes.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "flowfit/analysis/datapackage.hpp"
#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"

namespace fs = std::filesystem;

namespace flowfit::analysis {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int pattern_length(const std::string& pattern) {
  // ^[0-9]{N}$ or ^\d{N}$
  const auto open = pattern.find('{'), close = pattern.find('}');
  if (open == std::string::npos || close == std::string::npos || close < open + 2) return 0;
  try {
    return std::stoi(pattern.substr(open + 1, close - open - 1));
  } catch (...) {
    return 0;
  }
}

int round_up_level(int len) {
  for (int l : {2, 5, 11, 12})
    if (len <= l) return l;
  return len;
}

}  // namespace

CountyCodeChanges read_county_code_changes(const fs::path& path) {
  const io::CsvTable t = io::CsvTable::read(path);
  const int from = t.column("fips_2010"), to = t.column("fips_2019");
  CountyCodeChanges c;
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    const std::string a(t.field(r, from)), b(t.field(r, to));
    if (a.size() != 5 || !all_digits(a)) t.fail(r, from, "expected a 5-digit county code");
    if (b.size() != 5 || !all_digits(b)) t.fail(r, to, "expected a 5-digit county code");
    c.to_2019[a] = b;
  }
  return c;
}

AttributeTable read_attribute_table(const fs::path& path, const std::string& resource,
                                    const std::string& key_column, const std::string& value_column,
                                    int key_length) {
  AttributeTable out;
  out.key_column = key_column;
  out.value_column = value_column;
  fs::path file = path;
  bool typed_integer = false;
  if (is_datapackage(path)) {
    const DataPackage pkg = read_datapackage(path);
    const PackageResource& res = pkg.resource(resource);
    out.warnings = pkg.warnings;
    file = res.file;
    out.source = pkg.descriptor.string() + " resource " + res.name;
    if (const FieldSpec* f = res.field(key_column)) {
      typed_integer = f->type == "integer" || f->type == "number";
      if (key_length == 0) key_length = pattern_length(f->pattern);
    } else if (!res.fields.empty()) {
      throw InputError(pkg.descriptor.string(), 0, key_column,
                       "resource '" + res.name + "' has no field '" + key_column + "'");
    }
  } else {
    out.source = path.string();
  }
  const io::CsvTable t = io::CsvTable::read(file, io::csv_options_for(file));
  const int kc = t.column(key_column), vc = t.column(value_column);
  int longest = 0;
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    const std::string_view k = t.field(r, kc);
    if (!all_digits(k)) t.fail(r, kc, "expected a GEOID of digits, got '" + std::string(k) + "'");
    longest = std::max(longest, static_cast<int>(k.size()));
  }
  if (key_length == 0) key_length = round_up_level(longest);
  if (key_length != 2 && key_length != 5 && key_length != 11 && key_length != 12)
    throw ConfigError("--key-length", fmt::format("{}: keys of length {} are no census level "
                                                  "(2 state, 5 county, 11 tract, 12 CBG)",
                                                  out.source, key_length));
  out.key_length = key_length;
  int64_t padded = 0;
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    std::string k(t.field(r, kc));
    if (static_cast<int>(k.size()) > key_length)
      t.fail(r, kc, fmt::format("'{}' is longer than the key length {}", k, key_length));
    if (static_cast<int>(k.size()) < key_length) {
      k.insert(0, static_cast<size_t>(key_length) - k.size(), '0');
      ++padded;
    }
    const std::string_view v = t.field(r, vc);
    auto [it, inserted] = out.values.try_emplace(k, AttributeValue{std::string(v), t.line(r)});
    if (!inserted) t.fail(r, kc, fmt::format("key {} repeats line {}", k, it->second.line));
    if (v.empty()) out.values.erase(it);
  }
  if (padded > 0)
    out.warnings.push_back(fmt::format(
        "{}: {} of {} keys in column '{}' were zero-padded to {} digits{}", out.source, padded,
        t.n_rows(), key_column, key_length,
        typed_integer ? " (the package types the column as a number, which drops leading zeros)"
                      : ""));
  return out;
}

std::vector<std::string> join_keys(const Geography& geo, const AttributeTable& table,
                                   const CountyCodeChanges* changes, JoinReport* report) {
  JoinReport rep;
  std::vector<std::string> keys(static_cast<size_t>(geo.size()));
  std::set<std::string> unmatched, used;
  const size_t len = static_cast<size_t>(table.key_length);
  for (int64_t u = 0; u < geo.size(); ++u) {
    const std::string& id = geo.geoid(u);
    if (id.size() < len) {
      ++rep.unmatched_units;
      unmatched.insert(id);
      continue;
    }
    std::string key = id.substr(0, len);
    bool found = table.values.count(key) > 0;
    if (!found && changes && len >= 5) {
      auto c = changes->to_2019.find(key.substr(0, 5));
      if (c != changes->to_2019.end()) {
        std::string alt = c->second + key.substr(5);
        if (table.values.count(alt)) {
          key = std::move(alt);
          found = true;
          ++rep.via_code_change;
        }
      }
    }
    if (found) {
      ++rep.matched_units;
      used.insert(key);
      keys[static_cast<size_t>(u)] = std::move(key);
    } else {
      ++rep.unmatched_units;
      unmatched.insert(key);
    }
  }
  rep.unused_keys = static_cast<int64_t>(table.values.size() - used.size());
  for (const std::string& p : unmatched) {
    if (rep.unmatched_prefixes.size() == 20) break;
    rep.unmatched_prefixes.push_back(p);
  }
  if (report) *report = std::move(rep);
  return keys;
}

Grouping categorical_groups(const AttributeTable& table,
                            const std::vector<std::string>& unit_keys) {
  std::vector<std::string> labels(unit_keys.size());
  for (size_t u = 0; u < unit_keys.size(); ++u)
    if (!unit_keys[u].empty()) labels[u] = table.values.at(unit_keys[u]).text;
  return Grouping::from_labels(labels);
}

Grouping quantile_groups(const AttributeTable& table, const std::vector<std::string>& unit_keys,
                         int k, QuantileBins* bins) {
  if (k < 1) throw ConfigError("--quantiles", "the number of quantile bins must be at least 1");
  std::set<std::string> used(unit_keys.begin(), unit_keys.end());
  used.erase("");
  std::vector<std::pair<double, std::string>> rows;  // (value, key), sorted: deterministic
  for (const std::string& key : used) {
    const AttributeValue& v = table.values.at(key);
    double x = 0;
    try {
      size_t pos = 0;
      x = std::stod(v.text, &pos);
      if (pos != v.text.size() || !std::isfinite(x)) throw std::invalid_argument("");
    } catch (const std::exception&) {
      throw InputError(table.source, v.line, table.value_column,
                       "quantile bins need numbers, got '" + v.text + "'");
    }
    rows.emplace_back(x, key);
  }
  std::sort(rows.begin(), rows.end());
  const int width = k >= 10 ? static_cast<int>(std::to_string(k).size()) : 1;
  QuantileBins b;
  for (int i = 1; i <= k; ++i) b.labels.push_back(fmt::format("q{:0{}}", i, width));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  b.lower.assign(static_cast<size_t>(k), nan);
  b.upper.assign(static_cast<size_t>(k), nan);
  b.keys.assign(static_cast<size_t>(k), 0);
  std::unordered_map<std::string, int> bin_of_key;
  const auto n = static_cast<int64_t>(rows.size());
  int64_t less = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (i > 0 && rows[static_cast<size_t>(i)].first != rows[static_cast<size_t>(i - 1)].first)
      less = i;
    const int bin = static_cast<int>(less * k / n);
    const double x = rows[static_cast<size_t>(i)].first;
    if (b.keys[static_cast<size_t>(bin)]++ == 0) b.lower[static_cast<size_t>(bin)] = x;
    b.upper[static_cast<size_t>(bin)] = x;
    bin_of_key[rows[static_cast<size_t>(i)].second] = bin;
  }
  std::vector<std::string> labels(unit_keys.size());
  for (size_t u = 0; u < unit_keys.size(); ++u)
    if (!unit_keys[u].empty()) labels[u] = b.labels[static_cast<size_t>(bin_of_key[unit_keys[u]])];
  if (bins) *bins = b;
  return Grouping::from_labels(labels);
}

}  // namespace flowfit::analysis
