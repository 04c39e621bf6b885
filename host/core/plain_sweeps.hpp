#pragma once
// The sweep loop of the engines that apply their margins one step at a time and measure a
// sweep's L1 change against a snapshot taken before it: the reference engine (on explicit cell
// values) and the naive engine (on the whole matrix). The OpenMP and CUDA engines fuse the
// measurement into their steps and keep loops of their own.
#include <optional>

#include "flowfit/backend.hpp"

namespace flowfit::detail {

// snapshot() returns the state before a measured sweep; step(k) applies margin k and returns its
// L1 change; l1_since(snapshot) the whole-sweep L1 change. Semantics of QuotientEngine::run_sweeps.
template <class Snapshot, class Step, class L1Since>
SweepReport plain_sweeps(size_t n_margins, int max_sweeps, std::optional<double> l1_stop,
                         bool measure_last, Snapshot&& snapshot, Step&& step, L1Since&& l1_since) {
  SweepReport rep;
  rep.last_step_l1.assign(n_margins, 0.0);
  for (int s = 0; s < max_sweeps; ++s) {
    const bool measure = l1_stop.has_value() || (measure_last && s == max_sweeps - 1);
    std::optional<decltype(snapshot())> start;
    if (measure) start.emplace(snapshot());
    for (size_t k = 0; k < n_margins; ++k) rep.last_step_l1[k] = step(k);
    ++rep.sweeps_run;
    rep.last_sweep_l1.reset();
    if (measure) {
      rep.last_sweep_l1 = l1_since(*start);
      if (l1_stop && *rep.last_sweep_l1 <= *l1_stop) {
        rep.stopped_on_l1 = true;
        break;
      }
    }
  }
  return rep;
}

}  // namespace flowfit::detail
