#include "flowfit/analysis/metrics.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "flowfit/error.hpp"

namespace flowfit::analysis {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

Agreement agreement(std::span<const double> truth, std::span<const double> estimate,
                    std::span<const double> weights) {
  if (truth.size() != estimate.size() || (!weights.empty() && weights.size() != truth.size()))
    throw ConfigError(
        "values", "cannot compare " + std::to_string(truth.size()) + " truth values with " +
                      std::to_string(estimate.size()) + " estimates" +
                      (weights.empty() ? std::string()
                                       : " and " + std::to_string(weights.size()) + " weights"));
  const bool weighted = !weights.empty();
  auto w = [&](size_t i) { return weighted ? weights[i] : 1.0; };
  Agreement a;
  double sw = 0, mx = 0, my = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    if (!(w(i) > 0)) continue;
    ++a.n;
    sw += w(i);
    mx += w(i) * truth[i];
    my += w(i) * estimate[i];
  }
  if (a.n == 0) {
    a.pearson = kNaN;
    a.rmse = kNaN;
    return a;
  }
  mx /= sw;
  my /= sw;
  double sxx = 0, syy = 0, sxy = 0, sdd = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    if (!(w(i) > 0)) continue;
    const double dx = truth[i] - mx, dy = estimate[i] - my, d = estimate[i] - truth[i];
    sxx += w(i) * dx * dx;
    syy += w(i) * dy * dy;
    sxy += w(i) * dx * dy;
    sdd += w(i) * d * d;
  }
  a.pearson = a.n >= 2 && sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : kNaN;
  a.rmse = std::sqrt(sdd / sw);
  return a;
}

double pearson(std::span<const double> x, std::span<const double> y) {
  return agreement(x, y).pearson;
}

double rmse(std::span<const double> x, std::span<const double> y) {
  return agreement(x, y).rmse;
}

double rmse_reduction(double rmse_raw, double rmse_harmonized) {
  return rmse_raw > 0 ? 100.0 * (1.0 - rmse_harmonized / rmse_raw) : kNaN;
}

void PairMoments::merge(const PairMoments& o) {
  n += o.n;
  sum_x += o.sum_x;
  sum_y += o.sum_y;
  sxx += o.sxx;
  syy += o.syy;
  sxy += o.sxy;
  sdd += o.sdd;
}

Agreement PairMoments::result() const {
  Agreement a;
  a.n = n;
  a.pearson = n >= 2 && sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : kNaN;
  a.rmse = n > 0 ? std::sqrt(sdd / static_cast<double>(n)) : kNaN;
  return a;
}

}  // namespace flowfit::analysis
