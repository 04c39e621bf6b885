#include "flowfit/analysis/redact.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "flowfit/error.hpp"

namespace flowfit::analysis {

RedactionResult redact(const CsrMatrix& m, const RedactionOptions& o) {
  if (!(o.share > 0 && o.share <= 1))
    throw ConfigError("--share", "the concentration share must be in (0, 1]");
  if (o.max_destinations < 1)
    throw ConfigError("--max-destinations", "the destination count must be at least 1");
  if (!(o.min_population >= 0))
    throw ConfigError("--min-population", "the population threshold must be >= 0");
  if (!m.is_square()) throw ConfigError("matrix", "redaction needs a square CBG matrix");

  RedactionResult r;
  r.matrix.n_rows = m.n_rows;
  r.matrix.n_cols = m.n_cols;
  r.matrix.row_ptr.assign(1, 0);
  r.matrix.row_ptr.reserve(static_cast<size_t>(m.n_rows) + 1);
  r.matrix.col_idx.reserve(m.col_idx.size());
  r.matrix.values.reserve(m.values.size());
  std::vector<double> off;
  for (int64_t i = 0; i < m.n_rows; ++i) {
    double population = 0, movers = 0;
    off.clear();
    for (int64_t k = m.row_ptr[i]; k < m.row_ptr[i + 1]; ++k) {
      population += m.values[k];
      if (m.col_idx[k] != i) {
        movers += m.values[k];
        if (m.values[k] > 0) off.push_back(m.values[k]);
      }
    }
    r.input_total += population;
    r.input_movers += movers;
    WithheldUnit w;
    w.unit = i;
    w.population = population;
    w.out_movers = movers;
    w.destinations = static_cast<int64_t>(off.size());
    w.top_share = std::numeric_limits<double>::quiet_NaN();
    if (movers > 0) {
      const size_t top = std::min(off.size(), static_cast<size_t>(o.max_destinations));
      std::partial_sort(off.begin(), off.begin() + static_cast<std::ptrdiff_t>(top), off.end(),
                        std::greater<>());
      double top_sum = 0;  // largest first: a fixed order for a fixed row
      for (size_t t = 0; t < top; ++t) top_sum += off[t];
      w.top_share = top_sum / movers;
      w.concentrated = w.top_share >= o.share;
    }
    w.small_population = population < o.min_population;
    if (w.concentrated || w.small_population) {
      r.concentrated += w.concentrated;
      r.small_population += w.small_population;
      r.removed_entries += m.row_ptr[i + 1] - m.row_ptr[i];
      r.removed_people += population;
      r.removed_movers += movers;
      r.withheld.push_back(w);
    } else {
      for (int64_t k = m.row_ptr[i]; k < m.row_ptr[i + 1]; ++k) {
        r.matrix.col_idx.push_back(m.col_idx[k]);
        r.matrix.values.push_back(m.values[k]);
      }
    }
    r.matrix.row_ptr.push_back(static_cast<int64_t>(r.matrix.col_idx.size()));
  }
  return r;
}

}  // namespace flowfit::analysis
