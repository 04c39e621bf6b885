#pragma once
// How stages and the files of a run are named. Stages are numbered as SPEC.md (the method) does:
// 0 diagonal_clip, 1 cbg_rows, 2 state_nonmovers, 3 state_flows, 4 county_ipf. The number belongs
// to the stage kind, not to its position in the run, so a plan with a custom order (or an order
// sweep) names the same stage the same way; reports give the position in the run separately.
#include <filesystem>
#include <string>

#include "flowfit/pipeline/plan.hpp"

namespace flowfit::pipeline {

// The SPEC.md number of a stage kind (0..4).
int stage_number(StageKind k);
// "stage2_state_nonmovers": the number and the kind, as in stage output and table file names,
// reports and terminal summaries.
std::string stage_name(StageKind k);

// The format of the per-stage matrices: output.stage_outputs_format, else output.format.
const std::string& stage_outputs_format(const Plan& plan);
// <dir>/flows_<year>_stage<N>_<kind>.<stage outputs format>; dir is output.dir (or the folder of
// a work item).
std::filesystem::path stage_output_path(const Plan& plan, const std::filesystem::path& dir,
                                        int year, StageKind k);
// <output.dir>/cbg_populations.csv: the resolved CBG populations of every year (NNLS).
std::filesystem::path populations_table_path(const Plan& plan);
// <dir>/targets_<year>_stage<N>_<kind>.csv: the target table of one stage of one year.
std::filesystem::path target_table_path(const std::filesystem::path& dir, int year, StageKind k);

}  // namespace flowfit::pipeline
