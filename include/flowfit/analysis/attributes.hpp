#pragma once
// Attribute tables keyed by GEOID (state, county, tract or CBG), read from a CSV or from a
// resource of a Frictionless data package, joined to the CBGs of a geography (each CBG takes
// the row of its GEOID prefix), with the 2010 -> 2019 county code changes applied, and turned
// into groups: categorical values as they are, numeric values binned into quantiles.
#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "flowfit/geography.hpp"

namespace flowfit::analysis {

// County codes that changed between the 2010 geography and 2019 tables (02270 -> 02158,
// 46113 -> 46102, 51515 -> 51019): data/geography/county_fips_changes_2010_2019.csv.
struct CountyCodeChanges {
  std::unordered_map<std::string, std::string> to_2019;  // 2010 code -> 2019 code
};
CountyCodeChanges read_county_code_changes(const std::filesystem::path& path);

struct AttributeValue {
  std::string text;
  int64_t line = 0;  // line in the source file, for error messages
};

struct AttributeTable {
  std::string source;  // file (and resource) it came from
  std::string key_column, value_column;
  int key_length = 0;                                      // 2, 5, 11 or 12
  std::unordered_map<std::string, AttributeValue> values;  // zero-padded GEOID -> value
  std::vector<std::string> warnings;                       // tolerated quirks
};

// `path` is a CSV/TSV, or a data package (datapackage.json or its folder; `resource` chooses
// the resource, optional when it has one). Keys must be digits; keys typed integer by the
// package schema, or shorter than the key length, are zero-padded (with a warning). key_length
// 0 infers it: from a pattern constraint ^[0-9]{N}$ of the key field, else the longest key
// rounded up to 2, 5, 11 or 12. Empty values are skipped. InputError names file, line, column
// for a non-digit or repeated key.
AttributeTable read_attribute_table(const std::filesystem::path& path, const std::string& resource,
                                    const std::string& key_column, const std::string& value_column,
                                    int key_length = 0);

struct JoinReport {
  int64_t matched_units = 0;
  int64_t unmatched_units = 0;
  int64_t via_code_change = 0;                  // units matched through a changed county code
  int64_t unused_keys = 0;                      // table rows no unit joined
  std::vector<std::string> unmatched_prefixes;  // distinct, sorted, at most 20
};

// For each unit of `geo`, the table key it joins ("" when none): its GEOID prefix of the key
// length, or that prefix with its county part replaced by the 2019 code when the prefix itself
// is not in the table.
std::vector<std::string> join_keys(const Geography& geo, const AttributeTable& table,
                                   const CountyCodeChanges* changes, JoinReport* report = nullptr);

// Categorical groups: each unit's label is its joined row's value; unmatched units ungrouped.
Grouping categorical_groups(const AttributeTable& table, const std::vector<std::string>& unit_keys);

// Quantile bins of a numeric attribute over the table rows that some unit joined (each row
// counted once, unweighted). A row whose value has `less` rows strictly below it goes to bin
// floor(less * k / n) + 1, so ties share a bin. Labels q1..qk (zero-padded when k >= 10).
struct QuantileBins {
  std::vector<std::string> labels;
  std::vector<double> lower, upper;  // smallest and largest value in each bin (NaN when empty)
  std::vector<int64_t> keys;         // table rows per bin
};
Grouping quantile_groups(const AttributeTable& table, const std::vector<std::string>& unit_keys,
                         int k, QuantileBins* bins = nullptr);

}  // namespace flowfit::analysis
