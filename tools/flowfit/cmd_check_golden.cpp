// flowfit check-golden DIR...: runs stages 0-4 of a golden case of the reference implementation
// and prints the worst error of every stage against the expected files (full matrices or
// digests; absent optional files are listed as skipped). Exit 0 iff all pass.
#include <filesystem>

#include <fmt/format.h>

#include "flowfit/pipeline/golden_check.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"

namespace flowfit::cli {
namespace {

struct CheckGoldenArgs {
  std::vector<std::string> dirs;
  pipeline::GoldenOptions options;
};

int run_check_golden(const CheckGoldenArgs& a, const GlobalOptions& global) {
  auto backend = choose_backend(global, BackendChoice::automatic);
  bool all_pass = true;
  for (const std::string& dir : a.dirs) {
    const pipeline::GoldenReport r = pipeline::check_golden(dir, *backend, a.options);
    fmt::print("{} (matrix year {}) on {}\n", dir, r.year, r.backend);
    fmt::print("  {:<40} {:>12} {:>12}  {}\n", "compared", "max abs", "max rel", "result");
    for (const auto& c : r.comparisons)
      if (c.skipped)
        fmt::print("  {:<40} {:>12} {:>12}  skipped ({})\n", c.what, "-", "-", c.note);
      else
        fmt::print("  {:<40} {:>12.3g} {:>12.3g}  {}{}\n", c.what, c.max_abs, c.max_rel,
                   c.pass ? "ok" : "FAIL", c.note.empty() ? "" : "  (" + c.note + ")");
    for (const StageResult& s : r.stages)
      fmt::print("  stage {:<16} {:>5} iteration(s)  {}{}\n", s.stage, s.iterations,
                 to_string(s.verdict), s.verdict_detail.empty() ? "" : ": " + s.verdict_detail);
    fmt::print("  {}\n", r.pass ? "PASS" : "FAIL");
    all_pass = all_pass && r.pass;
  }
  return all_pass ? kExitOk : kExitCheckFailed;
}

CommandAction setup_check_golden(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<CheckGoldenArgs>();
  app.add_option("dirs", a->dirs, "golden case folders (layout of tests/data/golden/caseNN)")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--tolerance", a->options.tolerance,
                 "matrices, digests, populations: relative tolerance (absolute for expected "
                 "values below 1)")
      ->capture_default_str();
  app.add_option("--log-tolerance", a->options.log_tolerance,
                 "ipf_log.csv columns: tolerance relative to the column's largest logged value")
      ->capture_default_str();
  app.add_option("--log-abs-tolerance", a->options.log_abs_tolerance,
                 "ipf_log.csv columns: absolute tolerance in people (whichever is larger)")
      ->capture_default_str();
  app.add_option("--year", a->options.year,
                 "matrix year t (default: \"year\" of case.json in the folder, else 2015)")
      ->check(CLI::Range(2010, 2020));
  return [a, &global] { return run_check_golden(*a, global); };
}

const CommandRegistrar check_golden{
    {"check-golden", "Check flowfit against golden vectors of the reference implementation", 95,
     setup_check_golden}};

}  // namespace
}  // namespace flowfit::cli
