#pragma once
// Per-area migration figures of a square flow matrix (rows = areas at t-1, columns = areas at t,
// diagonal = people who stayed in the area): populations, stayers, movers and migration rates.
//   out-migration rate of area a = (row sum - diagonal) / row sum
//   in-migration rate of area a  = (column sum - diagonal) / column sum
// A rate is 0 where its population is 0. Aggregate first (levels.hpp) for tract, county or state
// rates: an area's diagonal then counts every move inside the area as staying.
#include <vector>

#include "flowfit/csr_matrix.hpp"

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

}  // namespace flowfit::analysis
