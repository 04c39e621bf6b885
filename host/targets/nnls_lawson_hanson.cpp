// The reference's NNLS: SciPy 1.10's scipy.optimize.nnls, which calls Lawson & Hanson's Fortran
// routine NNLS (1974, revised 1995) with maxiter = 3 n. This is an independent C++ rendering of
// that algorithm that performs the same floating-point operations in the same order (Householder
// constructions and applications H12, Givens rotations G1/G2, the triangular solve, the dual
// vector w, the "sufficiently independent column" test with factor 0.01, the ztest > 0 and
// zz <= 0 tests and the alpha step of the inner loop). Compiled without FMA contraction (see
// CMakeLists.txt), it reproduces scipy's results bit for bit on x86-64, and in particular the
// exact set of variables left at 0: the stage-1 zero-target rule depends on it.
#include <cmath>
#include <limits>
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/targets/nnls.hpp"

namespace flowfit::targets {
namespace {

constexpr int kMax = kNnlsMaxDim;

// Column-major m x n work matrix and vectors, indexed from 1 like the published algorithm so
// that every loop bound reads as in the book.
struct Work {
  int m = 0;
  int n = 0;
  double a[kMax * kMax];
  double b[kMax + 1];
  double x[kMax + 1];
  double w[kMax + 1];
  double zz[kMax + 1];
  int index[kMax + 1];
  double& A(int l, int j) { return a[(j - 1) * m + (l - 1)]; }
};

// Householder construction (H1): transforms u(lpivot), zeroing u(l1..m) implicitly. `u` is
// 1-based with unit stride. Returns false when nothing was done (then `up` is untouched).
void h1(int lpivot, int l1, int m, double* u, double& up) {
  if (lpivot <= 0 || lpivot >= l1 || l1 > m) return;
  double cl = std::abs(u[lpivot]);
  for (int j = l1; j <= m; ++j) cl = std::fmax(std::abs(u[j]), cl);
  if (cl <= 0.0) return;
  const double clinv = 1.0 / cl;
  double t = u[lpivot] * clinv;
  double sm = t * t;
  for (int j = l1; j <= m; ++j) {
    t = u[j] * clinv;
    sm = sm + t * t;
  }
  cl = cl * std::sqrt(sm);
  if (u[lpivot] > 0.0) cl = -cl;
  up = u[lpivot] - cl;
  u[lpivot] = cl;
}

// Householder application (H2) to one vector c (1-based, unit stride).
void h2(int lpivot, int l1, int m, const double* u, double up, double* c) {
  if (lpivot <= 0 || lpivot >= l1 || l1 > m) return;
  if (std::abs(u[lpivot]) <= 0.0) return;
  double b = up * u[lpivot];
  if (b >= 0.0) return;  // b must be negative; 0 means the identity
  b = 1.0 / b;
  double sm = c[lpivot] * up;
  for (int i = l1; i <= m; ++i) sm = sm + c[i] * u[i];
  if (sm == 0.0) return;
  sm = sm * b;
  c[lpivot] = c[lpivot] + sm * up;
  for (int i = l1; i <= m; ++i) c[i] = c[i] + sm * u[i];
}

// Givens rotation (G1): (c, s) with (c, s; -s, c) (a, b)^T = (sig, 0)^T.
void g1(double a, double b, double& c, double& s, double& sig) {
  if (std::abs(a) > std::abs(b)) {
    const double xr = b / a;
    const double yr = std::sqrt(1.0 + xr * xr);
    c = std::copysign(1.0 / yr, a);
    s = c * xr;
    sig = std::abs(a) * yr;
    return;
  }
  if (b != 0.0) {
    const double xr = a / b;
    const double yr = std::sqrt(1.0 + xr * xr);
    s = std::copysign(1.0 / yr, b);
    c = s * xr;
    sig = std::abs(b) * yr;
    return;
  }
  sig = 0.0;
  c = 0.0;
  s = 1.0;
}

double* column(Work& k, int j) {
  return k.a + (j - 1) * k.m - 1;
}  // 1-based column view

// Back substitution R zz = zz on the first nsetp positions of the passive set.
void solve_triangular(Work& k, int nsetp) {
  int jj = 0;
  for (int l = 1; l <= nsetp; ++l) {
    const int ip = nsetp + 1 - l;
    if (l != 1)
      for (int ii = 1; ii <= ip; ++ii) k.zz[ii] = k.zz[ii] - k.A(ii, jj) * k.zz[ip + 1];
    jj = k.index[ip];
    k.zz[ip] = k.zz[ip] / k.A(ip, jj);
  }
}

}  // namespace

LawsonHansonNnls::LawsonHansonNnls(int m, int n, std::span<const double> a, int max_iterations,
                                   bool fast_path)
    : m_(m), n_(n), max_iterations_(max_iterations > 0 ? max_iterations : 3 * n) {
  if (n < 1 || m < 1 || m > kNnlsMaxDim || n > kNnlsMaxDim)
    throw ConfigError("nnls", "need 1 <= m, n <= " + std::to_string(kNnlsMaxDim) +
                                  ", got m=" + std::to_string(m) + " n=" + std::to_string(n));
  if (static_cast<int64_t>(a.size()) != int64_t{m} * n)
    throw ConfigError("nnls", "design matrix has " + std::to_string(a.size()) +
                                  " entries, expected m*n = " + std::to_string(m * n));
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      const double v = a[i * n + j];
      if (!std::isfinite(v))
        throw ConfigError("nnls", "design matrix entry (" + std::to_string(i) + ", " +
                                      std::to_string(j) + ") is not finite");
      a_col_[j * m + i] = v;
    }
  if (fast_path && m >= n) {
    try {
      fast_ = std::make_unique<NnlsSolver>(m, n, a);
    } catch (const ConfigError&) {
      fast_.reset();  // rank deficient: no unconstrained solution to take a shortcut through
    }
  }
}

LawsonHansonNnls::~LawsonHansonNnls() = default;

NnlsOutcome LawsonHansonNnls::solve(std::span<const double> y, std::span<double> x) const {
  if (static_cast<int>(y.size()) != m_ || static_cast<int>(x.size()) != n_)
    throw ConfigError("nnls", "solve: y must have " + std::to_string(m_) + " and x " +
                                  std::to_string(n_) + " entries");
  for (int i = 0; i < m_; ++i)
    if (!std::isfinite(y[i]))
      throw ConfigError("nnls", "observation " + std::to_string(i) + " is not finite");
  NnlsOutcome out;
  if (fast_) {
    double u[kMax];
    fast_->unconstrained_solution(y.data(), u);
    double umax = 0.0, umin = std::numeric_limits<double>::infinity();
    for (int j = 0; j < n_; ++j) {
      umax = std::fmax(umax, u[j]);
      umin = std::fmin(umin, u[j]);
    }
    if (umin > kNnlsFastPathMargin * umax) {
      for (int j = 0; j < n_; ++j) x[j] = u[j];
      out.unconstrained = true;
      out.fast_path = true;
      return out;
    }
  }
  constexpr double kFactor = 0.01;
  const int m = m_;
  const int n = n_;
  Work k;
  k.m = m;
  k.n = n;
  for (int i = 0; i < m * n; ++i) k.a[i] = a_col_[i];
  for (int i = 1; i <= m; ++i) k.b[i] = y[i - 1];
  for (int i = 1; i <= n; ++i) {
    k.x[i] = 0.0;
    k.index[i] = i;
  }
  int iter = 0;
  const int iz2 = n;
  int iz1 = 1;
  int nsetp = 0;
  int npp1 = 1;
  double up = 0.0;
  bool stop = false;
  while (!stop) {  // main loop
    if (iz1 > iz2 || nsetp >= m) break;
    // Dual vector w = A^T (b - A x) on the zero set, from the transformed A and b.
    for (int iz = iz1; iz <= iz2; ++iz) {
      const int j = k.index[iz];
      double sm = 0.0;
      for (int l = npp1; l <= m; ++l) sm = sm + k.A(l, j) * k.b[l];
      k.w[j] = sm;
    }
    // Pick the largest positive w(j) whose column is independent enough and whose proposed
    // value is positive.
    int iz = 0;
    int j = 0;
    for (;;) {
      double wmax = 0.0;
      int izmax = 0;
      for (int t = iz1; t <= iz2; ++t) {
        const int jt = k.index[t];
        if (k.w[jt] > wmax) {
          wmax = k.w[jt];
          izmax = t;
        }
      }
      if (wmax <= 0.0) {  // Kuhn-Tucker conditions hold
        stop = true;
        break;
      }
      iz = izmax;
      j = k.index[iz];
      const double asave = k.A(npp1, j);
      h1(npp1, npp1 + 1, m, column(k, j), up);
      double unorm = 0.0;
      for (int l = 1; l <= nsetp; ++l) unorm = unorm + k.A(l, j) * k.A(l, j);
      unorm = std::sqrt(unorm);
      // DIFF(unorm + |a| * factor, unorm) > 0, evaluated in double precision.
      const volatile double probe = unorm + std::abs(k.A(npp1, j)) * kFactor;
      if (probe - unorm > 0.0) {
        for (int l = 1; l <= m; ++l) k.zz[l] = k.b[l];
        h2(npp1, npp1 + 1, m, column(k, j), up, k.zz);
        const double ztest = k.zz[npp1] / k.A(npp1, j);
        if (ztest > 0.0) break;
      }
      k.A(npp1, j) = asave;  // reject j
      k.w[j] = 0.0;
    }
    if (stop) break;
    // Move j from the zero set to the passive set.
    for (int l = 1; l <= m; ++l) k.b[l] = k.zz[l];
    k.index[iz] = k.index[iz1];
    k.index[iz1] = j;
    ++iz1;
    nsetp = npp1;
    ++npp1;
    for (int jz = iz1; jz <= iz2; ++jz)
      h2(nsetp, npp1, m, column(k, j), up, column(k, k.index[jz]));
    if (nsetp != m)
      for (int l = npp1; l <= m; ++l) k.A(l, j) = 0.0;
    k.w[j] = 0.0;
    solve_triangular(k, nsetp);
    // Secondary loop: step back while some passive coefficient is not positive.
    for (;;) {
      ++iter;
      if (iter > max_iterations_) {
        out.converged = false;
        stop = true;
        break;
      }
      double alpha = 2.0;
      int jj = 0;
      for (int ip = 1; ip <= nsetp; ++ip) {
        const int l = k.index[ip];
        if (k.zz[ip] <= 0.0) {
          const double t = -k.x[l] / (k.zz[ip] - k.x[l]);
          if (alpha > t) {
            alpha = t;
            jj = ip;
          }
        }
      }
      if (alpha == 2.0) break;  // all passive coefficients feasible
      for (int ip = 1; ip <= nsetp; ++ip) {
        const int l = k.index[ip];
        k.x[l] = k.x[l] + alpha * (k.zz[ip] - k.x[l]);
      }
      int i = k.index[jj];
      for (;;) {  // move coefficient i (at passive position jj) to the zero set
        k.x[i] = 0.0;
        if (jj != nsetp) {
          ++jj;
          for (int p = jj; p <= nsetp; ++p) {
            const int ii = k.index[p];
            k.index[p - 1] = ii;
            double cc, ss, sig;
            g1(k.A(p - 1, ii), k.A(p, ii), cc, ss, sig);
            k.A(p - 1, ii) = sig;
            k.A(p, ii) = 0.0;
            for (int l = 1; l <= n; ++l) {
              if (l == ii) continue;
              const double temp = k.A(p - 1, l);
              k.A(p - 1, l) = cc * temp + ss * k.A(p, l);
              k.A(p, l) = -ss * temp + cc * k.A(p, l);
            }
            const double temp = k.b[p - 1];
            k.b[p - 1] = cc * temp + ss * k.b[p];
            k.b[p] = -ss * temp + cc * k.b[p];
          }
        }
        npp1 = nsetp;
        --nsetp;
        --iz1;
        k.index[iz1] = i;
        // Remaining passive coefficients should be positive; any that are not (round-off) go
        // to the zero set as well.
        bool again = false;
        for (jj = 1; jj <= nsetp; ++jj) {
          i = k.index[jj];
          if (k.x[i] <= 0.0) {
            again = true;
            break;
          }
        }
        if (!again) break;
      }
      for (int l = 1; l <= m; ++l) k.zz[l] = k.b[l];
      solve_triangular(k, nsetp);
    }
    if (stop) break;
    for (int ip = 1; ip <= nsetp; ++ip) k.x[k.index[ip]] = k.zz[ip];
  }
  out.iterations = iter;
  for (int jx = 0; jx < n; ++jx) {
    x[jx] = k.x[jx + 1];
    out.n_zero += x[jx] == 0.0;
  }
  out.unconstrained = out.n_zero == 0;
  return out;
}

}  // namespace flowfit::targets
