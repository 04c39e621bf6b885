#pragma once
// Defects of the reference targets that flowfit reproduces but does not hide (SPEC quirks 2, 6,
// 7, 12 and the unreconciled county totals). Returned alongside the targets.
#include <string>
#include <string_view>
#include <vector>

namespace flowfit::targets {

enum class WarningKind {
  negative_emigrants,      // quirk 7: lowers the non-mover and diagonal-flow targets
  nonpositive_movers,      // quirk 6: negative passes MIGRATE's assert; <= 0 leaves the group as is
  nonpositive_nonmovers,   // quirk 2: a <= 0 target leaves the group unchanged
  nonpositive_flow,        // quirk 2: a <= 0 state-pair target leaves the block unchanged
  nonpositive_county,      // quirk 2: a <= 0 county target leaves the county unchanged
  zero_population,         // quirk 2: NNLS population 0 -> stage-1 row left unchanged
  county_totals_mismatch,  // sum of row targets != sum of column targets (never reconciled)
  ignored_census_rows,     // census rows for groups that are not in the geography
  partial_coverage,        // groups only partly in the geography (allow_partial_geography)
};
std::string_view to_string(WarningKind kind);

struct TargetWarning {
  WarningKind kind;
  std::string group;  // FIPS label, "orig->dest", or "" for table-wide warnings
  double value = 0.0;
  std::string message;
};

std::string format_warning(const TargetWarning& w);

}  // namespace flowfit::targets
