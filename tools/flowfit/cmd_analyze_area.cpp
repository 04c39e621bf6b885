// flowfit analyze area MATRIX...: out-migration and destinations of an area of interest (a GEOID
// list, or every CBG within a radius of a point) against neighbour rings, the rest of its
// counties and the rest of its states, for one year or a series of years.
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "flowfit/analysis/areas_of_interest.hpp"
#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"
#include "tools/flowfit/cmd_analyze_common.hpp"
#include "tools/flowfit/exit_codes.hpp"

namespace fs = std::filesystem;

namespace flowfit::cli {
namespace {

struct AreaArgs {
  std::vector<std::string> matrices, labels;
  std::string output, centroids;
  std::vector<std::string> geoids;
  std::string geoid_file;
  std::vector<double> center;
  double radius = 0;
  std::vector<double> rings;
  MatrixInputOptions in;
};

std::vector<std::string> read_geoid_file(const std::string& path) {
  const io::CsvTable t = io::CsvTable::read(path);
  const int c = t.find_column("geoid") ? t.column("geoid") : 0;
  return t.strings(c);
}

int run_area(const AreaArgs& a, const GlobalOptions& global) {
  const int ways = !a.geoids.empty() + !a.geoid_file.empty() + !a.center.empty();
  if (ways != 1)
    throw ConfigError("--geoids",
                      "give exactly one of --geoids LIST, --geoid-file FILE and --center LAT,LON "
                      "--radius MILES");
  if (!a.center.empty() && (a.center.size() != 2 || !(a.radius > 0)))
    throw ConfigError("--center", "--center takes LAT,LON and needs --radius MILES > 0");
  if (!a.labels.empty() && a.labels.size() != a.matrices.size())
    throw ConfigError("--labels",
                      fmt::format("{} labels for {} matrices", a.labels.size(), a.matrices.size()));
  std::vector<fs::path> inputs{a.in.geography, a.centroids, a.geoid_file};
  for (const auto& m : a.matrices) inputs.emplace_back(m);
  check_package_output(a.output, {"area_migration", "area_cbgs"}, inputs);
  if (a.in.geography.empty())
    throw ConfigError("--geography", "the area analysis needs --geography FILE");
  const Geography geo = *load_geography(a.in);
  const bool need_centroids = !a.center.empty() || !a.rings.empty();
  std::optional<analysis::Centroids> c;
  if (need_centroids)
    c = analysis::read_centroids(a.centroids.empty() ? a.in.geography : a.centroids, geo);
  std::vector<char> member;
  if (!a.center.empty())
    member = analysis::members_within_radius(*c, a.center[0], a.center[1], a.radius);
  else
    member = analysis::members_from_geoids(
        geo, a.geoid_file.empty() ? a.geoids : read_geoid_file(a.geoid_file));

  analysis::PackageWriter pkg(a.output, "flowfit-area-of-interest", "Area of interest migration",
                              "Out-migration and destinations of the movers of an area of "
                              "interest and of comparison regions, computed by flowfit");
  analysis::TableSpec t;
  t.name = "area_migration";
  t.title = "Migration of the area and of comparison regions";
  t.description =
      "Destinations of people who left their CBG: within_region (another CBG of the same "
      "region), rest_of_county (the origin CBG's county, outside the region), rest_of_state, "
      "elsewhere. cbg_out_rate = movers / population_before; region_out_rate = movers who left "
      "the region / population_before.";
  t.fields = {
      {"year", "string", "matrix label (--labels, default: the file name)", "", "", true},
      {"region", "string", "area, neighbours_within_<X>mi, rest_of_county, rest_of_state", "", "",
       true},
      {"n_cbgs", "integer", "CBGs in the region", "CBGs", "", false},
      analysis::number_field("population_before", "people in the region at t-1", "people"),
      analysis::number_field("cbg_stayers", "people who stayed in their CBG", "people"),
      analysis::number_field("movers", "people who left their CBG", "people"),
      analysis::number_field("within_region", "movers to another CBG of the region", "people"),
      analysis::number_field("rest_of_county", "movers to the origin county, outside the region",
                             "people"),
      analysis::number_field("rest_of_state",
                             "movers to the origin state, outside its county and the region",
                             "people"),
      analysis::number_field("elsewhere", "movers to other states", "people"),
      analysis::number_field("cbg_out_rate", "movers / population_before", "fraction"),
      analysis::number_field("region_out_rate", "movers who left the region / population_before",
                             "fraction")};
  t.primary_key = {"year", "region"};
  io::CsvWriter& w = pkg.table(t);
  for (size_t y = 0; y < a.matrices.size(); ++y) {
    const CsrMatrix m =
        load_matrix(a.matrices[y], a.in, &geo, matrix_format_for(a.matrices[y], "auto", "MATRIX"));
    const std::string label =
        a.labels.empty() ? fs::path(a.matrices[y]).stem().string() : a.labels[y];
    for (const auto& r : analysis::area_of_interest(m, geo, member, c ? &*c : nullptr, a.rings)) {
      w.field(label).field(r.region).field(r.n_cbgs);
      for (double v : {r.population_before, r.cbg_stayers, r.movers(), r.within_region,
                       r.rest_of_county, r.rest_of_state, r.elsewhere})
        w.field(v);
      number_or_missing(w, r.cbg_out_rate());
      number_or_missing(w, r.region_out_rate());
      w.end_row();
      if (r.region == "area")
        global.console.info(fmt::format("{}: area of {} CBGs, out-migration rate {:.4f}", label,
                                        r.n_cbgs, r.cbg_out_rate()));
    }
  }
  pkg.finish_table();
  analysis::TableSpec cb;
  cb.name = "area_cbgs";
  cb.title = "The CBGs of the area of interest";
  cb.fields = {analysis::geoid_field("cbg_geoid", 12, "CBG GEOID")};
  cb.primary_key = {"cbg_geoid"};
  io::CsvWriter& cw = pkg.table(cb);
  for (int64_t u = 0; u < geo.size(); ++u)
    if (member[static_cast<size_t>(u)]) cw.field(geo.geoid(u)).end_row();
  pkg.finish_table();
  if (!a.center.empty())
    pkg.add_note("area", fmt::format("CBGs whose centroid is within {:g} miles of ({:g}, {:g})",
                                     a.radius, a.center[0], a.center[1]));
  for (const auto& m : a.matrices) pkg.add_source("flow matrix", m);
  pkg.commit();
  global.console.info("wrote " + a.output);
  return kExitOk;
}

}  // namespace

AnalyzeAction setup_analyze_area(CLI::App& parent, const GlobalOptions& global) {
  auto a = std::make_shared<AreaArgs>();
  CLI::App* app = parent.add_subcommand(
      "area", "Out-migration of an area of interest against neighbours, county and state");
  app->add_option("MATRIX", a->matrices, "Harmonized CBG flow matrices (one per year)")->required();
  app->add_option("-o,--output", a->output, "Output data package folder")->required();
  app->add_option("--labels", a->labels, "One label per matrix (e.g. years)")->delimiter(',');
  app->add_option("--geoids", a->geoids,
                  "The area: CBG, tract, county or state GEOIDs (comma-separated)")
      ->delimiter(',');
  app->add_option("--geoid-file", a->geoid_file,
                  "The area: a CSV of GEOIDs (column 'geoid', else the first column)");
  app->add_option("--center", a->center, "The area: CBGs within --radius of LAT,LON")
      ->delimiter(',');
  app->add_option("--radius", a->radius, "Radius in miles for --center");
  app->add_option("--rings", a->rings,
                  "Comparison rings: CBGs within these miles of the area (comma-separated)")
      ->delimiter(',');
  app->add_option("--centroids", a->centroids,
                  "CSV of CBG centroids (cbg_geoid, latitude, longitude; default: --geography)");
  add_matrix_input_options(*app, a->in);
  return [a, &global] { return run_area(*a, global); };
}

}  // namespace flowfit::cli
