// flowfit synth --out DIR: a realistic synthetic national problem (truth, observed matrix,
// census-like tables, plan) on the real CBG geography. See docs/synthetic.md.
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "flowfit/error.hpp"
#include "flowfit/synth/synth.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/outputs.hpp"

namespace flowfit::cli {
namespace {

namespace fs = std::filesystem;

struct SynthArgs {
  std::string out;
  std::string nnz = "1e7";
  uint64_t seed = 1;
  int year = 2018;
  std::string targets = "synthetic";
  std::string format = "npz";
  bool compress = false;
  bool no_truth = false;
  std::string data;
  int county_iterations = 3000;
  double stayer_share = 0.87;
  double within_county_share = 0.50;
  bool as_json = false;
};

// "1e7", "10000000", "2.5e6" -> a whole count >= 1.
int64_t parse_count(const std::string& text, const char* option) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(v) || v < 1 || v > 4e12)
    throw ConfigError(option, fmt::format("expected a count such as 1e7, got '{}'", text));
  return static_cast<int64_t>(std::llround(v));
}

// The repository's data/ folder: --data, $FLOWFIT_DATA_DIR, ./data, or data/ next to (or above)
// the executable's directory.
fs::path find_data_dir(const std::string& given) {
  auto ok = [](const fs::path& p) { return fs::exists(p / "geography" / "cbg2010.csv"); };
  if (!given.empty()) {
    if (!ok(given))
      throw ConfigError("--data", fmt::format("'{}' has no geography/cbg2010.csv (give the "
                                              "repository's data/ folder)",
                                              given));
    return given;
  }
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("FLOWFIT_DATA_DIR")) candidates.emplace_back(env);
  candidates.emplace_back("data");
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    for (fs::path d = exe.parent_path(); !d.empty() && d != d.root_path(); d = d.parent_path())
      candidates.push_back(d / "data");
  for (const fs::path& c : candidates)
    if (ok(c)) return c;
  throw ConfigError("--data",
                    "cannot find the real input data (geography/cbg2010.csv, census/, irs/); "
                    "give the repository's data/ folder with --data DIR or FLOWFIT_DATA_DIR");
}

int synth(const SynthArgs& a, const GlobalOptions& global) {
  synth::SynthConfig config;
  config.nnz = parse_count(a.nnz, "--nnz");
  config.seed = a.seed;
  config.year = a.year;
  config.targets = synth::target_source_from_string(a.targets);
  config.truth.stayer_share = a.stayer_share;
  config.truth.within_county_share = a.within_county_share;
  config.validate();
  synth::SynthOutputOptions out;
  out.out_dir = a.out;
  out.format = a.format;
  out.compress = a.compress;
  out.write_truth = !a.no_truth;
  out.county_iterations = a.county_iterations;
  if (fs::exists(out.out_dir) && !fs::is_directory(out.out_dir))
    throw ConfigError("--out", "'" + a.out + "' exists and is not a folder");
  const fs::path data = find_data_dir(a.data);
  // The folder's files are replaced: it may not be the real data folder or one of its parts.
  for (const char* part : {"", "census", "geography", "irs"})
    if (io::same_file(out.out_dir, data / part))
      throw ConfigError("--out", "'" + a.out + "' is the input data folder '" +
                                     (data / part).string() + "'; choose another folder");
  check_output_directory(out.out_dir, "--out");
  global.console.detail("real inputs from " + data.string());

  const synth::SynthSummary s = synth::write_synthetic_problem(
      synth::SynthPaths::from_data_dir(data), config, out,
      [&](std::string_view m) { global.console.info(std::string(m)); });

  const synth::Realism& r = s.realism;
  const synth::Distortion& d = s.distortion;
  if (a.as_json) {
    nlohmann::json j{{"out", a.out},
                     {"observed", s.observed_path.string()},
                     {"truth", s.truth_path.string()},
                     {"plan", s.plan_path.string()},
                     {"nnz", {{"truth", d.truth_nnz}, {"observed", d.observed_nnz}}},
                     {"realism",
                      {{"people", r.total},
                       {"stayer_share", r.stayer_share},
                       {"within_county_share", r.within_county_share},
                       {"within_state_share", r.within_state_share},
                       {"under_5mi_share", r.under_5mi_share},
                       {"mean_move_miles", r.mean_move_miles}}},
                     {"distortion",
                      {{"total_ratio", d.total_ratio},
                       {"observed_mover_share", d.observed_mover_share},
                       {"cbg_ratio_p05", d.row_ratio_p05},
                       {"cbg_ratio_p95", d.row_ratio_p95},
                       {"share_cbgs_off_20pct", d.share_rows_off_20pct}}},
                     {"seconds", s.seconds_total}};
    std::cout << j.dump(2) << '\n';
    return kExitOk;
  }
  std::cout << fmt::format(
      "wrote {} (truth {} / observed {} nonzeros) in {:.1f} s\n"
      "stayers {:.1f}%, moves within county {:.1f}%, under 5 miles {:.1f}%\n"
      "observed CBG populations / truth: 5% {:.2f}, 95% {:.2f}\n"
      "next: flowfit run {}\n",
      a.out, d.truth_nnz, d.observed_nnz, s.seconds_total, 100 * r.stayer_share,
      100 * r.within_county_share, 100 * r.under_5mi_share, d.row_ratio_p05, d.row_ratio_p95,
      s.plan_path.string());
  return kExitOk;
}

CommandAction setup(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<SynthArgs>();
  app.add_option("--out", a->out, "Folder to write (created; files in it are replaced)")
      ->required();
  app.add_option("--nnz", a->nnz, "Nonzeros of the truth matrix, 1e6 .. 1e9 (memory permitting)")
      ->capture_default_str();
  app.add_option("--seed", a->seed, "Random seed")->capture_default_str();
  app.add_option("--year", a->year, "Matrix year t (flows t-1 -> t), 2011..2019")
      ->check(CLI::Range(2011, 2019))
      ->capture_default_str();
  app.add_option("--targets", a->targets,
                 "synthetic: census tables derived from the truth with ACS-like noise; real: the "
                 "real PEP/ACS tables, truth rescaled to their counties")
      ->check(CLI::IsMember({"synthetic", "real"}))
      ->capture_default_str();
  app.add_option("--format", a->format, "Matrix files: npz (scipy) or ffm (native)")
      ->check(CLI::IsMember({"npz", "ffm"}))
      ->capture_default_str();
  app.add_flag("--compress", a->compress, "Deflate the .npz members (smaller, slower)");
  app.add_flag("--no-truth", a->no_truth, "Do not write the truth matrix");
  app.add_option("--data", a->data,
                 "The repository's data/ folder (default: $FLOWFIT_DATA_DIR, ./data, or data/ "
                 "above the executable)");
  app.add_option("--county-iterations", a->county_iterations,
                 "county_ipf iterations written into plan.toml")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--stayer-share", a->stayer_share, "National share of stayers in the truth")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();
  app.add_option("--within-county-share", a->within_county_share,
                 "National share of moves that stay in their county")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_flag("--json", a->as_json, "Print the summary as JSON");
  return [a, &global] { return synth(*a, global); };
}

const CommandRegistrar registrar{
    {"synth",
     "Generate a realistic synthetic national problem (truth, observed matrix, census tables, "
     "plan) on the real CBG geography",
     80, setup}};

}  // namespace
}  // namespace flowfit::cli
