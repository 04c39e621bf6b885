#pragma once
// Agreement between an estimate and the truth: Pearson correlation and root-mean-square error,
// optionally weighted (population weights for rates), and the RMSE reduction the paper reports,
// 100 (1 - RMSE_harmonized / RMSE_raw). Sums run in index order (deterministic).
#include <cstdint>
#include <span>

namespace flowfit::analysis {

struct Agreement {
  int64_t n = 0;       // compared values (with a positive weight, when weighted)
  double pearson = 0;  // NaN when either side is constant or n < 2
  double rmse = 0;
};

// Unweighted when `weights` is empty; otherwise weighted Pearson (weighted means, covariance and
// variances) and weighted RMSE sqrt(sum w (x - y)^2 / sum w). Values with weight <= 0 are
// skipped. Throws ConfigError("values") when the spans differ in length.
Agreement agreement(std::span<const double> truth, std::span<const double> estimate,
                    std::span<const double> weights = {});

double pearson(std::span<const double> x, std::span<const double> y);
double rmse(std::span<const double> x, std::span<const double> y);

// 100 (1 - rmse_harmonized / rmse_raw); NaN when rmse_raw is 0.
double rmse_reduction(double rmse_raw, double rmse_harmonized);

// Streaming moments of (truth, estimate) pairs, for comparisons too large to hold as vectors.
// Feed the pairs once to compute means (pass 1), then again to accumulate centred moments
// (pass 2); merge() combines partial accumulators of the same pass in a fixed order.
struct PairMoments {
  int64_t n = 0;
  double sum_x = 0, sum_y = 0;  // pass 1
  double sxx = 0, syy = 0, sxy = 0,
         sdd = 0;  // pass 2, centred on the pass-1 means; sdd = sum (y-x)^2
  void add_pass1(double x, double y) {
    ++n;
    sum_x += x;
    sum_y += y;
  }
  void add_pass2(double x, double y, double mean_x, double mean_y) {
    const double dx = x - mean_x, dy = y - mean_y;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
    sdd += (y - x) * (y - x);
  }
  void merge(const PairMoments& o);
  Agreement result() const;
};

}  // namespace flowfit::analysis
