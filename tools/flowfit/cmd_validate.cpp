// flowfit validate --truth T --raw E --harmonized H --geography G: synthetic-truth evaluation
// (METHOD.md section 3) at CBG, tract, county and state level.
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "flowfit/analysis/evaluation.hpp"
#include "flowfit/error.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/matrix_input.hpp"
#include "tools/flowfit/outputs.hpp"

namespace flowfit::cli {
namespace {

struct ValidateArgs {
  std::string truth, raw, harmonized;
  MatrixInputOptions in;
  std::string levels = "cbg,tract,county,state";
  bool no_rescale = false;
  bool as_json = false;
  std::string output;
};

std::vector<analysis::AreaLevel> parse_levels(const std::string& text) {
  std::vector<analysis::AreaLevel> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) {
      try {
        out.push_back(analysis::area_level_from_string(item));
      } catch (const ConfigError&) {
        throw ConfigError("--levels",
                          "expected a comma-separated list of cbg, tract, county, "
                          "state; got '" +
                              item + "'");
      }
    }
  if (out.empty()) throw ConfigError("--levels", "no level given");
  return out;
}

CsrMatrix load(const std::string& path, const ValidateArgs& a, const Geography& geo) {
  return load_matrix(path, a.in, &geo, matrix_format_for(path, "auto", "--truth/--raw"));
}

int validate(const ValidateArgs& a, const GlobalOptions& global) {
  if (a.in.geography.empty())
    throw ConfigError("--geography",
                      "the evaluation needs the CBG geography (GEOIDs in matrix "
                      "order) to aggregate to tracts, counties and states");
  analysis::EvaluationOptions options;
  options.levels = parse_levels(a.levels);
  options.rescale_raw = !a.no_rescale;
  if (!a.output.empty())
    prepare_output(a.output, "--output",
                   {{"--truth", a.truth},
                    {"--raw", a.raw},
                    {"--harmonized", a.harmonized},
                    {"--geography", a.in.geography}});

  const Geography geo = *load_geography(a.in);
  global.console.detail(fmt::format("geography: {} units", geo.size()));
  const CsrMatrix truth = load(a.truth, a, geo);
  const CsrMatrix raw = load(a.raw, a, geo);
  std::optional<CsrMatrix> harmonized;
  if (!a.harmonized.empty()) harmonized = load(a.harmonized, a, geo);
  global.console.detail(fmt::format("nonzeros: truth {}, raw {}, harmonized {}", truth.nnz(),
                                    raw.nnz(), harmonized ? harmonized->nnz() : 0));

  const analysis::EvaluationReport rep = analysis::evaluate_against_truth(
      truth, raw, harmonized ? &*harmonized : nullptr, geo, options);

  if (a.as_json) {
    const std::string text = analysis::to_json(rep) + "\n";
    if (!a.output.empty())
      write_text_output(a.output, text);
    else
      std::cout << text;
    return kExitOk;
  }
  std::string text = fmt::format(
      "truth total {:.0f}; raw total {:.0f}{}; harmonized total {}\n\n", rep.truth_total,
      rep.raw_total,
      options.rescale_raw ? fmt::format(" (rescaled by {:.6f} to the truth's total)", rep.raw_scale)
                          : std::string(" (not rescaled)"),
      rep.harmonized_total ? fmt::format("{:.0f}", *rep.harmonized_total) : std::string("-"));
  text +=
      "What this measures: agreement of each matrix with --truth. It is a validation only when "
      "the truth is independent of the harmonization targets (the truth of a synthetic run); a "
      "quantity that was a fitting target agrees by construction and says nothing about "
      "accuracy.\n\n";
  text += analysis::to_markdown(rep);
  std::string worse;
  for (const auto& row : rep.rows)
    if (row.harmonized && row.rmse_reduction < 0)
      worse += fmt::format("{}{} {} ({:.1f}%)", worse.empty() ? "" : ", ",
                           analysis::to_string(row.level), row.quantity, row.rmse_reduction);
  if (!worse.empty()) {
    const std::string note =
        "negative RMSE reduction (harmonized further from --truth than raw): " + worse +
        ". If --truth is not the known truth of a synthetic run (e.g. a matrix built from "
        "census tables the harmonization did not fit), this compares two estimates, not an "
        "estimate with the truth.";
    global.console.warn(note);
    text += "\nNote: " + note + "\n";
  }
  if (!a.output.empty())
    write_text_output(a.output, text);
  else
    std::cout << text;
  return kExitOk;
}

CommandAction setup(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<ValidateArgs>();
  app.add_option("--truth", a->truth, "The true matrix T")->required();
  app.add_option("--raw", a->raw, "The observed (raw) matrix E")->required();
  app.add_option("--harmonized", a->harmonized, "The harmonized matrix H (optional)");
  add_matrix_input_options(app, a->in);
  app.add_option("--levels", a->levels, "Comma-separated levels: cbg, tract, county, state")
      ->capture_default_str();
  app.add_flag("--no-rescale", a->no_rescale,
               "Compare E as it is (default: rescale it to the truth's national total first)");
  app.add_flag("--json", a->as_json, "JSON instead of a markdown table");
  app.add_option("-o,--output", a->output, "Write the table (or JSON) to this file atomically");
  return [a, &global] { return validate(*a, global); };
}

const CommandRegistrar registrar{
    {"validate",
     "Compare raw and harmonized matrices with a known truth: Pearson r, RMSE and RMSE "
     "reduction at CBG, tract, county and state level",
     85, setup}};

}  // namespace
}  // namespace flowfit::cli
