#pragma once
// Checks flowfit against a golden case of the reference implementation (a folder in the layout
// of tests/data/golden/caseNN): runs stages 0-4 and compares every stage's matrix, the NNLS
// populations and the county IPF log with the expected files.
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
};

struct GoldenReport {
  std::string case_dir;
  std::string backend;
  std::vector<GoldenComparison> comparisons;
  std::vector<StageResult> stages;  // the four fitted stages, for verdicts
  bool pass = false;
};

// tolerance: relative (absolute for expected values below 1), 1e-9 by default.
GoldenReport check_golden(const std::filesystem::path& case_dir, Backend& backend,
                          double tolerance = 1e-9);

}  // namespace flowfit::pipeline
