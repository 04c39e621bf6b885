#pragma once
// Array jobs (docs/batch.md, "Which items a task runs"): task i of n runs a deterministic,
// balanced, contiguous share of a plan's work items. With N items, task i runs the items
// [floor(i N / n), floor((i + 1) N / n)) of the canonical order (work_items.hpp): shares differ
// by at most one item, consecutive items (the orders and replicates of one year) stay together,
// and the union over i = 0..n-1 is every item exactly once.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

namespace flowfit::pipeline {

struct TaskShare {
  int index = 0;  // 0-based
  int count = 1;
  std::string source;  // how it was found: "--task-index/--task-count", "SLURM_ARRAY_TASK_ID=..."
};

// [first, last) of the items of task `index` of `count`.
std::pair<int64_t, int64_t> task_item_range(int64_t n_items, int index, int count);

// The environment lookup (getenv by default; tests pass their own).
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_environment();

// The task share from explicit flags, else from the scheduler's environment, in this order:
// SLURM_ARRAY_TASK_ID (with SLURM_ARRAY_TASK_COUNT, or SLURM_ARRAY_TASK_MIN/MAX: the index is
// the position of the ID in the array, steps included), AWS_BATCH_JOB_ARRAY_INDEX (with
// AWS_BATCH_JOB_ARRAY_SIZE), JOB_COMPLETION_INDEX (Kubernetes Indexed Job). A count missing from
// the environment comes from `count_flag`, else `plan_tasks` ([batch] tasks; 0 = none).
// Returns nullopt when there is no share (no flags, no scheduler variables). Throws ConfigError
// naming the flag or variable when the values are inconsistent.
std::optional<TaskShare> find_task_share(std::optional<int> index_flag,
                                         std::optional<int> count_flag, int plan_tasks,
                                         const EnvLookup& env = process_environment());

}  // namespace flowfit::pipeline
