#include "flowfit/analysis/distances.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"

namespace flowfit::analysis {

Centroids read_centroids(const std::filesystem::path& path, const Geography& geo,
                         const std::string& geoid_column, const std::string& latitude_column,
                         const std::string& longitude_column) {
  const io::CsvTable t = io::CsvTable::read(path, io::csv_options_for(path));
  const int gc = t.column(geoid_column), la = t.column(latitude_column),
            lo = t.column(longitude_column);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Centroids c;
  c.latitude.assign(static_cast<size_t>(geo.size()), nan);
  c.longitude.assign(static_cast<size_t>(geo.size()), nan);
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    const auto unit = geo.find(t.field(r, gc));
    if (!unit) continue;  // a national centroid table serves a regional geography
    const double lat = t.number(r, la), lon = t.number(r, lo);
    if (lat < -90 || lat > 90) t.fail(r, la, "latitude outside [-90, 90]");
    if (lon < -180 || lon > 180) t.fail(r, lo, "longitude outside [-180, 180]");
    c.latitude[static_cast<size_t>(*unit)] = lat;
    c.longitude[static_cast<size_t>(*unit)] = lon;
  }
  for (int64_t u = 0; u < geo.size(); ++u)
    if (std::isnan(c.latitude[static_cast<size_t>(u)]))
      throw InputError(path.string(), 0, geoid_column,
                       "no centroid for unit " + geo.geoid(u) + " (and maybe others)");
  return c;
}

double great_circle_miles(double lat1, double lon1, double lat2, double lon2) {
  constexpr double rad = std::numbers::pi / 180.0;
  const double p1 = lat1 * rad, p2 = lat2 * rad;
  const double dp = p2 - p1, dl = (lon2 - lon1) * rad;
  const double h = std::sin(dp / 2) * std::sin(dp / 2) +
                   std::cos(p1) * std::cos(p2) * std::sin(dl / 2) * std::sin(dl / 2);
  return 2 * kEarthRadiusMiles * std::asin(std::min(1.0, std::sqrt(h)));
}

std::vector<DistanceSummary> move_distances(const CsrMatrix& m, const Centroids& c,
                                            const Grouping* origin_groups,
                                            const DistanceOptions& o) {
  if (!m.is_square() || static_cast<size_t>(m.n_rows) != c.latitude.size())
    throw ConfigError("matrix", "move distances need a square matrix over the centroids' units");
  if (o.edges.empty() || o.edges.front() != 0)
    throw ConfigError("--edges", "distance bins must start at 0");
  for (size_t b = 1; b < o.edges.size(); ++b)
    if (!(o.edges[b] > o.edges[b - 1]))
      throw ConfigError("--edges", "distance bin edges must increase");
  const size_t n_groups = origin_groups ? static_cast<size_t>(origin_groups->n_groups()) : 0;
  // Per row: flow sum, flow x distance, bins, thresholds; row 0 = all.
  const size_t nb = o.edges.size(), nu = o.under.size(), nv = o.over.size();
  struct Acc {
    double movers = 0, weighted = 0;
    std::vector<double> bins, under, over;
  };
  std::vector<Acc> acc(1 + n_groups);
  for (Acc& a : acc) {
    a.bins.assign(nb, 0.0);
    a.under.assign(nu, 0.0);
    a.over.assign(nv, 0.0);
  }
  for (int64_t i = 0; i < m.n_rows; ++i) {
    const int32_t g = origin_groups ? origin_groups->group_of(i) : -1;
    Acc row;  // per-origin partial sums keep group totals independent of other groups
    row.bins.assign(nb, 0.0);
    row.under.assign(nu, 0.0);
    row.over.assign(nv, 0.0);
    for (int64_t k = m.row_ptr[i]; k < m.row_ptr[i + 1]; ++k) {
      const int32_t j = m.col_idx[k];
      if (j == i) continue;
      const double v = m.values[k];
      const double d =
          great_circle_miles(c.latitude[i], c.longitude[i], c.latitude[j], c.longitude[j]);
      row.movers += v;
      row.weighted += v * d;
      const auto b = static_cast<size_t>(std::upper_bound(o.edges.begin(), o.edges.end(), d) -
                                         o.edges.begin()) -
                     1;
      row.bins[b] += v;
      for (size_t t = 0; t < nu; ++t)
        if (d < o.under[t]) row.under[t] += v;
      for (size_t t = 0; t < nv; ++t)
        if (d > o.over[t]) row.over[t] += v;
    }
    for (Acc* a : {&acc[0], g >= 0 ? &acc[1 + static_cast<size_t>(g)] : nullptr}) {
      if (!a) continue;
      a->movers += row.movers;
      a->weighted += row.weighted;
      for (size_t b = 0; b < nb; ++b) a->bins[b] += row.bins[b];
      for (size_t t = 0; t < nu; ++t) a->under[t] += row.under[t];
      for (size_t t = 0; t < nv; ++t) a->over[t] += row.over[t];
    }
  }
  std::vector<DistanceSummary> out;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (size_t r = 0; r < acc.size(); ++r) {
    const Acc& a = acc[r];
    DistanceSummary s;
    s.group = r == 0 ? "all" : origin_groups->label(static_cast<int32_t>(r - 1));
    s.movers = a.movers;
    s.mean_miles = a.movers > 0 ? a.weighted / a.movers : nan;
    s.bin_flow = a.bins;
    for (double u : a.under) s.under_share.push_back(a.movers > 0 ? u / a.movers : nan);
    for (double v : a.over) s.over_share.push_back(a.movers > 0 ? v / a.movers : nan);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace flowfit::analysis
