#pragma once
// Census components of change for the matrix year t (flows t-1 -> t), keyed by zero-padded FIPS
// strings, as read from the census tables. Plain data: the formulas live in formulas.hpp.
#include <string>
#include <vector>

namespace flowfit::targets {

// One state, year t.
struct StateComponents {
  std::string fips;           // 2 characters
  double same_house = 0.0;    // ACS 1-yr: same house 1 year ago
  double same_state = 0.0;    // ACS 1-yr: different house, same state 1 year ago
  double pop_t = 0.0;         // PEP POPESTIMATE_t
  double births = 0.0;        // PEP BIRTHS_t
  double deaths = 0.0;        // PEP DEATHS_t
  double intl_mig_net = 0.0;  // PEP INTERNATIONALMIG_t (net)
  double immigrants = 0.0;    // ACS 1-yr: abroad 1 year ago (abroad_total)
};

// ACS 1-yr state-to-state estimate: origin = state of residence 1 year ago, destination = current.
struct StateFlowEstimate {
  std::string orig_fips;
  std::string dest_fips;
  double estimate = 0.0;
};

// Everything the state stages (2 and 3) need for matrix year t.
struct StateCensusTables {
  int year = 0;
  std::string source;  // names the files, for messages
  std::vector<StateComponents> states;
  std::vector<StateFlowEstimate> flows;  // off-diagonal pairs only
};

// One county, year t.
struct CountyComponents {
  std::string fips;            // 5 characters
  double pop_t_minus_1 = 0.0;  // PEP POPESTIMATE_{t-1}
  double pop_t = 0.0;          // PEP POPESTIMATE_t
  double births = 0.0;         // PEP BIRTHS_t
  double deaths = 0.0;         // PEP DEATHS_t
  double intl_mig_net = 0.0;   // PEP INTERNATIONALMIG_t
};

struct CountyCensusTable {
  int year = 0;
  std::string source;
  std::vector<CountyComponents> counties;
};

}  // namespace flowfit::targets
