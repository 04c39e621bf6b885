#pragma once
// Stage-order sweeps: run the same year under several stage orders, reusing the loaded matrix,
// and compare each order's result with the default order.
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "flowfit/pipeline/pipeline.hpp"

namespace flowfit::pipeline {

// Every permutation of `kinds`, in lexicographic order of the enum (the given order first).
std::vector<std::vector<StageKind>> all_orders(std::vector<StageKind> kinds);

// How well one constraint family (the margins of one stage kind) holds on a final matrix.
struct FamilyResidual {
  StageKind family;
  MarginResidual residual;  // per margin of that stage kind
};

struct FlowDifferences {
  double median_rel = 0, max_rel = 0;
  double max_abs = 0;  // people
};

struct OrderResult {
  std::vector<StageKind> order;
  std::vector<FamilyResidual> residuals;
  double max_rel_diff_vs_default = 0;  // over entries (absolute below 1)
  double county_flow_correlation = 1;  // Pearson r of county-to-county flows vs default
  // Typical (median) and worst relative differences of county-to-county and state-to-state
  // flows from the default order, |f - f0| / max(|f0|, 1) over the pairs either order has.
  FlowDifferences county_diff, state_diff;
  double seconds = 0;
};

struct SweepResult {
  std::vector<StageKind> default_order;
  std::vector<OrderResult> orders;
};

// Runs every order on a copy of problem.matrix (county flows are aggregated by GEOID prefix).
// `stages` gives the spec (stop rule, method) of each kind; the first order in `orders` is the
// default the others are compared with.
// `on_order` (optional) sees each order's result and final matrix as soon as it is done (to
// keep the matrix, to show progress).
using OrderObserver = std::function<void(size_t index, const OrderResult&, const CsrMatrix&)>;
SweepResult sweep_orders(Backend& backend, const Geography& geography, const YearProblem& problem,
                         const std::vector<StageSpec>& stages,
                         const std::vector<std::vector<StageKind>>& orders,
                         const OrderObserver& on_order = {});

// The per-order table of `flowfit run --sweep-orders` (docs/cli.md), written atomically: one row
// per (year, order) of `results`, the worst residual of every constraint family, the county and
// state flow differences from the default order, and the seconds.
void write_order_sweep_table(const std::filesystem::path& path,
                             const std::vector<std::pair<int, SweepResult>>& results);

// Residuals of every family's margins on a host matrix.
std::vector<FamilyResidual> family_residuals(const CsrMatrix& m, const YearProblem& problem);

}  // namespace flowfit::pipeline
