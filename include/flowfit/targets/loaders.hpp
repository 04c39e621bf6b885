#pragma once
// Loaders for the census tables behind the targets, for matrix year t (flows t-1 -> t).
// Every error is a flowfit::InputError naming the file, the 1-based line and the field.
//
// Real tables (data/census, column names as in its README):
//   pep_state_2010_2019.csv           state_fips, pop_y, births_y, deaths_y, intl_mig_y
//   acs1_state_totals_2011_2019.csv   year, state_fips, same_house, same_state, abroad_total
//   acs1_state_flows_2011_2019.csv    year, orig_state_fips, dest_state_fips, estimate
//   pep_county_2010_2019.csv          county_fips, pop_y, births_y, deaths_y, intl_mig_y
// Golden case tables (tests/data/golden/caseNN):
//   state_components.csv, state_flows.csv, county_components.csv, cbg_pop_census2010.csv,
//   cbg_pop_acs5.csv
#include <filesystem>

#include "flowfit/targets/cbg_populations.hpp"
#include "flowfit/targets/components.hpp"

namespace flowfit::targets {

namespace fs = std::filesystem;

// Years with ACS 1-yr state tables and PEP POPESTIMATE_{t-1}: 2011..2019.
inline constexpr int kFirstCensusTableYear = 2011;
inline constexpr int kLastCensusTableYear = 2019;

// --- real census tables ------------------------------------------------------------------------

// PEP state components of year t joined with the ACS 1-yr state totals and flows of year t. Both
// tables must list the same states. Throws ConfigError for a year outside 2011..2019.
StateCensusTables load_state_census_tables(const fs::path& pep_state_csv,
                                           const fs::path& acs_totals_csv,
                                           const fs::path& acs_flows_csv, int year);
// Same, with the standard file names inside `census_dir`.
StateCensusTables load_state_census_tables_from_dir(const fs::path& census_dir, int year);

// PEP county POPESTIMATE_{t-1}, POPESTIMATE_t, BIRTHS_t, DEATHS_t, INTERNATIONALMIG_t.
CountyCensusTable load_county_census_table(const fs::path& pep_county_csv, int year);
CountyCensusTable load_county_census_table_from_dir(const fs::path& census_dir, int year);

// --- golden case tables ------------------------------------------------------------------------

// state_components.csv + state_flows.csv (all S x S pairs; the diagonal `acs_raw` is
// same_house + same_state, from which same_state is recovered). `year` is recorded as given.
StateCensusTables load_golden_state_tables(const fs::path& state_components_csv,
                                           const fs::path& state_flows_csv, int year);
CountyCensusTable load_golden_county_table(const fs::path& county_components_csv, int year);
// cbg_pop_census2010.csv (cbg_geoid, pop_census2010) + cbg_pop_acs5.csv (cbg_geoid,
// acs5_2010..acs5_2019), joined on cbg_geoid, in the order of the census file.
CbgPopulationInputs load_cbg_population_inputs(const fs::path& census2010_csv,
                                               const fs::path& acs5_csv);

}  // namespace flowfit::targets
