#include "tools/flowfit/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "flowfit/error.hpp"

namespace flowfit::cli {

ProgressMode progress_mode_from_string(const std::string& s) {
  if (s == "auto") return ProgressMode::automatic;
  if (s == "bar") return ProgressMode::bar;
  if (s == "log") return ProgressMode::log;
  if (s == "none") return ProgressMode::none;
  throw ConfigError("--progress", "expected auto, bar, log or none, got '" + s + "'");
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

int terminal_width() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS")) {
    const int n = std::atoi(c);
    if (n > 0) return n;
  }
  return 80;
}

std::string fit_to_width(std::string line, int width) {
  const size_t max = static_cast<size_t>(std::max(1, width - 1));
  if (line.size() > max) line.resize(max);
  return line;
}

std::string describe_sweeps(const SweepProgress& p) {
  std::string s = fmt::format("{} {}/{} sweeps", p.stage, p.sweeps_done, p.max_sweeps);
  if (p.l1_change) s += fmt::format(", L1 {:.3g}", *p.l1_change);
  if (p.sweeps_done > 0 && p.sweeps_done < p.max_sweeps)
    s += ", ETA " + format_duration(p.elapsed_s * (p.max_sweeps - p.sweeps_done) / p.sweeps_done);
  if (p.fixed_point) s += fmt::format(", fixed point at {}", *p.fixed_point);
  return s;
}

ProgressDisplay::ProgressDisplay(const Console& console, ProgressMode mode, int steps_per_year)
    : mode_(mode),
      steps_per_year_(std::max(1, steps_per_year)),
      start_(std::chrono::steady_clock::now()) {
  if (console.quiet) mode_ = ProgressMode::none;
  if (mode_ == ProgressMode::automatic)
    mode_ = ::isatty(STDERR_FILENO) ? ProgressMode::bar : ProgressMode::log;
}

ProgressDisplay::~ProgressDisplay() {
  finish();
}

void ProgressDisplay::on_event(const pipeline::ProgressEvent& e) {
  if (mode_ == ProgressMode::none) return;
  if (e.sweeps) {
    on_sweeps(e);
    return;
  }
  if (e.year_index != current_year_index_) {
    current_year_index_ = e.year_index;
    steps_in_year_ = 0;
  }
  const bool year_done = e.what.rfind("resumed", 0) == 0 || e.what.rfind("written", 0) == 0;
  steps_in_year_ = year_done ? steps_per_year_ : std::min(steps_in_year_ + 1, steps_per_year_ - 1);
  const double fraction = (e.year_index + static_cast<double>(steps_in_year_) / steps_per_year_) /
                          std::max(1, e.n_years);
  draw(e, std::clamp(fraction, 0.0, 1.0));
}

// Within a stage: the bar moves through the stage's share of the year, at a bounded rate.
void ProgressDisplay::on_sweeps(const pipeline::ProgressEvent& e) {
  const auto now = std::chrono::steady_clock::now();
  const bool last = e.sweeps->sweeps_done >= e.sweeps->max_sweeps;
  const auto min_gap =
      mode_ == ProgressMode::log ? std::chrono::seconds(10) : std::chrono::milliseconds(100);
  if (!last && now - last_sweep_draw_ < min_gap) return;
  // Log mode: nothing for short stages, and no line for the end (the "stage ... done" follows).
  if (mode_ == ProgressMode::log && (last || e.sweeps->elapsed_s < 10)) return;
  last_sweep_draw_ = now;
  if (e.year_index != current_year_index_) {
    current_year_index_ = e.year_index;
    steps_in_year_ = 0;
  }
  const double in_stage =
      static_cast<double>(e.sweeps->sweeps_done) / std::max(1, e.sweeps->max_sweeps);
  const double fraction =
      (e.year_index + (steps_in_year_ + std::clamp(in_stage, 0.0, 1.0)) / steps_per_year_) /
      std::max(1, e.n_years);
  pipeline::ProgressEvent shown = e;
  shown.what = describe_sweeps(*e.sweeps);
  draw(shown, std::clamp(fraction, 0.0, 1.0));
}

void ProgressDisplay::draw(const pipeline::ProgressEvent& e, double fraction) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (mode_ == ProgressMode::log) {
    std::cerr << fmt::format("flowfit: [{}/{}] {}: {} ({} elapsed)\n", e.year_index + 1, e.n_years,
                             e.year, e.what, format_duration(elapsed));
    return;
  }
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(std::floor(fraction * kWidth));
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < kWidth) bar += '>';
  bar.resize(kWidth, ' ');
  const double years_done = fraction * e.n_years;
  std::string rate = "-", eta = "-";
  if (elapsed > 0 && years_done > 0) {
    rate = fmt::format("{:.2f} years/min", years_done / elapsed * 60.0);
    eta = format_duration(elapsed * (1.0 - fraction) / fraction);
  }
  // \r and "erase to end of line" redraw the bar in place; a line longer than the terminal
  // would wrap, and \r would then return only to its last row, so it is cut to the width. The
  // fixed-size fields come first, so that a cut shortens the description, never rate or ETA.
  const std::string line =
      fmt::format("[{}] {:3.0f}%  {}  ETA {}  year {} ({}/{}): {}", bar, 100.0 * fraction, rate,
                  eta, e.year, e.year_index + 1, e.n_years, e.what);
  std::cerr << '\r' << fit_to_width(line, terminal_width()) << "\x1b[K" << std::flush;
  bar_open_ = true;
}

void ProgressDisplay::finish() {
  if (bar_open_) std::cerr << '\n';
  bar_open_ = false;
}

}  // namespace flowfit::cli
