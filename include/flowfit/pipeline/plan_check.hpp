#pragma once
// What `flowfit run --dry-run` checks: every input the plan would read is opened and validated
// (geography and its GEOIDs, census tables with their columns and year coverage, coverage of the
// census groups, CBG population tables, each year's matrix file: its header, shape and declared
// entries, not the entries themselves), and every output location, and every problem is
// reported, not just the first. A matrix year the census tables do not cover is a plan problem
// at that year's line of the plan file.
#include <string>
#include <vector>

#include "flowfit/pipeline/plan.hpp"

namespace flowfit::pipeline {

struct PlanProblem {
  enum class Kind { plan, input, output } kind = Kind::input;
  std::string message;  // as the exception said it (file:line: field, or 'key': ...)
};

struct PlanLines;

// `lines` (from read_plan_toml, may be null) places year problems at their line of the plan.
std::vector<PlanProblem> check_plan(const Plan& plan, const PlanLines* lines = nullptr);

}  // namespace flowfit::pipeline
