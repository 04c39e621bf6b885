// Realism figures of the truth and distortion figures of the observed matrix.
#include "flowfit/synth/realism.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "flowfit/error.hpp"
#include "flowfit/synth/inputs.hpp"

namespace flowfit::synth {

namespace {

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

}  // namespace

Realism measure_realism(const CsrMatrix& t, const SynthInputs& in) {
  if (t.n_rows != in.n_cbgs() || t.n_cols != in.n_cbgs())
    throw Error("measure_realism: the matrix does not match the geography");
  const int64_t n = t.n_rows;
  // Per-row partial sums, then summed in row order: deterministic for any thread count.
  enum { kTotal, kDiag, kCounty, kState, k1, k5, k50, kMiles, kN };
  std::vector<double> part(n * kN, 0.0);
#pragma omp parallel for schedule(dynamic, 256)
  for (int64_t i = 0; i < n; ++i) {
    double* p = &part[i * kN];
    const int32_t ci = in.county_of[i];
    for (int64_t e = t.row_ptr[i]; e < t.row_ptr[i + 1]; ++e) {
      const int64_t j = t.col_idx[e];
      const double v = t.values[e];
      p[kTotal] += v;
      if (j == i) {
        p[kDiag] += v;
        continue;
      }
      const int32_t cj = in.county_of[j];
      if (cj == ci) p[kCounty] += v;
      if (in.counties[cj].state == in.counties[ci].state) p[kState] += v;
      const double d = distance_miles(in.lat[i], in.lon[i], in.lat[j], in.lon[j]);
      if (d < 1) p[k1] += v;
      if (d < 5) p[k5] += v;
      if (d < 50) p[k50] += v;
      p[kMiles] += v * d;
    }
  }
  double s[kN] = {};
  for (int64_t i = 0; i < n; ++i)
    for (int k = 0; k < kN; ++k) s[k] += part[i * kN + k];
  Realism r;
  r.nnz = t.nnz();
  r.total = s[kTotal];
  r.stayers = s[kDiag];
  r.stayer_share = s[kTotal] > 0 ? s[kDiag] / s[kTotal] : 0;
  const double movers = s[kTotal] - s[kDiag];
  if (movers > 0) {
    r.within_county_share = s[kCounty] / movers;
    r.within_state_share = s[kState] / movers;
    r.under_1mi_share = s[k1] / movers;
    r.under_5mi_share = s[k5] / movers;
    r.under_50mi_share = s[k50] / movers;
    r.mean_move_miles = s[kMiles] / movers;
  }
  return r;
}

Distortion measure_distortion(const CsrMatrix& t, const CsrMatrix& o, const SynthInputs& in) {
  if (t.n_rows != o.n_rows || t.n_rows != in.n_cbgs())
    throw Error("measure_distortion: the matrices do not match the geography");
  Distortion d;
  d.truth_nnz = t.nnz();
  d.observed_nnz = o.nnz();
  const double tt = total(t), to = total(o);
  d.total_ratio = tt > 0 ? to / tt : 0;
  const auto dt = diagonal(t), dob = diagonal(o);
  double sdt = 0, sdo = 0;
  for (double v : dt) sdt += v;
  for (double v : dob) sdo += v;
  d.truth_mover_share = tt > 0 ? 1 - sdt / tt : 0;
  d.observed_mover_share = to > 0 ? 1 - sdo / to : 0;
  const auto rt = row_sums(t), ro = row_sums(o);
  const double scale = to > 0 ? tt / to : 0;
  std::vector<double> ratio;
  int64_t off = 0;
  std::vector<double> ct(in.counties.size(), 0.0), co(in.counties.size(), 0.0);
  for (int64_t i = 0; i < t.n_rows; ++i) {
    ct[in.county_of[i]] += rt[i];
    co[in.county_of[i]] += ro[i];
    if (!(rt[i] > 0)) continue;
    const double r = ro[i] * scale / rt[i];
    ratio.push_back(r);
    off += std::fabs(r - 1) > 0.2;
  }
  d.row_ratio_p05 = quantile(ratio, 0.05);
  d.row_ratio_p50 = quantile(ratio, 0.50);
  d.row_ratio_p95 = quantile(ratio, 0.95);
  d.share_rows_off_20pct = ratio.empty() ? 0 : static_cast<double>(off) / ratio.size();
  std::vector<double> cr;
  for (size_t c = 0; c < ct.size(); ++c)
    if (ct[c] > 0) cr.push_back(co[c] * scale / ct[c]);
  d.county_ratio_p05 = quantile(cr, 0.05);
  d.county_ratio_p95 = quantile(cr, 0.95);
  return d;
}

}  // namespace flowfit::synth
