// The analyses researchers run on a harmonized matrix (flowfit/analysis): per-area rates, flows
// between groups, move distances, areas of interest and privacy redaction. Each returns plain
// arrays and lists; python/flowfit/_analysis.py shapes them into pandas objects. The GIL is
// released while the matrix is read.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "flowfit/analysis/areas_of_interest.hpp"
#include "flowfit/analysis/distances.hpp"
#include "flowfit/analysis/group_flows.hpp"
#include "flowfit/analysis/rates.hpp"
#include "flowfit/analysis/redact.hpp"
#include "flowfit/error.hpp"
#include "python/src/bindings.hpp"

namespace flowfit::python {
namespace {

using analysis::Centroids;

Centroids centroids_from(const std::vector<double>& latitude, const std::vector<double>& longitude,
                         int64_t n_units) {
  if (static_cast<int64_t>(latitude.size()) != n_units ||
      static_cast<int64_t>(longitude.size()) != n_units)
    throw ConfigError("centroids", "need one latitude and one longitude per unit of the matrix (" +
                                       std::to_string(n_units) + ")");
  for (int64_t i = 0; i < n_units; ++i)
    if (!(latitude[i] >= -90 && latitude[i] <= 90 && longitude[i] >= -180 && longitude[i] <= 180))
      throw ConfigError("centroids", "unit " + std::to_string(i) +
                                         " has a latitude outside [-90, 90] or a longitude "
                                         "outside [-180, 180]");
  return Centroids{latitude, longitude};
}

py::dict area_rates(int64_t n_rows, int64_t n_cols, const py::array& indptr,
                    const py::array& indices, const py::array& data, const Grouping& areas,
                    double min_population) {
  const CsrMatrix m = csr_from_arrays(n_rows, n_cols, indptr, indices, data);
  analysis::AreaFlowsSummary s;
  std::vector<double> out_rate, in_rate, net_rate, mover_rate;
  std::vector<uint8_t> suppressed;
  {
    py::gil_scoped_release nogil;
    s = analysis::area_flows_summary(m, areas);
    for (int32_t a = 0; a < areas.n_groups(); ++a) {
      const analysis::AreaRateValues v = analysis::area_rate_values(s, a, min_population);
      out_rate.push_back(v.out_rate);
      in_rate.push_back(v.in_rate);
      net_rate.push_back(v.net_rate);
      mover_rate.push_back(v.mover_rate);
      suppressed.push_back(v.suppressed ? 1 : 0);
    }
  }
  py::dict d;
  d["n_cbgs"] = vector_to_array(std::move(s.n_units));
  d["population_before"] = vector_to_array(std::move(s.population_before));
  d["population_after"] = vector_to_array(std::move(s.population_after));
  d["cbg_stayers"] = vector_to_array(std::move(s.cbg_stayers));
  d["within_area_movers"] = vector_to_array(std::move(s.within_area_movers));
  d["out_migrants"] = vector_to_array(std::move(s.out_migrants));
  d["in_migrants"] = vector_to_array(std::move(s.in_migrants));
  d["out_rate"] = vector_to_array(std::move(out_rate));
  d["in_rate"] = vector_to_array(std::move(in_rate));
  d["net_rate"] = vector_to_array(std::move(net_rate));
  d["mover_rate"] = vector_to_array(std::move(mover_rate));
  d["suppressed"] = vector_to_array(std::move(suppressed));
  d["dropped"] = s.dropped;
  return d;
}

py::dict group_flows(int64_t n_rows, int64_t n_cols, const py::array& indptr,
                     const py::array& indices, const py::array& data, const Grouping& groups,
                     const Geography* geography, bool out_of_county_only) {
  const CsrMatrix m = csr_from_arrays(n_rows, n_cols, indptr, indices, data);
  analysis::GroupFlowOptions opt;
  opt.out_of_county_only = out_of_county_only;
  analysis::GroupFlows g;
  {
    py::gil_scoped_release nogil;
    g = analysis::group_flows(m, groups, geography, opt);
  }
  py::dict d;
  d["labels"] = g.labels;
  d["flows"] = vector_to_array(std::move(g.flows));
  d["population"] = vector_to_array(std::move(g.population));
  d["dropped_movers"] = g.dropped_movers;
  return d;
}

py::list move_distances(int64_t n_rows, int64_t n_cols, const py::array& indptr,
                        const py::array& indices, const py::array& data,
                        const std::vector<double>& latitude, const std::vector<double>& longitude,
                        const Grouping* origin_groups, const std::vector<double>& edges,
                        const std::vector<double>& under, const std::vector<double>& over) {
  const CsrMatrix m = csr_from_arrays(n_rows, n_cols, indptr, indices, data);
  const Centroids c = centroids_from(latitude, longitude, std::max(n_rows, n_cols));
  analysis::DistanceOptions opt;
  opt.edges = edges;
  opt.under = under;
  opt.over = over;
  std::vector<analysis::DistanceSummary> rows;
  {
    py::gil_scoped_release nogil;
    rows = analysis::move_distances(m, c, origin_groups, opt);
  }
  py::list out;
  for (auto& r : rows) {
    py::dict d;
    d["group"] = r.group;
    d["movers"] = r.movers;
    d["mean_miles"] = r.mean_miles;
    d["bin_flow"] = r.bin_flow;
    d["under_share"] = r.under_share;
    d["over_share"] = r.over_share;
    out.append(d);
  }
  return out;
}

py::list area_of_interest(int64_t n_rows, int64_t n_cols, const py::array& indptr,
                          const py::array& indices, const py::array& data,
                          const Geography& geography, const std::vector<std::string>& geoids,
                          const std::vector<double>& latitude, const std::vector<double>& longitude,
                          double center_latitude, double center_longitude, double radius_miles,
                          const std::vector<double>& ring_miles) {
  const CsrMatrix m = csr_from_arrays(n_rows, n_cols, indptr, indices, data);
  const bool have_centroids = !latitude.empty() || !longitude.empty();
  Centroids c;
  if (have_centroids) c = centroids_from(latitude, longitude, geography.size());
  if (!have_centroids && (!ring_miles.empty() || radius_miles > 0))
    throw ConfigError("centroids", "rings and a radius need the units' centroids");
  std::vector<char> member;
  if (!geoids.empty()) {
    member = analysis::members_from_geoids(geography, geoids);
  } else if (radius_miles > 0) {
    member = analysis::members_within_radius(c, center_latitude, center_longitude, radius_miles);
  } else {
    throw ConfigError("area", "give GEOIDs, or a center and a radius");
  }
  std::vector<analysis::RegionMigration> regions;
  {
    py::gil_scoped_release nogil;
    regions =
        analysis::area_of_interest(m, geography, member, have_centroids ? &c : nullptr, ring_miles);
  }
  py::list out;
  for (const auto& r : regions) {
    py::dict d;
    d["region"] = r.region;
    d["description"] = r.description;
    d["n_cbgs"] = r.n_cbgs;
    d["population_before"] = r.population_before;
    d["cbg_stayers"] = r.cbg_stayers;
    d["within_region"] = r.within_region;
    d["rest_of_county"] = r.rest_of_county;
    d["rest_of_state"] = r.rest_of_state;
    d["elsewhere"] = r.elsewhere;
    d["movers"] = r.movers();
    d["cbg_out_rate"] = r.cbg_out_rate();
    d["region_out_rate"] = r.region_out_rate();
    out.append(d);
  }
  return out;
}

py::tuple redact(int64_t n_rows, int64_t n_cols, const py::array& indptr, const py::array& indices,
                 const py::array& data, double share, int max_destinations, double min_population) {
  const CsrMatrix m = csr_from_arrays(n_rows, n_cols, indptr, indices, data);
  analysis::RedactionOptions opt;
  opt.share = share;
  opt.max_destinations = max_destinations;
  opt.min_population = min_population;
  analysis::RedactionResult r;
  {
    py::gil_scoped_release nogil;
    r = analysis::redact(m, opt);
  }
  std::vector<int64_t> unit;
  std::vector<uint8_t> concentrated, small;
  std::vector<double> population, out_movers, top_share;
  std::vector<int64_t> destinations;
  for (const auto& w : r.withheld) {
    unit.push_back(w.unit);
    concentrated.push_back(w.concentrated ? 1 : 0);
    small.push_back(w.small_population ? 1 : 0);
    population.push_back(w.population);
    out_movers.push_back(w.out_movers);
    top_share.push_back(w.top_share);
    destinations.push_back(w.destinations);
  }
  py::dict withheld;
  withheld["unit"] = vector_to_array(std::move(unit));
  withheld["concentrated"] = vector_to_array(std::move(concentrated));
  withheld["small_population"] = vector_to_array(std::move(small));
  withheld["population"] = vector_to_array(std::move(population));
  withheld["out_movers"] = vector_to_array(std::move(out_movers));
  withheld["top_share"] = vector_to_array(std::move(top_share));
  withheld["destinations"] = vector_to_array(std::move(destinations));
  py::dict summary;
  summary["concentrated"] = r.concentrated;
  summary["small_population"] = r.small_population;
  summary["removed_entries"] = r.removed_entries;
  summary["removed_people"] = r.removed_people;
  summary["removed_movers"] = r.removed_movers;
  summary["input_total"] = r.input_total;
  summary["input_movers"] = r.input_movers;
  return py::make_tuple(csr_to_arrays(std::move(r.matrix)), withheld, summary);
}

// The library's centroid reader (the CLI's --centroids): every unit must have a row, and
// coordinates out of range are InputErrors naming the line.
py::tuple read_centroids(const std::string& path, const Geography& geography,
                         const std::string& geoid_column, const std::string& latitude_column,
                         const std::string& longitude_column) {
  Centroids c;
  {
    py::gil_scoped_release nogil;
    c = analysis::read_centroids(path, geography, geoid_column, latitude_column, longitude_column);
  }
  return py::make_tuple(vector_to_array(std::move(c.latitude)),
                        vector_to_array(std::move(c.longitude)));
}

}  // namespace

void bind_analysis(py::module_& m) {
  m.def("read_centroids", &read_centroids, py::arg("path"), py::arg("geography"),
        py::arg("geoid_column"), py::arg("latitude_column"), py::arg("longitude_column"));
  m.def("area_rates", &area_rates, py::arg("n_rows"), py::arg("n_cols"), py::arg("indptr"),
        py::arg("indices"), py::arg("data"), py::arg("areas"), py::arg("min_population"));
  m.def("group_flows", &group_flows, py::arg("n_rows"), py::arg("n_cols"), py::arg("indptr"),
        py::arg("indices"), py::arg("data"), py::arg("groups"), py::arg("geography").none(true),
        py::arg("out_of_county_only"));
  m.def("move_distances", &move_distances, py::arg("n_rows"), py::arg("n_cols"), py::arg("indptr"),
        py::arg("indices"), py::arg("data"), py::arg("latitude"), py::arg("longitude"),
        py::arg("origin_groups").none(true), py::arg("edges"), py::arg("under"), py::arg("over"));
  m.def("area_of_interest", &area_of_interest, py::arg("n_rows"), py::arg("n_cols"),
        py::arg("indptr"), py::arg("indices"), py::arg("data"), py::arg("geography"),
        py::arg("geoids"), py::arg("latitude"), py::arg("longitude"), py::arg("center_latitude"),
        py::arg("center_longitude"), py::arg("radius_miles"), py::arg("ring_miles"));
  m.def("redact", &redact, py::arg("n_rows"), py::arg("n_cols"), py::arg("indptr"),
        py::arg("indices"), py::arg("data"), py::arg("share"), py::arg("max_destinations"),
        py::arg("min_population"));
}

}  // namespace flowfit::python
