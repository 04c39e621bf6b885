#pragma once
// Flows between groups of CBGs (e.g. quintiles of a county attribute, urban/rural, plurality
// race): for movers (people who changed CBG), the share of group g's movers who moved to group
// h, and the homophily ratio of that share to the share of all movers who moved to h — the
// layout of the MIGRATE paper's tables, whose last rows are the share of all movers going to
// each group and each group's share of the population.
#include <cstdint>
#include <string>
#include <vector>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"

namespace flowfit::analysis {

struct GroupFlowOptions {
  // Count only moves between different counties (GEOID prefix of 5), e.g. to keep local moves
  // from dominating a county attribute's diagonal.
  bool out_of_county_only = false;
};

struct GroupFlows {
  std::vector<std::string> labels;
  std::vector<double> flows;       // G x G, row-major: origin group x destination group
  std::vector<double> population;  // people at t-1 (row sums, stayers included) per group
  double dropped_movers = 0;       // counted moves with an end in no group
  int32_t n() const { return static_cast<int32_t>(labels.size()); }
  double flow(int32_t g, int32_t h) const {
    return flows[static_cast<size_t>(g) * labels.size() + static_cast<size_t>(h)];
  }
  double origin_movers(int32_t g) const;       // row total
  double destination_movers(int32_t h) const;  // column total
  double all_movers() const;
  double share(int32_t g, int32_t h) const;  // flow / origin_movers(g); NaN when 0
  double all_share(int32_t h) const;         // destination_movers(h) / all_movers()
  double ratio(int32_t g, int32_t h) const;  // share / all_share (homophily when g == h)
  double population_share(int32_t h) const;  // population(h) / total population
};

// `geo` is needed for the out-of-county rule only (may be null otherwise).
GroupFlows group_flows(const CsrMatrix& m, const Grouping& groups, const Geography* geo,
                       const GroupFlowOptions& options = {});

}  // namespace flowfit::analysis
