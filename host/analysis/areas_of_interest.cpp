#include "flowfit/analysis/areas_of_interest.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <fmt/format.h>

#include "flowfit/error.hpp"

namespace flowfit::analysis {

std::vector<char> members_from_geoids(const Geography& geo,
                                      const std::vector<std::string>& geoids) {
  std::vector<char> member(static_cast<size_t>(geo.size()), 0);
  for (const std::string& g : geoids) {
    bool any = false;
    for (int64_t u = 0; u < geo.size(); ++u)
      if (geo.geoid(u).compare(0, g.size(), g) == 0) {
        member[static_cast<size_t>(u)] = 1;
        any = true;
      }
    if (!any) throw ConfigError("--geoids", "GEOID " + g + " selects no unit of the geography");
  }
  return member;
}

std::vector<char> members_within_radius(const Centroids& c, double latitude, double longitude,
                                        double miles) {
  std::vector<char> member(c.latitude.size(), 0);
  for (size_t u = 0; u < member.size(); ++u)
    member[u] = great_circle_miles(latitude, longitude, c.latitude[u], c.longitude[u]) <= miles;
  return member;
}

double RegionMigration::cbg_out_rate() const {
  return population_before > 0 ? movers() / population_before
                               : std::numeric_limits<double>::quiet_NaN();
}
double RegionMigration::region_out_rate() const {
  return population_before > 0 ? (rest_of_county + rest_of_state + elsewhere) / population_before
                               : std::numeric_limits<double>::quiet_NaN();
}

namespace {

// Distance from each unit to the nearest member centroid (infinity beyond `limit` miles: a
// latitude band prefilter keeps this cheap for small areas).
std::vector<double> distance_to_area(const Centroids& c, const std::vector<char>& member,
                                     double limit) {
  std::vector<size_t> members;
  double lo = 90, hi = -90;
  for (size_t u = 0; u < member.size(); ++u)
    if (member[u]) {
      members.push_back(u);
      lo = std::min(lo, c.latitude[u]);
      hi = std::max(hi, c.latitude[u]);
    }
  const double band = limit / 69.0 + 0.01;  // a degree of latitude is >= 68.7 miles
  std::vector<double> d(member.size(), std::numeric_limits<double>::infinity());
  for (size_t u = 0; u < member.size(); ++u) {
    if (member[u]) {
      d[u] = 0;
      continue;
    }
    if (c.latitude[u] < lo - band || c.latitude[u] > hi + band) continue;
    for (size_t v : members)
      d[u] = std::min(
          d[u], great_circle_miles(c.latitude[u], c.longitude[u], c.latitude[v], c.longitude[v]));
  }
  return d;
}

}  // namespace

std::vector<RegionMigration> area_of_interest(const CsrMatrix& m, const Geography& geo,
                                              const std::vector<char>& member,
                                              const Centroids* centroids,
                                              const std::vector<double>& ring_miles) {
  const auto n = static_cast<size_t>(geo.size());
  if (!m.is_square() || static_cast<size_t>(m.n_rows) != n || member.size() != n)
    throw ConfigError("matrix", "the area analysis needs a square matrix over the geography");
  if (std::find(member.begin(), member.end(), 1) == member.end())
    throw ConfigError("area", "the area of interest holds no CBG");
  if (!ring_miles.empty() && !centroids)
    throw ConfigError("--rings", "neighbour rings need CBG centroids (--centroids)");

  // region_of[r][u]: unit u belongs to region r.
  std::vector<RegionMigration> regions;
  std::vector<std::vector<char>> in;
  regions.push_back({"area", "the CBGs of the area of interest"});
  in.push_back(member);
  if (!ring_miles.empty()) {
    const double limit = *std::max_element(ring_miles.begin(), ring_miles.end());
    const std::vector<double> d = distance_to_area(*centroids, member, limit);
    for (double x : ring_miles) {
      regions.push_back({fmt::format("neighbours_within_{:g}mi", x),
                         fmt::format("CBGs outside the area whose centroid is within {:g} miles "
                                     "of the nearest area centroid",
                                     x)});
      std::vector<char> r(n, 0);
      for (size_t u = 0; u < n; ++u) r[u] = !member[u] && d[u] <= x;
      in.push_back(std::move(r));
    }
  }
  std::set<std::string> counties, states;
  for (size_t u = 0; u < n; ++u)
    if (member[u]) {
      counties.insert(geo.geoid(static_cast<int64_t>(u)).substr(0, 5));
      states.insert(geo.geoid(static_cast<int64_t>(u)).substr(0, 2));
    }
  std::vector<char> rc(n, 0), rs(n, 0);
  for (size_t u = 0; u < n; ++u) {
    const std::string& id = geo.geoid(static_cast<int64_t>(u));
    rc[u] = !member[u] && counties.count(id.substr(0, 5));
    rs[u] = !member[u] && states.count(id.substr(0, 2));
  }
  regions.push_back({"rest_of_county", "CBGs outside the area in the area's counties"});
  in.push_back(std::move(rc));
  regions.push_back({"rest_of_state", "CBGs outside the area in the area's states"});
  in.push_back(std::move(rs));

  for (size_t r = 0; r < regions.size(); ++r) {
    RegionMigration& g = regions[r];
    const std::vector<char>& inside = in[r];
    for (size_t i = 0; i < n; ++i) {
      if (!inside[i]) continue;
      ++g.n_cbgs;
      const std::string& oi = geo.geoid(static_cast<int64_t>(i));
      for (int64_t k = m.row_ptr[i]; k < m.row_ptr[i + 1]; ++k) {
        const auto j = static_cast<size_t>(m.col_idx[k]);
        const double v = m.values[k];
        g.population_before += v;
        if (j == i) {
          g.cbg_stayers += v;
          continue;
        }
        const std::string& oj = geo.geoid(static_cast<int64_t>(j));
        if (inside[j])
          g.within_region += v;
        else if (oi.compare(0, 5, oj, 0, 5) == 0)
          g.rest_of_county += v;
        else if (oi.compare(0, 2, oj, 0, 2) == 0)
          g.rest_of_state += v;
        else
          g.elsewhere += v;
      }
    }
  }
  return regions;
}

}  // namespace flowfit::analysis
