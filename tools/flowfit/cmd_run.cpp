// flowfit run PLAN.toml: the whole harmonization of a plan (every year, every stage), or a
// stage-order sweep of it (--sweep-orders / --orders).
#include <iostream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_writer.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/pipeline/order_sweep.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/plan_check.hpp"
#include "flowfit/pipeline/plan_files.hpp"
#include "flowfit/pipeline/plan_toml.hpp"
#include "flowfit/report/summary.hpp"
#include "flowfit/version.hpp"
#include "host/report/report_json.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/interrupt_guard.hpp"
#include "tools/flowfit/outputs.hpp"
#include "tools/flowfit/progress.hpp"
#include "tools/flowfit/stage_orders.hpp"
#include "tools/flowfit/task_items.hpp"

namespace flowfit::cli {
namespace {

namespace fs = std::filesystem;

struct RunArgs {
  std::string plan;
  std::string years;  // comma list filter
  std::string output_dir;
  std::string report;
  std::string sweep_orders, orders;
  std::string sweep_output;
  bool sweep_keep = false;  // write every order's final matrix
  std::string progress = "auto";
  bool dry_run = false;
  bool strict = false;
  bool intermediate_tables = false;
  int task_index = -1, task_count = 0;  // array tasks (task_items.hpp); not given
};

void filter_years(pipeline::Plan& plan, const std::string& text) {
  std::vector<pipeline::YearSpec> kept;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    int year = 0;
    try {
      size_t used = 0;
      year = std::stoi(item, &used);
      if (used != item.size()) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw ConfigError("--years", fmt::format("expected years like 2015,2016, got '{}'", item));
    }
    auto it = std::find_if(plan.years.begin(), plan.years.end(),
                           [&](const pipeline::YearSpec& y) { return y.year == year; });
    if (it == plan.years.end()) {
      std::string listed;
      for (const auto& y : plan.years)
        listed += (listed.empty() ? "" : ", ") + std::to_string(y.year);
      throw ConfigError("--years",
                        fmt::format("year {} is not in the plan (its years: {})", year, listed));
    }
    kept.push_back(*it);
  }
  plan.years = std::move(kept);
}

fs::path sweep_matrix_path(const pipeline::Plan& plan, int year, size_t order_index) {
  return plan.output.dir / "sweep" /
         fmt::format("flows_{}_order{}.{}", year, order_index, plan.output.format);
}

void write_sweep_matrix(const fs::path& path, const CsrMatrix& m, const Geography& geo) {
  fs::create_directories(path.parent_path());
  io::MatrixWriteOptions opt;
  opt.row_geography = &geo;
  opt.col_geography = &geo;
  io::write_matrix(path, m, opt);
}

bool stage_ok(const pipeline::StageRun& s) {
  return !s.result || s.result->verdict == Verdict::converged;
}

int run_sweep(const RunArgs& a, const pipeline::Plan& plan, const GlobalOptions& global,
              const report::RunContext& context) {
  const auto orders =
      !a.orders.empty()
          ? parse_orders(a.orders, plan.stages)
          : permuted_orders(plan.stages, parse_stage_kinds(a.sweep_orders, "--sweep-orders"));
  const fs::path table =
      a.sweep_output.empty() ? plan.output.dir / "order_sweep.csv" : fs::path(a.sweep_output);
  const fs::path json_path =
      a.report.empty() ? plan.output.dir / "order_sweep.json" : fs::path(a.report);
  fs::create_directories(plan.output.dir);
  prepare_output(table, "--sweep-output");
  prepare_output(json_path, "--report");

  auto backend = choose_backend(global, plan.backend, plan.threads);
  const pipeline::SharedInputs shared = pipeline::load_shared_inputs(plan);
  nlohmann::json sweeps = nlohmann::json::array();
  std::vector<std::pair<int, pipeline::SweepResult>> results;
  for (const pipeline::YearSpec& ys : plan.years) {
    global.console.info(fmt::format("year {}: {} stage orders", ys.year, orders.size()));
    const pipeline::YearProblem problem = pipeline::prepare_year(plan, shared, ys);
    pipeline::SweepResult r = pipeline::sweep_orders(
        *backend, shared.geography, problem, plan.stages, orders,
        [&](size_t k, const pipeline::OrderResult& o, const CsrMatrix& m) {
          std::string kept;
          if (a.sweep_keep) {
            const fs::path p = sweep_matrix_path(plan, ys.year, k);
            write_sweep_matrix(p, m, shared.geography);
            kept = ", kept as " + p.string();
          }
          global.console.info(fmt::format("year {}: order {}/{} done in {:.1f}s{}", ys.year, k + 1,
                                          orders.size(), o.seconds, kept));
        });
    if (!global.console.quiet)
      std::cout << fmt::format("year {} ({} orders; differences are against the first)\n", ys.year,
                               r.orders.size())
                << report::sweep_summary(r);
    sweeps.push_back(report::to_json(r, ys.year));
    results.emplace_back(ys.year, std::move(r));
  }

  pipeline::write_order_sweep_table(table, results);

  nlohmann::json doc{{"report_schema", report::kReportSchemaVersion},
                     {"flowfit_version", std::string(version())},
                     {"plan", {{"file", context.plan_file}, {"toml", context.plan_toml}}},
                     {"command_line", context.command_line},
                     {"backend", backend->name()},
                     {"machine", report::to_json(context.machine)},
                     {"inputs", nlohmann::json::array()},
                     {"sweeps", sweeps}};
  for (const auto& f : context.inputs)
    doc["inputs"].push_back({{"role", f.role}, {"path", f.path}, {"sha256", f.sha256}});
  report::write_json(json_path, doc);
  global.console.info(fmt::format("wrote {} and {}", table.string(), json_path.string()));
  return kExitOk;
}

int run(const RunArgs& a, const GlobalOptions& global) {
  if (!a.sweep_orders.empty() && !a.orders.empty())
    throw ConfigError("--orders", "give --sweep-orders or --orders, not both");
  pipeline::PlanLines plan_lines;  // for --dry-run's year problems
  pipeline::Plan plan = pipeline::read_plan_toml(a.plan, {.lines = &plan_lines});
  if (!a.years.empty()) filter_years(plan, a.years);
  if (!a.output_dir.empty()) plan.output.dir = fs::absolute(a.output_dir).lexically_normal();
  if (global.backend_given) plan.backend = backend_choice_from_string(global.backend);
  if (global.threads_given) plan.threads = global.threads;
  if (a.intermediate_tables) plan.output.intermediate_tables = true;
  const fs::path plan_dir = fs::absolute(fs::path(a.plan)).parent_path();
  const bool sweep = !a.sweep_orders.empty() || !a.orders.empty();
  if (a.sweep_keep && !sweep)
    throw ConfigError("--sweep-keep", "keeps the matrices of --sweep-orders or --orders");
  std::optional<TaskItems> task;
  if (!sweep && !a.dry_run)
    task = select_task_items(plan, a.task_index, a.task_count, global.console);
  else if (a.task_index >= 0 || a.task_count > 0)
    throw ConfigError("--task-index", "array tasks run plans, not --sweep-orders or --dry-run");
  const fs::path report_path =
      !a.report.empty() ? fs::path(a.report)
      : task            ? task_report_path(plan, task->share)
                        : plan.output.dir / (sweep ? "order_sweep.json" : "run_report.json");
  std::vector<std::pair<std::string, fs::path>> extra_outputs{{"--report", report_path}};
  if (sweep)
    extra_outputs.emplace_back("--sweep-output", a.sweep_output.empty()
                                                     ? plan.output.dir / "order_sweep.csv"
                                                     : fs::path(a.sweep_output));

  if (a.dry_run) {
    // Every input opened and validated, every output location checked; all problems listed.
    std::vector<pipeline::PlanProblem> problems = pipeline::check_plan(plan, &plan_lines);
    std::vector<io::NamedInput> inputs = pipeline::plan_inputs(plan);
    inputs.push_back({"plan file", a.plan});
    for (const auto& [option, path] : extra_outputs) {
      try {
        io::refuse_output_over_input(path, option, inputs);
      } catch (const ConfigError& e) {
        problems.push_back({pipeline::PlanProblem::Kind::plan, e.what()});
      }
    }
    if (!problems.empty()) {
      int code = kExitOk;
      for (const auto& p : problems) {
        std::cerr << "flowfit: error: " << p.message << '\n';
        const int c = p.kind == pipeline::PlanProblem::Kind::plan     ? kExitUsage
                      : p.kind == pipeline::PlanProblem::Kind::output ? kExitOutput
                                                                      : kExitBadInput;
        if (code == kExitOk) code = c;
      }
      std::cerr << fmt::format("flowfit: --dry-run: {} problem{} found; nothing was run\n",
                               problems.size(), problems.size() == 1 ? "" : "s");
      return code;
    }
    std::cout << "# " << a.plan << ", as flowfit reads it (paths relative to the plan)\n"
              << pipeline::plan_to_toml(plan, plan_dir);
    global.console.info("--dry-run: every input and output location checked; nothing was run");
    return kExitOk;
  }
  // Before any work: no output may replace an input, and every output location must be usable.
  pipeline::refuse_outputs_over_inputs(plan, extra_outputs, a.plan);
  check_output_directory(plan.output.dir, "output.dir");
  for (const auto& [option, path] : extra_outputs)
    check_output_directory(path.parent_path().empty() ? fs::path(".") : path.parent_path(), option);

  report::RunContext context;
  context.plan_file = a.plan;
  context.plan_toml = pipeline::plan_to_toml(plan, plan_dir);
  context.command_line = process_command_line();
  context.inputs = report::plan_input_files(plan);
  context.machine = report::machine_info();
  guard_output(plan.output.dir, true);

  if (sweep && a.sweep_keep) guard_output(plan.output.dir / "sweep", true);
  if (sweep) return run_sweep(a, plan, global, context);

  if (!a.report.empty()) prepare_output(report_path, "--report");
  if (task && a.report.empty()) fs::create_directories(report_path.parent_path());
  // Made (and announced) once; run_plan uses it rather than making its own.
  auto backend = choose_backend(global, plan.backend, plan.threads);

  ProgressDisplay progress(global.console, progress_mode_from_string(a.progress),
                           static_cast<int>(plan.stages.size()) + 2);
  pipeline::RunOptions run_options;
  if (task) {
    run_options.items = &task->items;
    run_options.remove_stale_temporaries = false;  // other tasks may be writing (docs/batch.md)
  }
  const pipeline::RunReport result = pipeline::run_plan(
      plan, [&](const pipeline::ProgressEvent& e) { progress.on_event(e); }, backend.get(),
      run_options);
  progress.finish();
  for (const std::string& p : result.removed_temporaries)
    global.console.info("removed a stale temporary file of a killed run: " + p);
  for (const auto& y : result.years)
    if (!y.resumed && !y.resume_note.empty())
      global.console.info(
          fmt::format("{}: {}", y.item.empty() ? std::to_string(y.year) : y.item, y.resume_note));

  guard_output(report_path);
  report::write_json(report_path, report::run_report_json(result, context));
  if (!global.console.quiet) std::cout << report::run_summary(result);
  if (global.console.verbosity > 0)
    for (const auto& y : result.years)
      for (const auto& w : y.warnings)
        global.console.detail(fmt::format("{}: {}", y.year, targets::format_warning(w)));
  global.console.info(fmt::format("report: {}", report_path.string()));

  if (a.strict) {
    std::string bad;
    for (const auto& y : result.years)
      for (const auto& s : y.stages)
        if (!stage_ok(s))
          bad += fmt::format("{}{} {}: {}", bad.empty() ? "" : "; ", y.year,
                             pipeline::to_string(s.spec.kind), to_string(s.result->verdict));
    if (!bad.empty())
      throw CheckFailed("--strict: not every stage converged (" + bad +
                        "); outputs were written, see the report");
  }
  return kExitOk;
}

CommandAction setup(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<RunArgs>();
  app.add_option("PLAN", a->plan, "Plan file (TOML; schema in docs/cli.md)")->required();
  app.add_option("--years", a->years, "Run only these years of the plan, e.g. 2015,2016");
  app.add_option("--output-dir", a->output_dir, "Override output.dir of the plan");
  app.add_option("--report", a->report,
                 "JSON report (default: <output.dir>/run_report.json, or order_sweep.json)");
  app.add_option("--sweep-orders", a->sweep_orders,
                 "Instead of a run: permute these stage kinds (comma list) over their positions "
                 "in the plan and compare every order with the plan's");
  app.add_option("--orders", a->orders,
                 "Instead of a run: these explicit stage orders, ';'-separated, e.g. "
                 "\"cbg_rows,county_ipf;county_ipf,cbg_rows\" (the first is the baseline)");
  app.add_option("--sweep-output", a->sweep_output,
                 "Per-order CSV table of a sweep (default: <output.dir>/order_sweep.csv)");
  app.add_flag(
      "--sweep-keep", a->sweep_keep,
      "Keep every order's final matrix: <output.dir>/sweep/flows_<year>_order<k>.<format>");
  app.add_option("--progress", a->progress,
                 "Progress on stderr: auto (a bar on a terminal, log lines otherwise), bar, log, "
                 "none")
      ->check(CLI::IsMember({"auto", "bar", "log", "none"}))
      ->capture_default_str();
  app.add_option("--task-index", a->task_index,
                 "Array task: run share INDEX (0-based) of --task-count tasks of the plan's work "
                 "items (default: from SLURM_ARRAY_TASK_ID, AWS_BATCH_JOB_ARRAY_INDEX or "
                 "JOB_COMPLETION_INDEX when set; docs/batch.md)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--task-count", a->task_count,
                 "Array task: the number of tasks the work items are shared among")
      ->check(CLI::PositiveNumber);
  app.add_flag("--dry-run", a->dry_run, "Validate the plan and print it as flowfit reads it");
  app.add_flag("--strict", a->strict, "Exit 5 when any stage did not converge");
  app.add_flag("--intermediate-tables", a->intermediate_tables,
               "Also write the CBG populations and every stage's targets as CSV "
               "(output.intermediate_tables)");
  return [a, &global] { return run(*a, global); };
}

const CommandRegistrar registrar{
    {"run", "Run a plan: every year through its ordered stages, with outputs and a JSON report", 10,
     setup}};

}  // namespace
}  // namespace flowfit::cli
