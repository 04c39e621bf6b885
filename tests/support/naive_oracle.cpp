#include "support/naive_oracle.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace flowfit::testing {
namespace {

// Block of entry (i, j) in the margin, or -1.
int64_t block_of(const Margin& mg, int64_t i, int64_t j) {
  if (mg.entries == EntryClass::diagonal && i != j) return -1;
  if (mg.entries == EntryClass::off_diagonal && i == j) return -1;
  const int32_t r = mg.rows.group_of(i);
  const int32_t c = mg.cols.group_of(j);
  if (r < 0 || c < 0) return -1;
  return int64_t{r} * mg.cols.n_groups() + c;
}

}  // namespace

std::vector<double> naive_block_sums(const CsrMatrix& m, const Margin& mg) {
  std::vector<double> sums(mg.n_blocks(), 0.0);
  for (int64_t i = 0; i < m.n_rows; ++i)
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) {
      const int64_t b = block_of(mg, i, m.col_idx[e]);
      if (b >= 0) sums[b] += m.values[e];
    }
  return sums;
}

std::vector<OracleSweep> naive_ipf(CsrMatrix& m, const Stage& stage, int sweeps) {
  std::vector<OracleSweep> out;
  for (int s = 0; s < sweeps; ++s) {
    const std::vector<double> start = m.values;
    OracleSweep rec;
    for (const Margin& mg : stage.margins) {
      const std::vector<double> sums = naive_block_sums(m, mg);
      std::vector<double> factor(sums.size());
      for (size_t b = 0; b < sums.size(); ++b) {
        // SPEC ratio rule, spelled out again on purpose.
        double f = sums[b] != 0 ? mg.targets[b] / sums[b] : 1.0;
        if (f <= 0) f = 1.0;
        factor[b] = f;
      }
      const std::vector<double> before = m.values;
      for (int64_t i = 0; i < m.n_rows; ++i)
        for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) {
          const int64_t b = block_of(mg, i, m.col_idx[e]);
          if (b >= 0) m.values[e] *= factor[b];
        }
      double l1 = 0;
      for (size_t e = 0; e < before.size(); ++e) l1 += std::fabs(m.values[e] - before[e]);
      rec.step_l1.push_back(l1);
    }
    for (size_t e = 0; e < start.size(); ++e) rec.l1_change += std::fabs(m.values[e] - start[e]);
    out.push_back(rec);
  }
  return out;
}

double max_rel_diff(const CsrMatrix& a, const CsrMatrix& b, double floor) {
  if (a.nnz() != b.nnz() || a.col_idx != b.col_idx || a.row_ptr != b.row_ptr)
    throw std::runtime_error("max_rel_diff: matrices differ in pattern");
  double worst = 0;
  for (int64_t e = 0; e < a.nnz(); ++e) {
    const double d = std::fabs(a.values[e] - b.values[e]);
    worst = std::max(worst, d / std::max(std::fabs(b.values[e]), floor));
  }
  return worst;
}

}  // namespace flowfit::testing
