#pragma once
// The real public data the synthetic national problem is built on: the 2010 CBG geography
// (GEOIDs, state/county/tract nesting, 2010 populations, population centroids), the PEP county
// components 2010..2019 and the IRS county-to-county flows, all keyed by the 2010 county codes of
// the geography (IRS and PEP use 2019 codes; data/geography/county_fips_changes_2010_2019.csv
// maps them: 02270 <-> 02158, 46113 <-> 46102 renamed; 51515 merged into 51019, whose PEP values
// are split between the two by their 2010 census counts).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "flowfit/geography.hpp"

namespace flowfit::synth {

namespace fs = std::filesystem;

// Where the real inputs are. `from_data_dir` fills the standard layout of the repository's data/.
struct SynthPaths {
  fs::path cbg_csv;           // geography/cbg2010.csv
  fs::path fips_changes_csv;  // geography/county_fips_changes_2010_2019.csv
  fs::path census_dir;        // census/ (pep_*.csv, acs1_*.csv)
  fs::path irs_dir;           // irs/ (irs_county_flows_YYYY_YYYY.csv)

  static SynthPaths from_data_dir(const fs::path& data_dir);
  // The IRS file used for matrix year t: 2018_2019 for t >= 2019, else 2017_2018 (the only two
  // filing-year pairs shipped).
  fs::path irs_csv(int year) const;
};

inline constexpr int kFirstPepYear = 2010;
inline constexpr int kNumPepYears = 10;  // pop_2010 .. pop_2019

// One county in 2010 codes, with the PEP values of its 2019 code (split when several 2010
// counties share one 2019 code).
struct SynthCounty {
  std::string fips;      // 2010 code (5 characters)
  std::string pep_fips;  // 2019 code in PEP / IRS
  std::string name;      // PEP county_name (of the 2019 code)
  std::string state_name;
  double pep_share = 1.0;  // share of the PEP values of pep_fips (by 2010 census counts)
  double census2010 = 0;   // sum of the CBG 2010 counts
  double pop[kNumPepYears] = {};
  double births[kNumPepYears] = {};
  double deaths[kNumPepYears] = {};
  double intl_mig[kNumPepYears] = {};
  double lat = 0, lon = 0;  // population-weighted centroid of its CBGs
  int32_t state = 0;        // index into SynthInputs::state_fips
};

// A county-to-county IRS flow (exemptions ~ people), indices into SynthInputs::counties.
struct IrsFlow {
  int32_t orig = 0;
  int32_t dest = 0;
  double exemptions = 0;
};

struct SynthInputs {
  // CBGs in cbg2010.csv order (sorted by GEOID).
  Geography geography;
  std::vector<std::string> tract_geoid;  // per CBG
  std::vector<int32_t> county_of;        // per CBG, index into counties
  std::vector<int32_t> tract_of;         // per CBG, index into tract_geoids (sorted)
  std::vector<double> pop2010, lat, lon;
  std::vector<std::string> tract_geoids;  // sorted, unique

  std::vector<SynthCounty> counties;     // sorted by 2010 code
  std::vector<int64_t> county_ptr;       // members of county c: county_members[ptr[c]..ptr[c+1])
  std::vector<int64_t> county_members;   // CBG indices, ascending
  std::vector<std::string> state_fips;   // sorted
  std::vector<std::string> state_names;  // per state (from PEP)

  std::string acs_totals_source;  // the real ACS 1-year totals (abroad_total is reused)

  std::vector<IrsFlow> irs;             // off-diagonal county pairs
  std::vector<double> irs_nonmigrants;  // per county (0 when IRS has no row)
  std::string irs_source;

  int64_t n_cbgs() const { return geography.size(); }
  int32_t n_counties() const { return static_cast<int32_t>(counties.size()); }
  int32_t n_states() const { return static_cast<int32_t>(state_fips.size()); }
};

// Reads and joins the real inputs for matrix year t. Throws InputError naming the file on any
// inconsistency (a CBG county missing from PEP, a malformed row, ...).
SynthInputs load_synth_inputs(const SynthPaths& paths, int year);

// Great-circle distance in miles between two (latitude, longitude) points in degrees.
double distance_miles(double lat1, double lon1, double lat2, double lon2);

}  // namespace flowfit::synth
