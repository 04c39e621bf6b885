// The final audit of a year: every stage's targets measured on the final matrix.
#include "flowfit/pipeline/final_audit.hpp"

#include <algorithm>
#include <cmath>

#include "flowfit/fit.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "host/fit/residuals.hpp"

namespace flowfit::pipeline {
namespace {

// Relative residuals of the measured blocks of one margin, plus its MarginAudit.
MarginAudit audit_margin(const CsrMatrix& m, const Margin& margin, std::vector<double>& rel) {
  const std::vector<double> sums = margin_block_sums(m, margin);
  const MarginResidual r = detail::margin_residual(margin, sums);
  MarginAudit a;
  a.margin = margin.name;
  a.blocks = r.blocks;
  a.blocks_zero_target = r.blocks_zero_target;
  a.blocks_zero_current = r.blocks_zero_current;
  a.max_rel = r.max_rel;
  a.max_abs = r.max_abs;
  a.worst_group = r.worst_block;
  std::vector<double> mine;
  double worst = -1;
  for (size_t b = 0; b < sums.size(); ++b) {
    const double t = margin.targets[b];
    if (t <= 0 || sums[b] == 0) continue;
    const double x = std::fabs(sums[b] - t) / t;
    mine.push_back(x);
    if (x > worst) {  // the first block with the largest residual, as margin_residual picks
      worst = x;
      a.worst_sum = sums[b];
      a.worst_target = t;
    }
  }
  a.measured = static_cast<int64_t>(mine.size());
  rel.insert(rel.end(), mine.begin(), mine.end());
  a.median_rel = median_of(mine);
  return a;
}

StageAudit audit_clip(const CsrMatrix& m, const Geography& geo) {
  StageAudit s;
  const int64_t n = std::min(m.n_rows, m.n_cols);
  std::vector<double> diag(static_cast<size_t>(n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e)
      if (m.col_idx[e] == i) diag[i] += m.values[e];
  std::vector<double> rel(diag.size());
  int64_t worst = -1;
  for (int64_t i = 0; i < n; ++i) {
    rel[i] = std::max(0.0, 1.0 - diag[i]);
    if (diag[i] < 1) ++s.diagonal_below_one;
    if (worst < 0 || diag[i] < diag[worst]) worst = i;
  }
  s.measured = n;
  if (worst >= 0) {
    s.min_diagonal = diag[worst];
    s.max_rel = rel[worst];
    if (rel[worst] > 0 && worst < geo.size()) s.worst_group = geo.geoid(worst);
  }
  s.median_rel = median_of(rel);
  return s;
}

}  // namespace

double median_of(std::vector<double>& v) {
  if (v.empty()) return 0;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return 0.5 * (lower + upper);
}

StageAudit audit_margins(const CsrMatrix& m, const std::vector<Margin>& margins) {
  StageAudit s;
  std::vector<double> rel;
  for (const Margin& margin : margins) {
    MarginAudit a = audit_margin(m, margin, rel);
    if (a.measured > 0 && (s.worst_margin.empty() || a.max_rel > s.max_rel)) {
      s.max_rel = a.max_rel;
      s.worst_group = a.worst_group;
      s.worst_margin = a.margin;
    }
    s.margins.push_back(std::move(a));
  }
  s.measured = static_cast<int64_t>(rel.size());
  s.median_rel = median_of(rel);
  return s;
}

FinalAudit audit_final_matrix(const CsrMatrix& m, const YearProblem& problem,
                              const std::vector<StageSpec>& stages, const Geography& geography) {
  FinalAudit out;
  for (size_t i = 0; i < stages.size(); ++i) {
    StageAudit s;
    const StageKind kind = stages[i].kind;
    if (kind == StageKind::diagonal_clip) {
      s = audit_clip(m, geography);
    } else if (const targets::StageMargins* margins = problem.margins_of(kind)) {
      s = audit_margins(m, margins->margins);
    }
    s.kind = kind;
    s.position = static_cast<int>(i) + 1;
    out.stages.push_back(std::move(s));
  }
  return out;
}

}  // namespace flowfit::pipeline
