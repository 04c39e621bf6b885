// Generation of the truth matrix, row by row, each row from its own random stream.
#include "flowfit/synth/truth.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <omp.h>

#include "flowfit/error.hpp"
#include "flowfit/synth/rng.hpp"

namespace flowfit::synth {

namespace {

// First index whose cumulative value exceeds u (cdf ascending, last value 1).
int64_t sample_cdf(const double* cdf, int64_t n, double u) {
  const double* it = std::upper_bound(cdf, cdf + n, u);
  int64_t k = it - cdf;
  if (k >= n) k = n - 1;  // u at the very top (rounding): the last entry with weight
  while (k > 0 && cdf[k] == cdf[k - 1]) --k;
  return k;
}

// Position of CBG i among the members of its county c.
int64_t member_position(const SynthInputs& in, int32_t c, int64_t i) {
  const auto b = in.county_members.begin() + in.county_ptr[c];
  const auto e = in.county_members.begin() + in.county_ptr[c + 1];
  return std::lower_bound(b, e, i) - b;
}

// Kernel (1 + t)^-gamma with fast paths for the usual exponents.
inline double decay(double t, double gamma) {
  const double b = 1.0 + t;
  if (gamma == 1.5) return 1.0 / (b * std::sqrt(b));
  if (gamma == 2.0) return 1.0 / (b * b);
  if (gamma == 1.0) return 1.0 / b;
  return std::pow(b, -gamma);
}

// Off-diagonal nonzero budget of every row: P_i^alpha shares of what is left after the
// diagonals, rounded stochastically (per-row stream).
std::vector<int64_t> row_budgets(const SynthConfig& config, const MoverModel& m, int64_t n) {
  std::vector<int64_t> off(n, 0);
  int64_t populated = 0;
  double wsum = 0;
  for (int64_t i = 0; i < n; ++i)
    if (m.population[i] > 0 && m.mover_rate[i] > 0) {
      ++populated;
      wsum += std::pow(m.population[i], config.truth.nnz_exponent);
    }
  const double budget = static_cast<double>(std::max<int64_t>(0, config.nnz - populated));
  if (wsum <= 0) return off;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    if (!(m.population[i] > 0 && m.mover_rate[i] > 0)) continue;
    const double x = budget * std::pow(m.population[i], config.truth.nnz_exponent) / wsum;
    const double fl = std::floor(x);
    Rng rng(config.seed, Stream::row_budget, static_cast<uint64_t>(i));
    off[i] = std::min<int64_t>(populated - 1,
                               static_cast<int64_t>(fl) + (rng.uniform() < x - fl ? 1 : 0));
  }
  return off;
}

struct RowScratch {
  std::vector<int32_t> count;    // per CBG, 0 outside the current row
  std::vector<int32_t> touched;  // CBGs drawn in the current row
  std::vector<double> local_cdf;
};

}  // namespace

CsrMatrix generate_truth(const SynthInputs& in, const SynthConfig& config, const MoverModel& m,
                         TruthStats* stats) {
  config.validate();
  const TruthConfig& tc = config.truth;
  const int64_t n = in.n_cbgs();
  const int32_t nc = in.n_counties();
  if (static_cast<int64_t>(m.population.size()) != n)
    throw Error("generate_truth: the mover model does not match the inputs");

  const std::vector<int64_t> off = row_budgets(config, m, n);
  CsrMatrix t;
  t.n_rows = t.n_cols = n;
  t.row_ptr.assign(n + 1, 0);
  for (int64_t i = 0; i < n; ++i)
    t.row_ptr[i + 1] = t.row_ptr[i] + (m.population[i] > 0 ? 1 + off[i] : 0);
  const int64_t planned = t.row_ptr[n];
  t.col_idx.resize(planned);
  t.values.resize(planned);
  std::vector<int64_t> length(n, 0);

  const double inv_s2 = 1.0 / (tc.local_scale_miles * tc.local_scale_miles);
  int64_t draws_total = 0, rows_short = 0;
#pragma omp parallel reduction(+ : draws_total, rows_short)
  {
    RowScratch s;
    s.count.assign(n, 0);
#pragma omp for schedule(dynamic, 64)
    for (int64_t i = 0; i < n; ++i) {
      const double pop = m.population[i];
      if (!(pop > 0)) continue;
      const int64_t begin = t.row_ptr[i];
      const int64_t k = off[i];
      const double mass = pop * m.mover_rate[i];
      s.touched.clear();
      int64_t draws = 0;
      if (k > 0 && mass > 0) {
        Rng rng(config.seed, Stream::truth_row, static_cast<uint64_t>(i));
        const int32_t c = in.county_of[i];
        // Within-county kernel over the county's other CBGs (zero weight for i itself and for
        // empty CBGs), as an unnormalised cumulative sum over the county's members.
        double q = m.local_prob[i];
        const int64_t lo_c = in.county_ptr[c], len_c = in.county_ptr[c + 1] - lo_c;
        double local_total = 0;
        if (q > 0) {
          const double coslat = std::cos(in.lat[i] * 0.017453292519943295) * 69.17;
          const double lat_i = in.lat[i], lon_i = in.lon[i];
          s.local_cdf.resize(len_c);
          double* w = s.local_cdf.data();
          const double* mlat = &m.member_lat[lo_c];
          const double* mlon = &m.member_lon[lo_c];
          const double* mpop = &m.member_pop[lo_c];
          for (int64_t p = 0; p < len_c; ++p) {
            const double dx = (mlon[p] - lon_i) * coslat;
            const double dy = (mlat[p] - lat_i) * 69.05;
            w[p] = mpop[p] * decay((dx * dx + dy * dy) * inv_s2, tc.local_decay);
          }
          w[member_position(in, c, i)] = 0.0;
          for (int64_t p = 0; p < len_c; ++p) w[p] = (local_total += w[p]);
          if (!(local_total > 0)) q = 0;
        }
        const double* ccdf = &m.county_cdf[static_cast<size_t>(c) * nc];
        const int64_t cap = static_cast<int64_t>(tc.max_draw_factor * static_cast<double>(k)) + 64;
        int64_t unique = 0, attempts = 0;
        while (unique < k && attempts < cap) {
          ++attempts;
          int64_t j;
          if (rng.uniform() < q) {
            j = in.county_members[lo_c + sample_cdf(s.local_cdf.data(), len_c,
                                                    rng.uniform() * local_total)];
          } else {
            const int64_t d = sample_cdf(ccdf, nc, rng.uniform());
            const int64_t lo = in.county_ptr[d], len = in.county_ptr[d + 1] - lo;
            j = in.county_members[lo + sample_cdf(&m.member_cdf[lo], len, rng.uniform())];
            if (!(m.population[j] > 0) || j == i) continue;  // an empty county: redraw
          }
          ++draws;
          if (s.count[j]++ == 0) {
            s.touched.push_back(static_cast<int32_t>(j));
            ++unique;
          }
        }
        rows_short += unique < k;
      }
      // Write the row: the diagonal plus the drawn destinations, sorted. Each destination gets
      // the mover mass times its share of the draws, jittered by a lognormal household-size
      // factor (moves come in households); the stayers get the rest.
      s.touched.push_back(static_cast<int32_t>(i));
      std::sort(s.touched.begin(), s.touched.end());
      const int64_t begin_row = begin;
      int64_t e = begin;
      double weight_sum = 0;
      Rng jitter(config.seed, Stream::truth_jitter, static_cast<uint64_t>(i));
      for (int32_t j : s.touched) {
        t.col_idx[e] = j;
        if (j != i) {
          t.values[e] = s.count[j] * jitter.lognormal_mean1(tc.flow_jitter_sigma);
          weight_sum += t.values[e];
        }
        s.count[j] = 0;
        ++e;
      }
      for (int64_t p = begin_row; p < e; ++p)
        t.values[p] =
            t.col_idx[p] == i ? (draws > 0 ? pop - mass : pop) : mass * (t.values[p] / weight_sum);
      length[i] = e - begin;
      draws_total += draws;
    }
  }

  // Compact rows that fell short of their budget.
  int64_t w = 0;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t begin = t.row_ptr[i];
    if (w != begin) {
      std::memmove(&t.col_idx[w], &t.col_idx[begin], length[i] * sizeof(int32_t));
      std::memmove(&t.values[w], &t.values[begin], length[i] * sizeof(double));
    }
    t.row_ptr[i] = w;
    w += length[i];
  }
  t.row_ptr[n] = w;
  t.col_idx.resize(w);
  t.values.resize(w);
  if (stats) {
    stats->planned_nnz = planned;
    stats->rows_short = rows_short;
    stats->draws = draws_total;
  }
  return t;
}

}  // namespace flowfit::synth
