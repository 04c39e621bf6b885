#pragma once
// Recognises when an iteration's state repeats bit for bit. The iteration must be a
// deterministic function of its state; then, once the state after sweep s0 + p equals the state
// after sweep s0, the state after any sweep t >= s0 is the one after s0 + 1 + (t - s0 - 1) mod p.
// The tracker keeps the last `window` states (so it finds periods up to window - 1), a hash of
// each to make the search cheap, and the per-margin step L1 changes that came with each state.
#include <cstdint>
#include <span>
#include <vector>

namespace flowfit::cpu {

class StateCycleTracker {
 public:
  explicit StateCycleTracker(int window);

  // The state before the first sweep (sweep 0) and its step L1 changes (zeros).
  void start(std::span<const double> initial, const std::vector<double>& step_l1);
  // With detection off, states are still kept (the previous state gives a sweep's L1 change).
  void set_detect(bool on) { detect_ = on; }
  // The state after the next sweep; with detection on, looks for an equal earlier state.
  void record(std::span<const double> state, const std::vector<double>& step_l1);

  bool found() const { return period_ > 0; }
  int64_t sweeps_done() const { return done_; }
  int64_t cycle_start() const { return start_; }  // the first sweep whose state recurs
  int64_t period() const { return period_; }
  // Once found: the iteration is at sweep t (>= sweeps_done()) without computing.
  void advance_to(int64_t t);

  // The state after sweep t: t within the last `window` sweeps, or any t >= cycle_start().
  std::span<const double> state_after(int64_t t) const;
  const std::vector<double>& step_l1_after(int64_t t) const;

 private:
  struct Snapshot {
    int64_t sweep = -1;
    uint64_t hash = 0;
    std::vector<double> state;
    std::vector<double> step_l1;
  };
  const Snapshot& snapshot(int64_t t) const;

  std::vector<Snapshot> ring_;   // sweep t in slot t % window
  std::vector<Snapshot> cycle_;  // cycle_[i]: after sweep start_ + 1 + i
  bool detect_ = true;
  int64_t done_ = 0;
  int64_t start_ = 0;
  int64_t period_ = 0;
};

}  // namespace flowfit::cpu
