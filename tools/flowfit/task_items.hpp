#pragma once
// `flowfit run --task-index/--task-count` and scheduler array variables: which work items this
// process runs (flowfit/pipeline/task_share.hpp; docs/batch.md).
#include <filesystem>
#include <optional>
#include <vector>

#include "flowfit/pipeline/plan.hpp"
#include "flowfit/pipeline/task_share.hpp"
#include "flowfit/pipeline/work_items.hpp"
#include "tools/flowfit/cli_context.hpp"

namespace flowfit::cli {

struct TaskItems {
  pipeline::TaskShare share;
  std::vector<pipeline::WorkItem> items;  // this task's share, in the canonical order
  int64_t first = 0, n_all = 0;           // its position among all items
};

// The share from the flags (index < 0 / count <= 0: not given) or the environment; announced
// on the console (which variables were used, which items). nullopt: the whole plan.
std::optional<TaskItems> select_task_items(const pipeline::Plan& plan, int index_flag,
                                           int count_flag, const Console& console);

// The default report of a task: <output.dir>/reports/run_report_task<i>of<n>.json.
std::filesystem::path task_report_path(const pipeline::Plan& plan, const pipeline::TaskShare& s);

}  // namespace flowfit::cli
