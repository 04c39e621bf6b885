// The OpenMP quotient engine keeps one cumulative factor per block per margin instead of explicit
// cell values: a cell's current value is q0[c] * prod_m F_m[block_m(c)]. A margin step then
// streams the margin's cells in block order once (one gather per other margin), and the step's
// L1 change is exact from block sums: sum_b |f_b - 1| * current_b.
//
// Parallel strategy by work size: a quotient with few cells runs every sweep on the calling
// thread (a fork/join or barrier per step costs more than the step, and on a loaded machine a
// preempted worker stalls every barrier). Large quotients run a whole batch of sweeps in one
// parallel region, each thread owning a fixed range of blocks, with one barrier per step.
// Every block is summed by one thread in a fixed order, so results do not depend on threads.
//
// Exact early exit: a sweep is a deterministic function of the factors, so once the factors
// repeat bit for bit every later sweep reproduces the cycle. The engine hashes the factors after
// every sweep, keeps the last few states, and on a verified repeat stops computing: the state
// after any later sweep is read from the cycle (see CycleTracker).
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "flowfit/ratio_rule.hpp"
#include "host/cpu/openmp_kernels.hpp"
#include "host/cpu/parallel_for.hpp"
#include "host/cpu/state_cycle.hpp"

namespace flowfit::cpu {
namespace {

constexpr int64_t kChunk = 8192;  // fixed reduction chunk: independent of the thread count

class OpenMpQuotientEngine final : public QuotientEngine {
 public:
  OpenMpQuotientEngine(const QuotientProblem& p, int threads, const QuotientEngineOptions& opt)
      : threads_(threads),
        n_cells_(static_cast<int64_t>(p.cell_values.size())),
        parallel_(threads > 1 && n_cells_ >= opt.min_parallel_cells),
        q0_(p.cell_values),
        cycles_(opt.detect_cycles ? opt.cycle_window : 2) {
    const size_t n_margins = p.margins.size();
    for (const auto& m : p.margins) {
      // Factor arrays carry a trailing 1.0 used by cells outside the margin.
      offset_.push_back(static_cast<int64_t>(state_.size()));
      state_.resize(state_.size() + static_cast<size_t>(m.n_blocks) + 1, 1.0);
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
    detect_ = opt.detect_cycles;
    cycles_.start(state_, std::vector<double>(n_margins, 0.0));
  }

  SweepReport run_sweeps(int max_sweeps, std::optional<double> l1_stop,
                         bool measure_last) override {
    SweepReport rep;
    rep.last_step_l1.assign(layouts_.size(), 0.0);
    // A cycle makes fixed-iteration stages exact to skip; with an L1 stop the iteration ends on
    // its own (a repeated state has L1 change 0).
    cycles_.set_detect(detect_ && !l1_stop);
    int computed = 0;
    if (!cycles_.found())
      computed = parallel_ ? sweeps_parallel(max_sweeps, l1_stop, rep)
                           : sweeps_serial(max_sweeps, l1_stop, rep);
    if (!rep.stopped_on_l1 && computed < max_sweeps && cycles_.found()) {
      // Fast-forward through the cycle: the state after any later sweep is known.
      const int64_t last = cycles_.sweeps_done() + (max_sweeps - computed);
      cycles_.advance_to(last);
      std::copy(cycles_.state_after(last).begin(), cycles_.state_after(last).end(), state_.begin());
      rep.last_step_l1 = cycles_.step_l1_after(last);
      computed = max_sweeps;
    }
    rep.sweeps_run = computed;
    if (measure_last && !rep.last_sweep_l1 && computed > 0) rep.last_sweep_l1 = last_sweep_l1();
    if (cycles_.found()) {
      rep.fixed_point_sweep = static_cast<int>(cycles_.cycle_start());
      rep.cycle_period = static_cast<int>(cycles_.period());
    }
    return rep;
  }

  std::vector<std::vector<double>> block_sums() override {
    std::vector<std::vector<double>> out;
    for (size_t k = 0; k < layouts_.size(); ++k) {
      const int64_t n_blocks = static_cast<int64_t>(targets_[k].size());
      const double* F = factors(k);
      std::vector<double> s(n_blocks);
      parallel_for(n_blocks, parallel_, threads_, Schedule::fixed,
                   [&](int64_t b) { s[b] = F[b] * partial_sum(k, b); });
      out.push_back(std::move(s));
    }
    return out;
  }

  std::vector<double> cell_factors() override {
    std::vector<double> f(n_cells_);
    parallel_for(n_cells_, n_cells_ >= kParallelThreshold, threads_, Schedule::fixed,
                 [&](int64_t c) { f[c] = cell_factor(state_.data(), c); });
    return f;
  }

 private:
  struct MarginLayout {
    std::vector<int64_t> block_ptr;  // cells of block b: [block_ptr[b], block_ptr[b+1])
    std::vector<double> values;      // q0 of those cells, in block order
    std::vector<int> other_margin;   // the other margins, in margin order
    std::vector<std::vector<int32_t>> other_block;  // their block of each cell, in block order
  };

  const double* factors(size_t k) const { return state_.data() + offset_[k]; }
  double* factors(size_t k) { return state_.data() + offset_[k]; }

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
        const double* f = factors(lay.other_margin[0]);
        const int32_t* ob = lay.other_block[0].data();
        return sum4(first, last, [&](int64_t i) { return v[i] * f[ob[i]]; });
      }
      default:
        return sum4(first, last, [&](int64_t i) {
          double x = v[i];
          for (size_t j = 0; j < lay.other_margin.size(); ++j)
            x *= factors(lay.other_margin[j])[lay.other_block[j][i]];
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

  // One margin step over blocks [b0, b1): the factor update and each block's L1 part.
  void step_blocks(size_t k, int64_t b0, int64_t b1) {
    double* parts = step_l1_parts_[k].data();
    double* F = factors(k);
    const double* t = targets_[k].data();
    for (int64_t b = b0; b < b1; ++b) {
      const double current = F[b] * partial_sum(k, b);
      const double f = ratio_factor(current, t[b]);
      F[b] *= f;
      parts[b] = std::fabs(f - 1.0) * current;
    }
  }

  // After a sweep's last step (one thread): step L1s in block order, then the cycle tracker.
  // Returns true when the batch must end (a cycle was found or the L1 stop holds).
  bool end_sweep(std::optional<double> l1_stop, SweepReport& rep) {
    for (size_t k = 0; k < layouts_.size(); ++k) {
      double l1 = 0;
      for (double x : step_l1_parts_[k]) l1 += x;
      rep.last_step_l1[k] = l1;
    }
    cycles_.record(state_, rep.last_step_l1);
    if (l1_stop) {
      rep.last_sweep_l1 = sweep_l1_serial_or_parallel();
      if (*rep.last_sweep_l1 <= *l1_stop) {
        rep.stopped_on_l1 = true;
        return true;
      }
    } else {
      rep.last_sweep_l1.reset();
    }
    return cycles_.found();
  }

  int sweeps_serial(int max_sweeps, std::optional<double> l1_stop, SweepReport& rep) {
    int s = 0;
    while (s < max_sweeps) {
      for (size_t k = 0; k < layouts_.size(); ++k)
        step_blocks(k, 0, static_cast<int64_t>(targets_[k].size()));
      ++s;
      if (end_sweep(l1_stop, rep)) break;
    }
    return s;
  }

  // One parallel region for the batch; thread t owns the blocks whose cells start in its share
  // of the margin's cells. The sweep bookkeeping runs on one thread between barriers.
  int sweeps_parallel(int max_sweeps, std::optional<double> l1_stop, SweepReport& rep) {
    int done = 0;
    bool stop = false;
    if (l1_stop) l1_parts_.assign(n_chunks(), 0.0);
    in_region_ = true;
#pragma omp parallel num_threads(threads_)
    {
      const int64_t tid = omp_get_thread_num(), nt = omp_get_num_threads();
      std::vector<std::pair<int64_t, int64_t>> own(layouts_.size());
      for (size_t k = 0; k < layouts_.size(); ++k) {
        const std::vector<int64_t>& ptr = layouts_[k].block_ptr;
        const int64_t n_blocks = static_cast<int64_t>(ptr.size()) - 1;
        auto first_block_at = [&](int64_t share) {
          if (share >= nt) return n_blocks;
          const int64_t cell = ptr.back() * share / nt;
          return static_cast<int64_t>(std::lower_bound(ptr.begin(), ptr.end() - 1, cell) -
                                      ptr.begin());
        };
        own[k] = {first_block_at(tid), first_block_at(tid + 1)};
      }
      for (int s = 0; s < max_sweeps; ++s) {
        for (size_t k = 0; k < layouts_.size(); ++k) {
          step_blocks(k, own[k].first, own[k].second);
#pragma omp barrier
        }
        if (l1_stop) sweep_l1_parts_in_region();
#pragma omp single
        {
          ++done;
          stop = end_sweep(l1_stop, rep);
        }  // implicit barrier: every thread sees `stop`
        if (stop) break;
      }
    }
    in_region_ = false;
    return done;
  }

  double cell_factor(const double* state, int64_t c) const {
    double f = 1.0;
    for (size_t k = 0; k < layouts_.size(); ++k) f *= state[offset_[k] + block_of_cell_[k][c]];
    return f;
  }

  // sum_c |q(c) after - q(c) before| over one fixed chunk of cells.
  double l1_chunk(const double* before, const double* after, int64_t ch) const {
    double s = 0;
    const int64_t last = std::min(n_cells_, (ch + 1) * kChunk);
    for (int64_t c = ch * kChunk; c < last; ++c)
      s += std::fabs(q0_[c] * cell_factor(after, c) - q0_[c] * cell_factor(before, c));
    return s;
  }
  int64_t n_chunks() const {
    return (n_cells_ + kChunk - 1) / kChunk;
  }

  // The whole-sweep L1 change of the last sweep, from the states before and after it.
  double last_sweep_l1() {
    const int64_t t = cycles_.sweeps_done();
    const double* before = cycles_.state_after(t - 1).data();
    const double* after = state_.data();
    std::vector<double> parts(n_chunks(), 0.0);
    parallel_for(n_chunks(), n_cells_ >= kParallelThreshold, threads_, Schedule::fixed,
                 [&](int64_t ch) { parts[ch] = l1_chunk(before, after, ch); });
    double l1 = 0;
    for (double x : parts) l1 += x;
    return l1;
  }

  // Inside the parallel region: every thread fills its chunks of l1_parts_ (for end_sweep).
  void sweep_l1_parts_in_region() {
    const int64_t t = cycles_.sweeps_done() + 1;  // the sweep just finished, not yet recorded
    const double* before = cycles_.state_after(t - 1).data();
#pragma omp for schedule(static)
    for (int64_t ch = 0; ch < n_chunks(); ++ch) l1_parts_[ch] = l1_chunk(before, state_.data(), ch);
  }

  double sweep_l1_serial_or_parallel() {
    if (!in_region_) return last_sweep_l1();
    double l1 = 0;  // parts were filled by every thread before the single region
    for (double x : l1_parts_) l1 += x;
    return l1;
  }

  int threads_;
  int64_t n_cells_;
  bool parallel_ = false;  // sweeps on several threads (the result is the same either way)
  bool detect_ = true;
  bool in_region_ = false;
  std::vector<double> q0_;
  std::vector<double> state_;    // every margin's factors, margin after margin
  std::vector<int64_t> offset_;  // start of margin k's factors in state_
  std::vector<std::vector<double>> targets_;
  std::vector<std::vector<int32_t>> block_of_cell_;
  std::vector<MarginLayout> layouts_;
  std::vector<std::vector<double>> step_l1_parts_;
  std::vector<double> l1_parts_;
  StateCycleTracker cycles_;
};

}  // namespace

std::unique_ptr<QuotientEngine> make_openmp_quotient_engine(const QuotientProblem& p, int threads,
                                                            const QuotientEngineOptions& options) {
  return std::make_unique<OpenMpQuotientEngine>(p, threads, options);
}

std::unique_ptr<QuotientEngine> make_openmp_quotient_engine(const QuotientProblem& p, int threads) {
  return make_openmp_quotient_engine(p, threads, QuotientEngineOptions{});
}

}  // namespace flowfit::cpu
