// flowfit redact MATRIX -o OUT --report DIR: the privacy rule of the MIGRATE data release as a
// parameterised transformation (withhold CBGs whose out-movers are concentrated on a few
// destinations, or with few people), with a report of what was removed. Never in place.
#include <memory>

#include <fmt/format.h>

#include "flowfit/analysis/datapackage.hpp"
#include "flowfit/analysis/redact.hpp"
#include "flowfit/error.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "tools/flowfit/cmd_analyze_common.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/outputs.hpp"

namespace flowfit::cli {
namespace {

struct RedactArgs {
  std::string matrix, output, report, to = "auto";
  MatrixInputOptions in;
  analysis::RedactionOptions options;
};

int run_redact(const RedactArgs& a, const GlobalOptions& global) {
  const io::MatrixFormat to = matrix_format_for(a.output, a.to, "--to");
  prepare_output(a.output, "--output", {{"MATRIX", a.matrix}, {"--geography", a.in.geography}});
  check_package_output(a.report, {"withheld_cbgs", "summary"},
                       {a.matrix, a.in.geography, a.output});
  const AnalyzeInputs in = load_analyze_inputs(a.matrix, a.in, global);
  const analysis::RedactionResult r = analysis::redact(in.matrix, a.options);

  io::MatrixWriteOptions wo;
  wo.format = to;
  wo.row_geography = &in.geo;
  wo.col_geography = &in.geo;
  wo.comments = {fmt::format(
      "redacted by flowfit from {}: {} CBGs withheld (share {:g}, destinations {}, population "
      "{:g})",
      a.matrix, r.withheld.size(), a.options.share, a.options.max_destinations,
      a.options.min_population)};
  io::write_matrix(a.output, r.matrix, wo);

  analysis::PackageWriter pkg(
      a.report, "flowfit-redaction-report", "Redaction report",
      fmt::format("CBGs withheld from {} (rows removed): out-movers concentrated (share >= {:g} "
                  "going to the {} largest destinations) or population below {:g}",
                  a.matrix, a.options.share, a.options.max_destinations, a.options.min_population));
  analysis::TableSpec t;
  t.name = "withheld_cbgs";
  t.title = "Withheld CBGs";
  t.fields = {analysis::geoid_field("cbg_geoid", 12, "withheld CBG"),
              {"concentrated", "boolean", "withheld by the concentration rule", "", "", true},
              {"small_population", "boolean", "withheld by the population rule", "", "", true},
              analysis::number_field("population", "row sum (people at t-1)", "people"),
              analysis::number_field("out_movers", "row sum - diagonal", "people"),
              analysis::number_field(
                  "top_share", "share of out-movers going to the largest destinations", "fraction"),
              {"destinations", "integer", "CBGs receiving movers", "CBGs", "", false}};
  // A geography of non-CBG units (tests, regions) has other GEOID lengths: no pattern then.
  for (const auto& id : in.geo.geoids())
    if (id.size() != 12) t.fields[0].pattern.clear();
  t.primary_key = {"cbg_geoid"};
  io::CsvWriter& w = pkg.table(t);
  for (const auto& u : r.withheld) {
    w.field(in.geo.geoid(u.unit))
        .field(u.concentrated ? "true" : "false")
        .field(u.small_population ? "true" : "false")
        .field(u.population)
        .field(u.out_movers);
    number_or_missing(w, u.top_share);
    w.field(u.destinations).end_row();
  }
  pkg.finish_table();
  analysis::TableSpec s;
  s.name = "summary";
  s.title = "What was removed";
  s.fields = {{"measure", "string", "", "", "", true}, analysis::number_field("value", "", "")};
  s.primary_key = {"measure"};
  io::CsvWriter& sw = pkg.table(s);
  const double n = static_cast<double>(in.matrix.n_rows);
  const std::vector<std::pair<std::string, double>> rows{
      {"cbgs", n},
      {"withheld_cbgs", static_cast<double>(r.withheld.size())},
      {"withheld_cbgs_pct", n > 0 ? 100.0 * static_cast<double>(r.withheld.size()) / n : 0},
      {"withheld_concentrated", static_cast<double>(r.concentrated)},
      {"withheld_small_population", static_cast<double>(r.small_population)},
      {"removed_entries", static_cast<double>(r.removed_entries)},
      {"removed_people", r.removed_people},
      {"removed_people_pct", r.input_total > 0 ? 100.0 * r.removed_people / r.input_total : 0},
      {"removed_movers", r.removed_movers},
      {"share_threshold", a.options.share},
      {"max_destinations", static_cast<double>(a.options.max_destinations)},
      {"min_population", a.options.min_population}};
  for (const auto& [k, v] : rows) sw.field(k).field(v).end_row();
  pkg.finish_table();
  pkg.add_source("flow matrix", a.matrix);
  pkg.add_source("redacted matrix", a.output);
  pkg.commit();
  global.console.info(fmt::format(
      "wrote {}: {} of {} CBGs withheld ({:.3f}%; {} concentrated, {} under {:g} people), "
      "{:.6g} people removed; report in {}",
      a.output, r.withheld.size(), in.matrix.n_rows,
      n > 0 ? 100.0 * static_cast<double>(r.withheld.size()) / n : 0.0, r.concentrated,
      r.small_population, a.options.min_population, r.removed_people, a.report));
  return kExitOk;
}

CommandAction setup(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<RedactArgs>();
  app.add_option("MATRIX", a->matrix, "Harmonized CBG flow matrix")->required();
  app.add_option("-o,--output", a->output, "The redacted matrix (.mtx/.npz/.ffm/.csv)")->required();
  app.add_option("--report", a->report, "Report data package folder")->required();
  app.add_option("--to", a->to, "Output format when the extension does not tell")
      ->check(CLI::IsMember({"auto", "mtx", "npz", "csv", "tsv", "ffm"}));
  app.add_option("--share", a->options.share,
                 "Withhold a CBG when this share of its out-movers goes to ...")
      ->capture_default_str();
  app.add_option("--max-destinations", a->options.max_destinations,
                 "... this many (or fewer) destination CBGs")
      ->capture_default_str();
  app.add_option("--min-population", a->options.min_population,
                 "Withhold CBGs with fewer people at t-1 (0: off)")
      ->capture_default_str();
  add_matrix_input_options(app, a->in);
  return [a, &global] { return run_redact(*a, global); };
}

const CommandRegistrar registrar{
    {"redact", "Privacy redaction of a harmonized matrix (the MIGRATE release rule), with a report",
     89, setup}};

}  // namespace
}  // namespace flowfit::cli
