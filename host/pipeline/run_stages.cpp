// Runs an ordered list of stages on a resident matrix.
#include <chrono>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "flowfit/pipeline/pipeline.hpp"

namespace flowfit::pipeline {

std::vector<StageRun> run_stages(Backend& backend, std::unique_ptr<ResidentMatrix>& matrix,
                                 const YearProblem& problem, const std::vector<StageSpec>& stages,
                                 const StageObserver& after_stage,
                                 const SweepProgressSink& on_sweeps) {
  std::vector<StageRun> runs;
  for (const StageSpec& spec : stages) {
    const auto t0 = std::chrono::steady_clock::now();
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
      stage.name = std::string(to_string(spec.kind));
      stage.margins = margins->margins;
      stage.stop = spec.stop;
      stage.method = spec.method;
      stage.log_every = spec.log_every;
      stage.on_progress = on_sweeps;
      run.result = run_stage(backend, *matrix, stage);
    }
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (after_stage) after_stage(run, *matrix);
    runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace flowfit::pipeline
