#include "flowfit/targets/nnls.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "flowfit/error.hpp"

namespace flowfit::targets {
namespace {

constexpr int kLd = kNnlsMaxDim;  // leading dimension of the column-major work matrices
constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kSnapUlps = 4.0;  // |x_j| <= kSnapUlps * n * eps * max|x| is rounding noise

// In-place Householder QR of the m x k column-major matrix `q` (leading dimension kLd): R on and
// above the diagonal, the reflector vectors (implicit leading 1) below it. Returns min |R_cc|
// (0 for a zero column) so that callers can test the rank against their own tolerance.
double householder_qr(int m, int k, double* q, double* tau) {
  double min_diag = std::numeric_limits<double>::infinity();
  for (int c = 0; c < k; ++c) {
    double* col = q + c * kLd;
    double norm2 = 0.0;
    for (int i = c; i < m; ++i) norm2 += col[i] * col[i];
    const double norm = std::sqrt(norm2);
    if (norm == 0.0) {
      tau[c] = 0.0;
      min_diag = 0.0;
      continue;
    }
    const double alpha = col[c];
    const double beta = alpha >= 0.0 ? -norm : norm;
    const double scale = 1.0 / (alpha - beta);
    for (int i = c + 1; i < m; ++i) col[i] *= scale;
    tau[c] = (beta - alpha) / beta;
    col[c] = beta;
    min_diag = std::fmin(min_diag, norm);
    for (int d = c + 1; d < k; ++d) {
      double* cd = q + d * kLd;
      double dot = cd[c];
      for (int i = c + 1; i < m; ++i) dot += col[i] * cd[i];
      dot *= tau[c];
      cd[c] -= dot;
      for (int i = c + 1; i < m; ++i) cd[i] -= dot * col[i];
    }
  }
  return min_diag;
}

// y <- Q^T y for the reflectors stored in q/tau (k of them), then solve R z = (Q^T y)[0:k].
void qr_least_squares(int m, int k, const double* q, const double* tau, double* y, double* z) {
  for (int c = 0; c < k; ++c) {
    const double* col = q + c * kLd;
    double dot = y[c];
    for (int i = c + 1; i < m; ++i) dot += col[i] * y[i];
    dot *= tau[c];
    y[c] -= dot;
    for (int i = c + 1; i < m; ++i) y[i] -= dot * col[i];
  }
  for (int c = k - 1; c >= 0; --c) {
    double s = y[c];
    for (int d = c + 1; d < k; ++d) s -= q[d * kLd + c] * z[d];
    z[c] = s / q[c * kLd + c];
  }
}

// Error-free transformations (Knuth TwoSum, Dekker/Veltkamp TwoProduct). The FMA form and the
// split form both return the exact rounding error, so results do not depend on the FMA.
inline void two_sum(double a, double b, double& s, double& e) {
  s = a + b;
  const double bb = s - a;
  e = (a - (s - bb)) + (b - bb);
}

inline void two_prod(double a, double b, double& p, double& e) {
  p = a * b;
#ifdef FP_FAST_FMA
  e = std::fma(a, b, -p);
#else
  constexpr double kSplit = 134217729.0;  // 2^27 + 1
  double c = kSplit * a;
  const double ah = c - (c - a);
  const double al = a - ah;
  c = kSplit * b;
  const double bh = c - (c - b);
  const double bl = b - bh;
  e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
#endif
}

}  // namespace

NnlsSolver::NnlsSolver(int m, int n, std::span<const double> a) : m_(m), n_(n) {
  if (n < 1 || m < n || m > kNnlsMaxDim)
    throw ConfigError("nnls", "need 1 <= n <= m <= " + std::to_string(kNnlsMaxDim) +
                                  ", got m=" + std::to_string(m) + " n=" + std::to_string(n));
  if (static_cast<int64_t>(a.size()) != int64_t{m} * n)
    throw ConfigError("nnls", "design matrix has " + std::to_string(a.size()) +
                                  " entries, expected m*n = " + std::to_string(m * n));
  double f2 = 0.0;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      const double v = a[i * n + j];
      if (!std::isfinite(v))
        throw ConfigError("nnls", "design matrix entry (" + std::to_string(i) + ", " +
                                      std::to_string(j) + ") is not finite");
      a_[i * n + j] = v;
      f2 += v * v;
    }
  a_frobenius_ = std::sqrt(f2);
  Mat qr{};
  Vec tau{};
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) qr[j * kLd + i] = a_[i * n + j];
  const double min_diag = householder_qr(m, n, qr.data(), tau.data());
  if (!(min_diag > 4.0 * n * kEps * a_frobenius_))
    throw ConfigError("nnls", "design matrix does not have full column rank");
  // Pseudo-inverse (A^-1 when square), column by column from the QR: the unconstrained solution
  // is then one matrix-vector product, and its refinement another.
  for (int i = 0; i < m; ++i) {
    Vec e{};
    Vec col{};
    e[i] = 1.0;
    qr_least_squares(m, n, qr.data(), tau.data(), e.data(), col.data());
    for (int j = 0; j < n; ++j) pinv_[j * m + i] = col[j];
  }
  int nz = 0;
  for (int i = 0; i < m; ++i) {
    nz_begin_[i] = nz;
    for (int j = 0; j < n; ++j)
      if (a_[i * n + j] != 0.0) {
        nz_col_[nz] = j;
        nz_val_[nz] = a_[i * n + j];
        ++nz;
      }
  }
  nz_begin_[m] = nz;
}

void NnlsSolver::solve_subset(const std::array<bool, kNnlsMaxDim>& passive, const double* y, Vec& z,
                              bool refine) const {
  Mat q;
  Vec tau;
  Vec rhs;
  Vec zp;
  std::array<int, kNnlsMaxDim> idx;
  int k = 0;
  for (int j = 0; j < n_; ++j) {
    if (!passive[j]) continue;
    idx[k] = j;
    for (int i = 0; i < m_; ++i) q[k * kLd + i] = a_[i * n_ + j];
    ++k;
  }
  for (int i = 0; i < m_; ++i) rhs[i] = y[i];
  householder_qr(m_, k, q.data(), tau.data());
  qr_least_squares(m_, k, q.data(), tau.data(), rhs.data(), zp.data());
  for (int j = 0; j < n_; ++j) z[j] = 0.0;
  for (int c = 0; c < k; ++c) z[idx[c]] = zp[c];
  if (!refine) return;
  // One step of iterative refinement with the same factors and an accurate residual.
  Vec r;
  residual(y, z, r);
  qr_least_squares(m_, k, q.data(), tau.data(), r.data(), zp.data());
  for (int c = 0; c < k; ++c) z[idx[c]] += zp[c];
}

void NnlsSolver::residual(const double* y, const Vec& z, Vec& r) const {
  for (int i = 0; i < m_; ++i) {
    double hi = y[i];
    double lo = 0.0;
    for (int k = nz_begin_[i]; k < nz_begin_[i + 1]; ++k) {
      double p, pe, s, se;
      two_prod(nz_val_[k], z[nz_col_[k]], p, pe);
      two_sum(hi, -p, s, se);
      hi = s;
      lo += se - pe;
    }
    r[i] = hi + lo;
  }
}

void NnlsSolver::unconstrained_solution(const double* y, double* x) const {
  Vec sol;
  Vec r;
  for (int j = 0; j < n_; ++j) {
    double s = 0.0;
    for (int i = 0; i < m_; ++i) s += pinv_[j * m_ + i] * y[i];
    sol[j] = s;
  }
  residual(y, sol, r);
  for (int j = 0; j < n_; ++j) {
    double s = 0.0;
    for (int i = 0; i < m_; ++i) s += pinv_[j * m_ + i] * r[i];
    x[j] = sol[j] + s;
  }
}

NnlsOutcome NnlsSolver::solve(std::span<const double> y, std::span<double> x) const {
  if (static_cast<int>(y.size()) != m_ || static_cast<int>(x.size()) != n_)
    throw ConfigError("nnls", "solve: y must have " + std::to_string(m_) + " and x " +
                                  std::to_string(n_) + " entries");
  double y2 = 0.0;
  for (int i = 0; i < m_; ++i) {
    if (!std::isfinite(y[i]))
      throw ConfigError("nnls", "observation " + std::to_string(i) + " is not finite");
    y2 += y[i] * y[i];
  }
  NnlsOutcome out;
  // Values within rounding of 0 (relative to the largest component) are set to exactly 0, as a
  // bound at 0 is an exact 0 in the reference: a zero population leaves its row unchanged under
  // the ratio rule, a 1e-30 one would not.
  auto noise_level = [&](const Vec& v) {
    double vmax = 0.0;
    for (int j = 0; j < n_; ++j) vmax = std::fmax(vmax, std::abs(v[j]));
    return kSnapUlps * n_ * kEps * vmax;
  };
  auto finish = [&](const Vec& v) {
    const double snap = noise_level(v);
    for (int j = 0; j < n_; ++j) {
      x[j] = std::abs(v[j]) <= snap ? 0.0 : v[j];
      out.n_zero += x[j] == 0.0;
    }
    return out;
  };

  // Unconstrained solution, refined once; if it is feasible it is the unique NNLS solution.
  Vec sol;
  unconstrained_solution(y.data(), sol.data());
  bool feasible = true;
  const double snap = noise_level(sol);
  for (int j = 0; j < n_; ++j) feasible = feasible && sol[j] >= -snap;
  if (feasible) {
    out.unconstrained = true;
    return finish(sol);
  }

  const double tol = n_ * kEps * a_frobenius_ * std::sqrt(y2);
  const int max_outer = 3 * n_;
  Vec xv{};
  Vec z{};
  Vec w{};
  std::array<bool, kNnlsMaxDim> passive{};
  std::array<bool, kNnlsMaxDim> blocked{};
  auto gradient = [&] {  // w = A^T (y - A x), with an accurate residual
    Vec r;
    residual(y.data(), xv, r);
    for (int j = 0; j < n_; ++j) {
      double s = 0.0;
      for (int i = 0; i < m_; ++i) s += a_[i * n_ + j] * r[i];
      w[j] = s;
    }
    blocked.fill(false);
  };
  // Warm start: guess the passive set from the signs of the unconstrained solution. If the
  // least-squares solution on it is positive and the KKT conditions hold, it is the solution.
  bool done = false;
  for (int j = 0; j < n_; ++j) passive[j] = sol[j] > snap;
  solve_subset(passive, y.data(), z, /*refine=*/true);
  bool positive = true;
  for (int j = 0; j < n_; ++j) positive = positive && (!passive[j] || z[j] > 0.0);
  if (positive) {
    for (int j = 0; j < n_; ++j) xv[j] = passive[j] ? z[j] : 0.0;
    gradient();
    done = true;
    for (int j = 0; j < n_; ++j) done = done && (passive[j] || w[j] <= tol);
  }
  if (done) {
    out.warm_start = true;
  } else {  // Lawson–Hanson from x = 0
    passive.fill(false);
    xv.fill(0.0);
    gradient();
  }
  while (!done) {
    int t = -1;
    double wmax = tol;
    for (int j = 0; j < n_; ++j)
      if (!passive[j] && !blocked[j] && w[j] > wmax) {
        wmax = w[j];
        t = j;
      }
    if (t < 0) break;
    if (out.iterations >= max_outer) {
      out.converged = false;
      break;
    }
    ++out.iterations;
    passive[t] = true;
    solve_subset(passive, y.data(), z);
    if (!(z[t] > 0.0)) {  // rounding noise: the new variable does not want to be positive
      passive[t] = false;
      blocked[t] = true;
      continue;
    }
    for (int inner = 0;; ++inner) {
      bool ok = true;
      for (int j = 0; j < n_; ++j) ok = ok && (!passive[j] || z[j] > 0.0);
      if (ok) break;
      if (inner >= max_outer) {
        out.converged = false;
        break;
      }
      // Step from x towards z until the first passive variable reaches 0.
      double alpha = std::numeric_limits<double>::infinity();
      int jmin = -1;
      for (int j = 0; j < n_; ++j) {
        if (!passive[j] || z[j] > 0.0) continue;
        const double den = xv[j] - z[j];
        const double r = den > 0.0 ? xv[j] / den : 0.0;
        if (r < alpha) {
          alpha = r;
          jmin = j;
        }
      }
      for (int j = 0; j < n_; ++j)
        if (passive[j]) xv[j] += alpha * (z[j] - xv[j]);
      xv[jmin] = 0.0;
      passive[jmin] = false;
      for (int j = 0; j < n_; ++j)
        if (passive[j] && xv[j] <= 0.0) {
          xv[j] = 0.0;
          passive[j] = false;
        }
      solve_subset(passive, y.data(), z);
    }
    for (int j = 0; j < n_; ++j) xv[j] = passive[j] ? std::fmax(z[j], 0.0) : 0.0;
    if (!out.converged) break;
    gradient();
  }
  if (!out.warm_start) {  // the final least-squares solution on the passive set, refined
    solve_subset(passive, y.data(), z, /*refine=*/true);
    for (int j = 0; j < n_; ++j) xv[j] = passive[j] ? std::fmax(z[j], 0.0) : 0.0;
  }
  return finish(xv);
}

}  // namespace flowfit::targets
