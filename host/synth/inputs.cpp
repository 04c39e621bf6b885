// Loading and joining the real inputs of the synthetic generator (2010 county codes throughout).
#include "flowfit/synth/inputs.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <unordered_map>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"

namespace flowfit::synth {

using io::CsvTable;
using io::NumberRule;

SynthPaths SynthPaths::from_data_dir(const fs::path& data_dir) {
  SynthPaths p;
  p.cbg_csv = data_dir / "geography" / "cbg2010.csv";
  p.fips_changes_csv = data_dir / "geography" / "county_fips_changes_2010_2019.csv";
  p.census_dir = data_dir / "census";
  p.irs_dir = data_dir / "irs";
  return p;
}

fs::path SynthPaths::irs_csv(int year) const {
  return irs_dir /
         (year >= 2019 ? "irs_county_flows_2018_2019.csv" : "irs_county_flows_2017_2018.csv");
}

double distance_miles(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kRad = std::numbers::pi / 180.0;
  constexpr double kEarthMiles = 3958.7613;
  const double dlat = (lat2 - lat1) * kRad, dlon = (lon2 - lon1) * kRad;
  const double a =
      std::sin(dlat / 2) * std::sin(dlat / 2) +
      std::cos(lat1 * kRad) * std::cos(lat2 * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2.0 * kEarthMiles * std::asin(std::min(1.0, std::sqrt(a)));
}

namespace {

std::string padded(const CsvTable& t, int64_t row, int col, size_t digits) {
  std::string s(t.field(row, col));
  const bool numeric =
      !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  if (!numeric || s.size() > digits)
    t.fail(row, col, fmt::format("'{}' is not a {}-digit code", s, digits));
  return std::string(digits - s.size(), '0') + s;
}

void read_geography_part(const SynthPaths& paths, SynthInputs& in,
                         std::map<std::string, int32_t>& county_index) {
  const CsvTable t = CsvTable::read(paths.cbg_csv);
  const int c_geoid = t.column("cbg_geoid");
  const int c_county = t.column("county_fips");
  const int c_tract = t.column("tract_geoid");
  const int c_pop = t.column("population");
  const int c_lat = t.column("latitude");
  const int c_lon = t.column("longitude");
  const int64_t n = t.n_rows();
  std::vector<std::string> geoids(n), counties(n);
  in.tract_geoid.resize(n);
  in.pop2010.resize(n);
  in.lat.resize(n);
  in.lon.resize(n);
  for (int64_t r = 0; r < n; ++r) {
    geoids[r] = padded(t, r, c_geoid, 12);
    counties[r] = padded(t, r, c_county, 5);
    in.tract_geoid[r] = padded(t, r, c_tract, 11);
    if (geoids[r].compare(0, 5, counties[r]) != 0 || geoids[r].compare(0, 11, in.tract_geoid[r]))
      t.fail(r, c_county, "county/tract is not a prefix of the CBG GEOID " + geoids[r]);
    if (r > 0 && geoids[r] <= geoids[r - 1])
      t.fail(r, c_geoid, "CBG GEOIDs must be sorted ascending and unique");
    in.pop2010[r] = t.number(r, c_pop, NumberRule::non_negative);
    in.lat[r] = t.number(r, c_lat);
    in.lon[r] = t.number(r, c_lon);
  }
  in.geography = Geography(std::move(geoids));

  // Counties, tracts and states in sorted order.
  for (const auto& c : counties) county_index.emplace(c, 0);
  int32_t next = 0;
  for (auto& [fips, idx] : county_index) idx = next++;
  std::map<std::string, int32_t> tract_index, state_index;
  for (const auto& tr : in.tract_geoid) tract_index.emplace(tr, 0);
  next = 0;
  for (auto& [g, idx] : tract_index) {
    idx = next++;
    in.tract_geoids.push_back(g);
  }
  for (const auto& [c, idx] : county_index) state_index.emplace(c.substr(0, 2), 0);
  next = 0;
  for (auto& [s, idx] : state_index) {
    idx = next++;
    in.state_fips.push_back(s);
  }

  in.counties.resize(county_index.size());
  for (const auto& [fips, idx] : county_index) {
    in.counties[idx].fips = fips;
    in.counties[idx].state = state_index.at(fips.substr(0, 2));
  }
  in.county_of.resize(n);
  in.tract_of.resize(n);
  std::vector<int64_t> count(in.counties.size(), 0);
  for (int64_t r = 0; r < n; ++r) {
    in.county_of[r] = county_index.at(counties[r]);
    in.tract_of[r] = tract_index.at(in.tract_geoid[r]);
    ++count[in.county_of[r]];
  }
  in.county_ptr.assign(in.counties.size() + 1, 0);
  for (size_t c = 0; c < count.size(); ++c) in.county_ptr[c + 1] = in.county_ptr[c] + count[c];
  in.county_members.resize(n);
  std::vector<int64_t> fill(in.county_ptr.begin(), in.county_ptr.end() - 1);
  for (int64_t r = 0; r < n; ++r) in.county_members[fill[in.county_of[r]]++] = r;

  // Centroids and 2010 counts per county.
  for (size_t c = 0; c < in.counties.size(); ++c) {
    SynthCounty& k = in.counties[c];
    double w = 0, la = 0, lo = 0, la0 = 0, lo0 = 0;
    for (int64_t p = in.county_ptr[c]; p < in.county_ptr[c + 1]; ++p) {
      const int64_t i = in.county_members[p];
      w += in.pop2010[i];
      la += in.pop2010[i] * in.lat[i];
      lo += in.pop2010[i] * in.lon[i];
      la0 += in.lat[i];
      lo0 += in.lon[i];
    }
    const double m = static_cast<double>(in.county_ptr[c + 1] - in.county_ptr[c]);
    k.census2010 = w;
    k.lat = w > 0 ? la / w : la0 / m;
    k.lon = w > 0 ? lo / w : lo0 / m;
  }
}

// 2010 code -> 2019 code, from the FIPS change table.
std::unordered_map<std::string, std::string> read_fips_changes(const fs::path& csv) {
  const CsvTable t = CsvTable::read(csv);
  const int c_old = t.column("fips_2010"), c_new = t.column("fips_2019");
  std::unordered_map<std::string, std::string> m;
  for (int64_t r = 0; r < t.n_rows(); ++r) m[padded(t, r, c_old, 5)] = padded(t, r, c_new, 5);
  return m;
}

void read_pep_part(const SynthPaths& paths, SynthInputs& in) {
  const auto changes = read_fips_changes(paths.fips_changes_csv);
  const fs::path pep_csv = paths.census_dir / "pep_county_2010_2019.csv";
  const CsvTable t = CsvTable::read(pep_csv);
  const int c_fips = t.column("county_fips");
  const int c_name = t.column("county_name");
  const int c_state_name = t.column("state_name");
  int c_pop[kNumPepYears], c_births[kNumPepYears], c_deaths[kNumPepYears], c_intl[kNumPepYears];
  for (int k = 0; k < kNumPepYears; ++k) {
    const int y = kFirstPepYear + k;
    c_pop[k] = t.column(fmt::format("pop_{}", y));
    c_births[k] = t.column(fmt::format("births_{}", y));
    c_deaths[k] = t.column(fmt::format("deaths_{}", y));
    c_intl[k] = t.column(fmt::format("intl_mig_{}", y));
  }
  std::unordered_map<std::string, int64_t> row_of;
  for (int64_t r = 0; r < t.n_rows(); ++r) row_of[padded(t, r, c_fips, 5)] = r;

  // Share of a 2019 code's values going to each 2010 county (by 2010 census counts).
  std::unordered_map<std::string, double> group_pop;
  for (SynthCounty& k : in.counties) {
    auto ch = changes.find(k.fips);
    k.pep_fips = ch == changes.end() ? k.fips : ch->second;
    group_pop[k.pep_fips] += k.census2010;
  }
  in.state_names.assign(in.state_fips.size(), "");
  for (SynthCounty& k : in.counties) {
    auto it = row_of.find(k.pep_fips);
    if (it == row_of.end())
      throw InputError(pep_csv.string(), 0, "county_fips",
                       fmt::format("county {} (2019 code {}) of {} is missing", k.fips, k.pep_fips,
                                   paths.cbg_csv.string()));
    const int64_t r = it->second;
    const double g = group_pop[k.pep_fips];
    k.pep_share = g > 0 ? k.census2010 / g : 1.0;
    k.name = std::string(t.field(r, c_name));
    if (k.pep_fips != k.fips) k.name += fmt::format(" (2010 code {})", k.fips);
    k.state_name = std::string(t.field(r, c_state_name));
    in.state_names[k.state] = k.state_name;
    for (int y = 0; y < kNumPepYears; ++y) {
      k.pop[y] = k.pep_share * t.number(r, c_pop[y], NumberRule::non_negative);
      k.births[y] = k.pep_share * t.number(r, c_births[y], NumberRule::non_negative);
      k.deaths[y] = k.pep_share * t.number(r, c_deaths[y], NumberRule::non_negative);
      k.intl_mig[y] = k.pep_share * t.number(r, c_intl[y]);
    }
  }
}

void read_irs_part(const SynthPaths& paths, int year, SynthInputs& in,
                   const std::map<std::string, int32_t>& county_index) {
  // 2019 code -> the largest 2010 county carrying it.
  std::unordered_map<std::string, int32_t> by_2019;
  for (int32_t c = 0; c < in.n_counties(); ++c) {
    auto [it, fresh] = by_2019.emplace(in.counties[c].pep_fips, c);
    if (!fresh && in.counties[c].census2010 > in.counties[it->second].census2010) it->second = c;
  }
  const fs::path csv = paths.irs_csv(year);
  in.irs_source = csv.string();
  const CsvTable t = CsvTable::read(csv);
  const int c_orig = t.column("orig_county_fips");
  const int c_dest = t.column("dest_county_fips");
  const int c_ex = t.column("exemptions");
  in.irs_nonmigrants.assign(in.counties.size(), 0.0);
  auto index = [&](const std::string& f) -> int32_t {
    if (auto it = by_2019.find(f); it != by_2019.end()) return it->second;
    if (auto it = county_index.find(f); it != county_index.end()) return it->second;
    return -1;
  };
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    const int32_t o = index(padded(t, r, c_orig, 5));
    const int32_t d = index(padded(t, r, c_dest, 5));
    const double ex = t.number(r, c_ex, NumberRule::non_negative);
    if (o < 0 || d < 0) continue;  // a county outside the geography
    if (o == d)
      in.irs_nonmigrants[o] += ex;
    else
      in.irs.push_back({o, d, ex});
  }
  std::sort(in.irs.begin(), in.irs.end(), [](const IrsFlow& a, const IrsFlow& b) {
    return a.orig != b.orig ? a.orig < b.orig : a.dest < b.dest;
  });
  // Merge pairs that map to the same 2010 pair.
  std::vector<IrsFlow> merged;
  for (const IrsFlow& f : in.irs) {
    if (!merged.empty() && merged.back().orig == f.orig && merged.back().dest == f.dest)
      merged.back().exemptions += f.exemptions;
    else
      merged.push_back(f);
  }
  in.irs = std::move(merged);
}

}  // namespace

SynthInputs load_synth_inputs(const SynthPaths& paths, int year) {
  SynthInputs in;
  std::map<std::string, int32_t> county_index;
  read_geography_part(paths, in, county_index);
  read_pep_part(paths, in);
  read_irs_part(paths, year, in, county_index);
  in.acs_totals_source = (paths.census_dir / "acs1_state_totals_2011_2019.csv").string();
  return in;
}

}  // namespace flowfit::synth
