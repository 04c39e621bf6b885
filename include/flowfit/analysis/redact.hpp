#pragma once
// Privacy redaction of a harmonized CBG matrix, the rule of the MIGRATE data release
// (Agostini et al. 2025): a CBG is withheld when its out-movers are concentrated on a few
// destinations, share >= 0.9 of them going to the 10 (or fewer) CBGs that receive the most, or
// when its population is under 100. Withholding a CBG removes its whole row (every flow out of
// it, its stayers included); its column keeps the flows of other, unwithheld origins. The input
// matrix is not changed.
//   out-movers of CBG i  = row sum - diagonal (people who left the CBG)
//   top share of CBG i   = sum of the `max_destinations` largest off-diagonal entries / out-movers
// A CBG without out-movers is never withheld by the concentration rule (no move to reveal).
#include <cstdint>
#include <string>
#include <vector>

#include "flowfit/csr_matrix.hpp"

namespace flowfit::analysis {

struct RedactionOptions {
  double share = 0.9;           // concentration threshold, in (0, 1]
  int max_destinations = 10;    // the "10 or fewer" destinations
  double min_population = 100;  // withhold rows whose sum is below this (0: off)
};

struct WithheldUnit {
  int64_t unit = 0;
  bool concentrated = false;
  bool small_population = false;
  double population = 0;  // row sum (people at t-1)
  double out_movers = 0;
  double top_share = 0;      // NaN without out-movers
  int64_t destinations = 0;  // CBGs receiving movers (off-diagonal nonzeros > 0)
};

struct RedactionResult {
  CsrMatrix matrix;
  std::vector<WithheldUnit> withheld;              // in unit order
  int64_t concentrated = 0, small_population = 0;  // a unit may count in both
  int64_t removed_entries = 0;
  double removed_people = 0, removed_movers = 0;
  double input_total = 0, input_movers = 0;
};

// ConfigError for share outside (0, 1], max_destinations < 1, negative min_population or a
// matrix that is not square.
RedactionResult redact(const CsrMatrix& m, const RedactionOptions& options = {});

}  // namespace flowfit::analysis
