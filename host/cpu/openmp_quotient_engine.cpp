// The OpenMP quotient engine keeps one cumulative factor per block per margin instead of explicit
// cell values: a cell's current value is q0[c] * prod_m F_m[block_m(c)]. A margin step then
// streams the margin's cells in block order once (one gather per other margin), and the step's
// L1 change is exact from block sums: sum_b |f_b - 1| * current_b.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "flowfit/ratio_rule.hpp"
#include "host/cpu/openmp_kernels.hpp"
#include "host/cpu/parallel_for.hpp"

namespace flowfit::cpu {
namespace {

constexpr int64_t kChunk = 8192;  // fixed reduction chunk: independent of the thread count

class OpenMpQuotientEngine final : public QuotientEngine {
 public:
  OpenMpQuotientEngine(const QuotientProblem& p, int threads)
      : threads_(threads),
        n_cells_(static_cast<int64_t>(p.cell_values.size())),
        parallel_(n_cells_ >= kParallelThreshold && threads > 1),
        q0_(p.cell_values) {
    const size_t n_margins = p.margins.size();
    for (const auto& m : p.margins) {
      // Factor arrays carry a trailing 1.0 used by cells outside the margin.
      factors_.emplace_back(static_cast<size_t>(m.n_blocks) + 1, 1.0);
      targets_.push_back(m.targets);
      std::vector<int32_t> blk(n_cells_);
      for (int64_t c = 0; c < n_cells_; ++c)
        blk[c] = m.block_of_cell[c] < 0 ? m.n_blocks : m.block_of_cell[c];
      block_of_cell_.push_back(std::move(blk));
    }
    for (size_t k = 0; k < n_margins; ++k) {
      MarginLayout lay;
      const auto& m = p.margins[k];
      lay.block_ptr.assign(static_cast<size_t>(m.n_blocks) + 1, 0);
      for (int32_t b : m.block_of_cell)
        if (b >= 0) ++lay.block_ptr[b + 1];
      std::partial_sum(lay.block_ptr.begin(), lay.block_ptr.end(), lay.block_ptr.begin());
      const int64_t n_in = lay.block_ptr.back();
      lay.values.resize(n_in);
      for (size_t o = 0; o < n_margins; ++o)
        if (o != k) {
          lay.other_margin.push_back(static_cast<int>(o));
          lay.other_block.emplace_back(n_in);
        }
      std::vector<int64_t> next(lay.block_ptr.begin(), lay.block_ptr.end() - 1);
      for (int64_t c = 0; c < n_cells_; ++c) {
        const int32_t b = m.block_of_cell[c];
        if (b < 0) continue;
        const int64_t pos = next[b]++;
        lay.values[pos] = q0_[c];
        for (size_t j = 0; j < lay.other_margin.size(); ++j)
          lay.other_block[j][pos] = block_of_cell_[lay.other_margin[j]][c];
      }
      layouts_.push_back(std::move(lay));
      step_l1_parts_.emplace_back(m.n_blocks, 0.0);
    }
  }

  SweepReport run_sweeps(int max_sweeps, std::optional<double> l1_stop,
                         bool measure_last) override {
    SweepReport rep;
    rep.last_step_l1.assign(layouts_.size(), 0.0);
    for (int s = 0; s < max_sweeps; ++s) {
      const bool measure = l1_stop.has_value() || (measure_last && s == max_sweeps - 1);
      if (measure) factors_before_ = factors_;
      for (size_t k = 0; k < layouts_.size(); ++k) rep.last_step_l1[k] = step(k);
      ++rep.sweeps_run;
      rep.last_sweep_l1.reset();
      if (measure) {
        rep.last_sweep_l1 = sweep_l1();
        if (l1_stop && *rep.last_sweep_l1 <= *l1_stop) {
          rep.stopped_on_l1 = true;
          break;
        }
      }
    }
    return rep;
  }

  std::vector<std::vector<double>> block_sums() override {
    std::vector<std::vector<double>> out;
    for (size_t k = 0; k < layouts_.size(); ++k) {
      const int64_t n_blocks = static_cast<int64_t>(targets_[k].size());
      std::vector<double> s(n_blocks);
      parallel_for(n_blocks, parallel_, threads_, Schedule::fixed,
                   [&](int64_t b) { s[b] = factors_[k][b] * partial_sum(k, b); });
      out.push_back(std::move(s));
    }
    return out;
  }

  std::vector<double> cell_factors() override {
    std::vector<double> f(n_cells_);
    parallel_for(n_cells_, parallel_, threads_, Schedule::fixed,
                 [&](int64_t c) { f[c] = cell_factor(factors_, c); });
    return f;
  }

 private:
  struct MarginLayout {
    std::vector<int64_t> block_ptr;  // cells of block b: [block_ptr[b], block_ptr[b+1])
    std::vector<double> values;      // q0 of those cells, in block order
    std::vector<int> other_margin;   // the other margins, in margin order
    std::vector<std::vector<int32_t>> other_block;  // their block of each cell, in block order
  };

  // Sum over the cells of block b of margin k of q0 * (factors of the other margins). Four
  // interleaved accumulators break the floating-point add latency chain; the summation order is
  // fixed by the data, so results stay independent of the thread count.
  double partial_sum(size_t k, int64_t b) const {
    const MarginLayout& lay = layouts_[k];
    const int64_t first = lay.block_ptr[b], last = lay.block_ptr[b + 1];
    const double* v = lay.values.data();
    switch (lay.other_margin.size()) {
      case 0:
        return sum4(first, last, [&](int64_t i) { return v[i]; });
      case 1: {
        const double* f = factors_[lay.other_margin[0]].data();
        const int32_t* ob = lay.other_block[0].data();
        return sum4(first, last, [&](int64_t i) { return v[i] * f[ob[i]]; });
      }
      default:
        return sum4(first, last, [&](int64_t i) {
          double x = v[i];
          for (size_t j = 0; j < lay.other_margin.size(); ++j)
            x *= factors_[lay.other_margin[j]][lay.other_block[j][i]];
          return x;
        });
    }
  }

  template <class Term>
  static double sum4(int64_t first, int64_t last, Term term) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t i = first;
    for (; i + 4 <= last; i += 4) {
      s0 += term(i);
      s1 += term(i + 1);
      s2 += term(i + 2);
      s3 += term(i + 3);
    }
    for (; i < last; ++i) s0 += term(i);
    return (s0 + s1) + (s2 + s3);
  }

  double step(size_t k) {
    const int64_t n_blocks = static_cast<int64_t>(targets_[k].size());
    std::vector<double>& parts = step_l1_parts_[k];
    std::vector<double>& F = factors_[k];
    const std::vector<double>& t = targets_[k];
    parallel_for(n_blocks, parallel_, threads_, Schedule::fixed, [&](int64_t b) {
      const double current = F[b] * partial_sum(k, b);
      const double f = ratio_factor(current, t[b]);
      F[b] *= f;
      parts[b] = std::fabs(f - 1.0) * current;
    });
    double l1 = 0;
    for (double x : parts) l1 += x;
    return l1;
  }

  double cell_factor(const std::vector<std::vector<double>>& factors, int64_t c) const {
    double f = 1.0;
    for (size_t k = 0; k < factors.size(); ++k) f *= factors[k][block_of_cell_[k][c]];
    return f;
  }

  // sum_c |q(c) after the sweep - q(c) before|, in fixed chunks.
  double sweep_l1() const {
    const int64_t n_chunks = (n_cells_ + kChunk - 1) / kChunk;
    std::vector<double> parts(n_chunks, 0.0);
    parallel_for(n_chunks, parallel_, threads_, Schedule::fixed, [&](int64_t ch) {
      double s = 0;
      const int64_t last = std::min(n_cells_, (ch + 1) * kChunk);
      for (int64_t c = ch * kChunk; c < last; ++c)
        s +=
            std::fabs(q0_[c] * cell_factor(factors_, c) - q0_[c] * cell_factor(factors_before_, c));
      parts[ch] = s;
    });
    double l1 = 0;
    for (double x : parts) l1 += x;
    return l1;
  }

  int threads_;
  int64_t n_cells_;
  bool parallel_ = false;  // worth running in parallel (the result is the same either way)
  std::vector<double> q0_;
  std::vector<std::vector<double>> factors_, factors_before_, targets_;
  std::vector<std::vector<int32_t>> block_of_cell_;
  std::vector<MarginLayout> layouts_;
  std::vector<std::vector<double>> step_l1_parts_;
};

}  // namespace

std::unique_ptr<QuotientEngine> make_openmp_quotient_engine(const QuotientProblem& p, int threads) {
  return std::make_unique<OpenMpQuotientEngine>(p, threads);
}

}  // namespace flowfit::cpu
