// flowfit analyze distances MATRIX: how far people move (great-circle miles between CBG
// centroids, weighted by flow), overall and by origin group.
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "flowfit/analysis/distances.hpp"
#include "flowfit/error.hpp"
#include "tools/flowfit/cmd_analyze_common.hpp"
#include "tools/flowfit/exit_codes.hpp"

namespace flowfit::cli {
namespace {

struct DistancesArgs {
  std::string matrix, output, centroids;
  std::string centroid_columns = "cbg_geoid,latitude,longitude";
  MatrixInputOptions in;
  GroupOptions groups;
  std::vector<double> edges{0, 1, 5, 10, 25, 50, 100, 250, 500, 1000};
  std::vector<double> under{5}, over{50, 500};
};

std::vector<std::string> split3(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  if (out.size() != 3)
    throw ConfigError("--centroid-columns", "expected GEOID,LATITUDE,LONGITUDE column names");
  return out;
}

int run_distances(const DistancesArgs& a, const GlobalOptions& global) {
  check_package_output(
      a.output, {"distance_bins", "distance_summary"},
      {a.matrix, a.in.geography, a.centroids, a.groups.mapping, a.groups.attribute});
  const AnalyzeInputs in = load_analyze_inputs(a.matrix, a.in, global);
  const std::string centroid_file = a.centroids.empty() ? a.in.geography : a.centroids;
  const auto cols = split3(a.centroid_columns);
  const analysis::Centroids c =
      analysis::read_centroids(centroid_file, in.geo, cols[0], cols[1], cols[2]);
  const bool by_group =
      !a.groups.level.empty() || !a.groups.mapping.empty() || !a.groups.attribute.empty();
  GroupChoice choice;
  if (by_group) {
    choice = choose_groups(a.groups, in.geo, "", a.in.geography, global);
    for (const std::string& n : choice.notes) global.console.info(n);
  }
  analysis::DistanceOptions o;
  o.edges = a.edges;
  o.under = a.under;
  o.over = a.over;
  const auto rows = analysis::move_distances(in.matrix, c, by_group ? &choice.groups : nullptr, o);

  analysis::PackageWriter pkg(
      a.output, "flowfit-move-distances", "Move distances",
      "Great-circle distances (haversine, Earth radius 3958.8 miles) between the centroids of "
      "the origin and destination CBG of every move, weighted by the flow; computed by flowfit "
      "from " +
          a.matrix);
  analysis::TableSpec b;
  b.name = "distance_bins";
  b.title = "Movers by distance bin";
  b.description = "Bin [lower, upper) in miles; the last bin has no upper bound (empty)";
  b.fields = {{"group", "string", "all, or the origin group", "", "", true},
              analysis::number_field("lower_miles", "bin lower edge (inclusive)", "miles"),
              analysis::number_field("upper_miles", "bin upper edge (exclusive; empty: unbounded)",
                                     "miles"),
              analysis::number_field("movers", "people whose move is in the bin", "people"),
              analysis::number_field("share", "movers / all movers of the group", "fraction")};
  b.fields[1].required = true;
  b.primary_key = {"group", "lower_miles"};
  io::CsvWriter& w = pkg.table(b);
  for (const auto& r : rows)
    for (size_t k = 0; k < o.edges.size(); ++k) {
      w.field(r.group).field(o.edges[k]);
      number_or_missing(w, k + 1 < o.edges.size() ? o.edges[k + 1] : std::nan(""));
      w.field(r.bin_flow[k]);
      number_or_missing(w, r.movers > 0 ? r.bin_flow[k] / r.movers : std::nan(""));
      w.end_row();
    }
  pkg.finish_table();

  analysis::TableSpec s;
  s.name = "distance_summary";
  s.title = "Move distance summary";
  s.fields = {{"group", "string", "all, or the origin group", "", "", true},
              analysis::number_field("movers", "people who changed CBG", "people"),
              analysis::number_field("mean_miles", "flow-weighted mean distance", "miles")};
  for (double t : o.under)
    s.fields.push_back(analysis::number_field(
        fmt::format("share_under_{:g}mi", t),
        fmt::format("share of movers moving less than {:g} miles", t), "fraction"));
  for (double t : o.over)
    s.fields.push_back(analysis::number_field(
        fmt::format("share_over_{:g}mi", t),
        fmt::format("share of movers moving more than {:g} miles", t), "fraction"));
  s.primary_key = {"group"};
  io::CsvWriter& sw = pkg.table(s);
  for (const auto& r : rows) {
    sw.field(r.group).field(r.movers);
    number_or_missing(sw, r.mean_miles);
    for (double v : r.under_share) number_or_missing(sw, v);
    for (double v : r.over_share) number_or_missing(sw, v);
    sw.end_row();
  }
  pkg.finish_table();
  pkg.add_source("flow matrix", a.matrix);
  pkg.add_source("centroids", centroid_file);
  pkg.commit();
  global.console.info(fmt::format("wrote {}: {:.6g} movers, mean {:.2f} miles", a.output,
                                  rows[0].movers, rows[0].mean_miles));
  return kExitOk;
}

}  // namespace

AnalyzeAction setup_analyze_distances(CLI::App& parent, const GlobalOptions& global) {
  auto a = std::make_shared<DistancesArgs>();
  CLI::App* app = parent.add_subcommand(
      "distances", "Move-distance distribution from CBG centroids (miles), by origin group");
  app->add_option("MATRIX", a->matrix, "Harmonized CBG flow matrix")->required();
  app->add_option("-o,--output", a->output, "Output data package folder")->required();
  app->add_option("--centroids", a->centroids,
                  "CSV of CBG centroids (default: the --geography file, e.g. "
                  "data/geography/cbg2010.csv)");
  app->add_option("--centroid-columns", a->centroid_columns, "GEOID, latitude, longitude columns")
      ->capture_default_str();
  app->add_option("--edges", a->edges, "Distance bin lower edges in miles (from 0)")
      ->delimiter(',')
      ->capture_default_str();
  app->add_option("--under", a->under, "Report shares of moves shorter than these miles")
      ->delimiter(',')
      ->capture_default_str();
  app->add_option("--over", a->over, "Report shares of moves longer than these miles")
      ->delimiter(',')
      ->capture_default_str();
  add_group_options(*app, a->groups, /*with_level=*/true);
  add_matrix_input_options(*app, a->in);
  return [a, &global] { return run_distances(*a, global); };
}

}  // namespace flowfit::cli
