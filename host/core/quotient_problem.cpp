// QuotientProblem::validate: the checks every quotient engine relies on before indexing.
#include <cstdint>
#include <limits>
#include <string>

#include "flowfit/backend.hpp"
#include "flowfit/error.hpp"

namespace flowfit {

void QuotientProblem::validate() const {
  const size_t n_cells = cell_values.size();
  if (n_cells > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    throw Error("quotient problem: at most 2^31 - 1 cells are supported");
  for (size_t k = 0; k < margins.size(); ++k) {
    const QuotientMarginSpec& m = margins[k];
    const std::string which = "quotient problem: margin " + std::to_string(k) + ": ";
    if (m.n_blocks < 0) throw Error(which + "negative block count");
    if (m.block_of_cell.size() != n_cells) throw Error(which + "one block id per cell expected");
    if (m.targets.size() != static_cast<size_t>(m.n_blocks))
      throw Error(which + "one target per block expected");
    for (int32_t b : m.block_of_cell)
      if (b < -1 || b >= m.n_blocks) throw Error(which + "block id out of range");
  }
}

}  // namespace flowfit
