#pragma once
// Progress of a plan run on stderr: a redrawn bar with rate and ETA on a terminal, one plain log
// line per event otherwise (files, pipes, CI logs). Inside a long stage the bar follows its
// sweeps (redrawn at most 10 times a second, cut to the terminal width so that it redraws in
// place); log mode prints a stage's sweeps at most every 10 seconds.
#include <chrono>
#include <string>

#include "flowfit/pipeline/pipeline.hpp"
#include "tools/flowfit/cli_context.hpp"

namespace flowfit::cli {

enum class ProgressMode { automatic, bar, log, none };
ProgressMode progress_mode_from_string(const std::string& s);  // auto | bar | log | none

class ProgressDisplay {
 public:
  // steps_per_year: events a year emits when it runs (loading + one per stage + written).
  ProgressDisplay(const Console& console, ProgressMode mode, int steps_per_year);
  ~ProgressDisplay();
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  void on_event(const pipeline::ProgressEvent& e);
  // Ends the bar line (call before printing anything else).
  void finish();

 private:
  void draw(const pipeline::ProgressEvent& e, double fraction);
  void on_sweeps(const pipeline::ProgressEvent& e);

  ProgressMode mode_;
  int steps_per_year_;
  int current_year_index_ = -1;
  int steps_in_year_ = 0;
  bool bar_open_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_sweep_draw_{};
};

// The width to draw in: the terminal's columns, else $COLUMNS, else 80.
int terminal_width();
// `line` cut to at most `width` - 1 columns (ASCII), so that it never wraps.
std::string fit_to_width(std::string line, int width);
// "county_ipf 1200/3000 sweeps, L1 3.2e-05, ETA 4s" (+ ", fixed point at 850").
std::string describe_sweeps(const SweepProgress& p);

// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

}  // namespace flowfit::cli
