// flowfit analyze rates|groups|distances|area: what researchers do with a harmonized year.
// Every analysis writes a Frictionless data package folder (docs/analysis.md).
#include "tools/flowfit/cmd_analyze_common.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"

namespace flowfit::cli {
namespace {

CommandAction setup(CLI::App& app, const GlobalOptions& global) {
  app.require_subcommand(1, 1);
  const std::vector<std::pair<std::string, AnalyzeAction>> actions{
      {"rates", setup_analyze_rates(app, global)},
      {"groups", setup_analyze_groups(app, global)},
      {"distances", setup_analyze_distances(app, global)},
      {"area", setup_analyze_area(app, global)}};
  return [&app, actions] {
    for (const auto& [name, action] : actions)
      if (app.got_subcommand(name)) return action();
    return kExitUsage;
  };
}

const CommandRegistrar registrar{
    {"analyze",
     "Migration analyses of a harmonized matrix: rates, flows between groups, move distances, "
     "areas of interest (each written as a data package)",
     88, setup}};

}  // namespace
}  // namespace flowfit::cli
