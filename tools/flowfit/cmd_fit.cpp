// flowfit fit: one ad-hoc stage from flags: group rows and/or columns, give targets, fit.
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "flowfit/io/checksum.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/pipeline/final_audit.hpp"
#include "flowfit/report/summary.hpp"
#include "flowfit/targets/groupings.hpp"
#include "flowfit/targets/margin_tables.hpp"
#include "flowfit/version.hpp"
#include "host/report/report_json.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/matrix_input.hpp"
#include "tools/flowfit/outputs.hpp"

namespace flowfit::cli {
namespace {

struct FitArgs {
  std::string matrix, output, report;
  MatrixInputOptions in;
  targets::MarginArgs single;        // from --rows/--cols/--entries/--targets
  std::vector<std::string> margins;  // --margin specs (replace the single margin)
  std::string mapping_columns = "cbg_geoid,group";
  std::string missing_targets = "error";
  int iterations = 1;
  std::optional<double> l1_tol, residual_tol;
  std::string method = "quotient";
  int log_every = 50;
  bool clip_diagonal = false;
  bool strict = false;
};

// A CLI11 check from a stage option rule (flowfit/stage.hpp): the limits and message of plans.
template <class T>
CLI::Validator stage_rule(void (*rule)(std::string_view, T), std::string description) {
  return CLI::Validator(
      [rule](std::string& text) -> std::string {
        T value{};
        if (!CLI::detail::lexical_cast(text, value)) return {};  // the conversion reports it
        try {
          rule("", value);
        } catch (const ConfigError& e) {
          return e.reason();
        }
        return {};
      },
      std::move(description));
}

int fit(const FitArgs& a, const GlobalOptions& global) {
  std::vector<targets::MarginArgs> specs;
  for (const auto& text : a.margins) specs.push_back(targets::parse_margin_spec(text));
  if (specs.empty()) {
    if (a.single.targets.empty())
      throw ConfigError("--targets", "give --targets FILE (or one or more --margin specs)");
    specs.push_back(a.single);
  } else if (!a.single.targets.empty()) {
    throw ConfigError("--margin", "use either --margin specs or --rows/--cols/--targets, not both");
  }
  const io::MatrixFormat format = matrix_format_for(a.matrix, "auto", "--matrix");
  const auto columns = targets::split_column_pair(a.mapping_columns, "--mapping-columns");
  std::vector<NamedInput> inputs{{"--matrix", a.matrix}, {"--geography", a.in.geography}};
  for (const auto& s : specs) {
    inputs.push_back({"--targets", s.targets});
    inputs.push_back({"row_mapping", s.row_mapping});
    inputs.push_back({"col_mapping", s.col_mapping});
  }
  if (!a.output.empty()) prepare_output(a.output, "--output", inputs);
  if (!a.report.empty()) {
    prepare_output(a.report, "--report", inputs);
    io::refuse_output_over_input(a.report, "--report", {{"--output", a.output}});
  }

  const auto geography = load_geography(a.in);
  CsrMatrix m = load_matrix(a.matrix, a.in, geography ? &*geography : nullptr, format);

  targets::MarginContext ctx;
  ctx.geography = geography ? &*geography : nullptr;
  ctx.geography_file = a.in.geography;
  ctx.n_rows = m.n_rows;
  ctx.n_cols = m.n_cols;
  ctx.mapping_unit_column = columns.first;
  ctx.mapping_group_column = columns.second;
  ctx.allow_missing_targets = a.missing_targets == "keep";

  Stage stage;
  stage.name = "fit";
  for (size_t i = 0; i < specs.size(); ++i)
    stage.margins.push_back(targets::build_margin(specs[i], ctx, static_cast<int>(i)));
  stage.stop.max_iterations = a.iterations;
  stage.stop.l1_tolerance = a.l1_tol;
  stage.stop.residual_tolerance = a.residual_tol;
  stage.method = a.method == "naive" ? FitMethod::naive : FitMethod::quotient;
  stage.log_every = a.log_every;

  auto backend = choose_backend(global);
  if (a.clip_diagonal) {
    const int64_t inserted = clip_diagonal(m, 1.0);
    global.console.info(fmt::format("diagonal clipped to >= 1 ({} entries inserted)", inserted));
  }
  const StageResult result = run_stage(*backend, m, stage);
  std::cout << report::stage_summary(result);

  const bool failed = a.strict && result.verdict != Verdict::converged;
  if (!a.report.empty()) {
    nlohmann::json doc{
        {"flowfit_version", std::string(version())},          {"matrix", a.matrix},
        {"matrix_sha256", io::file_sha256(a.matrix)},         {"backend", backend->name()},
        {"machine", report::to_json(report::machine_info())}, {"result", report::to_json(result)}};
    // The fitted matrix against every margin, with medians (one stage: its own final residuals).
    doc["final_audit"] = report::margins_json(pipeline::audit_margins(m, stage.margins));
    nlohmann::json targets = nlohmann::json::array();
    for (const auto& s : specs)
      targets.push_back({{"file", s.targets}, {"sha256", io::file_sha256(s.targets)}});
    doc["targets"] = targets;
    report::write_json(a.report, doc);
  }
  if (failed)
    throw CheckFailed(fmt::format("--strict: the stage ended '{}' ({}); no matrix was written",
                                  to_string(result.verdict), result.verdict_detail));
  if (!a.output.empty()) {
    io::MatrixWriteOptions w;
    w.row_geography = ctx.geography;
    w.col_geography = ctx.geography;
    w.comments = {fmt::format("fitted by flowfit {} from {}", version(), a.matrix)};
    io::write_matrix(a.output, m, w);
    global.console.info("wrote " + a.output);
  }
  return kExitOk;
}

CommandAction setup(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<FitArgs>();
  app.add_option("--matrix", a->matrix, "Matrix to fit (.mtx .npz .csv .tsv .ffm)")->required();
  add_matrix_input_options(app, a->in);
  const std::vector<std::string> levels{"state", "county", "tract", "cbg", "none"};
  app.add_option("--rows", a->single.rows, "Group rows by state, county, tract, cbg or none")
      ->check(CLI::IsMember(levels))
      ->capture_default_str();
  app.add_option("--cols", a->single.cols, "Group columns by state, county, tract, cbg or none")
      ->check(CLI::IsMember(levels))
      ->capture_default_str();
  app.add_option("--row-mapping", a->single.row_mapping,
                 "Group rows by a CSV mapping unit GEOIDs to groups (see --mapping-columns)");
  app.add_option("--col-mapping", a->single.col_mapping, "Group columns by a mapping CSV");
  app.add_option("--mapping-columns", a->mapping_columns, "Unit and group columns of mappings")
      ->capture_default_str();
  app.add_option("--entries", a->single.entries, "Entries that count: all, diagonal, off_diagonal")
      ->check(CLI::IsMember({"all", "diagonal", "off_diagonal"}))
      ->capture_default_str();
  app.add_option("--targets", a->single.targets,
                 "Targets CSV: columns group,target (one grouped side) or group,col_group,target");
  app.add_option("--margin", a->margins,
                 "A margin as KEY=VALUE,... (rows, cols, row_mapping, col_mapping, entries, "
                 "targets, name); repeat to alternate margins, e.g. IPF of columns then rows")
      ->allow_extra_args(false);
  app.add_option("--missing-targets", a->missing_targets,
                 "A group without a target: error, or keep (leave it unchanged)")
      ->check(CLI::IsMember({"error", "keep"}))
      ->capture_default_str();
  app.add_option("--iterations", a->iterations, "Maximum sweeps over the margins")
      ->check(stage_rule(check_iteration_count, "POSITIVE"))
      ->capture_default_str();
  app.add_option("--l1-tol", a->l1_tol, "Stop when a sweep changes the matrix by at most this (L1)")
      ->check(stage_rule(check_tolerance, "NONNEGATIVE"));
  app.add_option("--residual-tol", a->residual_tol,
                 "Stop when every margin's max relative residual is at most this")
      ->check(stage_rule(check_tolerance, "NONNEGATIVE"));
  app.add_option("--method", a->method, "quotient (fast, exact) or naive (reference loop)")
      ->check(CLI::IsMember({"quotient", "naive"}))
      ->capture_default_str();
  app.add_option("--log-every", a->log_every, "Iterations between history records")
      ->check(stage_rule(check_iteration_count, "POSITIVE"))
      ->capture_default_str();
  app.add_flag("--clip-diagonal", a->clip_diagonal,
               "First raise every diagonal entry to at least 1 (MIGRATE stage 0)");
  app.add_option("-o,--output", a->output, "Write the fitted matrix (any format)");
  app.add_option("--report", a->report, "Write the stage result as JSON");
  app.add_flag("--strict", a->strict, "Exit 5 (and write no matrix) unless the stage converged");
  return [a, &global] { return fit(*a, global); };
}

const CommandRegistrar registrar{
    {"fit", "Fit one ad-hoc stage: grouped row/column/block targets by IPF", 20, setup}};

}  // namespace
}  // namespace flowfit::cli
