#pragma once
// Intermediate tables of a run (plan key output.intermediate_tables, `flowfit run
// --intermediate-tables`): the resolved CBG populations and every stage's targets as CSV, labelled
// by GEOID, so that a user can compare them with their own pipeline. Columns: docs/cli.md,
// "Intermediate tables". Written atomically; run_plan refuses them over an input (plan_outputs).
#include <filesystem>
#include <string>
#include <vector>

#include "flowfit/pipeline/plan.hpp"
#include "flowfit/targets/cbg_populations.hpp"
#include "flowfit/targets/stage_margins.hpp"

namespace flowfit::pipeline {

struct YearProblem;

// cbg_geoid,x2009,...,x2019: one row per CBG, GEOIDs as text (leading zeros kept), values
// written so that they read back bit-exactly. The layout of the plan key census.cbg_populations.
void write_populations_table(const std::filesystem::path& path,
                             const targets::YearlyPopulations& populations);

// margin,entries,row_group,col_group,target: one row per block of every margin of the stage, in
// the order the stage applies them; "all" names an ungrouped side.
void write_target_table(const std::filesystem::path& path, const targets::StageMargins& margins);

// The target tables of every fitted stage of `stages` (diagonal_clip has none), at
// target_table_path(dir, ...); returns the paths written.
std::vector<std::string> write_target_tables(const std::filesystem::path& dir,
                                             const std::vector<StageSpec>& stages,
                                             const YearProblem& problem);

}  // namespace flowfit::pipeline
