#pragma once
// Summaries over the work items of a batch plan (docs/batch.md), written as data packages:
//  - replicates: per (year, order) and per entry of an aggregated output, the mean, sample sd
//    and 5/50/95% quantiles (linear interpolation between order statistics, R type 7) over
//    replicates 1..N, next to the value of replicate 0 (the published tables);
//  - orders: per (year, order k > 0) the differences from order 0 (replicate 0) of county and
//    state flows: typical (median) and worst absolute and relative differences, and where.
#include <filesystem>
#include <string>
#include <vector>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"
#include "flowfit/pipeline/plan.hpp"

namespace flowfit::pipeline {

enum class SummaryQuantity { county_out_rates, county_flows, state_flows };
SummaryQuantity summary_quantity_from_string(const std::string& s);  // ConfigError("--of")

// An aggregated output: entries sorted by (origin, destination); destination "" for rates.
struct AggregatedOutput {
  std::vector<std::string> origin, destination;
  std::vector<double> value;
};
AggregatedOutput aggregate_output(const CsrMatrix& m, const Geography& geo, SummaryQuantity q);

struct ReplicateStats {
  double mean = 0, sd = 0, q05 = 0, q50 = 0, q95 = 0;
};
ReplicateStats replicate_stats(std::vector<double> values);

// Writes <dir>/datapackage.json and <dir>/replicate_summary.csv. Needs replicates > 0 and
// every item done (the caller checks with item_status).
void write_replicate_summary(const Plan& plan, SummaryQuantity q, const std::filesystem::path& dir);
// Writes <dir>/datapackage.json and <dir>/order_differences.csv. Needs two or more orders.
void write_order_summary(const Plan& plan, const std::filesystem::path& dir);

}  // namespace flowfit::pipeline
