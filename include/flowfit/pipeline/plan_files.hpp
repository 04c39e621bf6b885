#pragma once
// The files a plan reads and the files running it writes, so that a run can refuse, before any
// work, an output that would replace one of its inputs, and can clean up what a killed run left.
#include <filesystem>
#include <string>
#include <vector>

#include "flowfit/io/path_identity.hpp"
#include "flowfit/pipeline/plan.hpp"

namespace flowfit::pipeline {

// Every input file of the plan, named by its plan key: geography, each years[i].matrix, the
// census tables of census_dir / golden_dir the stages read, cbg_* tables.
std::vector<io::NamedInput> plan_inputs(const Plan& plan);

// <output.dir>/flows_<year>.<format>.
fs::path year_output_path(const Plan& plan, int year);
// <output>.json: the sidecar that lets a later run resume the year.
fs::path sidecar_path(const fs::path& output);

// Every file run_plan writes: year outputs, their sidecars, stage outputs and intermediate
// tables when asked for (names: flowfit/pipeline/stage_names.hpp).
std::vector<fs::path> plan_outputs(const Plan& plan);

// Throws ConfigError("output.dir", ...) when a file the plan writes, or one of `extra_outputs`
// (option, path), is one of its inputs (or `plan_file`) by any name: symlink, hard link, "./".
void refuse_outputs_over_inputs(
    const Plan& plan, const std::vector<std::pair<std::string, fs::path>>& extra_outputs = {},
    const fs::path& plan_file = {});

// Removes the temporary files flowfit's atomic writers leave when a process is killed
// (".<name>.tmp.<pid>[.<n>][.XXXXXX]") from `dir`, when they are older than `started` and their
// process is gone. Returns the removed paths.
std::vector<fs::path> remove_stale_temporaries(const fs::path& dir, fs::file_time_type started);

}  // namespace flowfit::pipeline
