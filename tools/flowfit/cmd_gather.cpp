// flowfit gather PLAN.toml: after an array job, checks that every work item of the plan is done
// (listing the missing ones; exit 5 if any) and merges the items' reports into one run report.
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "flowfit/pipeline/gather.hpp"
#include "flowfit/pipeline/plan_toml.hpp"
#include "flowfit/report/summary.hpp"
#include "host/report/report_json.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/outputs.hpp"

namespace flowfit::cli {
namespace {

namespace fs = std::filesystem;

struct GatherArgs {
  std::string plan;
  std::string output_dir;
  std::string report;
};

int run_gather(const GatherArgs& a, const GlobalOptions& global) {
  pipeline::Plan plan = pipeline::read_plan_toml(a.plan);
  if (!a.output_dir.empty()) plan.output.dir = fs::absolute(a.output_dir).lexically_normal();
  const std::vector<pipeline::ItemStatus> status = pipeline::item_status(plan);
  size_t done = 0;
  for (const auto& s : status) done += s.done;
  if (done < status.size()) {
    for (const auto& s : status)
      if (!s.done) std::cerr << fmt::format("missing: {}: {}\n", s.name, s.reason);
    throw CheckFailed(
        fmt::format("{} of {} work items are not done (listed above); rerun their "
                    "tasks, or `flowfit run {}` to compute what is missing",
                    status.size() - done, status.size(), a.plan));
  }
  const fs::path report_path =
      a.report.empty() ? plan.output.dir / "run_report.json" : fs::path(a.report);
  prepare_output(report_path, "--report");
  report::RunContext context;
  context.plan_file = a.plan;
  context.plan_toml = pipeline::plan_to_toml(plan, fs::absolute(fs::path(a.plan)).parent_path());
  context.command_line = process_command_line();
  context.inputs = report::plan_input_files(plan);
  context.machine = report::machine_info();
  const pipeline::RunReport merged = pipeline::gathered_report(plan, status);
  report::write_json(report_path, report::run_report_json(merged, context));
  // The summary shows every item's stages (from its sidecar), not one "resumed" line.
  pipeline::RunReport view = merged;
  for (auto& y : view.years) y.resumed = false;
  if (!global.console.quiet) std::cout << report::run_summary(view);
  global.console.info(fmt::format("all {} work items are done; merged report: {}", status.size(),
                                  report_path.string()));
  return kExitOk;
}

CommandAction setup(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<GatherArgs>();
  app.add_option("PLAN", a->plan, "Plan file (TOML) the array job ran")->required();
  app.add_option("--output-dir", a->output_dir, "Override output.dir of the plan");
  app.add_option("--report", a->report,
                 "Merged JSON report (default: <output.dir>/run_report.json)");
  return [a, &global] { return run_gather(*a, global); };
}

const CommandRegistrar registrar{
    {"gather",
     "After an array job: check that every work item of a plan is done, merge their reports", 11,
     setup}};

}  // namespace
}  // namespace flowfit::cli
