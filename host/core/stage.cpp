// The rules of the stage options (flowfit/stage.hpp): the one place that says which values a
// stop rule and a stage accept. The engine, plans (code and TOML), the CLI and the Python
// bindings all check through these.
#include <cmath>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/stage.hpp"

namespace flowfit {
namespace {

// One check per value type of the option table.
struct CheckOption {
  std::string_view prefix;
  std::string key(const StageOptionKey& k) const {
    return std::string(prefix) + std::string(k.key);
  }
  void operator()(const StageOptionKey& k, int n) const { check_iteration_count(key(k), n); }
  void operator()(const StageOptionKey& k, double v) const { check_tolerance(key(k), v); }
  void operator()(const StageOptionKey& k, const std::optional<double>& v) const {
    if (v) check_tolerance(key(k), *v);
  }
  void operator()(const StageOptionKey& k, FitMethod m) const {
    if (m != FitMethod::quotient && m != FitMethod::naive)
      throw ConfigError(key(k), "expected 'quotient' or 'naive'");
  }
};

}  // namespace

void check_iteration_count(std::string_view key, int64_t n) {
  if (n < 1 || n > kMaxStageIterations)
    throw ConfigError(
        std::string(key),
        fmt::format("expected a positive integer (at most {}), got {}", kMaxStageIterations, n));
}

void check_tolerance(std::string_view key, double v) {
  if (!std::isfinite(v))
    throw ConfigError(std::string(key), fmt::format("expected a finite number >= 0, got {}", v));
  if (v < 0) throw ConfigError(std::string(key), fmt::format("expected a number >= 0, got {}", v));
}

void StopRule::validate(std::string_view key_prefix) const {
  for_each_stop_option(CheckOption{key_prefix}, *this);
}

void StageOptions::validate(std::string_view key_prefix) const {
  for_each_stage_option(CheckOption{key_prefix}, *this);
}

}  // namespace flowfit
