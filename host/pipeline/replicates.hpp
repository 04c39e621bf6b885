#pragma once
// Uncertainty replicates (docs/batch.md, "Uncertainty replicates"): replicate r > 0 of a work
// item fits the ACS 1-year state tables resampled from their margins of error.
//
// Every published ACS estimate the state stages read (same_house, same_state, abroad_total of
// each state; the estimate of each state-to-state pair) is drawn independently from a normal
// distribution with mean = the estimate and SE = MOE / 1.645 (the ACS MOE is a 90% interval),
// truncated at 0 (redrawn until >= 0). The ACS publishes no covariances, so the draws are
// independent; quantities derived from them (movers, the diagonal same_house + same_state,
// the state flow blocks) are computed from the drawn components by the usual formulas and so stay
// consistent with them. Table totals that the stages do not read (pop_1yr_over,
// different_state) are not drawn. PEP tables are administrative estimates without MOE and stay
// as published. Draws are a function of (seed, year, replicate, state or pair) only: the same
// replicate of a year has the same tables under every stage order, on every machine and task.
#include <cstdint>
#include <functional>

#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/work_items.hpp"
#include "flowfit/targets/components.hpp"

namespace flowfit::pipeline::detail {

using StateTablesHook = std::function<void(targets::StateCensusTables&)>;

// prepare_year with a hook that may change the state tables after they are read.
YearProblem prepare_year_with(const Plan& plan, const SharedInputs& shared, const YearSpec& year,
                              const StateTablesHook& hook);
YearProblem prepare_year_with(const Plan& plan, const SharedInputs& shared, int year,
                              CsrMatrix matrix, const StateTablesHook& hook);

// Replaces the ACS estimates of `tables` by replicate `replicate` (>= 1) of them, with the MOE
// columns of census_dir's acs1_state_totals_2011_2019.csv and acs1_state_flows_2011_2019.csv.
void resample_state_tables(targets::StateCensusTables& tables,
                           const std::filesystem::path& census_dir, uint64_t seed, int replicate);

// One draw: normal(estimate, moe / 1.645) truncated at 0, from the stream of `key`.
double draw_estimate(double estimate, double moe, uint64_t seed, int year, int replicate,
                     uint64_t stream, uint64_t key);

// The item's problem: prepare_year, with resampled tables for replicates > 0.
YearProblem prepare_item(const Plan& plan, const SharedInputs& shared, const WorkItem& item);

}  // namespace flowfit::pipeline::detail
