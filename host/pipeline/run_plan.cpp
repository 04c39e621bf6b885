// run_plan: every year of a plan, with atomic outputs, sidecars and resume (host/pipeline/resume).
#include <chrono>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "flowfit/error.hpp"
#include "flowfit/io/atomic_file.hpp"
#include "flowfit/io/checksum.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/pipeline/intermediate_tables.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/plan_files.hpp"
#include "flowfit/pipeline/stage_names.hpp"
#include "flowfit/pipeline/work_items.hpp"
#include "flowfit/version.hpp"
#include "host/pipeline/replicates.hpp"
#include "host/pipeline/resume.hpp"
#include "host/report/report_json.hpp"

namespace flowfit::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

std::string machine_description() {
  const report::MachineInfo m = report::machine_info();
  return fmt::format("{}, {}, {} hardware threads", m.hostname, m.cpu_model, m.hardware_threads);
}

io::MatrixWriteOptions write_options(const Geography& geo) {
  io::MatrixWriteOptions opt;
  opt.row_geography = &geo;
  opt.col_geography = &geo;
  return opt;
}

// Creates the output folder; a failure is an output error, not an input one.
void make_output_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw OutputError("cannot create the output folder '" + dir.string() + "': " + ec.message());
}

}  // namespace

YearReport run_item(const Plan& plan, const WorkItem& item, Backend& backend_ref, RunSetup& setup,
                    const ItemRunOptions& options) {
  const YearSpec& ys = plan.years.at(item.year_index);
  throw_if_cancelled(options.cancel, fmt::format("before year {}", ys.year));
  const ProgressSink& progress = options.progress;
  const int i = options.index, n_items = options.count;
  Backend* backend = &backend_ref;
  const SharedInputs& shared = setup.shared;
  const std::vector<StageSpec> stages = item_stages(plan, item);
  const fs::path dir = item_dir(plan, item);
  // Progress lines name the item's order and replicate when the plan has several.
  const std::string label =
      plan.batch.item_folders()
          ? fmt::format("order {}, replicate {}: ", item.order_index, item.replicate)
          : "";
  auto say = [&](std::string what) {
    if (progress) progress(ProgressEvent{ys.year, i, n_items, label + what, std::nullopt});
  };
  const auto t0 = Clock::now();
  YearReport y;
  y.year = ys.year;
  if (plan.batch.item_folders()) {
    y.item = item_name(plan, item);
    y.order = order_text([&] {
      std::vector<StageKind> kinds;
      for (const StageSpec& s : stages) kinds.push_back(s.kind);
      return kinds;
    }());
    y.order_index = item.order_index;
    y.replicate = item.replicate;
  }
  y.input = ys.matrix.string();
  // Once per year: the items of a year share its matrix.
  auto known = setup.matrix_sha256.find(item.year_index);
  if (known == setup.matrix_sha256.end())
    known = setup.matrix_sha256.emplace(item.year_index, io::file_sha256(ys.matrix)).first;
  y.input_checksum = known->second;
  const fs::path out = item_output_path(plan, item);
  y.output = out.string();
  const detail::YearKey key =
      detail::item_key(plan, item, y.input_checksum, setup.shared_files, backend->kind());
  detail::ResumeDecision resume = detail::decide_resume(out, key);
  if (resume.resume) {
    try {
      y.stages = detail::stage_runs_from_json(resume.year.at("stages"));
      y.stored_section = resume.year.dump();
      if (resume.year.contains("final_audit"))
        y.audit = report::final_audit_from_json(resume.year["final_audit"]);
    } catch (const std::exception&) {
      resume.resume = false;
      resume.reason = "recomputed: its sidecar's stage results are unreadable";
    }
  }
  y.resume_note = resume.reason;
  if (resume.resume) {
    y.resumed = true;
    say(resume.reason);
    if (plan.output.intermediate_tables) {
      // Targets only: the matrix is not read, except for a replicate, whose resampled targets
      // are drawn by prepare_item.
      make_output_dir(dir);
      y.target_tables =
          write_target_tables(dir, stages,
                              item.replicate == 0 ? prepare_year(plan, shared, ys.year, {})
                                                  : detail::prepare_item(plan, shared, item));
    }
    return y;
  }
  if (!resume.reason.empty()) say(resume.reason);
  say("loading matrix and targets");
  YearProblem problem = detail::prepare_item(plan, shared, item);
  y.warnings = problem.warnings;
  if (plan.output.intermediate_tables) {
    make_output_dir(dir);
    y.target_tables = write_target_tables(dir, stages, problem);
  }
  std::unique_ptr<ResidentMatrix> resident;
  const auto opt = write_options(shared.geography);
  std::vector<std::string> stage_files;
  auto observer = [&](const StageRun& run, ResidentMatrix& m) {
    say(fmt::format("stage {} done", to_string(run.spec.kind)));
    if (plan.output.stage_outputs) {
      make_output_dir(dir);
      const fs::path path = stage_output_path(plan, dir, ys.year, run.spec.kind);
      io::write_matrix(path, backend->download(m), opt);
      stage_files.push_back(path.string());
    }
  };
  SweepProgressSink on_sweeps;
  if (progress || options.cancel)
    on_sweeps = [&](const SweepProgress& p) {
      if (progress)
        progress(ProgressEvent{ys.year, i, n_items, fmt::format("stage {}", p.stage), p});
      throw_if_cancelled(options.cancel, fmt::format("in stage {} of year {}", p.stage, ys.year));
    };
  y.stages = run_stages(*backend, std::move(problem.matrix), resident, problem, stages, observer,
                        on_sweeps);
  for (size_t k = 0; k < stage_files.size() && k < y.stages.size(); ++k)
    y.stages[k].output = stage_files[k];
  make_output_dir(dir);  // only once there is something to write
  const CsrMatrix final_matrix = backend->release(std::move(resident));
  y.audit = audit_final_matrix(final_matrix, problem, stages, shared.geography);
  io::write_matrix(out, final_matrix, opt);
  y.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  detail::write_sidecar(out, key, report::to_json(y));
  say("written " + out.string());
  return y;
}

RunReport run_plan(const Plan& plan, const ProgressSink& progress, Backend* given_backend,
                   const RunOptions& options) {
  const auto t_start = Clock::now();
  plan.validate();
  refuse_outputs_over_inputs(plan);
  const auto started = fs::file_time_type::clock::now();
  RunReport report;
  report.plan_name = plan.name;
  report.plan_text = plan.canonical_text();
  report.plan_checksum = io::sha256_hex(report.plan_text);
  report.version = std::string(version());
  report.machine = machine_description();

  std::unique_ptr<Backend> owned_backend;
  if (!given_backend) {
    SelectedBackend selected = select_backend({plan.backend, plan.threads, options.device});
    owned_backend = std::move(selected.backend);
    report.backend_reason = std::move(selected.reason);
  }
  Backend* backend = given_backend ? given_backend : owned_backend.get();
  if (given_backend) report.backend_reason = "given by the caller";
  report.backend = backend->name();
  if (options.remove_stale_temporaries) {
    std::vector<fs::path> dirs{plan.output.dir};
    if (plan.batch.item_folders())
      for (const WorkItem& item : work_items(plan)) dirs.push_back(item_dir(plan, item));
    for (const fs::path& dir : dirs)
      for (const fs::path& p : remove_stale_temporaries(dir, started))
        report.removed_temporaries.push_back(p.string());
  }
  RunSetup setup;
  setup.shared_files = report::plan_input_files(plan);
  setup.shared = load_shared_inputs(plan);
  const SharedInputs& shared = setup.shared;
  report.nnls = shared.nnls;
  report.nnls_seconds = shared.nnls_seconds;
  if (plan.output.intermediate_tables && shared.populations) {
    make_output_dir(plan.output.dir);
    write_populations_table(populations_table_path(plan), *shared.populations);
    report.populations_table = populations_table_path(plan).string();
  }

  const std::vector<WorkItem> all_items =
      options.items ? std::vector<WorkItem>{} : work_items(plan);
  const std::vector<WorkItem>& items = options.items ? *options.items : all_items;
  const int n_items = static_cast<int>(items.size());
  for (int i = 0; i < n_items; ++i)
    report.years.push_back(
        run_item(plan, items[i], *backend, setup, {progress, i, n_items, options.cancel}));
  report.seconds = std::chrono::duration<double>(Clock::now() - t_start).count();
  return report;
}

}  // namespace flowfit::pipeline
