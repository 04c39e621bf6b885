#pragma once
// Census levels of a CBG geography and aggregation of flow matrices to them by GEOID prefix
// (state 2, county 5, tract 11, block group 12 characters).
#include <string_view>
#include <vector>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"

namespace flowfit::analysis {

enum class AreaLevel { cbg, tract, county, state };
std::string_view to_string(AreaLevel level);
AreaLevel area_level_from_string(std::string_view s);  // cbg | tract | county | state
const std::vector<AreaLevel>& all_area_levels();       // cbg, tract, county, state

// The grouping of the geography's units into areas of `level` (labels = GEOID prefixes, sorted).
Grouping area_grouping(const Geography& geo, AreaLevel level);

// A flow matrix aggregated to areas: flows[g, h] = sum of m over CBGs in g x CBGs in h.
struct AreaFlows {
  AreaLevel level = AreaLevel::cbg;
  Grouping areas;
  CsrMatrix flows;
};

// Aggregates with flowfit::assembly::aggregate (deterministic for any thread count). At the CBG
// level the matrix is copied as it is.
AreaFlows aggregate_to_level(const CsrMatrix& m, const Geography& geo, AreaLevel level);

}  // namespace flowfit::analysis
