#pragma once
// Recognises when an iteration's state repeats bit for bit, without copying the state every
// sweep. The iteration must be a deterministic function of its state. The engine hands over a
// 64-bit hash of the state after every sweep; the detector keeps the hashes of the last `window`
// sweeps. When the hash after sweep t equals the one after sweep t - p, the state after t is a
// candidate: the detector copies it and the next p - 1 states, and after sweep t + p compares the
// state with the copy bit for bit. Equal: the states after every sweep T >= t cycle with period p
// (the state after T is the copy of t + (T - t) mod p). Different (a hash collision): the
// candidate is dropped and the search goes on. The hash only triggers the check, so collisions
// cost time, never correctness.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace flowfit::cpu {

// What a sweep reports besides its state: the per-margin step L1 changes and the whole-sweep L1.
struct SweepFacts {
  std::vector<double> step_l1;
  double sweep_l1 = 0.0;
};

// The state hash the OpenMP engine uses: a sum (mod 2^64) of one term per position, so that any
// split of the positions between threads gives the same hash.
inline uint64_t state_hash_term(uint64_t bits, int64_t position) {
  uint64_t x =
      (bits ^ (static_cast<uint64_t>(position) * 0x9E3779B97F4A7C15ull)) * 0xBF58476D1CE4E5B9ull;
  return x ^ (x >> 31);
}
uint64_t state_hash(std::span<const double> state);

class StateCycleDetector {
 public:
  explicit StateCycleDetector(int window);

  // The state before the first sweep (sweep 0).
  void start(uint64_t hash);
  // With detection off, sweeps are only counted (and earlier hashes forgotten).
  void set_detect(bool on) { detect_ = on; }
  bool detecting() const { return detect_; }
  // The state after the next sweep, its hash and facts. Copies the state only while a candidate
  // is being checked.
  void record(std::span<const double> state, uint64_t hash, const SweepFacts& facts);
  // A sweep whose state was not hashed: counted, and the search starts afresh after it.
  void record_unhashed();

  bool found() const { return period_ > 0; }
  bool checking() const { return !cycle_.empty() && !found(); }
  int64_t sweeps_done() const { return done_; }
  int64_t cycle_start() const { return start_; }  // the first sweep whose state is shown to recur
  int64_t period() const { return period_; }
  // Once found: the iteration is at sweep t (>= sweeps_done()) without computing.
  void advance_to(int64_t t);

  // Once found, for any t >= cycle_start(): the state after sweep t and its facts.
  std::span<const double> state_after(int64_t t) const;
  const SweepFacts& facts_after(int64_t t) const;

 private:
  struct Snapshot {
    std::vector<double> state;
    SweepFacts facts;
  };
  const Snapshot& snapshot(int64_t t) const;
  void forget();

  std::vector<uint64_t> hashes_;   // hash after sweep t in slot t % window
  std::vector<int64_t> sweep_of_;  // which sweep each slot holds (-1: none)
  std::vector<Snapshot> cycle_;    // candidate / cycle: cycle_[i] is the state after start_ + i
  bool detect_ = true;
  int64_t done_ = 0;
  int64_t start_ = 0;      // the candidate (or the cycle's first) sweep
  int64_t candidate_ = 0;  // period being checked
  int64_t period_ = 0;
};

}  // namespace flowfit::cpu
