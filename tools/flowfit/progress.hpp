#pragma once
// Progress of a plan run on stderr: a redrawn bar with rate and ETA on a terminal, one plain log
// line per event otherwise (files, pipes, CI logs).
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

  ProgressMode mode_;
  int steps_per_year_;
  int current_year_index_ = -1;
  int steps_in_year_ = 0;
  bool bar_open_ = false;
  std::chrono::steady_clock::time_point start_;
};

// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

}  // namespace flowfit::cli
