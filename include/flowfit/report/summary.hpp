#pragma once
// Readable summaries of runs for the terminal: one row per year and stage with iterations,
// verdict, worst relative residual and seconds.
#include <string>
#include <vector>

#include "flowfit/pipeline/order_sweep.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/stage.hpp"

namespace flowfit::report {

// Left-aligned text columns separated by two spaces; numbers are right-aligned.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header);
  void add_row(std::vector<std::string> cells);
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// The largest max_rel over the margins of a result (0 when it has none).
double worst_relative_residual(const StageResult& r);

// The per year x stage table of a run (stages named as SPEC.md numbers them: "stage1_cbg_rows"),
// one line per target warning kind, then the final audit table.
std::string run_summary(const pipeline::RunReport& run);

// The final audit of every year: per stage, how the final matrix meets that stage's targets
// (max and median relative residual, worst group); "" when no year has an audit.
std::string final_audit_summary(const pipeline::RunReport& run);

// One stage result: a line per margin.
std::string stage_summary(const StageResult& r);

// The per-order table of a stage-order sweep.
std::string sweep_summary(const pipeline::SweepResult& s);

}  // namespace flowfit::report
