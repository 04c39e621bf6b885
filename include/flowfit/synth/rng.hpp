#pragma once
// Counter-based random streams for the synthetic generator. Every random decision is drawn from
// a stream keyed by (seed, purpose, index) -- e.g. (seed, truth row, CBG 1234) -- so the output
// does not depend on the number of threads or on the order in which rows are processed. The
// generator is xoshiro256** seeded by splitmix64; the distributions are written out here (not
// std::*_distribution, whose algorithms differ between standard libraries).
#include <cmath>
#include <cstdint>
#include <numbers>

namespace flowfit::synth {

// What a stream is used for; part of the stream key.
enum class Stream : uint64_t {
  truth_row = 1,       // destinations of CBG i's movers
  observe_row = 2,     // distortion of row i of the observed matrix
  cbg_growth = 3,      // per-CBG growth drift of the population trajectory
  county_effects = 4,  // per-county coverage
  state_effects = 5,   // per-state coverage
  row_budget = 6,      // rounding of the nonzero budget of row i
  cbg_noise = 7,       // ACS 5-year sampling noise of CBG i
  state_noise = 8,     // ACS 1-year sampling noise of state i (totals)
  flow_noise = 9,      // ACS 1-year sampling noise of state pair i
  cbg_movers = 10,     // per-CBG mover propensity
  cbg_coverage = 11,   // per-CBG coverage and mover detection of the observed data
  truth_jitter = 12,   // household-size jitter of the flows of row i
  // Not the generator: uncertainty replicates of the ACS tables (host/pipeline/replicates.cpp).
  replicate_totals = 13,  // ACS 1-yr state totals of state i
  replicate_flows = 14,   // ACS 1-yr state-to-state estimate of pair i
};

inline uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  Rng(uint64_t seed, Stream stream, uint64_t index) {
    uint64_t x = seed;
    uint64_t k = splitmix64(x) ^ (static_cast<uint64_t>(stream) * 0xD1B54A32D192ED03ull);
    k = splitmix64(k) ^ (index * 0x8CB92BA72F3D8DD7ull);
    for (auto& w : s_) w = splitmix64(k);
  }

  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in (0, 1].
  double uniform_open() { return (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53; }
  // Standard normal (Box-Muller; one value per call, the partner is discarded for simplicity).
  double normal() {
    const double r = std::sqrt(-2.0 * std::log(uniform_open()));
    return r * std::cos(2.0 * std::numbers::pi * uniform());
  }
  // exp(sigma z - sigma^2 / 2): lognormal with mean 1.
  double lognormal_mean1(double sigma) { return std::exp(sigma * normal() - 0.5 * sigma * sigma); }
  // True with probability p.
  bool bernoulli(double p) { return uniform() < p; }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace flowfit::synth
