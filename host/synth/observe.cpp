// The observed matrix: coverage, mover detection, thinning and ZIP-like spreading of the truth.
#include "flowfit/synth/observe.hpp"

#include <algorithm>
#include <cmath>

#include "flowfit/error.hpp"
#include "flowfit/synth/rng.hpp"

namespace flowfit::synth {

ObservationModel build_observation_model(const SynthInputs& in, const SynthConfig& config,
                                         std::span<const double> population) {
  config.validate();
  const ObserveConfig& oc = config.observe;
  const int64_t n = in.n_cbgs();
  if (static_cast<int64_t>(population.size()) != n)
    throw Error("build_observation_model: population size does not match the geography");
  ObservationModel m;

  // Coverage: state x county x CBG lognormal effects and the size elasticity.
  std::vector<double> state_effect(in.n_states()), county_effect(in.n_counties());
  for (int32_t s = 0; s < in.n_states(); ++s)
    state_effect[s] = Rng(config.seed, Stream::state_effects, static_cast<uint64_t>(s))
                          .lognormal_mean1(oc.state_sigma);
  for (int32_t c = 0; c < in.n_counties(); ++c)
    county_effect[c] = Rng(config.seed, Stream::county_effects, static_cast<uint64_t>(c))
                           .lognormal_mean1(oc.county_sigma);
  std::vector<double> positive;
  for (double p : population)
    if (p > 0) positive.push_back(p);
  double median = 1;
  if (!positive.empty()) {
    std::nth_element(positive.begin(), positive.begin() + positive.size() / 2, positive.end());
    median = positive[positive.size() / 2];
  }
  m.coverage.resize(n);
  m.detection.resize(n);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    Rng rng(config.seed, Stream::cbg_coverage, static_cast<uint64_t>(i));
    const int32_t c = in.county_of[i];
    const double size = population[i] > 0 ? population[i] / median : 1.0;
    m.coverage[i] = state_effect[in.counties[c].state] * county_effect[c] *
                    rng.lognormal_mean1(oc.cbg_sigma) * std::pow(size, oc.size_elasticity);
    m.detection[i] = oc.mover_detection * rng.lognormal_mean1(oc.mover_detection_sigma);
  }
  double wa = 0, w = 0;
  for (int64_t i = 0; i < n; ++i) {
    wa += population[i] * m.coverage[i];
    w += population[i];
  }
  if (wa > 0)
    for (double& a : m.coverage) a *= w / wa;

  // Pseudo-ZIPs: zip_tracts consecutive tracts of a county (CBGs are in GEOID order, so a
  // county's tracts are consecutive runs of its members).
  m.zip_of.assign(n, -1);
  m.zip_ptr.assign(1, 0);
  for (int32_t c = 0; c < in.n_counties(); ++c) {
    int tracts_in_zip = 0;
    int32_t last_tract = -1;
    for (int64_t p = in.county_ptr[c]; p < in.county_ptr[c + 1]; ++p) {
      const int64_t i = in.county_members[p];
      if (in.tract_of[i] != last_tract) {
        last_tract = in.tract_of[i];
        if (tracts_in_zip == 0 || tracts_in_zip >= oc.zip_tracts) {
          if (!m.zip_members.empty() &&
              m.zip_ptr.back() != static_cast<int64_t>(m.zip_members.size()))
            m.zip_ptr.push_back(static_cast<int64_t>(m.zip_members.size()));
          tracts_in_zip = 0;
        }
        ++tracts_in_zip;
      }
      m.zip_of[i] = static_cast<int32_t>(m.zip_ptr.size()) - 1;
      m.zip_members.push_back(i);
    }
    if (m.zip_ptr.back() != static_cast<int64_t>(m.zip_members.size()))
      m.zip_ptr.push_back(static_cast<int64_t>(m.zip_members.size()));
  }
  m.zip_share.assign(m.zip_members.size(), 0.0);
  for (int32_t z = 0; z < m.n_zips(); ++z) {
    double tot = 0;
    for (int64_t p = m.zip_ptr[z]; p < m.zip_ptr[z + 1]; ++p) tot += population[m.zip_members[p]];
    for (int64_t p = m.zip_ptr[z]; p < m.zip_ptr[z + 1]; ++p)
      m.zip_share[p] = tot > 0 ? population[m.zip_members[p]] / tot : 0.0;
  }
  return m;
}

namespace {

struct Scratch {
  std::vector<double> acc;  // per CBG, 0 outside the current row
  std::vector<uint8_t> seen;
  std::vector<int32_t> touched;
};

// Distorts row i of the truth into scratch (touched sorted on return). Identical on every call.
void observe_row(const CsrMatrix& t, const ObservationModel& m, const SynthConfig& config,
                 int64_t i, Scratch& s, ObserveStats& st) {
  const ObserveConfig& oc = config.observe;
  s.touched.clear();
  const int64_t b = t.row_ptr[i], e = t.row_ptr[i + 1];
  if (b == e) return;
  Rng rng(config.seed, Stream::observe_row, static_cast<uint64_t>(i));
  double off_sum = 0;
  int64_t off_n = 0;
  for (int64_t p = b; p < e; ++p)
    if (t.col_idx[p] != i) {
      off_sum += t.values[p];
      ++off_n;
    }
  const double thin_below = off_n > 0 ? oc.thin_relative * off_sum / off_n : 0.0;
  auto add = [&](int64_t j, double v) {
    if (!s.seen[j]) {
      s.seen[j] = 1;
      s.touched.push_back(static_cast<int32_t>(j));
    }
    s.acc[j] += v;
  };
  for (int64_t p = b; p < e; ++p) {
    const int64_t j = t.col_idx[p];
    const double v = t.values[p];
    if (j == i) {
      add(i, v * m.coverage[i]);
      continue;
    }
    const double u_thin = rng.uniform(), u_spread = rng.uniform();
    if (v < thin_below && u_thin < oc.thin_probability) {
      ++st.entries_thinned;
      st.mass_thinned += v;
      continue;
    }
    const double w = v * std::sqrt(m.coverage[i] * m.coverage[j]) * m.detection[i];
    if (u_spread < oc.spread_probability) {
      ++st.entries_spread;
      st.mass_spread += v;
      const int32_t z = m.zip_of[j];
      for (int64_t q = m.zip_ptr[z]; q < m.zip_ptr[z + 1]; ++q)
        if (m.zip_share[q] > 0) add(m.zip_members[q], w * m.zip_share[q]);
    } else {
      add(j, w);
    }
  }
  std::sort(s.touched.begin(), s.touched.end());
}

}  // namespace

CsrMatrix observe(const CsrMatrix& t, const ObservationModel& m, const SynthConfig& config,
                  ObserveStats* stats) {
  const int64_t n = t.n_rows;
  if (static_cast<int64_t>(m.coverage.size()) != n || t.n_cols != n)
    throw Error("observe: the observation model does not match the truth matrix");
  CsrMatrix o;
  o.n_rows = o.n_cols = n;
  o.row_ptr.assign(n + 1, 0);

  // Pass 1: row lengths. Pass 2: the same rows again (same streams), written in place.
#pragma omp parallel
  {
    Scratch s;
    s.acc.assign(n, 0.0);
    s.seen.assign(n, 0);
    ObserveStats ignored;
#pragma omp for schedule(dynamic, 256)
    for (int64_t i = 0; i < n; ++i) {
      observe_row(t, m, config, i, s, ignored);
      o.row_ptr[i + 1] = static_cast<int64_t>(s.touched.size());
      for (int32_t j : s.touched) {
        s.acc[j] = 0;
        s.seen[j] = 0;
      }
    }
  }
  for (int64_t i = 0; i < n; ++i) o.row_ptr[i + 1] += o.row_ptr[i];
  o.col_idx.resize(o.row_ptr[n]);
  o.values.resize(o.row_ptr[n]);

  // Per-row statistics, summed in row order afterwards (independent of the thread count).
  std::vector<double> mass_thinned(n, 0.0), mass_spread(n, 0.0);
  std::vector<int64_t> thinned(n, 0), spread(n, 0);
#pragma omp parallel
  {
    Scratch s;
    s.acc.assign(n, 0.0);
    s.seen.assign(n, 0);
#pragma omp for schedule(dynamic, 256)
    for (int64_t i = 0; i < n; ++i) {
      ObserveStats st;
      observe_row(t, m, config, i, s, st);
      int64_t p = o.row_ptr[i];
      for (int32_t j : s.touched) {
        o.col_idx[p] = j;
        o.values[p++] = s.acc[j];
        s.acc[j] = 0;
        s.seen[j] = 0;
      }
      thinned[i] = st.entries_thinned;
      spread[i] = st.entries_spread;
      mass_thinned[i] = st.mass_thinned;
      mass_spread[i] = st.mass_spread;
    }
  }
  if (stats) {
    *stats = ObserveStats{};
    for (int64_t i = 0; i < n; ++i) {
      stats->entries_thinned += thinned[i];
      stats->entries_spread += spread[i];
      stats->mass_thinned += mass_thinned[i];
      stats->mass_spread += mass_spread[i];
    }
  }
  return o;
}

}  // namespace flowfit::synth
