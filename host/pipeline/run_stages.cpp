// Runs an ordered list of stages on a resident matrix.
#include <chrono>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "flowfit/pipeline/pipeline.hpp"

namespace flowfit::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

StageRun run_one_stage(Backend& backend, std::unique_ptr<ResidentMatrix>& matrix,
                       const YearProblem& problem, const StageSpec& spec,
                       const SweepProgressSink& on_sweeps) {
  const auto t0 = Clock::now();
  StageRun run;
  run.spec = spec;
  if (spec.kind == StageKind::diagonal_clip) {
    // Inserting entries changes the pattern, so the clip runs on the host copy.
    CsrMatrix host = backend.release(std::move(matrix));
    run.clip_inserted = clip_diagonal(host, 1.0);
    matrix = backend.adopt(std::move(host));
  } else {
    const targets::StageMargins* margins = problem.margins_of(spec.kind);
    if (!margins)
      throw ConfigError(std::string(to_string(spec.kind)),
                        fmt::format("no targets were prepared for stage '{}' of year {}",
                                    to_string(spec.kind), problem.year));
    Stage stage;
    static_cast<StageOptions&>(stage) = spec;  // every option of the plan's stage
    stage.name = std::string(to_string(spec.kind));
    stage.margins = margins->margins;
    stage.on_progress = on_sweeps;
    run.result = run_stage(backend, *matrix, stage);
  }
  run.seconds = seconds_since(t0);
  return run;
}

}  // namespace

std::vector<StageRun> run_stages(Backend& backend, std::unique_ptr<ResidentMatrix>& matrix,
                                 const YearProblem& problem, const std::vector<StageSpec>& stages,
                                 const StageObserver& after_stage,
                                 const SweepProgressSink& on_sweeps) {
  std::vector<StageRun> runs;
  for (const StageSpec& spec : stages) {
    StageRun run = run_one_stage(backend, matrix, problem, spec, on_sweeps);
    if (after_stage) after_stage(run, *matrix);
    runs.push_back(std::move(run));
  }
  return runs;
}

std::vector<StageRun> run_stages(Backend& backend, CsrMatrix&& host,
                                 std::unique_ptr<ResidentMatrix>& matrix,
                                 const YearProblem& problem, const std::vector<StageSpec>& stages,
                                 const StageObserver& after_stage,
                                 const SweepProgressSink& on_sweeps) {
  // The leading diagonal clips run on the host matrix before it is made resident: a device
  // backend would otherwise upload the matrix, download it for the clip and upload it again.
  std::vector<StageRun> runs;
  size_t first_resident = 0;
  for (; first_resident < stages.size(); ++first_resident) {
    const StageSpec& spec = stages[first_resident];
    if (spec.kind != StageKind::diagonal_clip) break;
    const auto t0 = Clock::now();
    StageRun run;
    run.spec = spec;
    run.clip_inserted = clip_diagonal(host, 1.0);
    run.seconds = seconds_since(t0);
    runs.push_back(std::move(run));
  }
  matrix = backend.adopt(std::move(host));
  if (after_stage)
    for (const StageRun& run : runs) after_stage(run, *matrix);
  for (size_t k = first_resident; k < stages.size(); ++k) {
    StageRun run = run_one_stage(backend, matrix, problem, stages[k], on_sweeps);
    if (after_stage) after_stage(run, *matrix);
    runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace flowfit::pipeline
