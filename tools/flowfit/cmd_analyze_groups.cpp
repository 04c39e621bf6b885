// flowfit analyze groups MATRIX: flows between groups of CBGs (an attribute table, a data
// package resource, quantiles of a numeric attribute, a mapping or a census level) as shares of
// the origin group's movers and as homophily ratios relative to all movers.
#include <memory>

#include <fmt/format.h>

#include "flowfit/analysis/group_flows.hpp"
#include "flowfit/error.hpp"
#include "tools/flowfit/cmd_analyze_common.hpp"
#include "tools/flowfit/exit_codes.hpp"

namespace flowfit::cli {
namespace {

struct GroupsArgs {
  std::string matrix, output;
  MatrixInputOptions in;
  GroupOptions groups;
  bool out_of_county = false;
};

int run_groups(const GroupsArgs& a, const GlobalOptions& global) {
  check_package_output(a.output, {"group_flows", "group_shares", "group_ratios", "quantile_bins"},
                       {a.matrix, a.in.geography, a.groups.mapping, a.groups.attribute});
  const AnalyzeInputs in = load_analyze_inputs(a.matrix, a.in, global);
  const GroupChoice choice = choose_groups(a.groups, in.geo, "", a.in.geography, global);
  for (const std::string& n : choice.notes) global.console.info(n);
  analysis::GroupFlowOptions o;
  o.out_of_county_only = a.out_of_county;
  const analysis::GroupFlows f = analysis::group_flows(in.matrix, choice.groups, &in.geo, o);
  const std::string scope = a.out_of_county ? "movers between counties" : "movers (changed CBG)";

  analysis::PackageWriter pkg(a.output, "flowfit-group-flows",
                              "Flows between groups: " + choice.what,
                              "Flows of " + scope + " between groups of CBGs by " + choice.what +
                                  ", computed by flowfit from " + a.matrix);
  // Long form: one row per origin x destination group.
  analysis::TableSpec t;
  t.name = "group_flows";
  t.title = "Movers by origin and destination group";
  t.description =
      "share = movers / movers of the origin group; ratio = share / share of all "
      "movers who moved to the destination group (homophily on the diagonal)";
  t.fields = {
      {"origin_group", "string", "group of the origin CBG", "", "", true},
      {"destination_group", "string", "group of the destination CBG", "", "", true},
      analysis::number_field("movers", "people who moved from the origin to the destination group",
                             "people"),
      analysis::number_field("share", "movers / movers of the origin group", "fraction"),
      analysis::number_field("ratio_to_all_movers",
                             "share / (movers to the destination group / all movers)", "ratio")};
  t.primary_key = {"origin_group", "destination_group"};
  io::CsvWriter& w = pkg.table(t);
  for (int32_t g = 0; g < f.n(); ++g)
    for (int32_t h = 0; h < f.n(); ++h) {
      w.field(f.labels[static_cast<size_t>(g)]).field(f.labels[static_cast<size_t>(h)]);
      w.field(f.flow(g, h));
      number_or_missing(w, f.share(g, h));
      number_or_missing(w, f.ratio(g, h));
      w.end_row();
    }
  pkg.finish_table();

  // The paper's layout: rows = origin groups, then "all_movers" and "population_share".
  for (int pass = 0; pass < 2; ++pass) {
    analysis::TableSpec wide;
    wide.name = pass == 0 ? "group_shares" : "group_ratios";
    wide.title = pass == 0 ? "Share of each origin group's movers going to each destination group"
                           : "Homophily ratios: share relative to all movers";
    wide.description =
        pass == 0 ? "Rows are origin groups; the last rows are the share of all movers going to "
                    "each group (all_movers) and each group's share of the population at t-1 "
                    "(population_share)."
                  : "share(origin, destination) / share of all movers going to the destination";
    wide.fields.push_back(
        {"origin_group", "string", "origin group, all_movers or population_share", "", "", true});
    for (const std::string& l : f.labels)
      wide.fields.push_back(
          analysis::number_field(l, "destination group " + l, pass == 0 ? "fraction" : "ratio"));
    wide.primary_key = {"origin_group"};
    io::CsvWriter& ww = pkg.table(wide);
    for (int32_t g = 0; g < f.n(); ++g) {
      ww.field(f.labels[static_cast<size_t>(g)]);
      for (int32_t h = 0; h < f.n(); ++h)
        number_or_missing(ww, pass == 0 ? f.share(g, h) : f.ratio(g, h));
      ww.end_row();
    }
    if (pass == 0) {
      ww.field("all_movers");
      for (int32_t h = 0; h < f.n(); ++h) number_or_missing(ww, f.all_share(h));
      ww.end_row();
      ww.field("population_share");
      for (int32_t h = 0; h < f.n(); ++h) number_or_missing(ww, f.population_share(h));
      ww.end_row();
    }
    pkg.finish_table();
  }
  if (!choice.bins.empty()) {
    analysis::TableSpec b;
    b.name = "quantile_bins";
    b.title = "Quantile bins of " + a.groups.value;
    b.description = "Bins over the attribute rows joined by some CBG, each row counted once";
    b.fields = {{"group", "string", "bin label", "", "", true},
                analysis::number_field("lower", "smallest value in the bin", ""),
                analysis::number_field("upper", "largest value in the bin", ""),
                {"rows", "integer", "attribute rows in the bin", "rows", "", false}};
    b.primary_key = {"group"};
    io::CsvWriter& bw = pkg.table(b);
    for (const auto& bin : choice.bins) {
      bw.field(bin.label);
      number_or_missing(bw, bin.lower);
      number_or_missing(bw, bin.upper);
      bw.field(bin.keys).end_row();
    }
    pkg.finish_table();
  }
  pkg.add_source("flow matrix", a.matrix);
  pkg.add_source("geography", a.in.geography);
  if (!a.groups.attribute.empty()) pkg.add_source("attribute", a.groups.attribute);
  pkg.add_note("movers", scope);
  for (const std::string& n : choice.notes) pkg.add_note("join", n);
  pkg.commit();
  global.console.info(
      fmt::format("wrote {}: {} groups, {:.6g} {}", a.output, f.n(), f.all_movers(), scope));
  if (f.dropped_movers > 0)
    global.console.warn(
        fmt::format("{:.6g} movers with an end in no group were left out", f.dropped_movers));
  return kExitOk;
}

}  // namespace

AnalyzeAction setup_analyze_groups(CLI::App& parent, const GlobalOptions& global) {
  auto a = std::make_shared<GroupsArgs>();
  CLI::App* app = parent.add_subcommand(
      "groups", "Flows between groups of CBGs: shares and homophily ratios (paper layout)");
  app->add_option("MATRIX", a->matrix, "Harmonized CBG flow matrix")->required();
  app->add_option("-o,--output", a->output, "Output data package folder")->required();
  add_group_options(*app, a->groups, /*with_level=*/true);
  app->add_flag("--out-of-county", a->out_of_county, "Count only moves between counties");
  add_matrix_input_options(*app, a->in);
  return [a, &global] { return run_groups(*a, global); };
}

}  // namespace flowfit::cli
