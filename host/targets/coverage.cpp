#include "flowfit/targets/coverage.hpp"

#include <algorithm>
#include <map>
#include <unordered_set>

#include <fmt/format.h>

namespace flowfit::targets {
namespace {

// Groups (prefix of `group_digits`) that occur in `present` but miss members of `reference`.
std::vector<CoverageGap> gaps(const std::vector<std::string>& present_ids, int group_digits,
                              int member_digits, const std::vector<std::string>& reference) {
  std::unordered_set<std::string> present;
  std::unordered_set<std::string> groups;
  for (const std::string& id : present_ids) {
    if (static_cast<int>(id.size()) < member_digits) continue;
    present.insert(id.substr(0, member_digits));
    groups.insert(id.substr(0, group_digits));
  }
  std::map<std::string, CoverageGap> by_group;  // sorted, for a stable message
  for (const std::string& member : reference) {
    if (static_cast<int>(member.size()) != member_digits) continue;
    const std::string group = member.substr(0, group_digits);
    if (!groups.count(group)) continue;  // a group the geography does not touch: not fitted
    CoverageGap& g = by_group[group];
    g.group = group;
    ++g.expected;
    if (present.count(member))
      ++g.present;
    else if (g.first_missing.empty() || member < g.first_missing)
      g.first_missing = member;
  }
  std::vector<CoverageGap> out;
  for (auto& [group, g] : by_group)
    if (g.present < g.expected) out.push_back(std::move(g));
  return out;
}

}  // namespace

std::vector<CoverageGap> uncovered_states(const Geography& geo,
                                          const std::vector<std::string>& all_counties) {
  return gaps(geo.geoids(), 2, 5, all_counties);
}

std::vector<CoverageGap> uncovered_counties(const Geography& geo,
                                            const std::vector<std::string>& all_cbgs) {
  return gaps(geo.geoids(), 5, 12, all_cbgs);
}

std::vector<CoverageGap> uncovered_states_by_cbg(const Geography& geo,
                                                 const std::vector<std::string>& all_cbgs) {
  return gaps(geo.geoids(), 2, 12, all_cbgs);
}

std::string describe_gaps(const std::vector<CoverageGap>& gaps, const std::string& level,
                          const std::string& members) {
  std::string out;
  const size_t shown = std::min<size_t>(gaps.size(), 3);
  for (size_t i = 0; i < shown; ++i)
    out += fmt::format("{}{} {} has {} of its {} {} in the geography ({} is missing)",
                       i == 0 ? "" : "; ", level, gaps[i].group, gaps[i].present, gaps[i].expected,
                       members, gaps[i].first_missing);
  if (gaps.size() > shown) out += fmt::format("; and {} more {}s", gaps.size() - shown, level);
  return out;
}

}  // namespace flowfit::targets
