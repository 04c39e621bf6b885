// flowfit validate: agreement of the observed and harmonized matrices with a known truth
// (--truth, a synthetic run; docs/method.md section 3) and/or with the census tables of a plan
// (--plan: each table marked fitted or held out) and user-supplied held-out tables (--held-out).
#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "flowfit/analysis/census_validation.hpp"
#include "flowfit/analysis/datapackage.hpp"
#include "flowfit/analysis/evaluation.hpp"
#include "flowfit/error.hpp"
#include "flowfit/pipeline/plan.hpp"
#include "flowfit/pipeline/plan_files.hpp"
#include "flowfit/pipeline/plan_toml.hpp"
#include "tools/flowfit/cmd_analyze_common.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/matrix_input.hpp"
#include "tools/flowfit/outputs.hpp"

namespace flowfit::cli {
namespace {

namespace fs = std::filesystem;

struct ValidateArgs {
  std::string truth, raw, harmonized;
  MatrixInputOptions in;
  std::string levels = "cbg,tract,county,state";
  bool no_rescale = false;
  bool as_json = false;
  std::string output;
  std::string plan;
  int year = 0;
  std::vector<std::string> held_out;
  std::string held_out_columns;
  bool held_out_column_sums = false;
  std::string package;
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

// The year of the plan to validate: --year, or the plan's only year.
int plan_year(const pipeline::Plan& plan, int year) {
  std::string years;
  for (const auto& y : plan.years) years += (years.empty() ? "" : ", ") + std::to_string(y.year);
  if (year != 0) {
    for (const auto& y : plan.years)
      if (y.year == year) return year;
    throw ConfigError("--year", fmt::format("the plan has no year {} (its years: {})", year,
                                            years.empty() ? "none" : years));
  }
  if (plan.years.size() != 1)
    throw ConfigError("--year", fmt::format("the plan has {} years ({}); choose one with --year",
                                            plan.years.size(), years));
  return plan.years.front().year;
}

const pipeline::YearSpec& year_spec(const pipeline::Plan& plan, int year) {
  for (const auto& y : plan.years)
    if (y.year == year) return y;
  throw ConfigError("--year", "no such year");
}

// Negative RMSE reductions against the truth, explained: by a fitted table the truth disagrees
// with (when --plan is given), or by what a negative reduction can mean.
std::string negative_reduction_note(const analysis::EvaluationReport& rep,
                                    const analysis::CensusValidationReport* census,
                                    const ValidateArgs& a) {
  std::string worse;
  for (const auto& row : rep.rows)
    if (row.harmonized && row.rmse_reduction < 0)
      worse += fmt::format("{}{} {} ({:.1f}%)", worse.empty() ? "" : ", ",
                           analysis::to_string(row.level), row.quantity, row.rmse_reduction);
  if (worse.empty()) return "";
  std::string note = "harmonized further from --truth than raw (negative RMSE reduction) at " +
                     worse + ". That is not by itself harm: ";
  std::string disagree;
  if (census)
    for (const auto& r : census->rows)
      if (r.role == analysis::TableRole::fitted && r.truth_relative_rmse &&
          r.note.find("the truth differs") != std::string::npos)
        disagree += fmt::format("{}{} {} (relative RMSE of the truth {:.3g}%)",
                                disagree.empty() ? "" : ", ", r.table, r.quantity,
                                100 * *r.truth_relative_rmse);
  if (!disagree.empty()) {
    note += "the truth disagrees with tables the plan fitted: " + disagree +
            ". The harmonization moves H onto those tables and so away from this truth; the "
            "negative reductions measure how far the truth is from the census tables, not the "
            "accuracy of the harmonization.";
  } else if (census) {
    note +=
        "the truth agrees with every table the plan fitted, so these quantities are ones "
        "the tables do not pin down; check the other levels and the held-out tables.";
  } else {
    note +=
        "where the truth disagrees with the census tables the harmonization fitted (e.g. a "
        "synthetic truth made with `--targets real`, whose state flows are not the ACS "
        "table), H must move away from the truth. Give --plan (the plan that made H) to see "
        "which fitted tables the truth disagrees with.";
    const fs::path next = fs::path(a.truth).parent_path() / "plan.toml";
    std::error_code ec;
    if (fs::is_regular_file(next, ec))
      note += " (There is a plan next to --truth: " + next.string() + ".)";
  }
  return note;
}

analysis::FieldSpec count(std::string name, std::string description) {
  analysis::FieldSpec f = analysis::text_field(std::move(name), std::move(description));
  f.type = "integer";
  f.unit = "values";
  return f;
}

void field_or_missing(io::CsvWriter& w, double v) {
  number_or_missing(w, v);
}

void write_package(const ValidateArgs& a, const analysis::CensusValidationReport* census,
                   const analysis::EvaluationReport* truth_rep,
                   const std::vector<std::string>& warnings) {
  analysis::PackageWriter pkg(a.package, "flowfit-validation", "Validation of a harmonized matrix",
                              "Agreement of the observed (raw) and harmonized matrices with census "
                              "tables (fitted or held out) and/or a known truth, computed by "
                              "flowfit validate");
  if (census) {
    analysis::TableSpec t;
    t.name = "census_tables";
    t.title = "Agreement with census tables";
    t.description =
        "One row per table quantity. role = fitted: a stage of the plan fitted the table, so the "
        "harmonized matrix agrees with it by construction (not a validation); role = held-out: no "
        "stage used it. Raw aggregates are rescaled to the table's total over the compared values "
        "(raw_scale) unless --no-rescale.";
    t.fields = {
        analysis::text_field("table", "table name", true),
        analysis::text_field("quantity", "compared quantity", true),
        analysis::text_field("role", "fitted or held-out", true),
        analysis::text_field("stage", "the plan's stage that fitted the table (empty: held out)"),
        analysis::text_field("source", "file(s) the table was read from"),
        count("n", "values compared")};
    for (auto f :
         {analysis::number_field("table_total", "sum of the compared table values", "people"),
          analysis::number_field("raw_scale", "factor applied to the raw aggregates", "ratio"),
          analysis::number_field("raw_pearson", "Pearson r of raw aggregates with the table"),
          analysis::number_field("raw_rmse", "RMSE of raw aggregates against the table", "people"),
          analysis::number_field("harmonized_pearson", "Pearson r of harmonized aggregates"),
          analysis::number_field("harmonized_rmse", "RMSE of harmonized aggregates", "people"),
          analysis::number_field("rmse_reduction_pct", "100 (1 - harmonized_rmse / raw_rmse)",
                                 "percent"),
          analysis::number_field("truth_pearson",
                                 "Pearson r of the truth's aggregates (synthetic runs)"),
          analysis::number_field("truth_rmse", "RMSE of the truth's aggregates", "people")})
      t.fields.push_back(f);
    t.fields.push_back(analysis::text_field("note", "what the row measures"));
    t.primary_key = {"table", "quantity"};
    io::CsvWriter& w = pkg.table(t);
    for (const auto& r : census->rows) {
      w.field(r.table).field(r.quantity).field(std::string(analysis::to_string(r.role)));
      w.field(r.stage).field(r.source).field(r.raw.n);
      for (double v : {r.table_total, r.raw_scale, r.raw.pearson, r.raw.rmse, r.harmonized.pearson,
                       r.harmonized.rmse, r.rmse_reduction})
        field_or_missing(w, v);
      field_or_missing(w, r.truth ? r.truth->pearson : std::nan(""));
      field_or_missing(w, r.truth ? r.truth->rmse : std::nan(""));
      w.field(r.note);
      w.end_row();
    }
    pkg.finish_table();
  }
  if (truth_rep) {
    analysis::TableSpec t;
    t.name = "truth_evaluation";
    t.title = "Agreement with the known truth";
    t.description =
        "One row per level and quantity (docs/synthetic.md): raw (rescaled to the truth's total "
        "unless --no-rescale) and harmonized against --truth.";
    analysis::FieldSpec weighted = analysis::text_field("weighted", "population-weighted (rates)");
    weighted.type = "boolean";
    t.fields = {analysis::text_field("level", "cbg, tract, county or state", true),
                analysis::text_field("quantity", "compared quantity", true), weighted,
                count("n", "values compared")};
    for (auto f :
         {analysis::number_field("raw_pearson", "Pearson r of raw with the truth"),
          analysis::number_field("raw_rmse", "RMSE of raw against the truth"),
          analysis::number_field("harmonized_pearson", "Pearson r of harmonized with the truth"),
          analysis::number_field("harmonized_rmse", "RMSE of harmonized against the truth"),
          analysis::number_field("rmse_reduction_pct", "100 (1 - harmonized_rmse / raw_rmse)",
                                 "percent")})
      t.fields.push_back(f);
    t.primary_key = {"level", "quantity"};
    io::CsvWriter& w = pkg.table(t);
    for (const auto& r : truth_rep->rows) {
      w.field(std::string(analysis::to_string(r.level))).field(r.quantity);
      w.field(r.weighted ? "true" : "false").field(r.raw.n);
      field_or_missing(w, r.raw.pearson);
      field_or_missing(w, r.raw.rmse);
      field_or_missing(w, r.harmonized ? r.harmonized->pearson : std::nan(""));
      field_or_missing(w, r.harmonized ? r.harmonized->rmse : std::nan(""));
      field_or_missing(w, r.rmse_reduction);
      w.end_row();
    }
    pkg.finish_table();
  }
  if (!a.plan.empty()) pkg.add_source("plan", a.plan);
  if (!a.truth.empty()) pkg.add_source("truth matrix", a.truth);
  pkg.add_source("raw matrix", a.raw);
  if (!a.harmonized.empty()) pkg.add_source("harmonized matrix", a.harmonized);
  for (const auto& h : a.held_out) pkg.add_source("held-out table", h);
  for (const auto& w : warnings) pkg.add_note("warning", w);
  pkg.commit();
}

int validate(ValidateArgs a, const GlobalOptions& global) {
  if (!a.held_out.empty() && a.plan.empty())
    throw ConfigError("--held-out",
                      "needs --plan: without the plan flowfit cannot tell which tables the "
                      "harmonization fitted, so it cannot say that this table was held out");
  if (a.truth.empty() && a.plan.empty())
    throw ConfigError("--plan",
                      "nothing to validate against: give --truth (the known truth of a synthetic "
                      "run) and/or --plan (the plan that made the harmonized matrix: its census "
                      "tables, each marked fitted or held out)");
  if (a.year != 0 && a.plan.empty()) throw ConfigError("--year", "needs --plan");

  std::optional<pipeline::Plan> plan;
  int year = 0;
  if (!a.plan.empty()) {
    plan = pipeline::read_plan_toml(a.plan);
    year = plan_year(*plan, a.year);
    if (a.raw.empty()) a.raw = year_spec(*plan, year).matrix.string();
    if (a.harmonized.empty()) a.harmonized = pipeline::year_output_path(*plan, year).string();
  }
  if (a.raw.empty()) throw ConfigError("--raw", "the observed matrix is required");
  if (plan && a.harmonized.empty())
    throw ConfigError("--harmonized",
                      "validating against census tables needs the harmonized matrix");

  std::vector<NamedInput> inputs = {{"--truth", a.truth},
                                    {"--raw", a.raw},
                                    {"--harmonized", a.harmonized},
                                    {"--geography", a.in.geography},
                                    {"--plan", a.plan}};
  for (const auto& h : a.held_out) inputs.push_back({"--held-out", h});
  if (!a.output.empty()) prepare_output(a.output, "--output", inputs);
  if (!a.package.empty()) {
    std::vector<std::string> resources;
    if (plan) resources.push_back("census_tables");
    if (!a.truth.empty()) resources.push_back("truth_evaluation");
    std::vector<fs::path> paths;
    for (const auto& i : inputs)
      if (!i.path.empty()) paths.emplace_back(i.path);
    check_package_output(a.package, resources, paths);
  }

  std::vector<std::string> warnings;
  std::vector<analysis::CensusTable> tables;
  Geography geo;
  if (plan) {
    tables = analysis::census_tables_for_plan(*plan, year, geo, warnings);
    if (!a.in.geography.empty()) {
      const Geography given = *load_geography(a.in);
      if (given.geoids() != geo.geoids())
        throw ConfigError(
            "--geography",
            fmt::format("inconsistent geography: {} ({} units) is not the plan's "
                        "geography {} ({} units) in the same order; the matrices "
                        "cannot be compared with the plan's tables",
                        a.in.geography, given.size(), plan->geography.string(), geo.size()));
    }
    analysis::CountyCodeChanges changes;
    const fs::path changes_file = bundled_data_file("geography/county_fips_changes_2010_2019.csv");
    std::error_code ec;
    if (!a.held_out.empty() && fs::exists(changes_file, ec))
      changes = analysis::read_county_code_changes(changes_file);
    for (const auto& h : a.held_out)
      tables.push_back(analysis::read_held_out_table(h, geo, a.held_out_columns,
                                                     a.held_out_column_sums, warnings, &changes));
  } else {
    if (a.in.geography.empty())
      throw ConfigError("--geography",
                        "the evaluation needs the CBG geography (GEOIDs in matrix "
                        "order) to aggregate to tracts, counties and states");
    geo = *load_geography(a.in);
  }
  global.console.detail(fmt::format("geography: {} units", geo.size()));

  std::optional<CsrMatrix> truth;
  if (!a.truth.empty()) truth = load(a.truth, a, geo);
  const CsrMatrix raw = load(a.raw, a, geo);
  std::optional<CsrMatrix> harmonized;
  if (!a.harmonized.empty()) harmonized = load(a.harmonized, a, geo);

  std::optional<analysis::EvaluationReport> truth_rep;
  analysis::EvaluationOptions options;
  options.levels = parse_levels(a.levels);
  options.rescale_raw = !a.no_rescale;
  if (truth)
    truth_rep = analysis::evaluate_against_truth(*truth, raw, harmonized ? &*harmonized : nullptr,
                                                 geo, options);
  std::optional<analysis::CensusValidationReport> census;
  if (plan) {
    analysis::CensusValidationOptions co;
    co.rescale_raw = !a.no_rescale;
    census =
        analysis::validate_against_tables(raw, *harmonized, truth ? &*truth : nullptr, tables, co);
    warnings.insert(warnings.end(), census->warnings.begin(), census->warnings.end());
  }
  const std::string negative =
      truth_rep ? negative_reduction_note(*truth_rep, census ? &*census : nullptr, a) : "";
  if (!negative.empty()) warnings.push_back(negative);
  // The terminal report lists the notes itself; written elsewhere, they go to stderr too.
  if (a.as_json || !a.output.empty())
    for (const auto& w : warnings) global.console.warn(w);

  std::string text;
  if (a.as_json) {
    if (!plan) {
      text = analysis::to_json(*truth_rep) + "\n";
    } else {
      nlohmann::json j;
      j["plan"] = a.plan;
      j["year"] = year;
      j["census_tables"] = nlohmann::json::parse(analysis::to_json(*census));
      j["truth_evaluation"] =
          truth_rep ? nlohmann::json::parse(analysis::to_json(*truth_rep)) : nlohmann::json();
      j["warnings"] = warnings;
      text = j.dump(2) + "\n";
    }
  } else {
    if (census) {
      text += fmt::format("Census tables of plan {}, year {}: raw {} and harmonized {}{}.\n\n",
                          a.plan, year, a.raw, a.harmonized,
                          a.no_rescale ? " (raw not rescaled)"
                                       : " (raw aggregates rescaled to each table's total)");
      text +=
          "What this measures: a table marked fitted was a target of a stage of the plan, so "
          "the harmonized matrix agrees with it by construction: a check of the fit, not a "
          "validation. Only held-out tables (no stage used them) measure accuracy.\n\n";
      text += analysis::to_markdown(*census);
      text += "\n";
    }
    if (truth_rep) {
      text += fmt::format(
          "Known truth {}: truth total {:.0f}; raw total {:.0f}{}; harmonized total {}\n\n",
          a.truth, truth_rep->truth_total, truth_rep->raw_total,
          options.rescale_raw
              ? fmt::format(" (rescaled by {:.6f} to the truth's total)", truth_rep->raw_scale)
              : std::string(" (not rescaled)"),
          truth_rep->harmonized_total ? fmt::format("{:.0f}", *truth_rep->harmonized_total)
                                      : std::string("-"));
      text +=
          "What this measures: agreement of each matrix with --truth. It is a validation only "
          "when the truth is independent of the harmonization targets (the truth of a "
          "synthetic run); a quantity that was a fitting target agrees by construction and "
          "says nothing about accuracy.\n\n";
      text += analysis::to_markdown(*truth_rep);
      text += "\n";
    }
    for (const auto& w : warnings) text += "Note: " + w + "\n";
  }
  if (!a.output.empty())
    write_text_output(a.output, text);
  else
    std::cout << text;
  if (!a.package.empty()) {
    write_package(a, census ? &*census : nullptr, truth_rep ? &*truth_rep : nullptr, warnings);
    global.console.info("wrote " + a.package);
  }
  return kExitOk;
}

CommandAction setup(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<ValidateArgs>();
  app.add_option("--truth", a->truth, "The true matrix T of a synthetic run");
  app.add_option("--raw", a->raw,
                 "The observed (raw) matrix E (default with --plan: the year's matrix)");
  app.add_option("--harmonized", a->harmonized,
                 "The harmonized matrix H (default with --plan: the year's output)");
  app.add_option("--plan", a->plan,
                 "The plan that made H: compare with the census tables of its sources, each "
                 "marked fitted (a stage used it) or held out");
  app.add_option("--year", a->year, "The plan's matrix year (default: its only year)");
  app.add_option("--held-out", a->held_out,
                 "A table no stage fitted (CSV: origin,destination,value flows, or geoid,value "
                 "per area); repeatable; needs --plan");
  app.add_option("--held-out-columns", a->held_out_columns,
                 "Column names of --held-out tables: ORIGIN,DESTINATION,VALUE or GEOID,VALUE");
  app.add_flag("--held-out-column-sums", a->held_out_column_sums,
               "Compare a GEOID,VALUE table with column sums (population at t) instead of row "
               "sums (t-1)");
  add_matrix_input_options(app, a->in);
  app.add_option("--levels", a->levels,
                 "Truth comparison levels (comma-separated): cbg, tract, county, state")
      ->capture_default_str();
  app.add_flag("--no-rescale", a->no_rescale,
               "Compare E as it is (default: rescale it to the truth's national total, or to each "
               "table's total)");
  app.add_flag("--json", a->as_json, "JSON instead of markdown tables");
  app.add_option("-o,--output", a->output, "Write the tables (or JSON) to this file atomically");
  app.add_option("--package", a->package, "Also write the results as a data package folder");
  return [a, &global] { return validate(*a, global); };
}

const CommandRegistrar registrar{
    {"validate",
     "Compare raw and harmonized matrices with census tables (fitted or held out) and/or a "
     "known truth: Pearson r, RMSE and RMSE reduction",
     85, setup}};

}  // namespace
}  // namespace flowfit::cli
