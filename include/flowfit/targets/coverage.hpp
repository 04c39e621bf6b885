#pragma once
// Coverage of census groups by the geography. Census targets are totals of whole states and
// counties; fitting them to a geography that holds only part of a state or county (a regional
// pilot) scales the covered part up to the whole. These checks find such groups before fitting.
#include <string>
#include <vector>

#include "flowfit/geography.hpp"

namespace flowfit::targets {

// A state or county of the geography that lacks some of its members.
struct CoverageGap {
  std::string group;          // state or county FIPS
  int64_t present = 0;        // members in the geography
  int64_t expected = 0;       // members in the reference list
  std::string first_missing;  // one member that is not in the geography
};

// States of `geo` (its GEOIDs' first 2 digits) that lack counties listed in `all_counties`
// (5-digit county FIPS of a census county table).
std::vector<CoverageGap> uncovered_states(const Geography& geo,
                                          const std::vector<std::string>& all_counties);

// Counties (first 5 digits) or states (first 2) of `geo` that lack CBGs listed in `all_cbgs` (a
// reference list of every 12-digit CBG GEOID, e.g. a census CBG population table).
std::vector<CoverageGap> uncovered_counties(const Geography& geo,
                                            const std::vector<std::string>& all_cbgs);
std::vector<CoverageGap> uncovered_states_by_cbg(const Geography& geo,
                                                 const std::vector<std::string>& all_cbgs);

// "state 10 has 2 of its 3 counties in the geography (10005 is missing), ..." for the first few.
std::string describe_gaps(const std::vector<CoverageGap>& gaps, const std::string& level,
                          const std::string& members);

}  // namespace flowfit::targets
