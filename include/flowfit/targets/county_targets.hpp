#pragma once
// Stage 4 targets per county, built from the PEP components of year t.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flowfit/targets/components.hpp"
#include "flowfit/targets/warnings.hpp"

namespace flowfit::targets {

struct CountyTargets {
  int year = 0;
  std::string source;
  std::vector<std::string> fips;    // sorted ascending, unique
  std::vector<double> row_targets;  // POP_{t-1}
  std::vector<double> col_targets;  // POP_t - BIRTHS_t + DEATHS_t - INTERNATIONALMIG_t
  std::vector<TargetWarning> warnings;

  int32_t size() const { return static_cast<int32_t>(fips.size()); }
  std::optional<int32_t> find(std::string_view county_fips) const;
};

// Throws InputError (naming table.source) on duplicate counties or values that are not finite.
CountyTargets build_county_targets(const CountyCensusTable& table);

}  // namespace flowfit::targets
