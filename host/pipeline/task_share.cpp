// Array-job shares of a plan's items: flags or scheduler environment variables.
#include "flowfit/pipeline/task_share.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "flowfit/error.hpp"

namespace flowfit::pipeline {
namespace {

int parse_int(const std::string& text, const std::string& name) {
  try {
    size_t used = 0;
    const long v = std::stol(text, &used);
    if (used != text.size() || v < 0 || v > 100000000) throw std::invalid_argument(text);
    return static_cast<int>(v);
  } catch (const std::exception&) {
    throw ConfigError(name, fmt::format("expected a non-negative integer, got '{}'", text));
  }
}

std::optional<int> env_int(const EnvLookup& env, const std::string& name) {
  const auto v = env(name);
  if (!v || v->empty()) return std::nullopt;
  return parse_int(*v, name);
}

TaskShare checked(TaskShare s, const std::string& key) {
  if (s.count < 1)
    throw ConfigError(key, fmt::format("the task count must be >= 1, got {}", s.count));
  if (s.index < 0 || s.index >= s.count)
    throw ConfigError(
        key, fmt::format("task index {} is not in 0..{} ({})", s.index, s.count - 1, s.source));
  return s;
}

}  // namespace

std::pair<int64_t, int64_t> task_item_range(int64_t n_items, int index, int count) {
  return {n_items * index / count, n_items * (index + 1) / count};
}

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::optional<TaskShare> find_task_share(std::optional<int> index_flag,
                                         std::optional<int> count_flag, int plan_tasks,
                                         const EnvLookup& env) {
  auto count_from_flag_or_plan = [&](TaskShare& s, const std::string& what) {
    if (count_flag) {
      s.count = *count_flag;
      s.source += fmt::format(", count {} from --task-count", s.count);
    } else if (plan_tasks > 0) {
      s.count = plan_tasks;
      s.source += fmt::format(", count {} from the plan's batch.tasks", s.count);
    } else {
      throw ConfigError("--task-count", what +
                                            " gives no task count: give --task-count or "
                                            "batch.tasks in the plan");
    }
  };
  if (index_flag) {
    TaskShare s;
    s.index = *index_flag;
    s.source = fmt::format("--task-index {}", s.index);
    if (!count_flag) throw ConfigError("--task-count", "--task-index needs --task-count");
    s.count = *count_flag;
    s.source += fmt::format(" --task-count {}", s.count);
    return checked(s, "--task-index");
  }
  if (auto id = env_int(env, "SLURM_ARRAY_TASK_ID")) {
    TaskShare s;
    const auto lo = env_int(env, "SLURM_ARRAY_TASK_MIN");
    const auto hi = env_int(env, "SLURM_ARRAY_TASK_MAX");
    const auto n = env_int(env, "SLURM_ARRAY_TASK_COUNT");
    s.source = fmt::format("SLURM_ARRAY_TASK_ID={}", *id);
    if (lo) s.source += fmt::format(" SLURM_ARRAY_TASK_MIN={}", *lo);
    if (hi) s.source += fmt::format(" SLURM_ARRAY_TASK_MAX={}", *hi);
    if (n) s.source += fmt::format(" SLURM_ARRAY_TASK_COUNT={}", *n);
    const int first = lo.value_or(0);
    if (*id < first)
      throw ConfigError("SLURM_ARRAY_TASK_ID",
                        fmt::format("{} is below SLURM_ARRAY_TASK_MIN={}", *id, first));
    // --array=MIN-MAX:STEP gives COUNT = (MAX - MIN) / STEP + 1 tasks.
    int step = 1;
    if (n && lo && hi && *n > 1 && *hi > *lo) {
      if ((*hi - *lo) % (*n - 1) != 0)
        throw ConfigError("SLURM_ARRAY_TASK_COUNT",
                          fmt::format("{} tasks do not fit evenly in {}..{}: give --task-index "
                                      "and --task-count instead",
                                      *n, *lo, *hi));
      step = (*hi - *lo) / (*n - 1);
    }
    if ((*id - first) % step != 0)
      throw ConfigError("SLURM_ARRAY_TASK_ID",
                        fmt::format("{} is not on the array's step {} from {}", *id, step, first));
    s.index = (*id - first) / step;
    if (n)
      s.count = *n;
    else if (lo && hi)
      s.count = *hi - *lo + 1;
    else
      count_from_flag_or_plan(s, "SLURM_ARRAY_TASK_ID alone");
    if (count_flag && *count_flag != s.count)
      throw ConfigError("--task-count",
                        fmt::format("{} disagrees with the SLURM array's {} tasks ({})",
                                    *count_flag, s.count, s.source));
    return checked(s, "SLURM_ARRAY_TASK_ID");
  }
  if (auto idx = env_int(env, "AWS_BATCH_JOB_ARRAY_INDEX")) {
    TaskShare s;
    s.index = *idx;
    s.source = fmt::format("AWS_BATCH_JOB_ARRAY_INDEX={}", *idx);
    if (auto n = env_int(env, "AWS_BATCH_JOB_ARRAY_SIZE")) {
      s.count = *n;
      s.source += fmt::format(" AWS_BATCH_JOB_ARRAY_SIZE={}", *n);
      if (count_flag && *count_flag != s.count)
        throw ConfigError(
            "--task-count",
            fmt::format("{} disagrees with AWS_BATCH_JOB_ARRAY_SIZE={}", *count_flag, s.count));
    } else {
      count_from_flag_or_plan(s, "AWS_BATCH_JOB_ARRAY_INDEX without AWS_BATCH_JOB_ARRAY_SIZE");
    }
    return checked(s, "AWS_BATCH_JOB_ARRAY_INDEX");
  }
  if (auto idx = env_int(env, "JOB_COMPLETION_INDEX")) {
    TaskShare s;
    s.index = *idx;
    s.source = fmt::format("JOB_COMPLETION_INDEX={}", *idx);
    count_from_flag_or_plan(s, "JOB_COMPLETION_INDEX");
    return checked(s, "JOB_COMPLETION_INDEX");
  }
  if (count_flag)
    throw ConfigError("--task-count",
                      "--task-count needs --task-index or a scheduler's array index variable "
                      "(SLURM_ARRAY_TASK_ID, AWS_BATCH_JOB_ARRAY_INDEX, JOB_COMPLETION_INDEX)");
  return std::nullopt;
}

}  // namespace flowfit::pipeline
