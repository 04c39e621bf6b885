#include "flowfit/pipeline/golden_check.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "host/pipeline/cbg_populations_source.hpp"

namespace flowfit::pipeline {
namespace {

constexpr int kGoldenYear = 2015;  // every golden case is the 2015 matrix (flows 2014 -> 2015)

// Accumulates the worst error of expected vs actual values (absolute below 1, else relative).
struct ErrorTally {
  double max_abs = 0, max_rel = 0;
  void add(double actual, double expected) {
    const double d = std::fabs(actual - expected);
    max_abs = std::max(max_abs, d);
    max_rel = std::max(max_rel, d / std::max(std::fabs(expected), 1.0));
  }
  GoldenComparison result(std::string what, double tolerance) const {
    return {std::move(what), max_abs, max_rel, max_rel <= tolerance};
  }
};

// Compares over the union of both patterns; a missing entry counts as 0 (explicit zeros).
ErrorTally compare_matrices(const CsrMatrix& actual, const CsrMatrix& expected) {
  if (actual.n_rows != expected.n_rows || actual.n_cols != expected.n_cols)
    throw Error("golden comparison: matrix shapes differ");
  ErrorTally t;
  for (int64_t i = 0; i < actual.n_rows; ++i) {
    int64_t a = actual.row_ptr[i], b = expected.row_ptr[i];
    const int64_t a_end = actual.row_ptr[i + 1], b_end = expected.row_ptr[i + 1];
    while (a < a_end || b < b_end) {
      const int32_t ca = a < a_end ? actual.col_idx[a] : INT32_MAX;
      const int32_t cb = b < b_end ? expected.col_idx[b] : INT32_MAX;
      const double va = ca <= cb ? actual.values[a] : 0.0;
      const double vb = cb <= ca ? expected.values[b] : 0.0;
      t.add(va, vb);
      if (ca <= cb) ++a;
      if (cb <= ca) ++b;
    }
  }
  return t;
}

const char* expected_file(StageKind k) {
  switch (k) {
    case StageKind::diagonal_clip:
      return "E_input.mtx";
    case StageKind::cbg_rows:
      return "after_stage1_cbg.mtx";
    case StageKind::state_nonmovers:
      return "after_stage2_state_nonmovers.mtx";
    case StageKind::state_flows:
      return "after_stage3_state_flows.mtx";
    case StageKind::county_ipf:
      return "after_stage4_county_ipf.mtx";
  }
  return "";
}

// The county IPF log against ipf_log.csv at the logged iterations.
void compare_ipf_log(const fs::path& csv, const StageResult& county, double tolerance,
                     std::vector<GoldenComparison>& out) {
  const io::CsvTable t = io::CsvTable::read(csv);
  const int it_col = t.column("iteration");
  const char* names[] = {"l1_change",          "l1_change_column_step", "l1_change_row_step",
                         "col_violation_max",  "col_violation_total",   "row_violation_max",
                         "row_violation_total"};
  ErrorTally tally[7];
  int64_t matched = 0;
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    const int iteration = static_cast<int>(t.integer(r, it_col));
    auto rec = std::find_if(county.history.begin(), county.history.end(),
                            [&](const IterationRecord& h) { return h.iteration == iteration; });
    if (rec == county.history.end()) continue;
    ++matched;
    const double actual[] = {rec->l1_change,
                             rec->step_l1.at(0),
                             rec->step_l1.at(1),
                             rec->residuals.at(0).max_abs,
                             rec->residuals.at(0).total_abs,
                             rec->residuals.at(1).max_abs,
                             rec->residuals.at(1).total_abs};
    for (int k = 0; k < 7; ++k) tally[k].add(actual[k], t.number(r, t.column(names[k])));
  }
  if (matched != t.n_rows())
    throw Error(fmt::format("{}: {} logged iterations, only {} found in the history", csv.string(),
                            t.n_rows(), matched));
  // Violations near convergence are rounding noise of size ~1e-11: compared absolutely
  // (ErrorTally counts values below 1 by absolute error).
  for (int k = 0; k < 7; ++k)
    out.push_back(tally[k].result(fmt::format("ipf_log.csv {}", names[k]), tolerance));
}

}  // namespace

GoldenReport check_golden(const fs::path& dir, Backend& backend, double tolerance) {
  GoldenReport report;
  report.case_dir = dir.string();
  report.backend = backend.name();

  const CsrMatrix raw = io::read_matrix(dir / "E_raw.mtx");
  const CsrMatrix input = io::read_matrix(dir / "E_input.mtx");
  const bool clip =
      raw.row_ptr != input.row_ptr || raw.col_idx != input.col_idx || raw.values != input.values;

  Plan plan;
  plan.name = "golden " + dir.filename().string();
  plan.geography = dir / "geography.csv";
  plan.census.golden_dir = dir;
  plan.years.push_back({kGoldenYear, dir / "E_raw.mtx"});
  plan.output.dir = dir / "unused";
  plan.stages = released_stages();
  if (!clip) plan.stages.erase(plan.stages.begin());  // case05: no stage 0 on purpose

  const SharedInputs shared = load_shared_inputs(plan);
  {
    const targets::YearlyPopulations expected =
        detail::read_yearly_populations(dir / "cbg_pop_resolved.csv");
    if (expected.values.size() != shared.populations->values.size())
      throw Error("golden comparison: population tables differ in size");
    ErrorTally t;
    for (size_t k = 0; k < expected.values.size(); ++k)
      t.add(shared.populations->values[k], expected.values[k]);
    report.comparisons.push_back(t.result("cbg_pop_resolved.csv", tolerance));
  }

  const YearProblem problem = prepare_year(plan, shared, kGoldenYear, raw);
  auto resident = backend.upload(raw);
  auto observer = [&](const StageRun& run, ResidentMatrix& m) {
    const CsrMatrix expected = io::read_matrix(dir / expected_file(run.spec.kind));
    report.comparisons.push_back(compare_matrices(backend.download(m), expected)
                                     .result(expected_file(run.spec.kind), tolerance));
    if (run.result) report.stages.push_back(*run.result);
    if (run.spec.kind == StageKind::county_ipf)
      compare_ipf_log(dir / "ipf_log.csv", *run.result, tolerance, report.comparisons);
  };
  run_stages(backend, resident, problem, plan.stages, observer);
  report.pass = std::all_of(report.comparisons.begin(), report.comparisons.end(),
                            [](const GoldenComparison& c) { return c.pass; });
  return report;
}

}  // namespace flowfit::pipeline
