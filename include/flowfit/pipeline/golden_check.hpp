#pragma once
// Checks flowfit against a golden case of the reference implementation (a folder in the layout
// of tests/data/golden/caseNN, or a digest case: docs/formats.md "Golden case folders"): runs
// stages 0-4 and compares every stage's matrix (in full, or its row sums, column sums and a
// sample of entries), the NNLS populations and the county IPF log with the expected files.
// Optional files that are absent are reported as skipped.
#include <filesystem>
#include <string>
#include <vector>

#include "flowfit/backend.hpp"
#include "flowfit/stage.hpp"

namespace flowfit::pipeline {

struct GoldenComparison {
  std::string what;  // "after_stage1_cbg.mtx", "cbg_pop_resolved.csv", "ipf_log.csv l1_change"
  double max_abs = 0;
  double max_rel = 0;  // relative error; entries below 1 count by absolute error
  bool pass = false;
  bool skipped = false;  // the expected file is not in the case folder (counts as passing)
  std::string note;      // which file, or which tolerance rule applied
};

struct GoldenOptions {
  // Matrices, digests and populations: relative error, absolute for expected values below 1.
  double tolerance = 1e-9;
  // County IPF log columns: an error passes when it is <= log_tolerance x the column's largest
  // logged magnitude, or <= log_abs_tolerance people. Converged violations are rounding noise
  // of sums over all counties (1e-9 people and more at national scale): a raw 1e-9 absolute
  // tolerance would fail correct results.
  double log_tolerance = 1e-9;
  double log_abs_tolerance = 1e-6;
  // Matrix year t. 0: the "year" of case.json in the folder if there is one, else 2015 (every
  // shipped golden case is the 2015 matrix).
  int year = 0;
};

struct GoldenReport {
  std::string case_dir;
  std::string backend;
  int year = 0;
  std::vector<GoldenComparison> comparisons;
  std::vector<StageResult> stages;  // the four fitted stages, for verdicts
  bool pass = false;
};

GoldenReport check_golden(const std::filesystem::path& case_dir, Backend& backend,
                          const GoldenOptions& options = {});

}  // namespace flowfit::pipeline
