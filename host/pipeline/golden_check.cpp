#include "flowfit/pipeline/golden_check.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "host/pipeline/cbg_populations_source.hpp"
#include "host/pipeline/golden_files.hpp"

namespace flowfit::pipeline {
namespace {

using detail::find_csv_file;
using detail::find_matrix_file;
using detail::read_csv_any;

constexpr int kDefaultGoldenYear = 2015;  // every shipped case is the 2015 matrix (2014 -> 2015)

// Accumulates the worst error of expected vs actual values (absolute below 1, else relative).
struct ErrorTally {
  double max_abs = 0, max_rel = 0;
  void add(double actual, double expected) {
    const double d = std::fabs(actual - expected);
    max_abs = std::max(max_abs, d);
    max_rel = std::max(max_rel, d / std::max(std::fabs(expected), 1.0));
  }
  GoldenComparison result(std::string what, double tolerance, std::string note = {}) const {
    return {std::move(what), max_abs, max_rel, max_rel <= tolerance, false, std::move(note)};
  }
};

GoldenComparison skipped(std::string what, std::string note) {
  return {std::move(what), 0, 0, true, true, std::move(note)};
}

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

// The reference's file stem of the matrix after each stage (SPEC numbering 0..4).
const char* expected_stem(StageKind k) {
  switch (k) {
    case StageKind::diagonal_clip:
      return "E_input";
    case StageKind::cbg_rows:
      return "after_stage1_cbg";
    case StageKind::state_nonmovers:
      return "after_stage2_state_nonmovers";
    case StageKind::state_flows:
      return "after_stage3_state_flows";
    case StageKind::county_ipf:
      return "after_stage4_county_ipf";
  }
  return "";
}

// A stage's matrix against the case folder: the full matrix if present, else its digest
// (<stem>.row_sums / .col_sums / .sample CSVs, plain or gzipped), else skipped.
void compare_stage(const fs::path& dir, const std::string& stem, const CsrMatrix& actual,
                   double tolerance, std::vector<GoldenComparison>& out) {
  if (auto full = find_matrix_file(dir, stem)) {
    out.push_back(compare_matrices(actual, io::read_matrix(*full))
                      .result(full->filename().string(), tolerance));
    return;
  }
  const auto rows = find_csv_file(dir, stem + ".row_sums");
  const auto cols = find_csv_file(dir, stem + ".col_sums");
  const auto sample = find_csv_file(dir, stem + ".sample");
  if (!rows && !cols && !sample) {
    out.push_back(skipped(stem, "no matrix and no digest in the case folder"));
    return;
  }
  std::vector<double> row_sum(actual.n_rows, 0.0), col_sum(actual.n_cols, 0.0);
  for (int64_t i = 0; i < actual.n_rows; ++i)
    for (int64_t k = actual.row_ptr[i]; k < actual.row_ptr[i + 1]; ++k) {
      row_sum[i] += actual.values[k];
      col_sum[actual.col_idx[k]] += actual.values[k];
    }
  auto sums = [&](const std::optional<fs::path>& file, const char* key,
                  const std::vector<double>& have, const char* label) {
    if (!file) {
      out.push_back(skipped(stem + " " + label, "not in the case folder"));
      return;
    }
    const io::CsvTable t = read_csv_any(*file);
    const int kc = t.column(key), sc = t.column("sum");
    if (t.n_rows() != static_cast<int64_t>(have.size()))
      t.fail(0, kc, fmt::format("{} {}s listed, the matrix has {}", t.n_rows(), key, have.size()));
    ErrorTally tally;
    for (int64_t r = 0; r < t.n_rows(); ++r) {
      const int64_t k = t.integer(r, kc, io::NumberRule::non_negative);
      if (k >= static_cast<int64_t>(have.size())) t.fail(r, kc, "index out of range");
      tally.add(have[k], t.number(r, sc));
    }
    out.push_back(tally.result(file->filename().string(), tolerance));
  };
  sums(rows, "row", row_sum, "row sums");
  sums(cols, "col", col_sum, "column sums");
  if (!sample) {
    out.push_back(skipped(stem + " sample", "not in the case folder"));
    return;
  }
  const io::CsvTable t = read_csv_any(*sample);
  const int rc = t.column("row"), cc = t.column("col"), vc = t.column("value");
  ErrorTally tally;
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    const int64_t i = t.integer(r, rc, io::NumberRule::non_negative);
    const int64_t j = t.integer(r, cc, io::NumberRule::non_negative);
    if (i >= actual.n_rows) t.fail(r, rc, "row out of range");
    if (j >= actual.n_cols) t.fail(r, cc, "col out of range");
    const auto b = actual.col_idx.begin() + actual.row_ptr[i];
    const auto e = actual.col_idx.begin() + actual.row_ptr[i + 1];
    const auto it = std::lower_bound(b, e, static_cast<int32_t>(j));
    const double v = it != e && *it == j ? actual.values[it - actual.col_idx.begin()] : 0.0;
    tally.add(v, t.number(r, vc));
  }
  out.push_back(
      tally.result(sample->filename().string(), tolerance, fmt::format("{} entries", t.n_rows())));
}

int case_year(const fs::path& dir, int requested) {
  if (requested != 0) return requested;
  const fs::path meta = dir / "case.json";
  if (!fs::exists(meta)) return kDefaultGoldenYear;
  std::ifstream in(meta);
  try {
    const auto j = nlohmann::json::parse(in);
    if (j.contains("year")) return j.at("year").get<int>();
  } catch (const nlohmann::json::exception& e) {
    throw InputError(meta.string(), 0, "year", e.what());
  }
  return kDefaultGoldenYear;
}

// The county IPF log against ipf_log.csv at the logged iterations.
void compare_ipf_log(const fs::path& csv, const StageResult& county, const GoldenOptions& opt,
                     std::vector<GoldenComparison>& out) {
  const io::CsvTable t = read_csv_any(csv);
  const int it_col = t.column("iteration");
  const char* names[] = {"l1_change",          "l1_change_column_step", "l1_change_row_step",
                         "col_violation_max",  "col_violation_total",   "row_violation_max",
                         "row_violation_total"};
  ErrorTally tally[7];
  double scale[7] = {};  // the column's largest logged magnitude
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
    for (int k = 0; k < 7; ++k) {
      const double want = t.number(r, t.column(names[k]));
      tally[k].add(actual[k], want);
      scale[k] = std::max(scale[k], std::fabs(want));
    }
  }
  if (matched != t.n_rows())
    throw Error(fmt::format("{}: {} logged iterations, only {} found in the history", csv.string(),
                            t.n_rows(), matched));
  // Converged values are rounding noise of sums over all counties: the error is measured against
  // the column's largest logged magnitude, with an absolute floor in people.
  for (int k = 0; k < 7; ++k) {
    const double allowed = std::max(opt.log_tolerance * scale[k], opt.log_abs_tolerance);
    GoldenComparison c{fmt::format("ipf_log.csv {}", names[k]),
                       tally[k].max_abs,
                       scale[k] > 0 ? tally[k].max_abs / scale[k] : 0.0,
                       tally[k].max_abs <= allowed,
                       false,
                       fmt::format("allowed {:.3g} = max({:g} x {:.4g}, {:g})", allowed,
                                   opt.log_tolerance, scale[k], opt.log_abs_tolerance)};
    out.push_back(std::move(c));
  }
}

}  // namespace

GoldenReport check_golden(const fs::path& dir, Backend& backend, const GoldenOptions& opt) {
  GoldenReport report;
  report.case_dir = dir.string();
  report.backend = backend.name();
  report.year = case_year(dir, opt.year);

  // The input: E_raw (before stage 0), or — in a case folder that carries only the matrix after
  // the diagonal clip — E_input, checked from stage 1 on.
  const auto raw_file = find_matrix_file(dir, "E_raw");
  const auto input_file = find_matrix_file(dir, "E_input");
  if (!raw_file && !input_file)
    throw InputError((dir / "E_raw.mtx").string(), 0, "",
                     "the case folder has no input matrix E_raw or E_input (.mtx, .npz or .ffm)");
  CsrMatrix raw = io::read_matrix(raw_file ? *raw_file : *input_file);
  // Stage 0 runs unless the case says it was skipped (E_input identical to E_raw, as in case05)
  // or only E_input is there.
  bool clip = raw_file.has_value();
  if (raw_file && input_file) {
    const CsrMatrix input = io::read_matrix(*input_file);
    clip =
        raw.row_ptr != input.row_ptr || raw.col_idx != input.col_idx || raw.values != input.values;
  }
  if (!raw_file)
    report.comparisons.push_back(
        skipped("stage0_diagonal_clip", "no E_raw in the case folder: checked from E_input on"));

  Plan plan;
  plan.name = "golden " + dir.filename().string();
  plan.geography = dir / "geography.csv";
  plan.census.golden_dir = dir;
  plan.years.push_back({report.year, raw_file ? *raw_file : *input_file});
  plan.output.dir = dir / "unused";
  plan.stages = released_stages();
  if (!clip) plan.stages.erase(plan.stages.begin());  // case05: no stage 0 on purpose

  const SharedInputs shared = load_shared_inputs(plan);
  if (const auto pop_file = find_csv_file(dir, "cbg_pop_resolved")) {
    const targets::YearlyPopulations expected = detail::read_yearly_populations(*pop_file);
    if (expected.values.size() != shared.populations->values.size())
      throw InputError(pop_file->string(), 0, "cbg_geoid",
                       fmt::format("{} CBGs, the geography has {}", expected.size(),
                                   shared.populations->size()));
    ErrorTally t;
    for (size_t k = 0; k < expected.values.size(); ++k)
      t.add(shared.populations->values[k], expected.values[k]);
    report.comparisons.push_back(t.result(pop_file->filename().string(), opt.tolerance));
  } else {
    report.comparisons.push_back(skipped("cbg_pop_resolved.csv", "not in the case folder"));
  }

  YearProblem problem = prepare_year(plan, shared, report.year, std::move(raw));
  std::unique_ptr<ResidentMatrix> resident;
  auto observer = [&](const StageRun& run, ResidentMatrix& m) {
    compare_stage(dir, expected_stem(run.spec.kind), backend.download(m), opt.tolerance,
                  report.comparisons);
    if (run.result) report.stages.push_back(*run.result);
    if (run.spec.kind == StageKind::county_ipf) {
      if (const auto log = find_csv_file(dir, "ipf_log"))
        compare_ipf_log(*log, *run.result, opt, report.comparisons);
      else
        report.comparisons.push_back(skipped("ipf_log.csv", "not in the case folder"));
    }
  };
  run_stages(backend, std::move(problem.matrix), resident, problem, plan.stages, observer);
  report.pass = std::all_of(report.comparisons.begin(), report.comparisons.end(),
                            [](const GoldenComparison& c) { return c.pass; });
  return report;
}

}  // namespace flowfit::pipeline
