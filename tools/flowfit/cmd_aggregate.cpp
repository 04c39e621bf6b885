// flowfit aggregate MATRIX: flows between tracts, counties, states or any mapped groups.
#include <memory>

#include <fmt/format.h>

#include "flowfit/assembly.hpp"
#include "flowfit/error.hpp"
#include "flowfit/io/geography_io.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/targets/groupings.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/matrix_input.hpp"
#include "tools/flowfit/outputs.hpp"

namespace flowfit::cli {
namespace {

struct AggregateArgs {
  std::string matrix, output;
  std::string level;
  std::string mapping;
  std::string mapping_columns = "cbg_geoid,group";
  std::string from = "auto", to = "auto";
  std::string labels_out;
  MatrixInputOptions in;
};

int aggregate(const AggregateArgs& a, const GlobalOptions& global) {
  if (a.level.empty() == a.mapping.empty())
    throw ConfigError("--level", "give exactly one of --level LEVEL and --mapping FILE");
  if (a.in.geography.empty())
    throw ConfigError("--geography", "aggregation needs the unit GEOIDs: give --geography FILE");
  const io::MatrixFormat from = matrix_format_for(a.matrix, a.from, "--from");
  const io::MatrixFormat to = matrix_format_for(a.output, a.to, "--to");
  const auto columns = targets::split_column_pair(a.mapping_columns, "--mapping-columns");
  const std::vector<NamedInput> inputs{
      {"MATRIX", a.matrix}, {"--geography", a.in.geography}, {"--mapping", a.mapping}};
  prepare_output(a.output, "--output", inputs);
  if (!a.labels_out.empty()) {
    prepare_output(a.labels_out, "--labels-out", inputs);
    io::refuse_output_over_input(a.labels_out, "--labels-out", {{"--output", a.output}});
  }

  const auto geography = load_geography(a.in);
  const Grouping groups = a.mapping.empty()
                              ? targets::grouping_by_level(&*geography, geography->size(), a.level,
                                                           "--level", a.in.geography)
                              : targets::grouping_from_mapping(*geography, a.mapping, columns.first,
                                                               columns.second, a.in.geography);
  const CsrMatrix m = load_matrix(a.matrix, a.in, &*geography, from);

  assembly::AggregationStats stats;
  const CsrMatrix f = assembly::aggregate(m, groups, groups, &stats);
  const Geography labels(groups.labels());

  io::MatrixWriteOptions w;
  w.format = to;
  w.row_geography = &labels;
  w.col_geography = &labels;
  w.comments = {
      fmt::format("aggregated by flowfit from {} ({} groups)", a.matrix, groups.n_groups())};
  io::write_matrix(a.output, f, w);
  if (!a.labels_out.empty()) io::write_geography(a.labels_out, labels, "group");

  global.console.info(fmt::format("wrote {}: {} x {} groups, {} nonzeros, total {:.17g}", a.output,
                                  f.n_rows, f.n_cols, f.nnz(), total(f)));
  if (stats.dropped_entries > 0)
    global.console.warn(
        fmt::format("{} entries (total {:.6g}) of units without a group were "
                    "dropped",
                    stats.dropped_entries, stats.dropped_total));
  if (to != io::MatrixFormat::csv && to != io::MatrixFormat::tsv && a.labels_out.empty())
    global.console.info(
        "row/column i of the output is the i-th group in sorted label order; "
        "--labels-out FILE writes the labels");
  return kExitOk;
}

CommandAction setup(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<AggregateArgs>();
  app.add_option("MATRIX", a->matrix, "Flow matrix over the units of --geography")->required();
  app.add_option("-o,--output", a->output,
                 "Aggregated flows: .csv/.tsv triplets labelled by group, or .mtx/.npz/.ffm")
      ->required();
  app.add_option("--level", a->level, "Aggregate by GEOID prefix: tract, county or state")
      ->check(CLI::IsMember({"tract", "county", "state"}));
  app.add_option("--mapping", a->mapping,
                 "Aggregate by a CSV mapping every unit GEOID to a group label");
  app.add_option("--mapping-columns", a->mapping_columns, "Unit and group columns of --mapping")
      ->capture_default_str();
  app.add_option("--from", a->from, "Input format when the extension does not tell")
      ->check(CLI::IsMember({"auto", "mtx", "npz", "csv", "tsv", "ffm"}));
  app.add_option("--to", a->to, "Output format when the extension does not tell")
      ->check(CLI::IsMember({"auto", "mtx", "npz", "csv", "tsv", "ffm"}));
  app.add_option("--labels-out", a->labels_out, "Also write the group labels in output order");
  add_matrix_input_options(app, a->in);
  return [a, &global] { return aggregate(*a, global); };
}

const CommandRegistrar registrar{
    {"aggregate", "Aggregate CBG flows to tract, county or state flows, or to mapped groups", 70,
     setup}};

}  // namespace
}  // namespace flowfit::cli
