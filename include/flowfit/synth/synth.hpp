#pragma once
// The synthetic national problem end to end: real inputs -> population trajectories -> truth T
// -> observed E -> census-like targets, written as a folder that `flowfit run` accepts as it is:
//
//   DIR/observed_<year>.npz|.ffm   E, the input of the harmonization
//   DIR/truth_<year>.npz|.ffm      T, the ground truth (for `flowfit validate`)
//   DIR/geography.csv              the CBGs in matrix order (columns of data/geography/cbg2010.csv)
//   DIR/census/*.csv               PEP/ACS tables (real formats) + NNLS inputs + true populations
//   DIR/plan.toml                  the released stage order on DIR's files
//   DIR/README.md                  what was generated, with the realism figures
//
// Everything is deterministic from (seed, nnz, year, targets, the configuration): the same
// arguments give byte-identical files for any number of threads.
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/synth/config.hpp"
#include "flowfit/synth/inputs.hpp"
#include "flowfit/synth/observe.hpp"
#include "flowfit/synth/realism.hpp"
#include "flowfit/synth/trajectories.hpp"
#include "flowfit/synth/truth.hpp"

namespace flowfit::synth {

namespace fs = std::filesystem;

// A synthetic problem in memory (no files written except where noted).
struct SyntheticProblem {
  SynthConfig config;
  SynthInputs inputs;
  PopulationTrajectories trajectories;  // x_{t-1} = row sums of truth
  CsrMatrix truth;
  CsrMatrix observed;
  TruthStats truth_stats;
  ObserveStats observe_stats;
  double seconds_inputs = 0, seconds_truth = 0, seconds_observe = 0;
};

// Progress messages ("truth: 10000000 nonzeros in 1.2 s").
using SynthLog = std::function<void(std::string_view)>;

// Builds T and E. With TargetSource::real the real county table (translated to 2010 codes) is
// written to `real_census_dir` and T is rescaled to its county row and column targets by a
// 50-iteration county IPF before E is derived; real_census_dir is required in that mode.
SyntheticProblem make_synthetic_problem(const SynthPaths& paths, const SynthConfig& config,
                                        const fs::path& real_census_dir = {},
                                        const SynthLog& log = {});

struct SynthOutputOptions {
  fs::path out_dir;
  std::string format = "npz";  // npz | ffm
  bool compress = false;       // npz: deflate (scipy.sparse.save_npz default) or stored
  bool write_truth = true;
  int county_iterations = 3000;  // county_ipf max_iterations in the plan
};

struct SynthSummary {
  SynthConfig config;
  int64_t n_cbgs = 0;
  int32_t n_counties = 0;
  Realism realism;
  Distortion distortion;
  TruthStats truth_stats;
  ObserveStats observe_stats;
  fs::path observed_path, truth_path, plan_path, readme_path;
  double seconds_inputs = 0, seconds_truth = 0, seconds_observe = 0, seconds_tables = 0,
         seconds_write = 0, seconds_total = 0;
};

// Generates the problem and writes DIR (created if missing; existing files are replaced).
SynthSummary write_synthetic_problem(const SynthPaths& paths, const SynthConfig& config,
                                     const SynthOutputOptions& options, const SynthLog& log = {});

// The file names used in DIR.
std::string observed_file_name(int year, std::string_view format);
std::string truth_file_name(int year, std::string_view format);

}  // namespace flowfit::synth
