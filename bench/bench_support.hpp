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

namespace flowfit::bench {

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// "model name" of the first CPU and the core count, for RESULTS.md.
inline std::string machine_description() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  return model;
}

// A random flow matrix with about `nnz` entries on the geography: every row has its diagonal
// (stayers, large), and off-diagonal entries of which ~half stay in the origin county (the
// geography is in GEOID order, so a county is a contiguous run of units) and the rest go
// anywhere. Deterministic from the seed.
inline CsrMatrix random_flow_matrix(const Geography& geo, int64_t nnz, uint64_t seed) {
  const int64_t n = geo.size();
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  // County runs: [county_begin[i], county_end[i]) for unit i.
  std::vector<int64_t> run_begin(n), run_end(n);
  for (int64_t i = 0; i < n;) {
    int64_t j = i;
    while (j < n && geo.geoid(j).compare(0, 5, geo.geoid(i), 0, 5) == 0) ++j;
    for (int64_t k = i; k < j; ++k) {
      run_begin[k] = i;
      run_end[k] = j;
    }
    i = j;
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
    cols.clear();
    cols.push_back(static_cast<int32_t>(i));
    const int64_t width = run_end[i] - run_begin[i];
    for (int64_t t = 1; t < k; ++t) {
      const bool local = u(rng) < 0.5;
      const int64_t j = local ? run_begin[i] + static_cast<int64_t>(u(rng) * width)
                              : static_cast<int64_t>(u(rng) * n);
      cols.push_back(static_cast<int32_t>(std::min(j, n - 1)));
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

}  // namespace flowfit::bench
