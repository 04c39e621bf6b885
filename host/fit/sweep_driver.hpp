#pragma once
// The iteration loop shared by every backend and both fit methods: runs sweeps in batches
// between log points, applies the stop rule and records the history.
#include <optional>
#include <vector>

#include "flowfit/backend.hpp"
#include "flowfit/fit.hpp"
#include "flowfit/stage.hpp"

namespace flowfit::detail {

struct SweepOutcome {
  int iterations = 0;
  bool met_tolerance = false;     // stopped because every set tolerance held
  std::optional<double> last_l1;  // whole-sweep L1 change of the last sweep
  std::vector<IterationRecord> history;
};

SweepOutcome drive_sweeps(QuotientEngine& engine, const Stage& stage,
                          const StageRunOptions& options = {});

}  // namespace flowfit::detail
