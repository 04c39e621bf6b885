#pragma once
// The iteration loop shared by every backend and both fit methods: runs sweeps in batches
// between log points, applies the stop rule and records the history. With a progress sink the
// batches run in pieces of about 0.1 s, each followed by a progress call.
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
  std::optional<int> fixed_point;  // see StageResult::fixed_point
  int fixed_point_period = 0;
};

SweepOutcome drive_sweeps(QuotientEngine& engine, const Stage& stage,
                          const StageRunOptions& options = {});

}  // namespace flowfit::detail
