#include "flowfit/targets/state_targets.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "flowfit/error.hpp"
#include "flowfit/targets/formulas.hpp"
#include "host/targets/fips_index.hpp"

namespace flowfit::targets {
namespace {

using detail::format_number;

void require_finite(const std::string& source, const std::string& state, const char* field,
                    double v) {
  if (!std::isfinite(v))
    throw InputError(source, 0, field, "state " + state + ": value is not finite");
}

}  // namespace

std::optional<int32_t> StateTargets::find(std::string_view state_fips) const {
  return detail::find_sorted(fips, state_fips);
}

StateTargets build_state_targets(const StateCensusTables& tables) {
  const std::string source = tables.source.empty() ? "<state tables>" : tables.source;
  std::vector<size_t> order(tables.states.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return tables.states[a].fips < tables.states[b].fips; });

  StateTargets t;
  t.year = tables.year;
  t.source = source;
  for (size_t k : order) {
    const StateComponents& s = tables.states[k];
    if (!t.fips.empty() && t.fips.back() == s.fips)
      throw InputError(source, 0, "state_fips", "state " + s.fips + " occurs twice");
    require_finite(source, s.fips, "same_house", s.same_house);
    require_finite(source, s.fips, "same_state", s.same_state);
    require_finite(source, s.fips, "pop_t", s.pop_t);
    require_finite(source, s.fips, "births", s.births);
    require_finite(source, s.fips, "deaths", s.deaths);
    require_finite(source, s.fips, "intl_mig_net", s.intl_mig_net);
    require_finite(source, s.fips, "immigrants", s.immigrants);
    t.fips.push_back(s.fips);
    t.emigrants.push_back(emigrants(s));
    t.nonmovers.push_back(nonmovers_target(s));
    t.movers.push_back(movers_target(s));
  }

  const int32_t n = t.size();
  t.flows.assign(int64_t{n} * n, std::numeric_limits<double>::quiet_NaN());
  for (int32_t p = 0; p < n; ++p)
    t.flows[int64_t{p} * n + p] = state_flow_diagonal_target(tables.states[order[p]]);
  for (const StateFlowEstimate& f : tables.flows) {
    const std::string pair = f.orig_fips + "->" + f.dest_fips;
    if (f.orig_fips == f.dest_fips)
      throw InputError(source, 0, "dest_state_fips",
                       "flow " + pair +
                           " is diagonal; the diagonal is built from same_house + "
                           "same_state");
    auto p = t.find(f.orig_fips);
    if (!p)
      throw InputError(source, 0, "orig_state_fips",
                       "flow " + pair + ": state " + f.orig_fips + " has no components");
    auto q = t.find(f.dest_fips);
    if (!q)
      throw InputError(source, 0, "dest_state_fips",
                       "flow " + pair + ": state " + f.dest_fips + " has no components");
    if (!std::isfinite(f.estimate))
      throw InputError(source, 0, "estimate", "flow " + pair + ": value is not finite");
    double& slot = t.flows[int64_t{*p} * n + *q];
    if (!std::isnan(slot))
      throw InputError(source, 0, "estimate", "flow " + pair + " occurs twice");
    slot = f.estimate;
  }

  // Report the reference's target defects (they are applied as the reference applies them).
  for (int32_t p = 0; p < n; ++p) {
    const std::string& s = t.fips[p];
    if (t.emigrants[p] < 0)
      t.warnings.push_back({WarningKind::negative_emigrants, s, t.emigrants[p],
                            "emigrants = immigrants - net international migration = " +
                                format_number(t.emigrants[p]) +
                                " < 0 lowers the non-mover and diagonal-flow targets"});
    if (t.movers[p] <= 0)
      t.warnings.push_back({WarningKind::nonpositive_movers, s, t.movers[p],
                            "movers target " + format_number(t.movers[p]) +
                                " <= 0: the state's off-diagonal entries are left unchanged"});
    if (t.nonmovers[p] <= 0)
      t.warnings.push_back({WarningKind::nonpositive_nonmovers, s, t.nonmovers[p],
                            "non-movers target " + format_number(t.nonmovers[p]) +
                                " <= 0: the state's diagonal entries are left unchanged"});
  }
  for (int32_t p = 0; p < n; ++p)
    for (int32_t q = 0; q < n; ++q) {
      const double v = t.flow(p, q);
      if (!std::isnan(v) && v <= 0)
        t.warnings.push_back({WarningKind::nonpositive_flow, t.fips[p] + "->" + t.fips[q], v,
                              "state-flow target " + format_number(v) +
                                  " <= 0: the block is left unchanged, not emptied"});
    }
  return t;
}

}  // namespace flowfit::targets
