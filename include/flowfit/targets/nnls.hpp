#pragma once
// Non-negative least squares for small dense problems (the yearly CBG populations, SPEC stage N).
// Two solvers:
//  * LawsonHansonNnls (the default everywhere): the reference's solver, SciPy 1.10's
//    scipy.optimize.nnls (Lawson & Hanson's Fortran NNLS), operation for operation. It returns
//    the same variables at 0 as the reference, and keeps tiny positive values (1e-16..1e-12) that
//    are rounding noise but that the stage-1 zero-target rule treats differently from 0.
//  * NnlsSolver (plan key nnls.snap_noise = true): a denoised solver that snaps components within
//    rounding of 0 to exactly 0. Not faithful to the reference; see below.
//
// NnlsSolver: Lawson–Hanson active-set non-negative least squares:
//   minimise ||A x - y||_2 subject to x >= 0,  A is m x n (n <= m <= kNnlsMaxDim), full column
//   rank.
// Deterministic float64 arithmetic with no allocation per solve. When the unconstrained solution
// (pseudo-inverse from a Householder QR of A, computed once) is already >= 0 it is returned
// directly. Otherwise the passive set {j : unconstrained x_j > 0} is tried (accepted only if the
// KKT conditions hold), and failing that the classic Lawson–Hanson iteration (as in
// scipy.optimize.nnls) starts from x = 0. With full column rank the solution is unique, so any
// correct solver agrees with scipy up to rounding. The final least-squares solution gets one step
// of iterative refinement with the residual y - A x computed in double-double (error-free
// transformations: identical results with or without FMA), so small components of large solutions
// are accurate to a few ulps of themselves. Components within 4 n eps max|x| of 0 are returned as
// exactly 0: a bound at 0 is an exact 0 in scipy too, and the ratio rule treats 0 and 1e-30
// targets differently.
#include <array>
#include <memory>
#include <span>

namespace flowfit::targets {

inline constexpr int kNnlsMaxDim = 16;

struct NnlsOutcome {
  bool unconstrained = false;  // the unconstrained solution was >= 0 and was returned
  bool fast_path = false;      // LawsonHansonNnls: returned by the fast path
  bool warm_start = false;     // the passive set {j : unconstrained x_j > 0} satisfied the KKT
                               // conditions (no Lawson–Hanson iterations needed)
  bool converged = true;       // false only if the iteration cap (3n outer steps) was hit
  int iterations = 0;          // Lawson–Hanson outer iterations (0 on the unconstrained path)
  int n_zero = 0;              // components of x that are exactly 0
};

// SciPy 1.10 scipy.optimize.nnls, reproduced: same arithmetic in the same order (no FMA), so
// the same zero pattern and, on x86-64, the same bits. 1 <= m, n <= kNnlsMaxDim.
//
// Fast path (default on): when the refined unconstrained solution A^+ y is positive with a wide
// margin (every component > kNnlsFastPathMargin * max component), it is returned directly.
// scipy's iteration then necessarily ends with every variable positive (its KKT test cannot
// hold with a variable at 0 that far from the bound), so the zero pattern is the same (none);
// the values agree with scipy's to rounding (cond(B) = 19 for the population design: ~1e-13
// relative to the largest component, < 1e-10 relative to any component). Rows near the bound,
// where scipy's tiny positive values or exact zeros matter, always take the exact path.
inline constexpr double kNnlsFastPathMargin = 1e-3;

class NnlsSolver;

class LawsonHansonNnls {
 public:
  // `a` is m x n, row-major. max_iterations <= 0: scipy's default 3 n. fast_path = false runs
  // scipy's algorithm on every row (bit-identical to scipy everywhere, ~4x slower).
  LawsonHansonNnls(int m, int n, std::span<const double> a, int max_iterations = -1,
                   bool fast_path = true);
  ~LawsonHansonNnls();
  LawsonHansonNnls(const LawsonHansonNnls&) = delete;
  LawsonHansonNnls& operator=(const LawsonHansonNnls&) = delete;
  int rows() const { return m_; }
  int cols() const { return n_; }
  // y has m entries, x receives n entries. converged = false where scipy raises "too many
  // iterations". `unconstrained` is set when no component is 0; `iterations` counts scipy's
  // ITER. Thread-safe (const).
  NnlsOutcome solve(std::span<const double> y, std::span<double> x) const;

 private:
  int m_ = 0;
  int n_ = 0;
  int max_iterations_ = 0;
  std::array<double, kNnlsMaxDim * kNnlsMaxDim> a_col_{};  // A, column-major
  std::unique_ptr<NnlsSolver> fast_;  // the unconstrained solution (null: no fast path)
};

class NnlsSolver {
 public:
  // `a` is m x n, row-major. Throws ConfigError on bad sizes, non-finite entries or when A does
  // not have full column rank.
  NnlsSolver(int m, int n, std::span<const double> a);

  int rows() const { return m_; }
  int cols() const { return n_; }

  // y has m entries, x receives n entries. Not finite y -> ConfigError. Thread-safe (const).
  NnlsOutcome solve(std::span<const double> y, std::span<double> x) const;
  // The unconstrained least-squares solution A^+ y, with one step of iterative refinement
  // (accurate to a few ulps of each component). x receives n entries.
  void unconstrained_solution(const double* y, double* x) const;

 private:
  using Mat = std::array<double, kNnlsMaxDim * kNnlsMaxDim>;
  using Vec = std::array<double, kNnlsMaxDim>;

  // Least squares on the columns flagged in `passive` (which must be linearly independent):
  // z[j] for passive j, z[j] = 0 otherwise. `refine`: one step of iterative refinement.
  void solve_subset(const std::array<bool, kNnlsMaxDim>& passive, const double* y, Vec& z,
                    bool refine = false) const;
  // r = y - A z, accurately (double-double accumulation, rounded once).
  void residual(const double* y, const Vec& z, Vec& r) const;

  int m_ = 0;
  int n_ = 0;
  Mat a_{};     // A, row-major m x n
  Mat pinv_{};  // pseudo-inverse of A, n x m row-major (from its Householder QR)
  double a_frobenius_ = 0.0;
  // Nonzeros of A by row, for the residual: row i holds nz_col_/nz_val_[nz_begin_[i],
  // nz_begin_[i+1]).
  std::array<int, kNnlsMaxDim + 1> nz_begin_{};
  std::array<int, kNnlsMaxDim * kNnlsMaxDim> nz_col_{};
  Mat nz_val_{};
};

}  // namespace flowfit::targets
