#pragma once
// The target formulas of SPEC.md, with MIGRATE's order of operations (float64, left to right
// unless parenthesised as in the reference code).
#include "flowfit/targets/components.hpp"

namespace flowfit::targets {

// emigrants = immigrants (ACS abroad 1 yr ago) - INTERNATIONALMIG (PEP net); may be negative.
inline double emigrants(const StateComponents& s) {
  return s.immigrants - s.intl_mig_net;
}

// Stage 2 diagonal target: same_house + (deaths + emigrants).
inline double nonmovers_target(const StateComponents& s) {
  return s.same_house + (s.deaths + emigrants(s));
}

// Stage 2 off-diagonal target: POP_t - immigrants - births - same_house.
inline double movers_target(const StateComponents& s) {
  return s.pop_t - s.immigrants - s.births - s.same_house;
}

// Stage 3 diagonal block: ACS (same house + same state) + (deaths + emigrants).
inline double state_flow_acs_diagonal(const StateComponents& s) {
  return s.same_house + s.same_state;
}
inline double state_flow_diagonal_target(const StateComponents& s) {
  return state_flow_acs_diagonal(s) + (s.deaths + emigrants(s));
}

// Stage 4: row target POP_{t-1}; column target POP_t - BIRTHS_t + DEATHS_t - INTERNATIONALMIG_t.
inline double county_row_target(const CountyComponents& c) {
  return c.pop_t_minus_1;
}
inline double county_col_target(const CountyComponents& c) {
  return c.pop_t - c.births + c.deaths - c.intl_mig_net;
}

}  // namespace flowfit::targets
