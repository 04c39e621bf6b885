#pragma once
// How the validation reports (evaluation.cpp, census_validation.cpp) print and serialise numbers
// and agreements: non-finite values as "–" in tables and null in JSON.
#include <cmath>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "flowfit/analysis/metrics.hpp"

namespace flowfit::analysis::detail {

inline std::string num(double v, const char* spec) {
  if (!std::isfinite(v)) return "–";
  return fmt::format(fmt::runtime(spec), v);
}

inline nlohmann::json json_number(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

inline nlohmann::json json_agreement(const Agreement& a) {
  return {{"n", a.n}, {"pearson", json_number(a.pearson)}, {"rmse", json_number(a.rmse)}};
}

}  // namespace flowfit::analysis::detail
