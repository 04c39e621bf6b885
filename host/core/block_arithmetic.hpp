#pragma once
// Serial block arithmetic shared by the reference backend, the naive engine and the stage
// checks: cell values summed into margin blocks (in ascending cell order), and the ratio-rule
// factors of a step with the step's exact L1 change.
#include <cstdint>
#include <span>
#include <vector>

namespace flowfit::detail {

// sums[b] = sum of values[c] over cells with block_of_cell[c] == b (cells with -1 skipped).
std::vector<double> sum_into_blocks(std::span<const double> values,
                                    std::span<const int32_t> block_of_cell, int32_t n_blocks);

// factors[b] = ratio_factor(sums[b], targets[b]); returns sum_b |factors[b] - 1| * sums[b], the
// L1 change of scaling every block by its factor (all cells of a block move together).
double block_factors(std::span<const double> sums, std::span<const double> targets,
                     std::vector<double>& factors);

}  // namespace flowfit::detail
