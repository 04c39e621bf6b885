// flowfit analyze rates MATRIX: out-, in- and net-migration rates per CBG, tract, county, state
// or mapped group, with stayers (same CBG) and within-area movers told apart.
#include <memory>

#include <fmt/format.h>

#include "flowfit/analysis/rates.hpp"
#include "flowfit/error.hpp"
#include "tools/flowfit/cmd_analyze_common.hpp"
#include "tools/flowfit/exit_codes.hpp"

namespace flowfit::cli {
namespace {

struct RatesArgs {
  std::string matrix, output;
  MatrixInputOptions in;
  GroupOptions groups;
  double min_population = 0;
};

int run_rates(const RatesArgs& a, const GlobalOptions& global) {
  if (a.min_population < 0) throw ConfigError("--min-population", "must be >= 0");
  check_package_output(a.output, {"rates"},
                       {a.matrix, a.in.geography, a.groups.mapping, a.groups.attribute});
  const AnalyzeInputs in = load_analyze_inputs(a.matrix, a.in, global);
  const GroupChoice choice = choose_groups(a.groups, in.geo, "", a.in.geography, global);
  for (const std::string& n : choice.notes) global.console.info(n);
  const analysis::AreaFlowsSummary s = analysis::area_flows_summary(in.matrix, choice.groups);

  analysis::PackageWriter pkg(a.output, "flowfit-migration-rates",
                              "Migration rates by " + choice.what,
                              "Out-, in- and net-migration rates of each area, computed by "
                              "flowfit from the CBG flow matrix " +
                                  a.matrix);
  analysis::TableSpec t;
  t.name = "rates";
  t.title = "Migration by " + choice.what;
  t.description = fmt::format(
      "One row per area. Populations are row sums (t-1) and column sums (t) of the CBG matrix; "
      "cbg_stayers stayed in their CBG, within_area_movers moved between CBGs of the area, "
      "out_migrants left it, in_migrants arrived from other areas. Rates are missing where the "
      "population is 0 or below --min-population {:g}.",
      a.min_population);
  t.fields.push_back(
      choice.geoid_length > 0
          ? analysis::geoid_field("area", choice.geoid_length, "GEOID of the " + choice.what)
          : analysis::FieldSpec{"area", "string", "group label", "", "", true});
  t.fields.push_back({"n_cbgs", "integer", "CBGs in the area", "CBGs", "", false});
  for (auto f :
       {analysis::number_field("population_before", "people living in the area at t-1", "people"),
        analysis::number_field("population_after", "people living in the area at t", "people"),
        analysis::number_field("cbg_stayers", "people who stayed in their CBG", "people"),
        analysis::number_field("within_area_movers", "people who moved between CBGs of the area",
                               "people"),
        analysis::number_field("out_migrants", "people who left the area", "people"),
        analysis::number_field("in_migrants", "people who moved into the area from another area",
                               "people"),
        analysis::number_field("net_migrants", "in_migrants - out_migrants", "people"),
        analysis::number_field("out_migration_rate", "out_migrants / population_before",
                               "fraction"),
        analysis::number_field("in_migration_rate", "in_migrants / population_after", "fraction"),
        analysis::number_field("net_migration_rate", "net_migrants / population_before",
                               "fraction"),
        analysis::number_field("mover_rate",
                               "(within_area_movers + out_migrants) / population_before: share who "
                               "changed CBG",
                               "fraction")})
    t.fields.push_back(f);
  t.fields.push_back({"suppressed", "boolean",
                      "true when population_before is below the threshold (rates omitted)", "", "",
                      false});
  t.primary_key = {"area"};
  io::CsvWriter& w = pkg.table(t);
  int64_t suppressed = 0;
  for (int32_t g = 0; g < s.areas.n_groups(); ++g) {
    const auto i = static_cast<size_t>(g);
    const analysis::AreaRateValues r = analysis::area_rate_values(s, g, a.min_population);
    suppressed += r.suppressed;
    w.field(s.areas.label(g)).field(s.n_units[i]);
    for (double v :
         {s.population_before[i], s.population_after[i], s.cbg_stayers[i], s.within_area_movers[i],
          s.out_migrants[i], s.in_migrants[i], s.in_migrants[i] - s.out_migrants[i]})
      w.field(v);
    for (double v : {r.out_rate, r.in_rate, r.net_rate, r.mover_rate}) number_or_missing(w, v);
    w.field(r.suppressed ? "true" : "false");
    w.end_row();
  }
  pkg.finish_table();
  pkg.add_source("flow matrix", a.matrix);
  pkg.add_source("geography", a.in.geography);
  pkg.add_note("min_population", fmt::format("{:g}", a.min_population));
  for (const std::string& n : choice.notes) pkg.add_note("join", n);
  pkg.commit();
  global.console.info(fmt::format("wrote {}: {} areas ({} suppressed below {:g} people)", a.output,
                                  s.areas.n_groups(), suppressed, a.min_population));
  if (s.dropped > 0)
    global.console.warn(
        fmt::format("flows of {:.6g} people with an end in no area were left out", s.dropped));
  return kExitOk;
}

}  // namespace

AnalyzeAction setup_analyze_rates(CLI::App& parent, const GlobalOptions& global) {
  auto a = std::make_shared<RatesArgs>();
  CLI::App* app = parent.add_subcommand(
      "rates", "Out-, in- and net-migration rates per CBG, tract, county, state or group");
  app->add_option("MATRIX", a->matrix, "Harmonized CBG flow matrix")->required();
  app->add_option("-o,--output", a->output, "Output data package folder")->required();
  add_group_options(*app, a->groups, /*with_level=*/true);
  app->add_option("--min-population", a->min_population,
                  "Omit rates of areas with fewer people at t-1 (the MIGRATE release used 100)")
      ->capture_default_str();
  add_matrix_input_options(*app, a->in);
  return [a, &global] { return run_rates(*a, global); };
}

}  // namespace flowfit::cli
