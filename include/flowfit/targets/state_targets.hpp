#pragma once
// Stage 2 and stage 3 targets per state, built from the census components of year t.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flowfit/targets/components.hpp"
#include "flowfit/targets/warnings.hpp"

namespace flowfit::targets {

struct StateTargets {
  int year = 0;
  std::string source;
  std::vector<std::string> fips;  // sorted ascending, unique
  std::vector<double> emigrants;  // per state
  std::vector<double> nonmovers;  // stage 2, diagonal entries of destination state q
  std::vector<double> movers;     // stage 2, off-diagonal entries of destination state q
  // Stage 3, S x S row-major (row = origin state, column = destination state). Diagonal:
  // same_house + same_state + (deaths + emigrants); off-diagonal: ACS 1-yr estimate, NaN when the
  // table has no estimate for the pair.
  std::vector<double> flows;
  std::vector<TargetWarning> warnings;

  int32_t size() const { return static_cast<int32_t>(fips.size()); }
  std::optional<int32_t> find(std::string_view state_fips) const;
  double flow(int32_t orig, int32_t dest) const { return flows[int64_t{orig} * size() + dest]; }
};

// Throws InputError (naming tables.source) on duplicate states or pairs, diagonal pairs, flows
// naming a state without components, or values that are not finite.
StateTargets build_state_targets(const StateCensusTables& tables);

}  // namespace flowfit::targets
