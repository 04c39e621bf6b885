#include "support/random_problems.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "support/naive_oracle.hpp"

namespace flowfit::testing {

CsrMatrix random_matrix(std::mt19937_64& rng, const RandomMatrixOptions& opt) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<int64_t> rows, cols;
  std::vector<double> vals;
  std::vector<uint8_t> empty_row(opt.n), empty_col(opt.n);
  for (int64_t i = 0; i < opt.n; ++i) {
    empty_row[i] = u(rng) < opt.empty_row_share;
    empty_col[i] = u(rng) < opt.empty_col_share;
  }
  for (int64_t i = 0; i < opt.n; ++i) {
    const double row_density = opt.skewed && i % 7 == 0 ? 0.9 : opt.density;
    for (int64_t j = 0; j < opt.n; ++j) {
      const bool diag = i == j;
      bool store = diag ? (opt.full_diagonal || u(rng) < 0.8) : u(rng) < row_density;
      if (!opt.full_diagonal || !diag) store = store && !empty_row[i] && !empty_col[j];
      if (!store) continue;
      rows.push_back(i);
      cols.push_back(j);
      // Log-uniform magnitudes over four decades; the diagonal dominates like stayers do.
      const double v = std::pow(10.0, 4 * u(rng) - 1) * (diag ? 20.0 : 1.0);
      vals.push_back(v);
    }
  }
  return csr_from_triplets(opt.n, opt.n, rows, cols, vals);
}

Grouping random_grouping(std::mt19937_64& rng, int64_t n, int32_t n_groups, bool with_ungrouped) {
  std::vector<std::string> labels(n);
  std::uniform_int_distribution<int32_t> g(0, n_groups - 1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int64_t i = 0; i < n; ++i) {
    if (with_ungrouped && u(rng) < 0.1) continue;
    labels[i] = "g" + std::to_string(1000 + g(rng));
  }
  return Grouping::from_labels(labels);
}

std::vector<double> random_targets(std::mt19937_64& rng, const std::vector<double>& sums,
                                   double zero_share) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> t(sums.size());
  for (size_t b = 0; b < sums.size(); ++b) {
    if (u(rng) < zero_share) {
      t[b] = u(rng) < 0.5 ? 0.0 : -1.0;
      continue;
    }
    const double base = sums[b] > 0 ? sums[b] : 1.0 + 10 * u(rng);
    t[b] = base * std::pow(2.0, 2 * u(rng) - 1);
  }
  return t;
}

Stage random_stage(std::mt19937_64& rng, const CsrMatrix& m, int max_iterations) {
  std::uniform_int_distribution<int> n_margins(1, 3), kind(0, 2), cls(0, 2), groups(1, 9);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Stage st;
  st.name = "random";
  st.stop = StopRule::exactly(max_iterations);
  const int k = n_margins(rng);
  for (int i = 0; i < k; ++i) {
    Margin mg;
    mg.name = "m" + std::to_string(i);
    const int kd = kind(rng);
    mg.rows = kd == 1 ? Grouping::whole(m.n_rows)
                      : random_grouping(rng, m.n_rows, groups(rng), u(rng) < 0.3);
    mg.cols = kd == 0 ? Grouping::whole(m.n_cols)
                      : random_grouping(rng, m.n_cols, groups(rng), u(rng) < 0.3);
    mg.entries = static_cast<EntryClass>(cls(rng));
    mg.targets.assign(mg.n_blocks(), 0.0);
    mg.targets = random_targets(rng, naive_block_sums(m, mg), 0.1);
    st.margins.push_back(std::move(mg));
  }
  return st;
}

}  // namespace flowfit::testing
