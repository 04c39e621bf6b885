#include "flowfit/pipeline/plan_check.hpp"

#include <unistd.h>

#include <fstream>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/io/matrix_format.hpp"
#include "flowfit/io/matrix_header.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/plan_files.hpp"
#include "flowfit/pipeline/plan_toml.hpp"

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

// The matrix of a year: a readable file of a known format whose header (banner or magic, shape,
// declared entries, member headers) is valid and whose shape is that of the geography. The
// entries are read by the run itself. `geography` is null when it could not be read (then a
// csv/tsv matrix, whose shape is the geography's, is not opened).
void check_matrix_file(const Plan& plan, const YearSpec& y, size_t index,
                       const Geography* geography) {
  const std::string key = fmt::format("years[{}].matrix", index);
  std::error_code ec;
  if (!fs::is_regular_file(y.matrix, ec))
    throw InputError(y.matrix.string(), 0, key, "no such file");
  std::ifstream in(y.matrix, std::ios::binary);
  if (!in || in.peek() == std::ifstream::traits_type::eof())
    throw InputError(y.matrix.string(), 0, key, "cannot be read, or is empty");
  const io::MatrixFormat format = io::matrix_format_from_path(y.matrix);  // known from the name
  const bool triplets = format == io::MatrixFormat::csv || format == io::MatrixFormat::tsv;
  if (triplets && geography == nullptr) return;
  io::MatrixReadOptions opt;
  opt.row_geography = geography;
  const io::MatrixHeader h = io::read_matrix_header(y.matrix, opt);
  if (geography != nullptr && (h.n_rows != geography->size() || h.n_cols != geography->size()))
    throw InputError(y.matrix.string(), 0, "shape",
                     fmt::format("the matrix is {} x {} but the geography {} has {} units",
                                 h.n_rows, h.n_cols, plan.geography.string(), geography->size()));
}

// Runs `step` for matrix year `year`; a ConfigError it throws (a year the census tables do not
// cover) becomes a PlanError at that year's line of the plan file, when known.
template <class F>
void at_year_line(const PlanLines* lines, int year, F&& step) {
  try {
    step();
  } catch (const PlanError&) {
    throw;
  } catch (const ConfigError& e) {
    if (lines == nullptr) throw;
    const auto it = lines->years.find(year);
    if (it == lines->years.end()) throw;
    std::string reason = e.what();
    const std::string prefix = "'" + e.key() + "': ";
    if (reason.rfind(prefix, 0) == 0) reason = reason.substr(prefix.size());
    throw PlanError(lines->file, it->second.line, it->second.key + ".year",
                    fmt::format("matrix year {}: {}", year, reason));
  }
}

}  // namespace

std::vector<PlanProblem> check_plan(const Plan& plan, const PlanLines* lines) {
  std::vector<PlanProblem> problems;
  if (!attempt(problems, [&] { plan.validate(); })) return problems;
  attempt(problems, [&] { refuse_outputs_over_inputs(plan); });
  attempt(problems, [&] { check_output_dir(plan.output.dir); });
  SharedInputs shared;
  const bool have_shared =
      attempt(problems, [&] { shared = load_shared_inputs(plan, /*check_only=*/true); });
  for (size_t i = 0; i < plan.years.size(); ++i) {
    const YearSpec& y = plan.years[i];
    attempt(problems,
            [&] { check_matrix_file(plan, y, i, have_shared ? &shared.geography : nullptr); });
    // Without the geography the targets cannot be checked.
    if (have_shared)
      attempt(problems, [&] {
        at_year_line(lines, y.year, [&] { (void)prepare_year(plan, shared, y.year, CsrMatrix{}); });
      });
  }
  return problems;
}

}  // namespace flowfit::pipeline
