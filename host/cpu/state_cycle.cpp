#include "host/cpu/state_cycle.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include "flowfit/error.hpp"

namespace flowfit::cpu {
namespace {

bool same_bits(std::span<const double> a, std::span<const double> b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

}  // namespace

uint64_t state_hash(std::span<const double> state) {
  uint64_t h = 0;
  for (size_t i = 0; i < state.size(); ++i)
    h += state_hash_term(std::bit_cast<uint64_t>(state[i]), static_cast<int64_t>(i));
  return h;
}

StateCycleDetector::StateCycleDetector(int window)
    : hashes_(static_cast<size_t>(std::max(1, window)), 0),
      sweep_of_(static_cast<size_t>(std::max(1, window)), -1) {}

void StateCycleDetector::forget() {
  std::fill(sweep_of_.begin(), sweep_of_.end(), -1);
  cycle_.clear();
  candidate_ = 0;
}

void StateCycleDetector::start(uint64_t hash) {
  forget();
  done_ = start_ = period_ = 0;
  hashes_[0] = hash;
  sweep_of_[0] = 0;
}

void StateCycleDetector::record(std::span<const double> state, uint64_t hash,
                                const SweepFacts& facts) {
  if (found()) throw LogicError("internal: state recorded after its cycle was found");
  ++done_;
  if (!detect_) {
    forget();
    return;
  }
  const int64_t w = static_cast<int64_t>(hashes_.size());
  if (checking()) {
    const int64_t i = done_ - start_;
    if (i < candidate_) {
      cycle_.push_back(Snapshot{std::vector<double>(state.begin(), state.end()), facts});
    } else if (same_bits(state, cycle_[0].state)) {
      period_ = candidate_;  // the state after start_ + p is the state after start_
      return;
    } else {
      cycle_.clear();  // a hash collision: go on searching
      candidate_ = 0;
    }
  } else {
    // The most recent earlier sweep with the same hash gives the shortest candidate period.
    for (int64_t back = 1; back <= w && back <= done_; ++back) {
      const size_t slot = static_cast<size_t>((done_ - back) % w);
      if (sweep_of_[slot] == done_ - back && hashes_[slot] == hash) {
        start_ = done_;
        candidate_ = back;
        cycle_.push_back(Snapshot{std::vector<double>(state.begin(), state.end()), facts});
        break;
      }
    }
  }
  const size_t slot = static_cast<size_t>(done_ % w);
  hashes_[slot] = hash;
  sweep_of_[slot] = done_;
}

void StateCycleDetector::record_unhashed() {
  if (found()) throw LogicError("internal: state recorded after its cycle was found");
  ++done_;
  forget();
}

void StateCycleDetector::advance_to(int64_t t) {
  if (!found() || t < done_)
    throw LogicError("internal: cycle advanced without a cycle or backwards");
  done_ = t;
}

const StateCycleDetector::Snapshot& StateCycleDetector::snapshot(int64_t t) const {
  if (!found() || t < start_)
    throw LogicError("internal: state of sweep " + std::to_string(t) + " is not in a found cycle");
  return cycle_[static_cast<size_t>((t - start_) % period_)];
}

std::span<const double> StateCycleDetector::state_after(int64_t t) const {
  return snapshot(t).state;
}

const SweepFacts& StateCycleDetector::facts_after(int64_t t) const {
  return snapshot(t).facts;
}

}  // namespace flowfit::cpu
