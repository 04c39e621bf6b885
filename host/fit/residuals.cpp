#include "host/fit/residuals.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "host/core/block_arithmetic.hpp"

namespace flowfit::detail {

namespace {

// "06037", or "06 -> 36" when both rows and columns are grouped.
std::string block_label(const Margin& margin, int64_t block) {
  const int32_t n_cols = margin.cols.n_groups();
  const std::string& row = margin.rows.label(static_cast<int32_t>(block / n_cols));
  const std::string& col = margin.cols.label(static_cast<int32_t>(block % n_cols));
  if (margin.rows.is_whole()) return col;
  if (margin.cols.is_whole()) return row;
  return row + " -> " + col;
}

}  // namespace

MarginResidual margin_residual(const Margin& margin, const std::vector<double>& block_sums) {
  MarginResidual r;
  r.margin = margin.name;
  r.blocks = static_cast<int64_t>(margin.targets.size());
  int64_t worst = -1;
  for (size_t b = 0; b < margin.targets.size(); ++b) {
    const double t = margin.targets[b];
    const double s = block_sums[b];
    r.current_total += s;
    if (t <= 0) {
      ++r.blocks_zero_target;
      continue;
    }
    r.target_total += t;
    if (s == 0) {
      ++r.blocks_zero_current;
      continue;
    }
    const double abs = std::fabs(s - t);
    r.max_abs = std::max(r.max_abs, abs);
    if (worst < 0 || abs / t > r.max_rel) {
      r.max_rel = abs / t;
      worst = static_cast<int64_t>(b);
    }
    r.total_abs += abs;
  }
  if (worst >= 0) r.worst_block = block_label(margin, worst);
  return r;
}

std::vector<MarginResidual> stage_residuals(const Stage& stage,
                                            const std::vector<std::vector<double>>& block_sums) {
  std::vector<MarginResidual> out;
  for (size_t k = 0; k < stage.margins.size(); ++k)
    out.push_back(margin_residual(stage.margins[k], block_sums[k]));
  return out;
}

std::vector<std::vector<double>> initial_block_sums(const QuotientProblem& p) {
  std::vector<std::vector<double>> sums;
  for (const auto& m : p.margins)
    sums.push_back(sum_into_blocks(p.cell_values, m.block_of_cell, m.n_blocks));
  return sums;
}

std::optional<std::string> find_inconsistent_totals(const Stage& stage, const QuotientProblem& p,
                                                    double tolerance) {
  const auto sums = initial_block_sums(p);
  // A margin takes part only when the ratio rule applies to every block that has entries (no
  // zero or negative targets): then scaling it makes its covered total equal its target total.
  auto target_total_of = [&](size_t k) -> std::optional<double> {
    const auto& m = p.margins[k];
    double total = 0;
    for (int32_t b = 0; b < m.n_blocks; ++b) {
      // A block with no flow stays empty whatever its target: it is reported as unreachable
      // and left out of the comparison.
      if (sums[k][b] == 0) continue;
      if (m.targets[b] <= 0) return std::nullopt;
      total += m.targets[b];
    }
    return total;
  };
  auto covered_of = [&](size_t k) {
    std::vector<uint8_t> c(p.cell_values.size());
    for (size_t i = 0; i < c.size(); ++i)
      c[i] = p.margins[k].block_of_cell[i] >= 0 && p.cell_values[i] != 0;
    return c;
  };
  // Each margin's coverage and total, computed once; then every pair is compared.
  std::vector<std::vector<uint8_t>> covered;
  std::vector<std::optional<double>> target_total;
  for (size_t k = 0; k < p.margins.size(); ++k) {
    covered.push_back(covered_of(k));
    target_total.push_back(target_total_of(k));
  }
  for (size_t a = 0; a < p.margins.size(); ++a) {
    for (size_t b = a + 1; b < p.margins.size(); ++b) {
      if (covered[a] != covered[b]) continue;
      const auto& ta = target_total[a];
      const auto& tb = target_total[b];
      if (!ta || !tb) continue;
      const double diff = std::fabs(*ta - *tb);
      if (diff > tolerance * std::max(std::fabs(*ta), std::fabs(*tb)))
        return fmt::format(
            "margins '{}' and '{}' cover the same entries but their targets total {:.17g} and "
            "{:.17g} (relative difference {:.3g}); both cannot hold at once",
            stage.margins[a].name, stage.margins[b].name, *ta, *tb,
            diff / std::max(std::fabs(*ta), std::fabs(*tb)));
    }
  }
  return std::nullopt;
}

}  // namespace flowfit::detail
