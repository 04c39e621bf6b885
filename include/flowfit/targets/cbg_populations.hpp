#pragma once
// Stage N (SPEC.md): yearly CBG populations x2009..x2019 from the Census 2010 count and the ACS
// 5-year estimates 2010..2019, by NNLS on the 11 x 11 design B of MIGRATE's
// resolve_ACS(use_ACS_2010=True, use_NNLS=True). ACS year Y is the mean of x over
// max(2009, Y-4)..Y: the 2010/2011/2012 windows are truncated at 2009 and renormalised (quirk 8).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace flowfit::targets {

inline constexpr int kFirstPopulationYear = 2009;  // label of x[0] (hard-coded range(2009, 2020))
inline constexpr int kNumPopulationYears = 11;     // x2009..x2019
inline constexpr int kFirstAcs5Year = 2010;        // acs5_2010 .. acs5_2019
inline constexpr int kNumAcs5Years = 10;
inline constexpr int kNumObservations = 1 + kNumAcs5Years;  // census2010, acs5_2010..acs5_2019

// B, row-major 11 x 11: rows census2010, acs5_2010..acs5_2019; columns x2009..x2019.
std::array<double, kNumObservations * kNumPopulationYears> nnls_design_matrix();
// "census2010", "acs5_2010", ..., "acs5_2019"
std::vector<std::string> nnls_observation_names();

// Per CBG observations. acs5 is row-major N x 10 (acs5_2010..acs5_2019).
struct CbgPopulationInputs {
  std::string source;  // where the numbers came from (for messages)
  std::vector<std::string> geoids;
  std::vector<double> census2010;
  std::vector<double> acs5;

  int64_t size() const { return static_cast<int64_t>(geoids.size()); }
  // Throws InputError (naming the source, CBG and field) on inconsistent sizes or values that
  // are not finite.
  void validate() const;
};

// NNLS solution per CBG: values is row-major N x 11 (x2009..x2019).
struct YearlyPopulations {
  std::string source;  // the tables they were resolved from (for messages)
  std::vector<std::string> geoids;
  std::vector<double> values;

  int64_t size() const { return static_cast<int64_t>(geoids.size()); }
  static bool has_year(int year) {
    return year >= kFirstPopulationYear && year < kFirstPopulationYear + kNumPopulationYears;
  }
  // Throws ConfigError when the year is outside 2009..2019.
  double at(int64_t cbg, int year) const;
  std::vector<double> year_values(int year) const;  // one value per CBG
};

struct NnlsBatchStats {
  int64_t n_cbgs = 0;
  bool snap_noise = false;       // which solver: the denoised one (true) or the reference's
  int64_t n_unconstrained = 0;   // no year at 0 (denoised solver: B^-1 y >= 0, returned directly)
  int64_t n_constrained = 0;     // some year at its bound 0
  int64_t n_warm_start = 0;      // denoised solver only: the sign-guessed passive set was optimal
  int64_t n_with_zero_year = 0;  // at least one year exactly 0
  int64_t n_not_converged = 0;   // hit the iteration cap (never expected)
  int max_iterations = 0;        // Lawson–Hanson iterations (scipy's ITER), worst CBG
};

struct NnlsOptions {
  // false (default): the reference's Lawson–Hanson (LawsonHansonNnls). true: the denoised
  // NnlsSolver, which returns rounding-level components as exactly 0.
  bool snap_noise = false;
  // OpenMP threads of the batch (0: OpenMP's default). Results do not depend on it.
  int threads = 0;
};

// Solves every CBG independently (OpenMP, static schedule). The result does not depend on the
// number of threads: each CBG's arithmetic is the same sequential code.
YearlyPopulations resolve_yearly_populations(const CbgPopulationInputs& inputs,
                                             NnlsBatchStats* stats = nullptr,
                                             const NnlsOptions& options = {});

}  // namespace flowfit::targets
