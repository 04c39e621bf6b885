#include "host/cpu/state_cycle.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "flowfit/error.hpp"

namespace flowfit::cpu {
namespace {

uint64_t hash_bits(std::span<const double> s) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  for (double x : s) {
    h = (h ^ std::bit_cast<uint64_t>(x)) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  return h;
}

bool same_bits(std::span<const double> a, std::span<const double> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

StateCycleTracker::StateCycleTracker(int window)
    : ring_(static_cast<size_t>(std::max(2, window))) {}

void StateCycleTracker::start(std::span<const double> initial, const std::vector<double>& step_l1) {
  for (Snapshot& s : ring_) s.sweep = -1;
  cycle_.clear();
  done_ = start_ = period_ = 0;
  Snapshot& s0 = ring_[0];
  s0.sweep = 0;
  s0.hash = hash_bits(initial);
  s0.state.assign(initial.begin(), initial.end());
  s0.step_l1 = step_l1;
}

void StateCycleTracker::record(std::span<const double> state, const std::vector<double>& step_l1) {
  if (found()) throw Error("internal: state recorded after its cycle was found");
  ++done_;
  const uint64_t h = hash_bits(state);
  const int64_t w = static_cast<int64_t>(ring_.size());
  int64_t earlier = -1;
  if (detect_)
    for (const Snapshot& s : ring_)
      if (s.sweep >= 0 && s.hash == h && same_bits(s.state, state)) earlier = s.sweep;
  // The oldest slot is reused: it is only needed when it starts the cycle, so the cycle is
  // copied out first.
  if (earlier >= 0) {
    start_ = earlier;
    period_ = done_ - earlier;
    cycle_.resize(static_cast<size_t>(period_));
    for (int64_t i = 0; i + 1 < period_; ++i) cycle_[i] = ring_[(earlier + 1 + i) % w];
    Snapshot& last = cycle_.back();
    last.sweep = done_;
    last.hash = h;
    last.state.assign(state.begin(), state.end());
    last.step_l1 = step_l1;
  }
  Snapshot& slot = ring_[static_cast<size_t>(done_ % w)];
  slot.sweep = done_;
  slot.hash = h;
  slot.state.assign(state.begin(), state.end());
  slot.step_l1 = step_l1;
}

void StateCycleTracker::advance_to(int64_t t) {
  if (!found() || t < done_) throw Error("internal: cycle advanced without a cycle or backwards");
  done_ = t;
}

const StateCycleTracker::Snapshot& StateCycleTracker::snapshot(int64_t t) const {
  if (found() && t >= start_) {
    const int64_t i = ((t - start_ - 1) % period_ + period_) % period_;
    return cycle_[static_cast<size_t>(i)];
  }
  const Snapshot& s = ring_[static_cast<size_t>(t % static_cast<int64_t>(ring_.size()))];
  if (t < 0 || s.sweep != t)
    throw Error("internal: state of sweep " + std::to_string(t) + " not kept");
  return s;
}

std::span<const double> StateCycleTracker::state_after(int64_t t) const {
  return snapshot(t).state;
}

const std::vector<double>& StateCycleTracker::step_l1_after(int64_t t) const {
  return snapshot(t).step_l1;
}

}  // namespace flowfit::cpu
