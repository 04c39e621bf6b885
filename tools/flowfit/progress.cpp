#include "tools/flowfit/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
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
  // \r and "erase to end of line" redraw the bar in place.
  std::cerr << fmt::format("\r[{}] {:3.0f}%  year {} ({}/{}): {}  {}  ETA {}\x1b[K", bar,
                           100.0 * fraction, e.year, e.year_index + 1, e.n_years, e.what, rate, eta)
            << std::flush;
  bar_open_ = true;
}

void ProgressDisplay::finish() {
  if (bar_open_) std::cerr << '\n';
  bar_open_ = false;
}

}  // namespace flowfit::cli
