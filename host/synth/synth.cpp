// The synthetic problem end to end, and the folder it is written to.
#include "flowfit/synth/synth.hpp"

#include <chrono>

#include <fmt/format.h>

#include "flowfit/backend.hpp"
#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "flowfit/io/csv_writer.hpp"
#include "flowfit/io/ffm.hpp"
#include "flowfit/io/npz.hpp"
#include "flowfit/synth/census_tables.hpp"
#include "flowfit/targets/county_targets.hpp"
#include "flowfit/targets/loaders.hpp"
#include "flowfit/targets/stage_margins.hpp"
#include "host/synth/folder_docs.hpp"

namespace flowfit::synth {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void say(const SynthLog& log, const std::string& text) {
  if (log) log(text);
}

// Rescales T to the county row and column targets of a county table (50 county IPF sweeps on
// the OpenMP backend), then makes the trajectories' x_{t-1} equal to the new row sums.
void rescale_to_county_table(SyntheticProblem& p, const fs::path& census_dir) {
  const targets::CountyCensusTable table =
      targets::load_county_census_table_from_dir(census_dir, p.config.year);
  const targets::CountyTargets ct = targets::build_county_targets(table);
  const targets::StageMargins margins = targets::county_margins(ct, p.inputs.geography);
  Stage stage;
  stage.name = "rescale truth to the real county table";
  stage.margins = margins.margins;
  stage.stop = StopRule::exactly(50);
  stage.log_every = 50;
  auto backend = make_openmp_backend();
  run_stage(*backend, p.truth, stage);
  const auto rows = row_sums(p.truth);
  for (int64_t i = 0; i < p.inputs.n_cbgs(); ++i) p.trajectories.at(i, p.config.year - 1) = rows[i];
}

void write_geography_csv(const fs::path& path, const SynthInputs& in) {
  io::CsvWriter w(path, {"cbg_geoid", "state_fips", "county_fips", "tract_geoid", "population",
                         "latitude", "longitude"});
  for (int64_t i = 0; i < in.n_cbgs(); ++i) {
    const SynthCounty& c = in.counties[in.county_of[i]];
    w.field(in.geography.geoid(i)).field(in.state_fips[c.state]).field(c.fips);
    w.field(in.tract_geoid[i]).field(in.pop2010[i]).field(in.lat[i]).field(in.lon[i]);
    w.end_row();
  }
  w.commit();
}

void write_matrix_file(const fs::path& path, const CsrMatrix& m, const SynthOutputOptions& o) {
  if (o.format == "ffm") {
    io::write_ffm(path, m);
  } else {
    io::MatrixWriteOptions wo;
    wo.compressed = o.compress;
    io::write_npz(path, m, wo);
  }
}

}  // namespace

std::string observed_file_name(int year, std::string_view format) {
  return fmt::format("observed_{}.{}", year, format);
}
std::string truth_file_name(int year, std::string_view format) {
  return fmt::format("truth_{}.{}", year, format);
}

SyntheticProblem make_synthetic_problem(const SynthPaths& paths, const SynthConfig& config,
                                        const fs::path& real_census_dir, const SynthLog& log) {
  config.validate();
  SyntheticProblem p;
  p.config = config;
  auto t0 = Clock::now();
  p.inputs = load_synth_inputs(paths, config.year);
  p.trajectories = population_trajectories(p.inputs, config);
  p.seconds_inputs = since(t0);
  say(log, fmt::format("inputs: {} CBGs, {} counties, {} states, {} IRS county pairs ({:.2f} s)",
                       p.inputs.n_cbgs(), p.inputs.n_counties(), p.inputs.n_states(),
                       p.inputs.irs.size(), p.seconds_inputs));

  t0 = Clock::now();
  {
    const MoverModel model = build_mover_model(p.inputs, config, p.trajectories);
    p.truth = generate_truth(p.inputs, config, model, &p.truth_stats);
  }
  if (config.targets == TargetSource::real) {
    if (real_census_dir.empty())
      throw ConfigError("targets", "real targets need a folder for the translated county table");
    write_real_census_tables(real_census_dir, paths, p.inputs);
    rescale_to_county_table(p, real_census_dir);
  }
  p.seconds_truth = since(t0);
  say(log, fmt::format("truth: {} nonzeros ({} rows short of their budget) in {:.2f} s",
                       p.truth.nnz(), p.truth_stats.rows_short, p.seconds_truth));

  t0 = Clock::now();
  const ObservationModel om =
      build_observation_model(p.inputs, config, p.trajectories.year_values(config.year - 1));
  p.observed = observe(p.truth, om, config, &p.observe_stats);
  p.seconds_observe = since(t0);
  say(log, fmt::format("observed: {} nonzeros ({} thinned, {} spread) in {:.2f} s",
                       p.observed.nnz(), p.observe_stats.entries_thinned,
                       p.observe_stats.entries_spread, p.seconds_observe));
  return p;
}

SynthSummary write_synthetic_problem(const SynthPaths& paths, const SynthConfig& config,
                                     const SynthOutputOptions& options, const SynthLog& log) {
  if (options.format != "npz" && options.format != "ffm")
    throw ConfigError("format", "expected npz or ffm, got '" + options.format + "'");
  if (options.out_dir.empty()) throw ConfigError("out", "an output folder is required");
  const auto start = Clock::now();
  const fs::path dir = options.out_dir;
  const fs::path census = dir / "census";
  fs::create_directories(census);

  SyntheticProblem p = make_synthetic_problem(paths, config, census, log);
  SynthSummary s;
  s.config = config;
  s.n_cbgs = p.inputs.n_cbgs();
  s.n_counties = p.inputs.n_counties();
  s.truth_stats = p.truth_stats;
  s.observe_stats = p.observe_stats;
  s.seconds_inputs = p.seconds_inputs;
  s.seconds_truth = p.seconds_truth;
  s.seconds_observe = p.seconds_observe;

  auto t0 = Clock::now();
  if (config.targets == TargetSource::synthetic)
    write_synthetic_census_tables(census, p.inputs, config, aggregate_truth(p.truth, p.inputs),
                                  p.trajectories);
  write_cbg_population_inputs(census, p.inputs, config, p.trajectories);
  write_geography_csv(dir / "geography.csv", p.inputs);
  s.realism = measure_realism(p.truth, p.inputs);
  s.distortion = measure_distortion(p.truth, p.observed, p.inputs);
  s.seconds_tables = since(t0);
  say(log, fmt::format("census tables ({} targets) and figures in {:.2f} s",
                       to_string(config.targets), s.seconds_tables));

  t0 = Clock::now();
  s.observed_path = dir / observed_file_name(config.year, options.format);
  write_matrix_file(s.observed_path, p.observed, options);
  if (options.write_truth) {
    s.truth_path = dir / truth_file_name(config.year, options.format);
    write_matrix_file(s.truth_path, p.truth, options);
  }
  s.seconds_write = since(t0);
  say(log, fmt::format("matrices written in {:.2f} s", s.seconds_write));

  s.seconds_total = since(start);
  s.plan_path = dir / "plan.toml";
  detail::write_plan_toml(s.plan_path, s, options);
  s.readme_path = dir / "README.md";
  detail::write_readme(s.readme_path, s, options, paths);
  return s;
}

}  // namespace flowfit::synth
