#include "flowfit/targets/warnings.hpp"

namespace flowfit::targets {

std::string_view to_string(WarningKind kind) {
  switch (kind) {
    case WarningKind::negative_emigrants:
      return "negative_emigrants";
    case WarningKind::nonpositive_movers:
      return "nonpositive_movers";
    case WarningKind::nonpositive_nonmovers:
      return "nonpositive_nonmovers";
    case WarningKind::nonpositive_flow:
      return "nonpositive_flow";
    case WarningKind::nonpositive_county:
      return "nonpositive_county";
    case WarningKind::zero_population:
      return "zero_population";
    case WarningKind::county_totals_mismatch:
      return "county_totals_mismatch";
    case WarningKind::ignored_census_rows:
      return "ignored_census_rows";
    case WarningKind::partial_coverage:
      return "partial_coverage";
  }
  return "?";
}

std::string format_warning(const TargetWarning& w) {
  std::string out(to_string(w.kind));
  if (!w.group.empty()) out += " [" + w.group + "]";
  out += ": " + w.message;
  return out;
}

}  // namespace flowfit::targets
