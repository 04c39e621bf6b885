// Work items of a plan: (year, stage order, replicate), their folders and stages.
#include "flowfit/pipeline/work_items.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "flowfit/error.hpp"

namespace flowfit::pipeline {

std::vector<WorkItem> work_items(const Plan& plan) {
  std::vector<WorkItem> out;
  const int n_orders = std::max<int>(1, static_cast<int>(plan.batch.orders.size()));
  for (size_t y = 0; y < plan.years.size(); ++y)
    for (int k = 0; k < n_orders; ++k)
      for (int r = 0; r <= plan.batch.replicates; ++r)
        out.push_back({static_cast<int>(y), plan.years[y].year, k, r});
  return out;
}

std::string item_name(const Plan& plan, const WorkItem& item) {
  if (!plan.batch.item_folders()) return std::to_string(item.year);
  return fmt::format("{}_order{}_rep{}", item.year, item.order_index, item.replicate);
}

fs::path item_dir(const Plan& plan, const WorkItem& item) {
  if (!plan.batch.item_folders()) return plan.output.dir;
  return plan.output.dir / "items" / item_name(plan, item);
}

fs::path item_output_path(const Plan& plan, const WorkItem& item) {
  return item_dir(plan, item) / fmt::format("flows_{}.{}", item.year, plan.output.format);
}

std::vector<StageSpec> item_stages(const Plan& plan, const WorkItem& item) {
  if (plan.batch.orders.empty()) return plan.stages;
  std::vector<StageSpec> out;
  for (StageKind k : plan.batch.orders.at(item.order_index))
    for (const StageSpec& s : plan.stages)
      if (s.kind == k) out.push_back(s);
  return out;
}

std::string order_text(const std::vector<StageKind>& order) {
  std::string s;
  for (StageKind k : order) s += (s.empty() ? "" : ",") + std::string(to_string(k));
  return s;
}

void validate_batch(const Plan& plan) {
  const BatchSpec& b = plan.batch;
  std::vector<StageKind> plan_kinds;
  for (const StageSpec& s : plan.stages) plan_kinds.push_back(s.kind);
  std::vector<StageKind> sorted_plan = plan_kinds;
  std::sort(sorted_plan.begin(), sorted_plan.end());
  for (size_t i = 0; i < b.orders.size(); ++i) {
    std::vector<StageKind> sorted = b.orders[i];
    std::sort(sorted.begin(), sorted.end());
    if (sorted != sorted_plan)
      throw ConfigError(fmt::format("orders[{}]", i),
                        fmt::format("expected a permutation of the plan's stages ({}), got {}",
                                    order_text(plan_kinds), order_text(b.orders[i])));
    for (size_t j = 0; j < i; ++j)
      if (b.orders[j] == b.orders[i])
        throw ConfigError(fmt::format("orders[{}]", i),
                          fmt::format("the same order as orders[{}]", j));
  }
  if (b.replicates < 0 || b.replicates > 100000)
    throw ConfigError("replicates",
                      fmt::format("expected 0..100000 replicates, got {}", b.replicates));
  if (b.replicates > 0) {
    const bool state_stage =
        std::any_of(plan.stages.begin(), plan.stages.end(), [](const StageSpec& s) {
          return s.kind == StageKind::state_nonmovers || s.kind == StageKind::state_flows;
        });
    if (plan.census.census_dir.empty())
      throw ConfigError("replicates",
                        "replicates resample the ACS tables of census.census_dir from their MOE "
                        "columns; this plan has no census_dir (golden-case tables carry no MOE)");
    if (!state_stage)
      throw ConfigError("replicates",
                        "replicates resample the ACS state tables, which only the "
                        "state_nonmovers and state_flows stages use; this plan has neither");
  }
  if (b.resources.tasks < 0)
    throw ConfigError("batch.tasks",
                      fmt::format("expected a task count >= 1, got {}", b.resources.tasks));
  if (b.resources.cpus_per_task < 0)
    throw ConfigError("batch.cpus_per_task",
                      fmt::format("expected a CPU count >= 1, got {}", b.resources.cpus_per_task));
}

std::string batch_canonical_text(const BatchSpec& b) {
  std::string s;
  for (const auto& order : b.orders) s += "order=" + order_text(order) + "\n";
  if (b.replicates > 0) s += fmt::format("replicates={} seed={}\n", b.replicates, b.seed);
  return s;
}

}  // namespace flowfit::pipeline
