#pragma once
// A margin is one block-marginal constraint: rows grouped (or all rows) x columns grouped (or all
// columns) x an entry class, with one target per (row group, column group) block. Scaling a
// margin multiplies every entry of a block by ratio_factor(block sum, block target).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "flowfit/geography.hpp"

namespace flowfit {

enum class EntryClass {
  all,          // every stored entry of the block
  diagonal,     // only entries with row == column (self-flows, "non-movers")
  off_diagonal  // only entries with row != column ("movers")
};
std::string_view to_string(EntryClass c);
EntryClass entry_class_from_string(std::string_view s);  // "all" | "diagonal" | "off_diagonal"

struct Margin {
  std::string name;
  Grouping rows;  // Grouping::whole(n_rows) for "all rows"
  Grouping cols;  // Grouping::whole(n_cols) for "all columns"
  EntryClass entries = EntryClass::all;
  // One target per block, row-major: targets[row_group * cols.n_groups() + col_group].
  std::vector<double> targets;

  int64_t n_blocks() const { return int64_t{rows.n_groups()} * cols.n_groups(); }
  int64_t block_index(int32_t row_group, int32_t col_group) const {
    return int64_t{row_group} * cols.n_groups() + col_group;
  }
  // Sets the target of the block named by its labels; throws ConfigError on an unknown label.
  void set_target(std::string_view row_label, std::string_view col_label, double value);
  // Throws ConfigError when the groupings do not fit an n_rows x n_cols matrix, the targets have
  // the wrong length, a target is not finite, or a diagonal class is used on a non-square matrix.
  void validate(int64_t n_rows, int64_t n_cols) const;
};

// Convenience constructors. Targets start at 0 (= "leave unchanged") unless given.
Margin row_margin(std::string name, Grouping rows, int64_t n_cols, std::vector<double> targets,
                  EntryClass entries = EntryClass::all);
Margin col_margin(std::string name, int64_t n_rows, Grouping cols, std::vector<double> targets,
                  EntryClass entries = EntryClass::all);
Margin block_margin(std::string name, Grouping rows, Grouping cols, std::vector<double> targets,
                    EntryClass entries = EntryClass::all);

}  // namespace flowfit
