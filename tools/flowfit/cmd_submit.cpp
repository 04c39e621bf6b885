// flowfit submit --slurm PLAN.toml: writes an sbatch array script over the plan's work items
// (resources from the plan's [batch] table) and, with --now, submits it with sbatch.
#include <sys/wait.h>
#include <unistd.h>
#include <cctype>

#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/io/atomic_file.hpp"
#include "flowfit/pipeline/plan_toml.hpp"
#include "flowfit/pipeline/work_items.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/outputs.hpp"

namespace flowfit::cli {
namespace {

namespace fs = std::filesystem;

struct SubmitArgs {
  std::string plan;
  bool slurm = false;
  bool now = false;
  int tasks = 0;
  std::string script;
  std::string flowfit;  // the binary the tasks run (default: this one)
};

// A single-quoted shell word.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A job name: letters, digits, - and _ of the plan name.
std::string job_name(const std::string& plan_name) {
  std::string out = "flowfit";
  std::string part;
  for (char c : plan_name)
    part += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_';
  if (!part.empty()) out += "-" + part.substr(0, 40);
  return out;
}

fs::path this_executable() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path("flowfit") : p;
}

// The sbatch script of an array of `tasks` tasks over the plan.
std::string slurm_script(const pipeline::Plan& plan, const fs::path& plan_file, int tasks,
                         const fs::path& flowfit, const fs::path& log_dir) {
  const pipeline::BatchResources& r = plan.batch.resources;
  const size_t n_items = pipeline::work_items(plan).size();
  std::string s = "#!/bin/bash\n";
  s += fmt::format(
      "# Written by `flowfit submit --slurm`: a SLURM array of {} tasks over the {} work items\n"
      "# of {} (docs/batch.md). Each task runs its share (flowfit reads SLURM_ARRAY_TASK_ID);\n"
      "# afterwards `flowfit gather` checks that every item is done and merges the reports.\n",
      tasks, n_items, plan_file.string());
  s += "#SBATCH --job-name=" + job_name(plan.name) + "\n";
  s += fmt::format("#SBATCH --array=0-{}\n", tasks - 1);
  s += "#SBATCH --output=" + (log_dir / "task_%a.log").string() + "\n";
  if (r.cpus_per_task > 0) s += fmt::format("#SBATCH --cpus-per-task={}\n", r.cpus_per_task);
  if (!r.mem.empty()) s += "#SBATCH --mem=" + r.mem + "\n";
  if (!r.time.empty()) s += "#SBATCH --time=" + r.time + "\n";
  if (!r.partition.empty()) s += "#SBATCH --partition=" + r.partition + "\n";
  if (!r.account.empty()) s += "#SBATCH --account=" + r.account + "\n";
  s += "set -euo pipefail\n";
  s += "exec " + shell_quote(flowfit.string()) +
       (r.cpus_per_task > 0 ? " --threads \"${SLURM_CPUS_PER_TASK:-0}\"" : "") + " run " +
       shell_quote(plan_file.string()) + " --progress log\n";
  return s;
}

int run_submit(const SubmitArgs& a, const GlobalOptions& global) {
  if (!a.slurm)
    throw ConfigError("--slurm",
                      "choose the scheduler: --slurm (AWS Batch and Kubernetes: docs/batch.md)");
  const fs::path plan_file = fs::absolute(a.plan).lexically_normal();
  const pipeline::Plan plan = pipeline::read_plan_toml(plan_file);
  const int n_items = static_cast<int>(pipeline::work_items(plan).size());
  int tasks = a.tasks > 0                      ? a.tasks
              : plan.batch.resources.tasks > 0 ? plan.batch.resources.tasks
                                               : static_cast<int>(plan.years.size());
  if (tasks > n_items) {
    global.console.info(
        fmt::format("{} tasks for {} work items: using {}", tasks, n_items, n_items));
    tasks = n_items;
  }
  const fs::path script =
      a.script.empty() ? plan.output.dir / "submit_slurm.sh" : fs::absolute(a.script);
  const fs::path log_dir = plan.output.dir / "logs";
  std::error_code ec;
  fs::create_directories(log_dir, ec);
  if (ec) throw OutputError("cannot create " + log_dir.string() + ": " + ec.message());
  prepare_output(script, "--script");
  io::AtomicFile f(script);
  f.write(slurm_script(plan, plan_file, tasks,
                       a.flowfit.empty() ? this_executable() : fs::absolute(a.flowfit), log_dir));
  f.commit();
  fs::permissions(script, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::add, ec);
  std::cout << script.string() << "\n";
  global.console.info(
      fmt::format("wrote {}: {} array tasks over {} work items", script.string(), tasks, n_items));
  if (!a.now) return kExitOk;
  std::cout.flush();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string s = script.string();
    ::execlp("sbatch", "sbatch", s.c_str(), static_cast<char*>(nullptr));
    std::perror("flowfit submit: cannot run sbatch");
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (code != 0)
    throw CheckFailed(fmt::format("sbatch {} exited with {}{}", script.string(), code,
                                  code == 127 ? " (is sbatch on PATH?)" : ""));
  global.console.info(
      fmt::format("submitted; when it is done: flowfit gather {}", plan_file.string()));
  return kExitOk;
}

CommandAction setup(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<SubmitArgs>();
  app.add_option("PLAN", a->plan, "Plan file (TOML)")->required();
  app.add_flag("--slurm", a->slurm, "Write an sbatch array script");
  app.add_flag("--now", a->now, "Also submit it (runs sbatch SCRIPT)");
  app.add_option("--tasks", a->tasks,
                 "Array size (default: batch.tasks of the plan, else one task per year)")
      ->check(CLI::PositiveNumber);
  app.add_option("--script", a->script, "The script (default: <output.dir>/submit_slurm.sh)");
  app.add_option("--flowfit", a->flowfit,
                 "The flowfit binary the tasks run (default: this one; give one every node sees)");
  return [a, &global] { return run_submit(*a, global); };
}

const CommandRegistrar registrar{
    {"submit", "Write (and with --now submit) a scheduler array script over a plan's work items",
     12, setup}};

}  // namespace
}  // namespace flowfit::cli
