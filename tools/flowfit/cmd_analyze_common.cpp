#include "tools/flowfit/cmd_analyze_common.hpp"

#include <cmath>
#include <system_error>

#include <fmt/format.h>

#include "flowfit/analysis/attributes.hpp"
#include "flowfit/error.hpp"
#include "flowfit/io/path_identity.hpp"
#include "flowfit/targets/groupings.hpp"

namespace fs = std::filesystem;

namespace flowfit::cli {

void add_group_options(CLI::App& app, GroupOptions& g, bool with_level) {
  if (with_level)
    app.add_option("--level", g.level, "Group CBGs by GEOID prefix: cbg, tract, county, state")
        ->check(CLI::IsMember({"cbg", "tract", "county", "state"}));
  app.add_option("--mapping", g.mapping, "Group CBGs by a CSV mapping each CBG GEOID to a label");
  app.add_option("--mapping-columns", g.mapping_columns, "CBG and group columns of --mapping")
      ->capture_default_str();
  app.add_option("--attribute", g.attribute,
                 "Group CBGs by an attribute table keyed by GEOID at any level: a CSV, or a "
                 "Frictionless data package (datapackage.json or its folder)");
  app.add_option("--resource", g.resource, "Resource of the --attribute data package");
  app.add_option("--key", g.key, "GEOID column of --attribute");
  app.add_option("--value", g.value, "Attribute column of --attribute (the group label)");
  app.add_option("--key-length", g.key_length,
                 "GEOID length of --key (2, 5, 11, 12; default: inferred)");
  app.add_option("--quantiles", g.quantiles,
                 "Bin a numeric --value into this many quantiles (5: quintiles)");
  app.add_option("--county-changes", g.county_changes,
                 "2010 -> 2019 county code changes applied when joining (default: the bundled "
                 "data/geography/county_fips_changes_2010_2019.csv)");
}

fs::path bundled_data_file(const std::string& relative) {
  if (const char* env = std::getenv("FLOWFIT_DATA_DIR")) return fs::path(env) / relative;
  return fs::path(FLOWFIT_DATA_DIR) / relative;
}

GroupChoice choose_groups(const GroupOptions& g, const Geography& geo,
                          const std::string& fallback_level, const std::string& geography_file,
                          const GlobalOptions& global) {
  const int given = !g.level.empty() + !g.mapping.empty() + !g.attribute.empty();
  if (given > 1)
    throw ConfigError("--level", "give at most one of --level, --mapping and --attribute");
  GroupChoice c;
  if (!g.attribute.empty()) {
    if (g.key.empty() || g.value.empty())
      throw ConfigError("--key", "--attribute needs --key COLUMN and --value COLUMN");
    const analysis::AttributeTable t =
        analysis::read_attribute_table(g.attribute, g.resource, g.key, g.value, g.key_length);
    for (const std::string& w : t.warnings) global.console.warn(w);
    const fs::path changes_file =
        g.county_changes.empty() ? bundled_data_file("geography/county_fips_changes_2010_2019.csv")
                                 : fs::path(g.county_changes);
    std::error_code ec;
    analysis::CountyCodeChanges changes;
    if (fs::exists(changes_file, ec))
      changes = analysis::read_county_code_changes(changes_file);
    else
      global.console.warn("no county code changes applied: " + changes_file.string() +
                          " does not exist");
    analysis::JoinReport rep;
    const auto keys = analysis::join_keys(geo, t, &changes, &rep);
    c.notes.push_back(fmt::format(
        "{}: {} CBGs joined ({} through a changed county code), {} not joined, {} table rows "
        "unused",
        t.source, rep.matched_units, rep.via_code_change, rep.unmatched_units, rep.unused_keys));
    if (rep.unmatched_units > 0) {
      std::string list;
      for (const std::string& p : rep.unmatched_prefixes) list += (list.empty() ? "" : " ") + p;
      global.console.warn(fmt::format(
          "{} CBGs have no row in {} and are in no group (GEOID prefixes: {}{})",
          rep.unmatched_units, t.source, list, rep.unmatched_prefixes.size() == 20 ? " ..." : ""));
    }
    if (rep.matched_units == 0)
      throw InputError(t.source, 0, g.key, "no CBG of the geography joins this table");
    if (g.quantiles > 0) {
      analysis::QuantileBins bins;
      c.groups = analysis::quantile_groups(t, keys, g.quantiles, &bins);
      c.what = fmt::format("{} in {} quantile bins", g.value, g.quantiles);
      for (size_t b = 0; b < bins.labels.size(); ++b)
        c.bins.push_back({bins.labels[b], bins.lower[b], bins.upper[b], bins.keys[b]});
    } else {
      c.groups = analysis::categorical_groups(t, keys);
      c.what = g.value;
    }
    return c;
  }
  if (!g.mapping.empty()) {
    const auto cols = targets::split_column_pair(g.mapping_columns, "--mapping-columns");
    c.groups =
        targets::grouping_from_mapping(geo, g.mapping, cols.first, cols.second, geography_file,
                                       /*allow_unmapped=*/true);
    c.what = "groups of " + g.mapping;
    return c;
  }
  const std::string level = g.level.empty() ? fallback_level : g.level;
  if (level.empty())
    throw ConfigError("--level", "give --level, --mapping or --attribute to group the CBGs");
  c.groups = targets::grouping_by_level(&geo, geo.size(), level, "--level", geography_file);
  c.what = level;
  c.geoid_length = level == "state" ? 2 : level == "county" ? 5 : level == "tract" ? 11 : 12;
  return c;
}

void check_package_output(const fs::path& dir, const std::vector<std::string>& resources,
                          const std::vector<fs::path>& inputs) {
  if (dir.empty()) throw ConfigError("--output", "an output folder is required");
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    throw ConfigError("--output",
                      "'" + dir.string() + "' is a file; a data package is written to a folder");
  const fs::path parent = dir.parent_path().empty() ? fs::path(".") : dir.parent_path();
  if (!fs::is_directory(parent, ec))
    throw ConfigError("--output", "cannot create '" + dir.string() + "': folder '" +
                                      parent.string() + "' does not exist");
  std::vector<fs::path> outs{dir / "datapackage.json"};
  for (const std::string& r : resources) outs.push_back(dir / (r + ".csv"));
  std::vector<io::NamedInput> named;
  for (const fs::path& in : inputs) named.push_back({"input", in});
  for (const fs::path& out : outs) io::refuse_output_over_input(out, "--output", named);
}

void number_or_missing(io::CsvWriter& w, double v) {
  if (std::isnan(v))
    w.field(std::string_view());
  else
    w.field(v);
}

AnalyzeInputs load_analyze_inputs(const std::string& matrix, const MatrixInputOptions& in,
                                  const GlobalOptions& global) {
  if (in.geography.empty())
    throw ConfigError("--geography",
                      "the analysis needs the CBG geography (GEOIDs in matrix order): give "
                      "--geography FILE");
  AnalyzeInputs a;
  a.geo = *load_geography(in);
  a.matrix = load_matrix(matrix, in, &a.geo, matrix_format_for(matrix, "auto", "MATRIX"));
  global.console.detail(
      fmt::format("{}: {} units, {} nonzeros", matrix, a.geo.size(), a.matrix.nnz()));
  return a;
}

}  // namespace flowfit::cli
