// Which work items an array task runs.
#include "tools/flowfit/task_items.hpp"

#include <fmt/format.h>

namespace flowfit::cli {

std::optional<TaskItems> select_task_items(const pipeline::Plan& plan, int index_flag,
                                           int count_flag, const Console& console) {
  const auto share = pipeline::find_task_share(
      index_flag >= 0 ? std::optional<int>(index_flag) : std::nullopt,
      count_flag > 0 ? std::optional<int>(count_flag) : std::nullopt, plan.batch.resources.tasks);
  if (!share) return std::nullopt;
  TaskItems t;
  t.share = *share;
  const std::vector<pipeline::WorkItem> all = pipeline::work_items(plan);
  t.n_all = static_cast<int64_t>(all.size());
  const auto [first, last] = pipeline::task_item_range(t.n_all, share->index, share->count);
  t.first = first;
  t.items.assign(all.begin() + first, all.begin() + last);
  std::string range = last > first ? fmt::format("items {}..{}", first, last - 1) : "no items";
  if (last > first)
    range += fmt::format(" ({} .. {})", pipeline::item_name(plan, all[first]),
                         pipeline::item_name(plan, all[last - 1]));
  console.info(fmt::format("array task {} of {} (from {}): {} of {} work items", share->index,
                           share->count, share->source, range, t.n_all));
  return t;
}

std::filesystem::path task_report_path(const pipeline::Plan& plan, const pipeline::TaskShare& s) {
  return plan.output.dir / "reports" / fmt::format("run_report_task{}of{}.json", s.index, s.count);
}

}  // namespace flowfit::cli
