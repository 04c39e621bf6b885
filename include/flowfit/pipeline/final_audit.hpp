#pragma once
// The final audit: how the matrix after the LAST stage meets the constraints of EVERY stage.
// A stage's own result says how well its targets held when it finished; later stages move the
// matrix again (by design: e.g. the county IPF pulls CBG rows away from their stage-1 targets),
// so this audit measures each stage's targets once more on the final matrix.
#include <cstdint>
#include <string>
#include <vector>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/margin.hpp"
#include "flowfit/pipeline/plan.hpp"

namespace flowfit::pipeline {

struct YearProblem;

// One margin of one stage, measured on the final matrix by the ratio rule's conventions: blocks
// with a target <= 0 or a zero sum are counted, not measured (as in MarginResidual).
struct MarginAudit {
  std::string margin;
  int64_t blocks = 0;               // every block of the margin
  int64_t measured = 0;             // positive target and nonzero sum
  int64_t blocks_zero_target = 0;   // target <= 0 (left unchanged by the ratio rule)
  int64_t blocks_zero_current = 0;  // positive target, zero sum (unreachable)
  double max_rel = 0;               // max |sum - target| / target over measured blocks
  double median_rel = 0;            // median of the same (mean of the middle two when even)
  double max_abs = 0;               // max |sum - target| over measured blocks
  std::string worst_group;          // label of the block with max_rel ("06037", "06 -> 36")
  double worst_sum = 0, worst_target = 0;
};

struct StageAudit {
  StageKind kind = StageKind::county_ipf;
  int position = 0;  // 1-based position of the stage in the run
  // Over every measured block of every margin of the stage: max and median relative residual,
  // the worst group and the margin it belongs to.
  double max_rel = 0;
  double median_rel = 0;
  int64_t measured = 0;
  std::string worst_group;
  std::string worst_margin;
  std::vector<MarginAudit> margins;
  // diagonal_clip: its constraint is "every diagonal entry >= 1" (a missing one counts as 0); the
  // residual of a diagonal d is max(0, 1 - d), measured over every unit.
  int64_t diagonal_below_one = 0;
  double min_diagonal = 0;
};

struct FinalAudit {
  std::vector<StageAudit> stages;  // in run order
  double seconds = 0;              // time the audit took
};

// The margins of one stage measured on `matrix` (kind and position left at their defaults).
StageAudit audit_margins(const CsrMatrix& matrix, const std::vector<Margin>& margins);

// Audits `final_matrix` against the targets of every stage of `stages` (margins from `problem`).
FinalAudit audit_final_matrix(const CsrMatrix& final_matrix, const YearProblem& problem,
                              const std::vector<StageSpec>& stages, const Geography& geography);

// Median of `values` (reordered); 0 when empty, the mean of the middle two when even.
double median_of(std::vector<double>& values);

}  // namespace flowfit::pipeline
