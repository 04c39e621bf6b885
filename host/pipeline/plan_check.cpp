#include "flowfit/pipeline/plan_check.hpp"

#include <unistd.h>

#include <fstream>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/io/matrix_format.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/plan_files.hpp"

namespace flowfit::pipeline {
namespace {

// Runs `step`, turning what it throws into a problem.
template <class F>
bool attempt(std::vector<PlanProblem>& problems, F&& step) {
  try {
    step();
    return true;
  } catch (const ConfigError& e) {
    problems.push_back({PlanProblem::Kind::plan, e.what()});
  } catch (const OutputError& e) {
    problems.push_back({PlanProblem::Kind::output, e.what()});
  } catch (const std::exception& e) {
    problems.push_back({PlanProblem::Kind::input, e.what()});
  }
  return false;
}

void check_output_dir(const fs::path& dir) {
  fs::path at = dir;
  std::error_code ec;
  while (!fs::exists(at, ec) && at.has_parent_path() && at.parent_path() != at)
    at = at.parent_path();
  if (!fs::is_directory(at, ec))
    throw OutputError(
        fmt::format("output.dir '{}': '{}' is not a directory", dir.string(), at.string()));
  if (::access(at.c_str(), W_OK | X_OK) != 0)
    throw OutputError(
        fmt::format("output.dir '{}': directory '{}' is not writable", dir.string(), at.string()));
}

void check_matrix_file(const YearSpec& y, size_t index) {
  const std::string key = fmt::format("years[{}].matrix", index);
  std::error_code ec;
  if (!fs::is_regular_file(y.matrix, ec))
    throw InputError(y.matrix.string(), 0, key, "no such file");
  std::ifstream in(y.matrix, std::ios::binary);
  if (!in || in.peek() == std::ifstream::traits_type::eof())
    throw InputError(y.matrix.string(), 0, key, "cannot be read, or is empty");
  (void)io::matrix_format_from_path(y.matrix);  // the format must be known from the name
}

}  // namespace

std::vector<PlanProblem> check_plan(const Plan& plan) {
  std::vector<PlanProblem> problems;
  if (!attempt(problems, [&] { plan.validate(); })) return problems;
  attempt(problems, [&] { refuse_outputs_over_inputs(plan); });
  attempt(problems, [&] { check_output_dir(plan.output.dir); });
  for (size_t i = 0; i < plan.years.size(); ++i)
    attempt(problems, [&] { check_matrix_file(plan.years[i], i); });
  SharedInputs shared;
  if (!attempt(problems, [&] { shared = load_shared_inputs(plan, /*check_only=*/true); }))
    return problems;  // without the geography the targets cannot be checked
  for (const YearSpec& y : plan.years)
    attempt(problems, [&] { (void)prepare_year(plan, shared, y.year, CsrMatrix{}); });
  return problems;
}

}  // namespace flowfit::pipeline
