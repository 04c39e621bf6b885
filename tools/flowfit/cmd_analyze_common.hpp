#pragma once
// What the `flowfit analyze ...` subcommands share: reading the matrix and the geography,
// choosing groups (a census level, a mapping file or an attribute table / data package), and
// writing the result as a data package folder that overwrites no input.
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "flowfit/analysis/datapackage.hpp"
#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"
#include "flowfit/io/csv_writer.hpp"
#include "tools/flowfit/cli_context.hpp"
#include "tools/flowfit/matrix_input.hpp"

namespace flowfit::cli {

// Subcommands of `flowfit analyze`, each defined in its own cmd_analyze_<name>.cpp. Each adds
// itself to `parent` and returns the action to run when it was chosen.
using AnalyzeAction = std::function<int()>;
AnalyzeAction setup_analyze_rates(CLI::App& parent, const GlobalOptions& global);
AnalyzeAction setup_analyze_groups(CLI::App& parent, const GlobalOptions& global);
AnalyzeAction setup_analyze_distances(CLI::App& parent, const GlobalOptions& global);
AnalyzeAction setup_analyze_area(CLI::App& parent, const GlobalOptions& global);

// How CBGs are grouped. Exactly one of level, mapping, attribute (none given: `fallback_level`).
struct GroupOptions {
  std::string level, mapping, mapping_columns = "cbg_geoid,group";
  std::string attribute, resource, key, value;  // CSV or data package
  int key_length = 0;
  int quantiles = 0;           // bin a numeric attribute into k quantiles
  std::string county_changes;  // default: the bundled 2010 -> 2019 county code changes
};
void add_group_options(CLI::App& app, GroupOptions& g, bool with_level);

struct GroupChoice {
  Grouping groups;
  std::string what;                // e.g. "county", "exposure_segregation_smoothed quintile"
  int geoid_length = 0;            // labels are GEOIDs of this length (0: free labels)
  std::vector<std::string> notes;  // join report, bins
  struct Bin {
    std::string label;
    double lower, upper;
    int64_t keys;
  };
  std::vector<Bin> bins;  // quantile bins, when binned
};
GroupChoice choose_groups(const GroupOptions& g, const Geography& geo,
                          const std::string& fallback_level, const std::string& geography_file,
                          const GlobalOptions& global);

std::filesystem::path bundled_data_file(const std::string& relative);

// Output folder checks: its parent exists, it is not a file, and none of the files the package
// will hold (datapackage.json and `resources`.csv) is an input.
void check_package_output(const std::filesystem::path& dir,
                          const std::vector<std::string>& resources,
                          const std::vector<std::filesystem::path>& inputs);

// A number, or an empty field (a missing value) for NaN.
void number_or_missing(io::CsvWriter& w, double v);

// The geography and one matrix over it (square, one row per unit).
struct AnalyzeInputs {
  Geography geo;
  CsrMatrix matrix;
};
AnalyzeInputs load_analyze_inputs(const std::string& matrix, const MatrixInputOptions& in,
                                  const GlobalOptions& global);

}  // namespace flowfit::cli
