// The final audit of a year: every stage's targets measured on the final matrix.
#include "flowfit/pipeline/final_audit.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "flowfit/fit.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "host/fit/residuals.hpp"

namespace flowfit::pipeline {
namespace {

// The block sums of every margin (as margin_block_sums computes them, in the same order, so the
// same bits) and, when `diag` is given, every diagonal entry: one pass over the entries for all.
std::vector<std::vector<double>> block_sums(const CsrMatrix& m,
                                            const std::vector<const Margin*>& margins,
                                            std::vector<double>* diag) {
  const size_t k = margins.size();
  std::vector<std::vector<double>> sums(k);
  for (size_t a = 0; a < k; ++a) sums[a].assign(static_cast<size_t>(margins[a]->n_blocks()), 0.0);
  if (diag) diag->assign(static_cast<size_t>(std::min(m.n_rows, m.n_cols)), 0.0);
  std::vector<int64_t> row_base(k);  // block index of the row's group times the column groups
  for (int64_t i = 0; i < m.n_rows; ++i) {
    for (size_t a = 0; a < k; ++a) {
      const int32_t rg = margins[a]->rows.group_of(i);
      row_base[a] = rg < 0 ? -1 : int64_t{rg} * margins[a]->cols.n_groups();
    }
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) {
      const int32_t j = m.col_idx[e];
      const double v = m.values[e];
      if (diag && j == i) (*diag)[i] += v;
      for (size_t a = 0; a < k; ++a) {
        if (row_base[a] < 0) continue;
        const Margin& g = *margins[a];
        if (g.entries == EntryClass::diagonal && i != j) continue;
        if (g.entries == EntryClass::off_diagonal && i == j) continue;
        const int32_t cg = g.cols.group_of(j);
        if (cg >= 0) sums[a][row_base[a] + cg] += v;
      }
    }
  }
  return sums;
}

// Relative residuals of the measured blocks of one margin, plus its MarginAudit.
MarginAudit audit_margin(const Margin& margin, const std::vector<double>& sums,
                         std::vector<double>& rel) {
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

StageAudit audit_clip(const std::vector<double>& diag, const Geography& geo) {
  StageAudit s;
  const int64_t n = static_cast<int64_t>(diag.size());
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

namespace {

StageAudit audit_stage_margins(const std::vector<Margin>& margins,
                               const std::vector<std::vector<double>>& sums) {
  StageAudit s;
  std::vector<double> rel;
  for (size_t k = 0; k < margins.size(); ++k) {
    MarginAudit a = audit_margin(margins[k], sums[k], rel);
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

}  // namespace

StageAudit audit_margins(const CsrMatrix& m, const std::vector<Margin>& margins) {
  std::vector<const Margin*> all;
  for (const Margin& g : margins) all.push_back(&g);
  return audit_stage_margins(margins, block_sums(m, all, nullptr));
}

FinalAudit audit_final_matrix(const CsrMatrix& m, const YearProblem& problem,
                              const std::vector<StageSpec>& stages, const Geography& geography) {
  const auto t0 = std::chrono::steady_clock::now();
  // Every margin of every stage, summed in one pass over the final matrix.
  std::vector<const Margin*> all;
  bool clip = false;
  for (const StageSpec& st : stages) {
    clip |= st.kind == StageKind::diagonal_clip;
    if (const targets::StageMargins* margins = problem.margins_of(st.kind))
      for (const Margin& g : margins->margins) all.push_back(&g);
  }
  std::vector<double> diag;
  const std::vector<std::vector<double>> sums = block_sums(m, all, clip ? &diag : nullptr);
  FinalAudit out;
  size_t next = 0;  // first margin of the stage in `all`
  for (size_t i = 0; i < stages.size(); ++i) {
    StageAudit s;
    const StageKind kind = stages[i].kind;
    if (kind == StageKind::diagonal_clip) {
      s = audit_clip(diag, geography);
    } else if (const targets::StageMargins* margins = problem.margins_of(kind)) {
      const size_t n = margins->margins.size();
      s = audit_stage_margins(margins->margins,
                              {sums.begin() + static_cast<std::ptrdiff_t>(next),
                               sums.begin() + static_cast<std::ptrdiff_t>(next + n)});
      next += n;
    }
    s.kind = kind;
    s.position = static_cast<int>(i) + 1;
    out.stages.push_back(std::move(s));
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace flowfit::pipeline
