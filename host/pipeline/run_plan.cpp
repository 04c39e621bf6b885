// run_plan: every year of a plan, with atomic outputs, sidecars and resume.
#include <chrono>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "flowfit/error.hpp"
#include "flowfit/io/atomic_file.hpp"
#include "flowfit/io/checksum.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/report/report_json.hpp"
#include "flowfit/version.hpp"

namespace flowfit::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

std::string machine_description() {
  const report::MachineInfo m = report::machine_info();
  return fmt::format("{}, {}, {} hardware threads", m.hostname, m.cpu_model, m.hardware_threads);
}

fs::path output_path(const Plan& plan, int year) {
  return plan.output.dir / fmt::format("flows_{}.{}", year, plan.output.format);
}

fs::path sidecar_path(const fs::path& output) {
  return output.string() + ".json";
}

int64_t mtime_of(const fs::path& p) {
  return static_cast<int64_t>(fs::last_write_time(p).time_since_epoch().count());
}

// True when a previous run left this year's output complete and made from the same plan and
// input (the sidecar is written after the output, so its presence means the output is whole).
bool can_resume(const fs::path& output, const std::string& plan_checksum,
                const std::string& input_checksum) {
  const fs::path side = sidecar_path(output);
  if (!fs::exists(output) || !fs::exists(side)) return false;
  try {
    std::ifstream in(side);
    const nlohmann::json j = nlohmann::json::parse(in);
    return j.at("plan_checksum") == plan_checksum && j.at("input_checksum") == input_checksum &&
           j.at("output_bytes") == static_cast<int64_t>(fs::file_size(output)) &&
           j.at("output_mtime") == mtime_of(output);
  } catch (const std::exception&) {
    return false;  // unreadable sidecar: redo the year
  }
}

void write_sidecar(const fs::path& output, const std::string& plan_checksum, const YearReport& y) {
  nlohmann::json j;
  j["flowfit_version"] = std::string(version());
  j["year"] = y.year;
  j["input"] = y.input;
  j["input_checksum"] = y.input_checksum;
  j["plan_checksum"] = plan_checksum;
  // Size and modification time identify the output cheaply (hashing a 1e8-nonzero output would
  // cost seconds); the sidecar is written only after the output is complete.
  j["output_bytes"] = static_cast<int64_t>(fs::file_size(output));
  j["output_mtime"] = mtime_of(output);
  nlohmann::json stages = nlohmann::json::array();
  for (const StageRun& s : y.stages) {
    nlohmann::json st;
    st["stage"] = std::string(to_string(s.spec.kind));
    st["seconds"] = s.seconds;
    if (s.result) {
      st["iterations"] = s.result->iterations;
      st["verdict"] = std::string(to_string(s.result->verdict));
      st["verdict_detail"] = s.result->verdict_detail;
    } else {
      st["diagonal_entries_inserted"] = s.clip_inserted;
    }
    stages.push_back(st);
  }
  j["stages"] = stages;
  io::AtomicFile f(sidecar_path(output));
  f.write(j.dump(2) + "\n");
  f.commit();
}

io::MatrixWriteOptions write_options(const Geography& geo) {
  io::MatrixWriteOptions opt;
  opt.row_geography = &geo;
  opt.col_geography = &geo;
  return opt;
}

}  // namespace

RunReport run_plan(const Plan& plan, const ProgressSink& progress, Backend* given_backend) {
  const auto t_start = Clock::now();
  plan.validate();
  RunReport report;
  report.plan_name = plan.name;
  report.plan_text = plan.canonical_text();
  report.plan_checksum = io::sha256_hex(report.plan_text);
  report.version = std::string(version());
  report.machine = machine_description();

  std::unique_ptr<Backend> owned_backend;
  if (!given_backend)
    owned_backend = make_backend(plan.backend, plan.threads, &report.backend_reason);
  Backend* backend = given_backend ? given_backend : owned_backend.get();
  if (given_backend) report.backend_reason = "given by the caller";
  report.backend = backend->name();
  const SharedInputs shared = load_shared_inputs(plan);
  report.nnls = shared.nnls;
  report.nnls_seconds = shared.nnls_seconds;

  const int n_years = static_cast<int>(plan.years.size());
  for (int i = 0; i < n_years; ++i) {
    const YearSpec& ys = plan.years[i];
    auto say = [&](std::string what) {
      if (progress) progress(ProgressEvent{ys.year, i, n_years, std::move(what), std::nullopt});
    };
    const auto t0 = Clock::now();
    YearReport y;
    y.year = ys.year;
    y.input = ys.matrix.string();
    y.input_checksum = io::file_sha256(ys.matrix);
    const fs::path out = output_path(plan, ys.year);
    y.output = out.string();
    if (can_resume(out, report.plan_checksum, y.input_checksum)) {
      y.resumed = true;
      say("resumed: output exists and matches the plan");
      report.years.push_back(std::move(y));
      continue;
    }
    say("loading matrix and targets");
    YearProblem problem = prepare_year(plan, shared, ys);
    y.warnings = problem.warnings;
    auto resident = backend->adopt(std::move(problem.matrix));
    const auto opt = write_options(shared.geography);
    int stage_index = 0;
    auto observer = [&](const StageRun& run, ResidentMatrix& m) {
      ++stage_index;
      say(fmt::format("stage {} done", to_string(run.spec.kind)));
      if (plan.output.stage_outputs) {
        fs::create_directories(plan.output.dir);
        io::write_matrix(
            plan.output.dir / fmt::format("flows_{}_stage{}_{}.{}", ys.year, stage_index,
                                          to_string(run.spec.kind), plan.output.format),
            backend->download(m), opt);
      }
    };
    SweepProgressSink on_sweeps;
    if (progress)
      on_sweeps = [&](const SweepProgress& p) {
        progress(ProgressEvent{ys.year, i, n_years, fmt::format("stage {}", p.stage), p});
      };
    y.stages = run_stages(*backend, resident, problem, plan.stages, observer, on_sweeps);
    fs::create_directories(plan.output.dir);  // only once there is something to write
    io::write_matrix(out, backend->release(std::move(resident)), opt);
    y.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    write_sidecar(out, report.plan_checksum, y);
    say("written " + out.string());
    report.years.push_back(std::move(y));
  }
  report.seconds = std::chrono::duration<double>(Clock::now() - t_start).count();
  return report;
}

}  // namespace flowfit::pipeline
