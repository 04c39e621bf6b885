#pragma once
// Per-area migration figures of a square flow matrix (rows = areas at t-1, columns = areas at t,
// diagonal = people who stayed in the area): populations, stayers, movers and migration rates.
//   out-migration rate of area a = (row sum - diagonal) / row sum
//   in-migration rate of area a  = (column sum - diagonal) / column sum
// A rate is 0 where its population is 0. Aggregate first (levels.hpp) for tract, county or state
// rates: an area's diagonal then counts every move inside the area as staying.
#include <vector>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"

namespace flowfit::analysis {

struct AreaMigration {
  std::vector<double> population_before;  // row sums (t-1)
  std::vector<double> population_after;   // column sums (t)
  std::vector<double> stayers;            // diagonal
  std::vector<double> out_movers;         // row sum - diagonal
  std::vector<double> in_movers;          // column sum - diagonal
};

// Throws ConfigError("matrix") for a matrix that is not square.
AreaMigration area_migration(const CsrMatrix& m);

std::vector<double> out_migration_rates(const CsrMatrix& m);
std::vector<double> in_migration_rates(const CsrMatrix& m);
std::vector<double> out_migration_rates(const AreaMigration& a);
std::vector<double> in_migration_rates(const AreaMigration& a);

// Migration figures of areas computed from the CBG matrix itself, so that people who stayed in
// their CBG and people who moved between CBGs of the same area are told apart. For entry
// (i, j, v) with areas a = area(i), b = area(j):
//   population_before[a] += v, population_after[b] += v, and then exactly one of
//   i == j:  cbg_stayers[a] += v          a == b:  within_area_movers[a] += v
//   a != b:  out_migrants[a] += v, in_migrants[b] += v
// Entries with an end in no area are left out and summed in `dropped`. One serial pass in
// storage order (deterministic).
struct AreaFlowsSummary {
  Grouping areas;
  std::vector<double> population_before, population_after;
  std::vector<double> cbg_stayers, within_area_movers;
  std::vector<double> out_migrants, in_migrants;
  std::vector<int64_t> n_units;  // CBGs per area
  double dropped = 0;
};
AreaFlowsSummary area_flows_summary(const CsrMatrix& m, const Grouping& areas);

// Rates of one area, NaN where suppressed: out = out_migrants / population_before,
// in = in_migrants / population_after, net = (in_migrants - out_migrants) / population_before,
// mover = (within_area_movers + out_migrants) / population_before (share who changed CBG).
// A rate is suppressed when its denominator is below `min_population` or is 0.
struct AreaRateValues {
  double out_rate, in_rate, net_rate, mover_rate;
  bool suppressed;  // population_before < min_population (or 0)
};
AreaRateValues area_rate_values(const AreaFlowsSummary& s, int32_t area, double min_population);

}  // namespace flowfit::analysis
