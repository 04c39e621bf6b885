#pragma once
// How far people move: the great-circle distance between the centroids of the origin and the
// destination CBG of every move (off-diagonal entry), weighted by the flow.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"

namespace flowfit::analysis {

// Centroids in degrees, aligned with a geography's units.
struct Centroids {
  std::vector<double> latitude, longitude;
};

// From a CSV with a GEOID column and latitude/longitude columns (data/geography/cbg2010.csv has
// cbg_geoid, latitude, longitude). Every unit of `geo` must have a row (InputError naming the
// first missing GEOID); latitudes outside [-90, 90] or longitudes outside [-180, 180] are
// InputErrors naming the line.
Centroids read_centroids(const std::filesystem::path& path, const Geography& geo,
                         const std::string& geoid_column = "cbg_geoid",
                         const std::string& latitude_column = "latitude",
                         const std::string& longitude_column = "longitude");

inline constexpr double kEarthRadiusMiles = 3958.8;  // mean radius (IUGG)

// Haversine great-circle distance in miles between two points given in degrees.
double great_circle_miles(double lat1, double lon1, double lat2, double lon2);

struct DistanceOptions {
  std::vector<double> edges{0, 1, 5, 10, 25, 50, 100, 250, 500, 1000};  // bin lower edges
  std::vector<double> under{5};       // shares of movers moving < t miles
  std::vector<double> over{50, 500};  // shares of movers moving > t miles
};

struct DistanceSummary {
  std::string group;             // "all" or an origin group label
  double movers = 0;             // flow of the moves counted
  double mean_miles = 0;         // flow-weighted; NaN without movers
  std::vector<double> bin_flow;  // bin b: edges[b] <= d < edges[b + 1] (last bin unbounded)
  std::vector<double> under_share, over_share;  // aligned with the options' thresholds
};

// Row 0 is every move; with `origin_groups`, one row per group follows (moves by the group of
// their origin CBG; origins in no group only count in row 0). Edges must be increasing from 0.
std::vector<DistanceSummary> move_distances(const CsrMatrix& m, const Centroids& centroids,
                                            const Grouping* origin_groups,
                                            const DistanceOptions& options = {});

}  // namespace flowfit::analysis
