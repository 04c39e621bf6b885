// flowfit summarize PLAN.toml: summaries over the work items of a batch plan as data packages:
// the uncertainty replicates (mean, sd, 5/50/95% quantiles per entry of an aggregated output)
// and the stage orders (typical and worst differences from the first order, county and state).
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "flowfit/pipeline/batch_summary.hpp"
#include "flowfit/pipeline/gather.hpp"
#include "flowfit/pipeline/plan_toml.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/outputs.hpp"

namespace flowfit::cli {
namespace {

namespace fs = std::filesystem;

struct SummarizeArgs {
  std::string plan;
  std::string of = "county_out_rates";
  std::string output;
  std::string output_dir;
};

int run_summarize(const SummarizeArgs& a, const GlobalOptions& global) {
  pipeline::Plan plan = pipeline::read_plan_toml(a.plan);
  if (!a.output_dir.empty()) plan.output.dir = fs::absolute(a.output_dir).lexically_normal();
  const pipeline::SummaryQuantity q = pipeline::summary_quantity_from_string(a.of);
  const bool replicates = plan.batch.replicates > 0, orders = plan.batch.orders.size() > 1;
  if (!replicates && !orders)
    throw ConfigError("replicates",
                      "the plan has neither replicates nor two stage orders: nothing to summarize");
  size_t missing = 0;
  for (const auto& s : pipeline::item_status(plan))
    if (!s.done) {
      std::cerr << fmt::format("missing: {}: {}\n", s.name, s.reason);
      ++missing;
    }
  if (missing) throw CheckFailed(fmt::format("{} work items are not done (listed above)", missing));
  const fs::path dir = a.output.empty() ? plan.output.dir / "summary" : fs::path(a.output);
  check_output_directory(dir, "--output");
  if (replicates) {
    const fs::path p = dir / ("replicates_" + a.of);
    pipeline::write_replicate_summary(plan, q, p);
    std::cout << (p / "datapackage.json").string() << "\n";
  }
  if (orders) {
    const fs::path p = dir / "orders";
    pipeline::write_order_summary(plan, p);
    std::cout << (p / "datapackage.json").string() << "\n";
  }
  global.console.info("wrote the summaries under " + dir.string());
  return kExitOk;
}

CommandAction setup(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<SummarizeArgs>();
  app.add_option("PLAN", a->plan, "Plan file (TOML) with replicates and/or orders")->required();
  app.add_option("--of", a->of, "What the replicate summary aggregates")
      ->check(CLI::IsMember({"county_out_rates", "county_flows", "state_flows"}))
      ->capture_default_str();
  app.add_option("--output", a->output, "Folder of the packages (default: <output.dir>/summary)");
  app.add_option("--output-dir", a->output_dir, "Override output.dir of the plan");
  return [a, &global] { return run_summarize(*a, global); };
}

const CommandRegistrar registrar{
    {"summarize", "Summaries of a batch plan's replicates and stage orders, as data packages", 13,
     setup}};

}  // namespace
}  // namespace flowfit::cli
