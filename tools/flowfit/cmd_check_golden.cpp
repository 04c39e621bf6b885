// flowfit check-golden DIR...: runs stages 0-4 of a golden case of the reference implementation
// and prints the worst error of every stage against the expected files. Exit 0 iff all pass.
#include <filesystem>

#include <fmt/format.h>

#include "flowfit/pipeline/golden_check.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"

namespace flowfit::cli {
namespace {

struct CheckGoldenArgs {
  std::vector<std::string> dirs;
  double tolerance = 1e-9;
};

int run_check_golden(const CheckGoldenArgs& a, const GlobalOptions& global) {
  auto backend = choose_backend(global, BackendChoice::automatic);
  bool all_pass = true;
  for (const std::string& dir : a.dirs) {
    const pipeline::GoldenReport r = pipeline::check_golden(dir, *backend, a.tolerance);
    fmt::print("{} on {}\n", dir, r.backend);
    fmt::print("  {:<40} {:>12} {:>12}  {}\n", "compared", "max abs", "max rel", "result");
    for (const auto& c : r.comparisons)
      fmt::print("  {:<40} {:>12.3g} {:>12.3g}  {}\n", c.what, c.max_abs, c.max_rel,
                 c.pass ? "ok" : "FAIL");
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
  app.add_option("--tolerance", a->tolerance,
                 "relative tolerance (absolute for expected values below 1)")
      ->capture_default_str();
  return [a, &global] { return run_check_golden(*a, global); };
}

const CommandRegistrar check_golden{
    {"check-golden", "Check flowfit against golden vectors of the reference implementation", 95,
     setup_check_golden}};

}  // namespace
}  // namespace flowfit::cli
