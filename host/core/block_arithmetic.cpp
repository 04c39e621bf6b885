#include "host/core/block_arithmetic.hpp"

#include <cmath>

#include "flowfit/ratio_rule.hpp"

namespace flowfit::detail {

std::vector<double> sum_into_blocks(std::span<const double> values,
                                    std::span<const int32_t> block_of_cell, int32_t n_blocks) {
  std::vector<double> sums(n_blocks, 0.0);
  for (size_t c = 0; c < values.size(); ++c)
    if (block_of_cell[c] >= 0) sums[block_of_cell[c]] += values[c];
  return sums;
}

double block_factors(std::span<const double> sums, std::span<const double> targets,
                     std::vector<double>& factors) {
  factors.resize(sums.size());
  double l1 = 0;
  for (size_t b = 0; b < sums.size(); ++b) {
    factors[b] = ratio_factor(sums[b], targets[b]);
    l1 += std::fabs(factors[b] - 1.0) * sums[b];
  }
  return l1;
}

}  // namespace flowfit::detail
