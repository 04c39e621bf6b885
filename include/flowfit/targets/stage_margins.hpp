#pragma once
// Turn targets + a Geography into the flowfit::Margin list of each MIGRATE stage (SPEC.md).
// States are GEOID prefix 2, counties prefix 5 (Grouping::by_level). Every group of the geography
// must have a target (else InputError naming the group); census rows for groups that are not in
// the geography are ignored and counted in an `ignored_census_rows` warning. The returned warnings
// also repeat the target defects (see warnings.hpp) that concern the geography's groups.
#include <vector>

#include "flowfit/geography.hpp"
#include "flowfit/margin.hpp"
#include "flowfit/targets/cbg_populations.hpp"
#include "flowfit/targets/county_targets.hpp"
#include "flowfit/targets/state_targets.hpp"
#include "flowfit/targets/warnings.hpp"

namespace flowfit::targets {

struct StageMargins {
  std::vector<Margin> margins;  // apply in this order
  std::vector<TargetWarning> warnings;
};

// Stage 1, "cbg rows": one row group per CBG (all columns), target x_{t-1} of the NNLS
// populations for matrix year t (t in 2010..2020).
StageMargins cbg_row_margins(const YearlyPopulations& populations, const Geography& geo,
                             int matrix_year);

// Stage 2: "state movers" (columns by destination state, EntryClass::off_diagonal, movers
// targets), then "state non-movers" (same grouping, EntryClass::diagonal, non-mover targets).
// The two entry classes are disjoint, so applying them in order is MIGRATE's single pass.
StageMargins state_nonmover_margins(const StateTargets& targets, const Geography& geo);

// Stage 3, "state flows": rows by origin state x columns by destination state, all entries.
StageMargins state_flow_margins(const StateTargets& targets, const Geography& geo);

// Stage 4: "county columns" (POP_t - births + deaths - intl mig), then "county rows" (POP_{t-1}).
StageMargins county_margins(const CountyTargets& targets, const Geography& geo);

}  // namespace flowfit::targets
