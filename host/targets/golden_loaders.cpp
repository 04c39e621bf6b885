// Loaders for the golden case tables (tests/data/golden/caseNN, layouts in its README.md).
#include <map>
#include <string>
#include <unordered_map>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/targets/loaders.hpp"
#include "host/targets/loader_util.hpp"

namespace flowfit::targets {

using io::CsvTable;
using io::NumberRule;

StateCensusTables load_golden_state_tables(const fs::path& state_components_csv,
                                           const fs::path& state_flows_csv, int year) {
  StateCensusTables out;
  out.year = year;
  out.source = state_components_csv.string() + " + " + state_flows_csv.string();

  const CsvTable comp = CsvTable::read(state_components_csv);
  const int c_fips = comp.column("state_fips");
  const int c_house = comp.column("same_house");
  const int c_pop = comp.column("pop_t");
  const int c_births = comp.column("births");
  const int c_deaths = comp.column("deaths");
  const int c_intl = comp.column("intl_mig_net");
  const int c_imm = comp.column("immigrants");
  const auto c_emi = comp.find_column("emigrants");
  comp.check_unique({"state_fips"});
  std::map<std::string, size_t> index;
  for (int64_t r = 0; r < comp.n_rows(); ++r) {
    StateComponents s;
    s.fips = detail::fips(comp, r, c_fips, 2);
    s.same_house = comp.number(r, c_house, NumberRule::non_negative);
    s.pop_t = comp.number(r, c_pop, NumberRule::non_negative);
    s.births = comp.number(r, c_births, NumberRule::non_negative);
    s.deaths = comp.number(r, c_deaths, NumberRule::non_negative);
    s.intl_mig_net = comp.number(r, c_intl);
    s.immigrants = comp.number(r, c_imm, NumberRule::non_negative);
    if (c_emi && comp.number(r, *c_emi) != s.immigrants - s.intl_mig_net)
      comp.fail(r, *c_emi, "emigrants must equal immigrants - intl_mig_net");
    index.emplace(s.fips, out.states.size());
    out.states.push_back(std::move(s));
  }

  const CsvTable flows = CsvTable::read(state_flows_csv);
  const int f_orig = flows.column("orig_state_fips");
  const int f_dest = flows.column("dest_state_fips");
  const int f_raw = flows.column("acs_raw");
  flows.check_unique({"orig_state_fips", "dest_state_fips"});
  std::vector<bool> has_diagonal(out.states.size(), false);
  for (int64_t r = 0; r < flows.n_rows(); ++r) {
    const std::string orig = detail::fips(flows, r, f_orig, 2);
    const std::string dest = detail::fips(flows, r, f_dest, 2);
    const double raw = flows.number(r, f_raw, NumberRule::non_negative);
    auto p = index.find(orig);
    if (p == index.end()) flows.fail(r, f_orig, "state " + orig + " is not in " + comp.file());
    auto q = index.find(dest);
    if (q == index.end()) flows.fail(r, f_dest, "state " + dest + " is not in " + comp.file());
    if (orig == dest) {
      // acs_raw on the diagonal = same_house + same_state.
      StateComponents& s = out.states[p->second];
      s.same_state = raw - s.same_house;
      if (s.same_house + s.same_state != raw)
        flows.fail(r, f_raw, "diagonal acs_raw cannot be split into same_house + same_state");
      has_diagonal[p->second] = true;
    } else {
      out.flows.push_back({orig, dest, raw});
    }
  }
  for (size_t k = 0; k < out.states.size(); ++k)
    if (!has_diagonal[k])
      throw InputError(flows.file(), 0, "acs_raw",
                       "no diagonal row " + out.states[k].fips + "->" + out.states[k].fips);
  return out;
}

CountyCensusTable load_golden_county_table(const fs::path& county_components_csv, int year) {
  const CsvTable t = CsvTable::read(county_components_csv);
  return detail::read_county_components(
      t, {"pop_t_minus_1", "pop_t", "births", "deaths", "intl_mig_net"}, year);
}

CbgPopulationInputs load_cbg_population_inputs(const fs::path& census2010_csv,
                                               const fs::path& acs5_csv) {
  const CsvTable census = CsvTable::read(census2010_csv);
  const int c_geoid = census.column("cbg_geoid");
  const int c_pop = census.column("pop_census2010");
  census.check_unique({"cbg_geoid"});
  CbgPopulationInputs out;
  out.source = census2010_csv.string() + " + " + acs5_csv.string();
  std::unordered_map<std::string, int64_t> index;
  out.geoids.reserve(census.n_rows());
  out.census2010.reserve(census.n_rows());
  for (int64_t r = 0; r < census.n_rows(); ++r) {
    out.geoids.push_back(detail::fips(census, r, c_geoid, 12));
    out.census2010.push_back(census.number(r, c_pop, NumberRule::non_negative));
    index.emplace(out.geoids.back(), r);
  }

  const CsvTable acs = CsvTable::read(acs5_csv);
  const int a_geoid = acs.column("cbg_geoid");
  int a_year[kNumAcs5Years];
  for (int a = 0; a < kNumAcs5Years; ++a)
    a_year[a] = acs.column("acs5_" + std::to_string(kFirstAcs5Year + a));
  acs.check_unique({"cbg_geoid"});
  out.acs5.assign(out.geoids.size() * kNumAcs5Years, 0.0);
  std::vector<bool> seen(out.geoids.size(), false);
  for (int64_t r = 0; r < acs.n_rows(); ++r) {
    const std::string geoid = detail::fips(acs, r, a_geoid, 12);
    auto it = index.find(geoid);
    if (it == index.end()) acs.fail(r, a_geoid, "CBG " + geoid + " is not in " + census.file());
    seen[it->second] = true;
    for (int a = 0; a < kNumAcs5Years; ++a)
      out.acs5[it->second * kNumAcs5Years + a] = acs.number(r, a_year[a], NumberRule::non_negative);
  }
  for (size_t i = 0; i < seen.size(); ++i)
    if (!seen[i])
      throw InputError(census.file(), census.line(static_cast<int64_t>(i)), "cbg_geoid",
                       "CBG " + out.geoids[i] + " has no row in " + acs.file());
  return out;
}

}  // namespace flowfit::targets
