// The OpenMP quotient engine keeps explicit cell values q (as the reference engine does), so the
// state after a sweep has no free direction: the fit's fixed point is a point, and a converged
// fit reaches a state that repeats bit for bit (a fixed point or a short cycle) — the exact early
// exit below. A step of margin k multiplies every cell of block b by f_k[b] = target / (sum of
// the block's cells); within a sweep the factors are applied lazily and the cells are written
// once per sweep:
//
//  * storage order: margin 0's cells block by block, then the cells outside margin 0. Margin 0's
//    block sums are contiguous streams; the other margins read the cells through a permutation
//    (CSC-like: their blocks' storage positions, contiguous per block) and gather the pending
//    factors of the earlier margins from small factor vectors (a few thousand doubles: in L1).
//  * a sweep: the steps of margins 1..M-1 (block sums of q * pending factors), then one pass in
//    storage order that writes q <- q * f_0 * f_1 * ... (margin order: the same products, rounded
//    the same way, as applying the steps one after another), and on the way computes the state
//    hash, the sweep's L1 change |q_new - q_old| and the block sums of margin 0 for the next
//    sweep's first step.
//
// Every block sum is a four-accumulator sum in a fixed order by one thread; totals are added in
// block order and the hash is a sum mod 2^64, so results do not depend on the thread count.
// Parallel strategy: small quotients run every sweep on the calling thread. Larger ones run
// sweeps either serially or in parallel — a run of sweeps in one parallel region, each thread
// owning fixed block ranges (balanced by cells), with M + 1 barriers per sweep and no fork/join —
// whichever is measured faster on this machine now (sweep_mode.hpp); both give the same bits.
//
// The applied factor of a cell is a function of the final state only: q_final / q0 (1 where q0
// is 0: the entries of such a cell sum to zero). So a run that stops computing at a repeated
// state and reads the state after sweep N from the cycle gives bit-identical output.
#include <omp.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <numeric>

#include "flowfit/ratio_rule.hpp"
#include "host/cpu/openmp_kernels.hpp"
#include "host/cpu/parallel_for.hpp"
#include "host/cpu/state_cycle.hpp"

namespace flowfit::cpu {
namespace {

using Range = std::pair<int64_t, int64_t>;

// States are hashed (for the cycle search) after sweeps that follow one whose L1 change was at
// most this fraction of the quotient's mass; above it the fit is still moving and hashing every
// cell would cost a third of the sweep. A state can only repeat once every cell changes by a few
// ulps (~1e-16 relative) per sweep; 1e-13 leaves a margin of ~1,000 above that floor, and spares
// the hashing in the many sweeps of a national county fit that converges slowly towards it (its
// L1 change falls ~0.5% per sweep; 1e-11 started hashing ~900 sweeps earlier).
constexpr double kHashBelowRelativeL1 = 1e-13;

// Two-margin quotients: the writing pass also accumulates the next sweep's margin-1 block sums,
// one partial vector per fixed chunk of margin 0's blocks (chunks balanced by cells, independent
// of the thread count; the partials are added in chunk order). A chunk's vector is a few thousand
// doubles (in L1), so margin 1's step needs no pass through the cells in its own order.
constexpr int64_t kRowChunks = 16;

// Blocks [first, second) whose cells start in share `tid` of `nt` (ptr: block -> first cell).
Range owned_blocks(const std::vector<int64_t>& ptr, int64_t tid, int64_t nt) {
  const int64_t n_blocks = static_cast<int64_t>(ptr.size()) - 1;
  auto first_block_at = [&](int64_t share) {
    if (share >= nt) return n_blocks;
    const int64_t cell = ptr.back() * share / nt;
    return static_cast<int64_t>(std::lower_bound(ptr.begin(), ptr.end() - 1, cell) - ptr.begin());
  };
  return {first_block_at(tid), first_block_at(tid + 1)};
}

template <class Term>
inline double sum4(int64_t first, int64_t last, Term term) {
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

class OpenMpQuotientEngine final : public QuotientEngine {
 public:
  OpenMpQuotientEngine(const QuotientProblem& p, int threads, const QuotientEngineOptions& opt)
      : threads_(std::max(1, threads)),
        n_cells_(static_cast<int64_t>(p.cell_values.size())),
        n_margins_(p.margins.size()),
        parallel_(threads > 1 && n_cells_ >= opt.min_parallel_cells),
        policy_(parallel_ ? opt.sweep_mode : SweepModePolicy::serial),
        detect_(opt.detect_cycles),
        cycles_(opt.cycle_window) {
    for (const auto& m : p.margins) {
      targets_.push_back(m.targets);
      // Factor vectors carry a trailing 1.0 used by cells outside the margin.
      f_.emplace_back(static_cast<size_t>(m.n_blocks) + 1, 1.0);
      parts_.emplace_back(m.n_blocks, 0.0);
    }
    lay_out_storage(p);
    for (size_t k = 1; k < n_margins_; ++k) gathered_.push_back(lay_out_gathered(p, k));
    seg_l1_.assign(n_segments(), 0.0);
    if (n_margins_ == 2) {
      chunk_seg_.resize(kRowChunks + 1);
      for (int64_t ch = 0; ch < kRowChunks; ++ch)
        chunk_seg_[ch] = owned_blocks(seg_ptr_, ch, kRowChunks).first;
      chunk_seg_[kRowChunks] = n_segments();
      row_stride_ = n_blocks(1) + 1;
      row_part_.assign(static_cast<size_t>(kRowChunks * row_stride_), 0.0);
    }
    parts0_[0].assign(n_blocks(0), 0.0);
    parts0_[1].assign(n_blocks(0), 0.0);
    hash_part_.assign(static_cast<size_t>(threads_), 0);
    cycles_.start(state_hash(q_));
    for (double x : q0_) mass_ += std::fabs(x);
  }

  SweepReport run_sweeps(int max_sweeps, std::optional<double> l1_stop,
                         bool /*measure_last: every sweep's L1 change is measured*/) override {
    SweepReport rep;
    rep.last_step_l1.assign(n_margins_, 0.0);
    if (max_sweeps <= 0) return rep;
    // A cycle makes fixed-iteration stages exact to skip; with an L1 stop the iteration ends on
    // its own (a repeated state has L1 change 0).
    cycles_.set_detect(detect_ && !l1_stop);
    if (!cycles_.detecting()) hash_now_ = false;
    int computed = 0;
    if (!cycles_.found()) computed = sweeps(max_sweeps, l1_stop, rep);
    if (!rep.stopped_on_l1 && computed < max_sweeps && cycles_.found()) {
      // Fast-forward through the cycle: the state after any later sweep is known.
      const int64_t last = cycles_.sweeps_done() + (max_sweeps - computed);
      cycles_.advance_to(last);
      const auto state = cycles_.state_after(last);
      std::copy(state.begin(), state.end(), q_.begin());
      first_step_ready_ = false;
      rep.last_step_l1 = cycles_.facts_after(last).step_l1;
      rep.last_sweep_l1 = cycles_.facts_after(last).sweep_l1;
      computed = max_sweeps;
    }
    rep.sweeps_run = computed;
    if (cycles_.found()) {
      rep.fixed_point_sweep = static_cast<int>(cycles_.cycle_start());
      rep.cycle_period = static_cast<int>(cycles_.period());
    }
    return rep;
  }

  std::vector<std::vector<double>> block_sums() override {
    std::vector<std::vector<double>> out;
    for (size_t k = 0; k < n_margins_; ++k) {
      std::vector<double> s(n_blocks(k));
      if (k == 0) {
        parallel_for(n_blocks(0), parallel_, threads_, Schedule::fixed,
                     [&](int64_t b) { s[b] = segment_sum(b); });
      } else {
        const Gathered& g = gathered_[k - 1];
        const int32_t* pos = g.pos.data();
        const double* q = q_.data();
        parallel_for(n_blocks(k), parallel_, threads_, Schedule::fixed, [&](int64_t b) {
          s[b] = sum4(g.block_ptr[b], g.block_ptr[b + 1], [&](int64_t i) { return q[pos[i]]; });
        });
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  std::vector<double> cell_factors() override {
    std::vector<double> f(n_cells_);
    parallel_for(n_cells_, n_cells_ >= kParallelThreshold, threads_, Schedule::fixed,
                 [&](int64_t i) { f[cell_at_[i]] = q0_[i] != 0.0 ? q_[i] / q0_[i] : 1.0; });
    return f;
  }

 private:
  // A margin k >= 1 in its own block order: storage positions and the earlier margins' blocks.
  struct Gathered {
    std::vector<int64_t> block_ptr;  // entries of block b: [block_ptr[b], block_ptr[b+1])
    std::vector<int32_t> pos;        // storage position of each entry
    std::vector<std::vector<int32_t>> earlier;  // earlier[j][i]: margin j's block (or n_blocks)
  };

  int64_t n_blocks(size_t k) const {
    return k < n_margins_ ? static_cast<int64_t>(targets_[k].size()) : 0;
  }
  // Segments of the storage order: margin 0's blocks, then one segment of the cells outside it.
  int64_t n_segments() const { return n_blocks(0) + 1; }

  void lay_out_storage(const QuotientProblem& p) {
    const int64_t nb0 = n_blocks(0);
    seg_ptr_.assign(static_cast<size_t>(nb0) + 2, 0);
    auto seg_of = [&](int64_t c) -> int64_t {
      if (n_margins_ == 0) return 0;
      const int32_t b = p.margins[0].block_of_cell[c];
      return b < 0 ? nb0 : b;
    };
    for (int64_t c = 0; c < n_cells_; ++c) ++seg_ptr_[seg_of(c) + 1];
    std::partial_sum(seg_ptr_.begin(), seg_ptr_.end(), seg_ptr_.begin());
    cell_at_.resize(n_cells_);
    pos_of_cell_.resize(n_cells_);
    std::vector<int64_t> next(seg_ptr_.begin(), seg_ptr_.end() - 1);
    for (int64_t c = 0; c < n_cells_; ++c) {
      const int64_t pos = next[seg_of(c)]++;
      cell_at_[pos] = static_cast<int32_t>(c);
      pos_of_cell_[c] = static_cast<int32_t>(pos);
    }
    q_.resize(n_cells_);
    for (int64_t i = 0; i < n_cells_; ++i) q_[i] = p.cell_values[cell_at_[i]];
    q0_ = q_;
    for (size_t k = 1; k < n_margins_; ++k) {
      const auto& m = p.margins[k];
      std::vector<int32_t> blk(n_cells_);
      for (int64_t i = 0; i < n_cells_; ++i) {
        const int32_t b = m.block_of_cell[cell_at_[i]];
        blk[i] = b < 0 ? m.n_blocks : b;
      }
      blk_.push_back(std::move(blk));
    }
  }

  Gathered lay_out_gathered(const QuotientProblem& p, size_t k) const {
    const auto& m = p.margins[k];
    Gathered g;
    g.block_ptr.assign(static_cast<size_t>(m.n_blocks) + 1, 0);
    for (int32_t b : m.block_of_cell)
      if (b >= 0) ++g.block_ptr[b + 1];
    std::partial_sum(g.block_ptr.begin(), g.block_ptr.end(), g.block_ptr.begin());
    const int64_t n_in = g.block_ptr.back();
    g.pos.resize(n_in);
    g.earlier.assign(k, std::vector<int32_t>(n_in));
    std::vector<int64_t> next(g.block_ptr.begin(), g.block_ptr.end() - 1);
    for (int64_t c = 0; c < n_cells_; ++c) {
      const int32_t b = m.block_of_cell[c];
      if (b < 0) continue;
      const int64_t at = next[b]++;
      g.pos[at] = pos_of_cell_[c];
      for (size_t j = 0; j < k; ++j) {
        const int32_t bj = p.margins[j].block_of_cell[c];
        g.earlier[j][at] = bj < 0 ? p.margins[j].n_blocks : bj;
      }
    }
    return g;
  }

  double segment_sum(int64_t s) const {
    const double* q = q_.data();
    return sum4(seg_ptr_[s], seg_ptr_[s + 1], [&](int64_t i) { return q[i]; });
  }

  // Margin 0's step from block sums (the first step of a sweep).
  void first_step_of_block(int64_t b, double current, double* parts) {
    const double f = ratio_factor(current, targets_[0][b]);
    f_[0][b] = f;
    parts[b] = std::fabs(f - 1.0) * current;
  }

  // Margin 0's first step for the current state, blocks [b0, b1) (after a state was set).
  void first_step_blocks(int64_t b0, int64_t b1) {
    double* parts = parts0_[cur_].data();
    for (int64_t b = b0; b < std::min(b1, n_blocks(0)); ++b)
      first_step_of_block(b, segment_sum(b), parts);
  }

  // Two margins: adds q * f_0 of segment s into a chunk's margin-1 partial sums.
  void scatter_segment(int64_t s, double* part) const {
    const double f0 = f_[0][std::min(s, n_blocks(0))];
    const double* q = q_.data();
    const int32_t* b1 = blk_[0].data();
    for (int64_t i = seg_ptr_[s]; i < seg_ptr_[s + 1]; ++i) part[b1[i]] += q[i] * f0;
  }
  double* row_part(int64_t ch) { return row_part_.data() + ch * row_stride_; }

  // Two margins, for the current state: margin 0's first step and the margin-1 partial sums of
  // chunks [c0, c1).
  void first_step_chunks(int64_t c0, int64_t c1) {
    double* parts = parts0_[cur_].data();
    for (int64_t ch = c0; ch < c1; ++ch) {
      double* part = row_part(ch);
      std::fill(part, part + row_stride_, 0.0);
      for (int64_t s = chunk_seg_[ch]; s < chunk_seg_[ch + 1]; ++s) {
        if (s < n_blocks(0)) first_step_of_block(s, segment_sum(s), parts);
        scatter_segment(s, part);
      }
    }
  }

  // Two margins: margin 1's step over blocks [b0, b1) from the chunk partial sums.
  void partial_step(int64_t b0, int64_t b1) {
    double* F = f_[1].data();
    double* parts = parts_[1].data();
    const double* t = targets_[1].data();
    for (int64_t b = b0; b < b1; ++b) {
      double current = 0;
      for (int64_t ch = 0; ch < kRowChunks; ++ch) current += row_part_[ch * row_stride_ + b];
      const double f = ratio_factor(current, t[b]);
      F[b] = f;
      parts[b] = std::fabs(f - 1.0) * current;
    }
  }

  // Step of margin k >= 1 over its blocks [b0, b1): sums of q times the earlier margins' factors.
  void gathered_step(size_t k, int64_t b0, int64_t b1) {
    const Gathered& g = gathered_[k - 1];
    const double* q = q_.data();
    const int32_t* pos = g.pos.data();
    double* F = f_[k].data();
    double* parts = parts_[k].data();
    const double* t = targets_[k].data();
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t first = g.block_ptr[b], last = g.block_ptr[b + 1];
      double current;
      if (k == 1) {
        const double* f0 = f_[0].data();
        const int32_t* e0 = g.earlier[0].data();
        current = sum4(first, last, [&](int64_t i) { return q[pos[i]] * f0[e0[i]]; });
      } else {
        current = sum4(first, last, [&](int64_t i) {
          double v = q[pos[i]];
          for (size_t j = 0; j < k; ++j) v *= f_[j][g.earlier[j][i]];
          return v;
        });
      }
      const double f = ratio_factor(current, t[b]);
      F[b] = f;
      parts[b] = std::fabs(f - 1.0) * current;
    }
  }

  // The value of storage position i after the sweep: q * f_0 (f0) * f_1 * ... in margin order.
  template <int kMargins>
  double updated(int64_t i, double f0) const {
    double v = q_[i] * f0;
    if constexpr (kMargins == 2) {
      v *= f_[1][blk_[0][i]];
    } else {
      for (size_t k = 1; k < n_margins_; ++k) v *= f_[k][blk_[k - 1][i]];
    }
    return v;
  }

  // Writes the sweep's result over segments [s0, s1): per segment the L1 change and the new
  // block sum (four accumulators, the order of segment_sum), then margin 0's first step of the
  // next sweep; returns the segments' hash terms.
  template <int kMargins, bool kHash>
  uint64_t write_segments(int64_t s0, int64_t s1, double* next_parts, double* part) {
    uint64_t h = 0;
    double* q = q_.data();
    const int64_t nb0 = n_blocks(0);
    for (int64_t s = s0; s < s1; ++s) {
      const double f0 = n_margins_ > 0 ? f_[0][s < nb0 ? s : nb0] : 1.0;
      const int64_t first = seg_ptr_[s], last = seg_ptr_[s + 1];
      double a0 = 0, a1 = 0, a2 = 0, a3 = 0, d0 = 0, d1 = 0, d2 = 0, d3 = 0;
      auto one = [&](int64_t i, double& a, double& d) {
        const double v = updated<kMargins>(i, f0);
        d += std::fabs(v - q[i]);
        a += v;
        if constexpr (kHash) h += state_hash_term(std::bit_cast<uint64_t>(v), i);
        q[i] = v;
      };
      int64_t i = first;
      for (; i + 4 <= last; i += 4) {
        one(i, a0, d0);
        one(i + 1, a1, d1);
        one(i + 2, a2, d2);
        one(i + 3, a3, d3);
      }
      for (; i < last; ++i) one(i, a0, d0);
      seg_l1_[s] = (d0 + d1) + (d2 + d3);
      if (s < nb0) first_step_of_block(s, (a0 + a1) + (a2 + a3), next_parts);
      if constexpr (kMargins == 2) scatter_segment(s, part);
    }
    return h;
  }

  // The writing pass over the work units [u0, u1): chunks (two margins) or segments.
  uint64_t write(int64_t u0, int64_t u1, double* next_parts) {
    if (n_margins_ != 2)
      return hash_now_ ? write_segments<0, true>(u0, u1, next_parts, nullptr)
                       : write_segments<0, false>(u0, u1, next_parts, nullptr);
    uint64_t h = 0;
    for (int64_t ch = u0; ch < u1; ++ch) {
      double* part = row_part(ch);
      std::fill(part, part + row_stride_, 0.0);
      const int64_t s0 = chunk_seg_[ch], s1 = chunk_seg_[ch + 1];
      h += hash_now_ ? write_segments<2, true>(s0, s1, next_parts, part)
                     : write_segments<2, false>(s0, s1, next_parts, part);
    }
    return h;
  }
  // Work units of the writing pass: chunks (two margins) or segments.
  int64_t n_units() const { return n_margins_ == 2 ? kRowChunks : n_segments(); }
  Range owned_units(int64_t tid, int64_t nt) const {
    if (n_margins_ != 2) return owned_blocks(seg_ptr_, tid, nt);
    return {kRowChunks * tid / nt, kRowChunks * (tid + 1) / nt};
  }
  void prepare_units(int64_t u0, int64_t u1) {
    if (n_margins_ == 2)
      first_step_chunks(u0, u1);
    else
      first_step_blocks(u0, u1);
  }
  void margin_step(size_t k, int64_t b0, int64_t b1) {
    if (n_margins_ == 2)
      partial_step(b0, b1);
    else
      gathered_step(k, b0, b1);
  }

  // After a sweep (one thread): step L1s and the sweep's L1 in block order, then the cycle check.
  // Returns true when the batch must end (a cycle was found or the L1 stop holds).
  bool end_sweep(std::optional<double> l1_stop, SweepReport& rep) {
    SweepFacts facts;
    facts.step_l1.assign(n_margins_, 0.0);
    for (size_t k = 0; k < n_margins_; ++k) {
      double l1 = 0;
      for (double x : k == 0 ? parts0_[cur_] : parts_[k]) l1 += x;
      facts.step_l1[k] = l1;
    }
    for (double x : seg_l1_) facts.sweep_l1 += x;
    uint64_t h = 0;
    for (uint64_t x : hash_part_) h += x;
    cur_ ^= 1;  // the next sweep's first step was written to the other parts buffer
    rep.last_step_l1 = facts.step_l1;
    rep.last_sweep_l1 = facts.sweep_l1;
    if (hash_now_)
      cycles_.record(q_, h, facts);
    else
      cycles_.record_unhashed();
    // A state can only recur once sweeps change it by rounding errors: hash from then on. (The
    // rule depends on the state sequence only, so the found cycle does not depend on threads.)
    hash_now_ = cycles_.detecting() && facts.sweep_l1 <= kHashBelowRelativeL1 * mass_;
    if (l1_stop && facts.sweep_l1 <= *l1_stop) {
      rep.stopped_on_l1 = true;
      return true;
    }
    return cycles_.found();
  }

  int sweeps_serial(int max_sweeps, std::optional<double> l1_stop, SweepReport& rep) {
    if (!first_step_ready_) prepare_units(0, n_units());
    first_step_ready_ = true;
    std::fill(hash_part_.begin(), hash_part_.end(), 0);
    int s = 0;
    while (s < max_sweeps) {
      for (size_t k = 1; k < n_margins_; ++k) margin_step(k, 0, n_blocks(k));
      hash_part_[0] = write(0, n_units(), parts0_[cur_ ^ 1].data());
      ++s;
      if (end_sweep(l1_stop, rep)) break;
    }
    return s;
  }

  // Sweeps in the mode the policy says; adaptive: in runs chosen by measured speed. Returns the
  // sweeps run (fewer than asked when the L1 stop held or a cycle was found).
  int sweeps(int max_sweeps, std::optional<double> l1_stop, SweepReport& rep) {
    if (policy_ == SweepModePolicy::serial) return sweeps_serial(max_sweeps, l1_stop, rep);
    if (policy_ == SweepModePolicy::parallel) return sweeps_parallel(max_sweeps, l1_stop, rep);
    int done = 0;
    while (done < max_sweeps) {
      const SweepModeChooser::Step step = chooser_.next(max_sweeps - done);
      const auto t0 = std::chrono::steady_clock::now();
      const int ran = step.mode == SweepMode::parallel ? sweeps_parallel(step.sweeps, l1_stop, rep)
                                                       : sweeps_serial(step.sweeps, l1_stop, rep);
      chooser_.record(step.mode, ran,
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      done += ran;
      if (ran < step.sweeps) break;  // stopped on L1 or a cycle was found
    }
    return done;
  }

  // One parallel region for the batch; the sweep bookkeeping runs on one thread between barriers.
  int sweeps_parallel(int max_sweeps, std::optional<double> l1_stop, SweepReport& rep) {
    int done = 0;
    bool stop = false;
    const bool ready = first_step_ready_;
    std::fill(hash_part_.begin(), hash_part_.end(), 0);
#pragma omp parallel num_threads(threads_)
    {
      const int64_t tid = omp_get_thread_num(), nt = omp_get_num_threads();
      std::vector<Range> own(n_margins_);
      for (size_t k = 1; k < n_margins_; ++k)
        own[k] = owned_blocks(gathered_[k - 1].block_ptr, tid, nt);
      const Range seg = owned_units(tid, nt);
      if (!ready) {
        prepare_units(seg.first, seg.second);
#pragma omp barrier
      }
      for (int s = 0; s < max_sweeps; ++s) {
        for (size_t k = 1; k < n_margins_; ++k) {
          margin_step(k, own[k].first, own[k].second);
#pragma omp barrier
        }
        hash_part_[tid] = write(seg.first, seg.second, parts0_[cur_ ^ 1].data());
#pragma omp barrier
#pragma omp single
        {
          ++done;
          stop = end_sweep(l1_stop, rep);
        }  // implicit barrier: every thread sees `stop` and the flipped buffer index
        if (stop) break;
      }
    }
    first_step_ready_ = true;
    return done;
  }

  int threads_;
  int64_t n_cells_;
  size_t n_margins_;
  bool parallel_ = false;  // sweeps may run on several threads (the result is the same either way)
  SweepModePolicy policy_;
  SweepModeChooser chooser_;
  bool detect_ = true;
  bool hash_now_ = false;          // hash the state after the next sweep (see end_sweep)
  double mass_ = 0.0;              // sum of |q0|
  bool first_step_ready_ = false;  // f_[0] and parts0_[cur_] hold margin 0's step for q_
  int cur_ = 0;
  std::vector<double> q_;         // current cell values, storage order
  std::vector<double> q0_;        // initial cell values, storage order
  std::vector<int32_t> cell_at_;  // storage position -> cell
  std::vector<int32_t> pos_of_cell_;
  std::vector<int64_t> seg_ptr_;    // margin 0's blocks (then the outside cells) in storage
  std::vector<int64_t> chunk_seg_;  // two margins: segments of chunk ch: [chunk_seg_[ch], ...+1)
  int64_t row_stride_ = 0;
  std::vector<double> row_part_;  // two margins: kRowChunks x (n_blocks(1) + 1) partial sums
  std::vector<std::vector<int32_t>> blk_;  // blk_[k-1][i]: margin k's block of position i
  std::vector<Gathered> gathered_;         // margins 1..M-1
  std::vector<std::vector<double>> targets_;
  std::vector<std::vector<double>> f_;      // this sweep's factor per block, per margin
  std::vector<std::vector<double>> parts_;  // |f - 1| * current per block (margins >= 1)
  std::vector<double> parts0_[2];           // the same for margin 0, this sweep and the next
  std::vector<double> seg_l1_;              // the sweep's L1 change per segment
  std::vector<uint64_t> hash_part_;         // per thread
  StateCycleDetector cycles_;
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
