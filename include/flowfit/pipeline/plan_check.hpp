#pragma once
// What `flowfit run --dry-run` checks: every input the plan would read is opened and validated
// (geography and its GEOIDs, census tables with their columns and year coverage, coverage of the
// census groups, CBG population tables, each year's matrix file), and every output location, and
// every problem is reported, not just the first.
#include <string>
#include <vector>

#include "flowfit/pipeline/plan.hpp"

namespace flowfit::pipeline {

struct PlanProblem {
  enum class Kind { plan, input, output } kind = Kind::input;
  std::string message;  // as the exception said it (file:line: field, or 'key': ...)
};

std::vector<PlanProblem> check_plan(const Plan& plan);

}  // namespace flowfit::pipeline
