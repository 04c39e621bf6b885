// Census-like tables derived from the truth, in the real tables' formats.
#include "flowfit/synth/census_tables.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/io/csv_writer.hpp"
#include "flowfit/synth/rng.hpp"

namespace flowfit::synth {

using io::CsvTable;
using io::CsvWriter;
using io::NumberRule;

TruthAggregates aggregate_truth(const CsrMatrix& t, const SynthInputs& in) {
  if (t.n_rows != in.n_cbgs() || t.n_cols != in.n_cbgs())
    throw Error("aggregate_truth: the matrix does not match the geography");
  const int32_t nc = in.n_counties(), ns = in.n_states();
  TruthAggregates a;
  a.county_rows.assign(nc, 0.0);
  a.county_cols.assign(nc, 0.0);
  a.state_diag.assign(ns, 0.0);
  a.state_flows.assign(static_cast<size_t>(ns) * ns, 0.0);
  a.state_within_movers.assign(ns, 0.0);
  for (int64_t i = 0; i < t.n_rows; ++i) {
    const int32_t ci = in.county_of[i];
    const int32_t si = in.counties[ci].state;
    for (int64_t e = t.row_ptr[i]; e < t.row_ptr[i + 1]; ++e) {
      const int64_t j = t.col_idx[e];
      const double v = t.values[e];
      const int32_t cj = in.county_of[j];
      const int32_t sj = in.counties[cj].state;
      a.county_rows[ci] += v;
      a.county_cols[cj] += v;
      a.state_flows[static_cast<size_t>(si) * ns + sj] += v;
      if (j == i)
        a.state_diag[si] += v;
      else if (si == sj)
        a.state_within_movers[si] += v;
    }
  }
  return a;
}

namespace {

std::vector<std::string> pep_header(bool county) {
  std::vector<std::string> h;
  if (county)
    h = {"county_fips", "state_fips", "county_name", "state_name", "census2010pop"};
  else
    h = {"state_fips", "state_name", "census2010pop"};
  for (int y = 2010; y <= 2019; ++y)
    for (const char* c : {"pop_", "births_", "deaths_", "intl_mig_", "domestic_mig_"})
      h.push_back(fmt::format("{}{}", c, y));
  return h;
}

// PEP columns of one county or state: census2010 + 10 years x 5 components.
struct PepRow {
  double census2010 = 0;
  double pop[kNumPepYears] = {}, births[kNumPepYears] = {}, deaths[kNumPepYears] = {},
         intl[kNumPepYears] = {}, domestic[kNumPepYears] = {};
  void add(const PepRow& o) {
    census2010 += o.census2010;
    for (int k = 0; k < kNumPepYears; ++k) {
      pop[k] += o.pop[k];
      births[k] += o.births[k];
      deaths[k] += o.deaths[k];
      intl[k] += o.intl[k];
      domestic[k] += o.domestic[k];
    }
  }
  void write(CsvWriter& w) const {
    w.field(census2010);
    for (int k = 0; k < kNumPepYears; ++k)
      w.field(pop[k]).field(births[k]).field(deaths[k]).field(intl[k]).field(domestic[k]);
  }
};

// Real ACS 1-year abroad_total (and MOE) of year t per state.
std::map<std::string, std::pair<double, double>> real_abroad(const fs::path& csv, int year) {
  const CsvTable t = CsvTable::read(csv);
  const int c_year = t.column("year"), c_fips = t.column("state_fips");
  const int c_ab = t.column("abroad_total"), c_moe = t.column("abroad_total_moe");
  std::map<std::string, std::pair<double, double>> out;
  for (int64_t r = 0; r < t.n_rows(); ++r)
    if (t.integer(r, c_year) == year)
      out[std::string(t.field(r, c_fips))] = {
          t.number(r, c_ab, NumberRule::non_negative),
          t.optional_number(r, c_moe, NumberRule::non_negative).value_or(0.0)};
  if (out.empty()) throw InputError(csv.string(), 0, "year", fmt::format("no rows for {}", year));
  return out;
}

double noisy(double value, double cv, Rng& rng) {
  return std::max(0.0, std::round(value * (1.0 + cv * rng.normal())));
}

double flow_cv(const NoiseConfig& nc, double estimate) {
  return std::clamp(nc.flow_cv_scale * std::pow(std::max(estimate, 1.0), -nc.flow_cv_exponent),
                    0.03, 1.5);
}

}  // namespace

void write_synthetic_census_tables(const fs::path& dir, const SynthInputs& in,
                                   const SynthConfig& config, const TruthAggregates& truth,
                                   const PopulationTrajectories& tr) {
  const int t = config.year, base = t - 1;
  const int32_t nc = in.n_counties(), ns = in.n_states();
  fs::create_directories(dir);

  // --- PEP county and state ---------------------------------------------------------------
  std::vector<PepRow> county(nc);
  std::vector<PepRow> state(ns);
  for (int32_t c = 0; c < nc; ++c) {
    const SynthCounty& k = in.counties[c];
    PepRow& r = county[c];
    r.census2010 = k.census2010;
    for (int y = 2010; y <= 2019; ++y) {
      const int idx = y - kFirstPepYear;
      r.births[idx] = std::round(k.births[idx]);
      r.deaths[idx] = std::round(k.deaths[idx]);
      r.intl[idx] = std::round(k.intl_mig[idx]);
      if (y == base) {
        r.pop[idx] = truth.county_rows[c];
      } else if (y == t) {
        r.pop[idx] = truth.county_cols[c] + r.births[idx] - r.deaths[idx] + r.intl[idx];
      } else {
        double s = 0;
        for (int64_t p = in.county_ptr[c]; p < in.county_ptr[c + 1]; ++p)
          s += tr.at(in.county_members[p], y);
        r.pop[idx] = std::round(s);
      }
    }
    for (int y = 2010; y <= 2019; ++y) {
      const int idx = y - kFirstPepYear;
      const double before = idx == 0 ? r.census2010 : r.pop[idx - 1];
      r.domestic[idx] = y == t ? truth.county_cols[c] - truth.county_rows[c]
                               : r.pop[idx] - before - r.births[idx] + r.deaths[idx] - r.intl[idx];
    }
    state[k.state].add(r);
  }
  {
    CsvWriter w(dir / kPepCountyCsv, pep_header(true));
    for (int32_t c = 0; c < nc; ++c) {
      const SynthCounty& k = in.counties[c];
      w.field(k.fips).field(in.state_fips[k.state]).field(k.name).field(k.state_name);
      county[c].write(w);
      w.end_row();
    }
    w.commit();
  }
  {
    CsvWriter w(dir / kPepStateCsv, pep_header(false));
    for (int32_t s = 0; s < ns; ++s) {
      w.field(in.state_fips[s]).field(in.state_names[s]);
      state[s].write(w);
      w.end_row();
    }
    w.commit();
  }

  // --- ACS 1-year flows (year t) --------------------------------------------------------------
  const NoiseConfig& nz = config.noise;
  std::vector<double> flow_est(static_cast<size_t>(ns) * ns, 0.0);
  {
    CsvWriter w(dir / kAcsFlowsCsv, {"year", "orig_state_fips", "dest_state_fips", "orig_state",
                                     "dest_state", "estimate", "moe"});
    for (int32_t o = 0; o < ns; ++o)
      for (int32_t d = 0; d < ns; ++d) {
        if (o == d) continue;
        const size_t idx = static_cast<size_t>(o) * ns + d;
        const double truth_flow = truth.state_flows[idx];
        Rng rng(config.seed, Stream::flow_noise, idx);
        const double cv = flow_cv(nz, truth_flow);
        flow_est[idx] = noisy(truth_flow, cv, rng);
        w.field(t).field(in.state_fips[o]).field(in.state_fips[d]).field(in.state_names[o]);
        w.field(in.state_names[d]).field(flow_est[idx]);
        w.field(std::round(1.645 * cv * std::max(truth_flow, 1.0)));
        w.end_row();
      }
    w.commit();
  }

  // --- ACS 1-year totals (year t) -----------------------------------------------------------
  const auto abroad = real_abroad(in.acs_totals_source, t);
  {
    CsvWriter w(dir / kAcsTotalsCsv,
                {"year", "state_fips", "state", "pop_1yr_over", "pop_1yr_over_moe", "same_house",
                 "same_house_moe", "same_state", "same_state_moe", "different_state",
                 "different_state_moe", "abroad_total", "abroad_total_moe"});
    for (int32_t s = 0; s < ns; ++s) {
      auto ab = abroad.find(in.state_fips[s]);
      if (ab == abroad.end())
        throw InputError(in.acs_totals_source, 0, "state_fips",
                         fmt::format("state {} has no row for {}", in.state_fips[s], t));
      const double immigrants = ab->second.first;
      const PepRow& p = state[s];
      const int idx = t - kFirstPepYear;
      const double emigrants = immigrants - p.intl[idx];
      Rng rng(config.seed, Stream::state_noise, static_cast<uint64_t>(s));
      const double house_true = truth.state_diag[s] - p.deaths[idx] - emigrants;
      const double same_house = noisy(house_true, nz.same_house_cv, rng);
      const double same_state = noisy(truth.state_within_movers[s], nz.same_state_cv, rng);
      double different = 0, different_var = 0;
      for (int32_t o = 0; o < ns; ++o) {
        if (o == s) continue;
        const size_t fi = static_cast<size_t>(o) * ns + s;
        different += flow_est[fi];
        const double se = flow_cv(nz, truth.state_flows[fi]) * std::max(truth.state_flows[fi], 1.0);
        different_var += se * se;
      }
      const double pop1 = same_house + same_state + different + immigrants;
      w.field(t).field(in.state_fips[s]).field(in.state_names[s]);
      w.field(pop1).field(std::round(1.645 * 0.00047 * pop1));
      w.field(same_house).field(std::round(1.645 * nz.same_house_cv * house_true));
      w.field(same_state)
          .field(std::round(1.645 * nz.same_state_cv * truth.state_within_movers[s]));
      w.field(different).field(std::round(1.645 * std::sqrt(different_var)));
      w.field(immigrants).field(ab->second.second);
      w.end_row();
    }
    w.commit();
  }
}

void write_real_census_tables(const fs::path& dir, const SynthPaths& paths, const SynthInputs& in) {
  fs::create_directories(dir);
  for (const char* f : {kPepStateCsv, kAcsTotalsCsv, kAcsFlowsCsv})
    fs::copy_file(paths.census_dir / f, dir / f, fs::copy_options::overwrite_existing);

  // County table in 2010 codes: every numeric column times the county's share of its 2019 code.
  const fs::path src = paths.census_dir / kPepCountyCsv;
  const CsvTable t = CsvTable::read(src);
  const int c_fips = t.column("county_fips");
  std::unordered_map<std::string, int64_t> row_of;
  for (int64_t r = 0; r < t.n_rows(); ++r) row_of[std::string(t.field(r, c_fips))] = r;
  const auto header = t.header();
  CsvWriter w(dir / kPepCountyCsv, header);
  for (const SynthCounty& k : in.counties) {
    auto it = row_of.find(k.pep_fips);
    if (it == row_of.end())
      throw InputError(src.string(), 0, "county_fips", "county " + k.pep_fips + " is missing");
    for (int col = 0; col < t.n_columns(); ++col) {
      const std::string& name = header[col];
      if (name == "county_fips")
        w.field(k.fips);
      else if (name == "county_name")
        w.field(k.name);
      else if (name == "state_fips" || name == "state_name")
        w.field(t.field(it->second, col));
      else if (k.pep_share == 1.0)
        w.field(t.field(it->second, col));
      else
        w.field(k.pep_share * t.number(it->second, col));
    }
    w.end_row();
  }
  w.commit();
}

void write_cbg_population_inputs(const fs::path& dir, const SynthInputs& in,
                                 const SynthConfig& config, const PopulationTrajectories& tr) {
  fs::create_directories(dir);
  const NoiseConfig& nz = config.noise;
  const int64_t n = in.n_cbgs();
  std::vector<double> positive;
  for (int64_t i = 0; i < n; ++i)
    if (tr.at(i, config.year - 1) > 0) positive.push_back(tr.at(i, config.year - 1));
  double median = 1;
  if (!positive.empty()) {
    std::nth_element(positive.begin(), positive.begin() + positive.size() / 2, positive.end());
    median = positive[positive.size() / 2];
  }
  {
    CsvWriter w(dir / kCbgCensus2010Csv, {"cbg_geoid", "pop_census2010"});
    for (int64_t i = 0; i < n; ++i) {
      w.field(in.geography.geoid(i)).field(tr.at(i, 2010));
      w.end_row();
    }
    w.commit();
  }
  {
    std::vector<std::string> h{"cbg_geoid"};
    for (int y = 2010; y <= 2019; ++y) h.push_back(fmt::format("acs5_{}", y));
    CsvWriter w(dir / kCbgAcs5Csv, h);
    constexpr int kFirstSample = 2006;  // annual samples behind the 2010..2019 windows
    for (int64_t i = 0; i < n; ++i) {
      Rng rng(config.seed, Stream::cbg_noise, static_cast<uint64_t>(i));
      const double size = std::max(tr.at(i, config.year - 1), 1.0);
      const double cv =
          std::clamp(nz.cbg_cv * std::sqrt(median / size), nz.cbg_cv_min, nz.cbg_cv_max);
      const double scale = nz.cbg_cv > 0 ? cv / nz.cbg_cv : 1.0;
      const double persistent = cv * rng.normal();
      double annual[2019 - kFirstSample + 1];
      for (double& e : annual) e = std::sqrt(5.0) * nz.cbg_window_cv * scale * rng.normal();
      w.field(in.geography.geoid(i));
      for (int y = 2010; y <= 2019; ++y) {
        const int first = std::max(kFirstTrajectoryYear, y - 4);
        double s = 0;
        for (int k = first; k <= y; ++k) s += tr.at(i, k);
        double sample = 0;
        for (int k = y - 4; k <= y; ++k) sample += annual[k - kFirstSample] / 5.0;
        w.field(std::max(0.0, std::round(s / (y - first + 1) * (1.0 + persistent + sample))));
      }
      w.end_row();
    }
    w.commit();
  }
  {
    std::vector<std::string> h{"cbg_geoid"};
    for (int y = kFirstTrajectoryYear; y < kFirstTrajectoryYear + kNumTrajectoryYears; ++y)
      h.push_back(fmt::format("x{}", y));
    CsvWriter w(dir / kTruthPopulationsCsv, h);
    for (int64_t i = 0; i < n; ++i) {
      w.field(in.geography.geoid(i));
      for (int y = kFirstTrajectoryYear; y < kFirstTrajectoryYear + kNumTrajectoryYears; ++y)
        w.field(tr.at(i, y));
      w.end_row();
    }
    w.commit();
  }
}

}  // namespace flowfit::synth
