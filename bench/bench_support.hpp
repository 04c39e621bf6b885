#pragma once
// Shared helpers of the benchmark programs: a random flow matrix on the real CBG geography,
// machine description, timing.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"
#include "flowfit/margin.hpp"
#include "flowfit/report/report_json.hpp"
#include "flowfit/stage.hpp"

namespace flowfit::bench {

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU model and thread count, for RESULTS.md.
inline std::string machine_description() {
  const report::MachineInfo m = report::machine_info();
  return m.cpu_model + " (" + std::to_string(m.hardware_threads) + " hardware threads)";
}

// A random flow matrix with about `nnz` entries on the geography: every row has its diagonal
// (stayers, large); half of the off-diagonal entries stay in the origin county, the rest go to
// one of ~64 destination counties fixed per origin county (like real flows, which concentrate on
// few county pairs: the national county quotient has ~2e5 cells, not 3143^2). The geography is
// in GEOID order, so a county is a contiguous run of units. Deterministic from the seed.
inline CsrMatrix random_flow_matrix(const Geography& geo, int64_t nnz, uint64_t seed) {
  const int64_t n = geo.size();
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<int64_t> county_first;  // first unit of each county run
  std::vector<int32_t> county_of(n);
  for (int64_t i = 0; i < n; ++i) {
    if (i == 0 || geo.geoid(i).compare(0, 5, geo.geoid(i - 1), 0, 5) != 0)
      county_first.push_back(i);
    county_of[i] = static_cast<int32_t>(county_first.size() - 1);
  }
  const int64_t n_counties = static_cast<int64_t>(county_first.size());
  county_first.push_back(n);
  constexpr int kDestinations = 64;
  std::vector<int32_t> destinations(n_counties * kDestinations);
  for (int64_t c = 0; c < n_counties; ++c)
    for (int d = 0; d < kDestinations; ++d) {
      // Mostly nearby counties (next in FIPS order, usually the same state), some far away.
      const int64_t near = c + static_cast<int64_t>((u(rng) - 0.5) * 60);
      const int64_t far = static_cast<int64_t>(u(rng) * n_counties);
      destinations[c * kDestinations + d] =
          static_cast<int32_t>(u(rng) < 0.7 ? std::clamp<int64_t>(near, 0, n_counties - 1) : far);
    }
  const double per_row = static_cast<double>(nnz) / n;
  CsrMatrix m;
  m.n_rows = m.n_cols = n;
  m.row_ptr.assign(n + 1, 0);
  m.col_idx.reserve(static_cast<size_t>(nnz * 1.05));
  m.values.reserve(static_cast<size_t>(nnz * 1.05));
  std::vector<int32_t> cols;
  for (int64_t i = 0; i < n; ++i) {
    // Row lengths vary by a factor of ~4 around the mean.
    const int64_t k = std::max<int64_t>(1, static_cast<int64_t>(per_row * (0.4 + 1.2 * u(rng))));
    const int32_t home = county_of[i];
    cols.clear();
    cols.push_back(static_cast<int32_t>(i));
    for (int64_t t = 1; t < k; ++t) {
      const int32_t c =
          u(rng) < 0.5
              ? home
              : destinations[home * kDestinations + static_cast<int>(u(rng) * kDestinations)];
      const int64_t width = county_first[c + 1] - county_first[c];
      const int64_t j = county_first[c] + std::min<int64_t>(width - 1, u(rng) * width);
      cols.push_back(static_cast<int32_t>(j));
    }
    std::sort(cols.begin(), cols.end());
    cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
    for (int32_t j : cols) {
      m.col_idx.push_back(j);
      m.values.push_back(j == i ? 200.0 + 800.0 * u(rng) : std::pow(10.0, 2.0 * u(rng) - 1.0));
    }
    m.row_ptr[i + 1] = m.nnz();
  }
  return m;
}

// SPEC stage 4 on a random matrix: county columns then county rows, exactly `iterations`
// sweeps, with targets within +-10 % of the current sums and equal totals (consistent).
inline Stage county_stage(const CsrMatrix& m, const Geography& geo, int iterations, uint64_t seed) {
  const Grouping county = Grouping::by_level(geo, Level::county);
  std::vector<double> rows(county.n_groups(), 0.0), cols(county.n_groups(), 0.0);
  const auto rs = row_sums(m), cs = col_sums(m);
  for (int64_t i = 0; i < m.n_rows; ++i) rows[county.group_of(i)] += rs[i];
  for (int64_t j = 0; j < m.n_cols; ++j) cols[county.group_of(j)] += cs[j];
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.9, 1.1);
  double rt = 0, ct = 0;
  for (auto& r : rows) rt += (r *= u(rng));
  for (auto& c : cols) ct += (c *= u(rng));
  for (auto& c : cols) c *= rt / ct;
  Stage st;
  st.name = "county IPF";
  st.margins.push_back(col_margin("county columns", m.n_rows, county, cols));
  st.margins.push_back(row_margin("county rows", county, m.n_cols, rows));
  st.stop = StopRule::exactly(iterations);
  return st;
}

}  // namespace flowfit::bench
