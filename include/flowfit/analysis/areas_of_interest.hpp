#pragma once
// What happened around an area of interest (e.g. the CBGs inside a wildfire perimeter): the
// out-migration of its CBGs and where the movers went, against comparison regions — neighbours
// within X miles, the rest of the area's counties, the rest of its states.
//
// For a region R and each move (i, j), i != j, with i in R: the mover went
//   inside R ("within_region"), else to i's county ("rest_of_county"), else to i's state
//   ("rest_of_state"), else "elsewhere".
// cbg_out_rate = movers / population_before (people who left their CBG);
// region_out_rate = (rest_of_county + rest_of_state + elsewhere) / population_before.
#include <cstdint>
#include <string>
#include <vector>

#include "flowfit/analysis/distances.hpp"
#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"

namespace flowfit::analysis {

// Members (1) of the area: every unit whose GEOID starts with one of `geoids` (a CBG, tract,
// county or state GEOID). ConfigError naming a GEOID that selects no unit.
std::vector<char> members_from_geoids(const Geography& geo, const std::vector<std::string>& geoids);
// Every unit whose centroid is within `miles` of (latitude, longitude).
std::vector<char> members_within_radius(const Centroids& c, double latitude, double longitude,
                                        double miles);

struct RegionMigration {
  std::string region;  // area | neighbours_within_<X>mi | rest_of_county | rest_of_state
  std::string description;
  int64_t n_cbgs = 0;
  double population_before = 0, cbg_stayers = 0;
  double within_region = 0, rest_of_county = 0, rest_of_state = 0, elsewhere = 0;
  double movers() const { return within_region + rest_of_county + rest_of_state + elsewhere; }
  double cbg_out_rate() const;     // NaN without population
  double region_out_rate() const;  // NaN without population
};

// Regions in order: the area, one ring per `ring_miles` (non-members whose centroid is within X
// miles of the nearest member centroid; needs centroids), the rest of the members' counties and
// the rest of their states. ConfigError when the area is empty.
std::vector<RegionMigration> area_of_interest(const CsrMatrix& m, const Geography& geo,
                                              const std::vector<char>& member,
                                              const Centroids* centroids,
                                              const std::vector<double>& ring_miles);

}  // namespace flowfit::analysis
