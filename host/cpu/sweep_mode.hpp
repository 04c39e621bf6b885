#pragma once
// Serial or parallel sweeps, chosen by measured speed. A quotient engine whose serial and
// parallel sweeps give the same bits (the OpenMP engine's do) can switch between them at any
// sweep without changing its results, so the choice may follow the machine: on idle cores the
// parallel sweeps win; on a shared machine, where a preempted worker stalls every barrier (and
// spinning waits burn the competitors' time), the serial sweeps win. Nothing here affects what is
// computed, only how fast.
//
// The chooser measures each mode on a short probe, then runs the faster one in chunks, updating
// its rate after every chunk: when the machine gets busier and the running mode's rate falls
// below the other mode's last rate, it switches. The losing mode is probed again after a run of
// sweeps that doubles each time it loses (so a busy machine pays for few probes).
#include <algorithm>
#include <array>

namespace flowfit::cpu {

enum class SweepMode { serial = 0, parallel = 1 };

// How an engine picks its mode: by measurement, or always one (tests and benchmarks).
enum class SweepModePolicy { adaptive, serial, parallel };

class SweepModeChooser {
 public:
  static constexpr int kProbeSweeps = 4;     // sweeps of a probe
  static constexpr int kChunkSweeps = 32;    // sweeps between rate updates of the running mode
  static constexpr int kFirstReprobe = 256;  // sweeps before the losing mode is probed again
  static constexpr int kLastReprobe = 8192;

  struct Step {
    SweepMode mode;
    int sweeps;  // at most this many, then record() and ask again
  };

  // The mode and length of the next run of sweeps, `remaining` > 0 sweeps being left.
  Step next(int remaining) const {
    for (SweepMode m : {SweepMode::serial, SweepMode::parallel})
      if (rate(m) < 0) return {m, std::min(remaining, kProbeSweeps)};
    const SweepMode win = winner();
    if (since_probe_ >= reprobe_every_) return {other(win), std::min(remaining, kProbeSweeps)};
    return {win, std::min({remaining, kChunkSweeps, reprobe_every_ - since_probe_})};
  }

  // `sweeps` sweeps in `mode` took `seconds` of wall time.
  void record(SweepMode mode, int sweeps, double seconds) {
    if (sweeps <= 0) return;
    const bool probe_of_loser =
        rate(SweepMode::serial) >= 0 && rate(SweepMode::parallel) >= 0 && mode != winner();
    rate_[index(mode)] = std::max(seconds, 0.0) / sweeps;
    if (probe_of_loser) {
      since_probe_ = 0;
      // Still losing: wait twice as long before the next probe; winning now: it runs.
      reprobe_every_ =
          winner() == mode ? kFirstReprobe : std::min(2 * reprobe_every_, kLastReprobe);
    } else {
      since_probe_ += sweeps;
    }
  }

  double rate(SweepMode m) const { return rate_[index(m)]; }  // seconds per sweep, -1: unknown
  SweepMode winner() const {
    return rate(SweepMode::parallel) < rate(SweepMode::serial) ? SweepMode::parallel
                                                               : SweepMode::serial;
  }

 private:
  static int index(SweepMode m) { return static_cast<int>(m); }
  static SweepMode other(SweepMode m) {
    return m == SweepMode::serial ? SweepMode::parallel : SweepMode::serial;
  }

  std::array<double, 2> rate_ = {-1.0, -1.0};
  int since_probe_ = 0;
  int reprobe_every_ = kFirstReprobe;
};

}  // namespace flowfit::cpu
