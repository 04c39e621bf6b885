// Loaders for the real census tables (PEP state/county components, ACS 1-yr state tables).
#include <algorithm>
#include <cctype>
#include <map>
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/targets/loaders.hpp"
#include "host/targets/loader_util.hpp"

namespace flowfit::targets {

using io::CsvTable;
using io::NumberRule;

namespace {

void check_year(int year) {
  if (year < kFirstCensusTableYear || year > kLastCensusTableYear)
    throw ConfigError(
        "year", "census tables cover matrix years " + std::to_string(kFirstCensusTableYear) + ".." +
                    std::to_string(kLastCensusTableYear) + ", not " + std::to_string(year));
}

std::string y(const char* prefix, int year) {
  return prefix + std::to_string(year);
}

struct AcsTotals {
  double same_house, same_state, abroad_total;
  int64_t line;
};

}  // namespace

StateCensusTables load_state_census_tables(const fs::path& pep_state_csv,
                                           const fs::path& acs_totals_csv,
                                           const fs::path& acs_flows_csv, int year) {
  check_year(year);
  StateCensusTables out;
  out.year = year;
  out.source =
      pep_state_csv.string() + " + " + acs_totals_csv.string() + " + " + acs_flows_csv.string();

  // ACS totals of year t, keyed by state.
  const CsvTable acs = CsvTable::read(acs_totals_csv);
  const int a_year = acs.column("year");
  const int a_fips = acs.column("state_fips");
  const int a_house = acs.column("same_house");
  const int a_state = acs.column("same_state");
  const int a_abroad = acs.column("abroad_total");
  std::map<std::string, AcsTotals> totals;
  for (int64_t r = 0; r < acs.n_rows(); ++r) {
    if (acs.integer(r, a_year) != year) continue;
    const std::string fips = detail::fips(acs, r, a_fips, 2);
    const AcsTotals t{acs.number(r, a_house, NumberRule::non_negative),
                      acs.number(r, a_state, NumberRule::non_negative),
                      acs.number(r, a_abroad, NumberRule::non_negative), acs.line(r)};
    if (!totals.emplace(fips, t).second)
      acs.fail(r, a_fips, "state " + fips + " occurs twice for year " + std::to_string(year));
  }
  if (totals.empty())
    throw InputError(acs.file(), 0, "year", "no rows for year " + std::to_string(year));

  // PEP components of year t.
  const CsvTable pep = CsvTable::read(pep_state_csv);
  const int p_fips = pep.column("state_fips");
  const int p_pop = pep.column(y("pop_", year));
  const int p_births = pep.column(y("births_", year));
  const int p_deaths = pep.column(y("deaths_", year));
  const int p_intl = pep.column(y("intl_mig_", year));
  pep.check_unique({"state_fips"});
  for (int64_t r = 0; r < pep.n_rows(); ++r) {
    StateComponents s;
    s.fips = detail::fips(pep, r, p_fips, 2);
    s.pop_t = pep.number(r, p_pop, NumberRule::non_negative);
    s.births = pep.number(r, p_births, NumberRule::non_negative);
    s.deaths = pep.number(r, p_deaths, NumberRule::non_negative);
    s.intl_mig_net = pep.number(r, p_intl);
    auto it = totals.find(s.fips);
    if (it == totals.end())
      pep.fail(
          r, p_fips,
          "state " + s.fips + " has no row for year " + std::to_string(year) + " in " + acs.file());
    s.same_house = it->second.same_house;
    s.same_state = it->second.same_state;
    s.immigrants = it->second.abroad_total;
    totals.erase(it);
    out.states.push_back(std::move(s));
  }
  if (!totals.empty())
    throw InputError(acs.file(), totals.begin()->second.line, "state_fips",
                     "state " + totals.begin()->first + " is not in " + pep.file());

  // ACS state-to-state flows of year t (off-diagonal only).
  const CsvTable flows = CsvTable::read(acs_flows_csv);
  const int f_year = flows.column("year");
  const int f_orig = flows.column("orig_state_fips");
  const int f_dest = flows.column("dest_state_fips");
  const int f_est = flows.column("estimate");
  flows.check_unique({"year", "orig_state_fips", "dest_state_fips"});
  auto known = [&](const std::string& f) {
    return std::any_of(out.states.begin(), out.states.end(),
                       [&](const StateComponents& s) { return s.fips == f; });
  };
  for (int64_t r = 0; r < flows.n_rows(); ++r) {
    if (flows.integer(r, f_year) != year) continue;
    StateFlowEstimate f;
    f.orig_fips = detail::fips(flows, r, f_orig, 2);
    f.dest_fips = detail::fips(flows, r, f_dest, 2);
    f.estimate = flows.number(r, f_est, NumberRule::non_negative);
    if (f.orig_fips == f.dest_fips)
      flows.fail(r, f_dest,
                 "diagonal pair " + f.orig_fips + "->" + f.dest_fips +
                     " (the diagonal comes from same_house + same_state)");
    if (!known(f.orig_fips))
      flows.fail(r, f_orig, "state " + f.orig_fips + " is not in " + pep.file());
    if (!known(f.dest_fips))
      flows.fail(r, f_dest, "state " + f.dest_fips + " is not in " + pep.file());
    out.flows.push_back(std::move(f));
  }
  if (out.flows.empty())
    throw InputError(flows.file(), 0, "year", "no rows for year " + std::to_string(year));
  return out;
}

StateCensusTables load_state_census_tables_from_dir(const fs::path& census_dir, int year) {
  return load_state_census_tables(census_dir / "pep_state_2010_2019.csv",
                                  census_dir / "acs1_state_totals_2011_2019.csv",
                                  census_dir / "acs1_state_flows_2011_2019.csv", year);
}

CountyCensusTable load_county_census_table(const fs::path& pep_county_csv, int year) {
  check_year(year);
  const CsvTable pep = CsvTable::read(pep_county_csv);
  return detail::read_county_components(pep,
                                        {y("pop_", year - 1), y("pop_", year), y("births_", year),
                                         y("deaths_", year), y("intl_mig_", year)},
                                        year);
}

CountyCensusTable load_county_census_table_from_dir(const fs::path& census_dir, int year) {
  return load_county_census_table(census_dir / "pep_county_2010_2019.csv", year);
}

}  // namespace flowfit::targets
