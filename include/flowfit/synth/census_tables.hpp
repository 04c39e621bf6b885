#pragma once
// Census-like tables for the synthetic problem, in exactly the file names and columns of the real
// tables (data/census, read by flowfit/targets/loaders.hpp), so a plan can point its census_dir
// at the synthetic folder as at the real one. Counties are written in the 2010 codes of the
// geography (3,143 counties), so every county group of the CBG geography has its row.
//
// Synthetic targets (from the truth T of matrix year t, with ACS-like sampling noise):
//   pep_county  pop_{t-1} = county row sum of T (exact); births/deaths/intl_mig of year t are
//               the real PEP values (split for 51019/51515), and pop_t = county column sum of T
//               + births - deaths + intl_mig, so the county column target
//               pop_t - births + deaths - intl_mig is T's column sum exactly. Other years: sums of
//               the hidden population trajectories.
//   pep_state   sums of the county rows.
//   acs1 totals (year t only) same_house = (state diagonal of T - deaths - emigrants) with
//               CV noise.same_house_cv; same_state = within-state off-diagonal mass of T with CV
//               noise.same_state_cv; abroad_total = the real ACS value; different_state = the sum
//               of the noisy flows into the state.
//   acs1 flows  (year t only) T's state-to-state block sums with CV = scale * estimate^-exponent.
// NNLS inputs (both modes): cbg_pop_census2010.csv = x2010 of the trajectories, cbg_pop_acs5.csv
// = 5-year window means with CBG-size-dependent noise; truth_populations.csv holds the hidden
// trajectories x2009..x2019 themselves (the plan key census.cbg_populations reads it).
#include <filesystem>
#include <vector>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/synth/config.hpp"
#include "flowfit/synth/inputs.hpp"
#include "flowfit/synth/trajectories.hpp"

namespace flowfit::synth {

namespace fs = std::filesystem;

// The aggregates of T that the tables are derived from.
struct TruthAggregates {
  std::vector<double> county_rows, county_cols;  // per county
  std::vector<double> state_diag;                // diagonal (CBG stayers) per state
  std::vector<double> state_flows;               // S x S block sums, row = origin state
  std::vector<double> state_within_movers;       // off-diagonal entries inside the state
};
TruthAggregates aggregate_truth(const CsrMatrix& truth, const SynthInputs& inputs);

// The standard file names (data/census layout).
inline constexpr const char* kPepStateCsv = "pep_state_2010_2019.csv";
inline constexpr const char* kPepCountyCsv = "pep_county_2010_2019.csv";
inline constexpr const char* kAcsTotalsCsv = "acs1_state_totals_2011_2019.csv";
inline constexpr const char* kAcsFlowsCsv = "acs1_state_flows_2011_2019.csv";
inline constexpr const char* kCbgCensus2010Csv = "cbg_pop_census2010.csv";
inline constexpr const char* kCbgAcs5Csv = "cbg_pop_acs5.csv";
inline constexpr const char* kTruthPopulationsCsv = "truth_populations.csv";

// Writes the four PEP/ACS tables derived from T into `dir`.
void write_synthetic_census_tables(const fs::path& dir, const SynthInputs& inputs,
                                   const SynthConfig& config, const TruthAggregates& truth,
                                   const PopulationTrajectories& trajectories);

// Writes the real tables of `paths.census_dir` into `dir`: the state tables copied as they are,
// the county table translated to the geography's 2010 codes (renamed codes mapped back, 51019
// split between 51019 and 51515 by 2010 census counts).
void write_real_census_tables(const fs::path& dir, const SynthPaths& paths,
                              const SynthInputs& inputs);

// cbg_pop_census2010.csv, cbg_pop_acs5.csv and truth_populations.csv.
void write_cbg_population_inputs(const fs::path& dir, const SynthInputs& inputs,
                                 const SynthConfig& config,
                                 const PopulationTrajectories& trajectories);

}  // namespace flowfit::synth
