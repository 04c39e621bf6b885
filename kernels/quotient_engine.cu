// The CUDA quotient engine. State: one cumulative factor per block per margin (plus a trailing
// 1.0 per margin for cells outside it), as in the OpenMP engine; a cell's value is
// q0[c] * prod_m F_m[block_m(c)]. A margin step streams that margin's cells in block order (q0
// and the other margins' block ids stored contiguously in that order) in two kernels: every block
// is cut into fixed chunks of 256 cells, one warp sums a chunk (fixed lane stride and shuffle
// tree), then one warp per block adds its chunk sums in chunk order and updates the factor:
// deterministic, no atomics, and a block of thousands of cells is spread over many warps.
// Sweeps are captured once into CUDA graphs of 1, 2, 4, ..., 32 sweeps and replayed (a batch of n
// sweeps: its binary decomposition); a device-side control word lets an L1 stop end a batch early
// (the remaining kernels of the batch return at once).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "flowfit/error.hpp"
#include "flowfit/ratio_rule.hpp"
#include "kernels/cuda_check.cuh"
#include "kernels/device_buffer.cuh"
#include "kernels/device_reduce.cuh"
#include "kernels/quotient_engine.cuh"

namespace flowfit::cuda {
namespace {

constexpr int kMaxMargins = 16;
// Sweeps are replayed through graphs of 1, 2, 4, ..., kMaxSweepsPerGraph sweeps: a batch of n
// sweeps is at most n / 32 + 5 graph launches (its binary decomposition).
constexpr int kMaxSweepsPerGraph = 32;
constexpr int kGraphSizes = 6;  // 1, 2, 4, 8, 16, 32
// A margin block is cut into chunks of this many cells (fixed, device-independent): one warp sums
// a chunk, and a block's chunk sums are added in chunk order. A skewed block (thousands of
// cells) is spread over many warps instead of serialising one.
constexpr int32_t kChunkCells = 256;

// Written by the sweep kernels, read by the host after a batch.
struct Control {
  int stop;         // 1 once a measured sweep met the L1 stop: every later kernel returns at once
  int sweeps_done;  // measured sweeps completed (every sweep is measured under an L1 stop)
  int has_stop;
  int pad;
  double l1_stop;
  double last_l1;  // whole-sweep L1 change of the last measured sweep
};

struct MarginParams {
  int32_t n_blocks = 0;
  int32_t n_chunks = 0;
  const int32_t* chunk_lo = nullptr;  // cells of chunk k: [chunk_lo[k], chunk_hi[k])
  const int32_t* chunk_hi = nullptr;
  const int32_t* chunk_ptr = nullptr;  // chunks of block b: [chunk_ptr[b], chunk_ptr[b + 1])
  double* chunk_sums = nullptr;
  int32_t n_other = 0;
  int64_t n_in = 0;                        // cells in the margin: stride of other_block
  const int32_t* block_ptr = nullptr;      // cells of block b: [block_ptr[b], block_ptr[b + 1])
  const double* values = nullptr;          // q0 of those cells, in block order
  const int32_t* other_block = nullptr;    // n_other x n_in: block of each cell in the o-th other
  int64_t other_offset[kMaxMargins] = {};  // where the o-th other margin's factors start
  double* factors = nullptr;               // every margin's factors, concatenated
  int64_t own_offset = 0;                  // where this margin's factors start
  const double* targets = nullptr;
  double* l1_parts = nullptr;  // |f - 1| * current per block (update mode)
  double* sums_out = nullptr;  // current block sums (sums mode)
  const int* stop_flag = nullptr;
};

struct CellParams {
  int64_t n_cells = 0;
  int32_t n_margins = 0;
  const double* q0 = nullptr;
  const int32_t* cell_block = nullptr;  // n_margins x n_cells (outside a margin: its n_blocks)
  int64_t factor_offset[kMaxMargins] = {};
};

// Arithmetic note: products and sums below use __dmul_rn / __dadd_rn, which the compiler never
// contracts into fused multiply-adds, so every per-cell value is rounded exactly as the CPU
// engines round it; only the summation order within a block differs (a fixed tree here).

// q0 * (factors of the other margins), the OpenMP engine's order: v = q0; v *= F_o for o ascending.
template <int kOther>
__device__ __forceinline__ double cell_term(const MarginParams& p, int64_t i) {
  double v = p.values[i];
  if constexpr (kOther >= 0) {
#pragma unroll
    for (int o = 0; o < kOther; ++o)
      v = __dmul_rn(v, p.factors[p.other_offset[o] + p.other_block[o * p.n_in + i]]);
  } else {
    for (int o = 0; o < p.n_other; ++o)
      v = __dmul_rn(v, p.factors[p.other_offset[o] + p.other_block[o * p.n_in + i]]);
  }
  return v;
}

// Chunk sums of one margin: one warp per chunk (grid-stride), fixed lane stride and warp tree.
template <int kOther>
__global__ void __launch_bounds__(kThreads) margin_chunk_kernel(MarginParams p) {
  if (*p.stop_flag != 0) return;
  const int lane = static_cast<int>(threadIdx.x & 31);
  const int64_t warp = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
  const int64_t n_warps = (static_cast<int64_t>(gridDim.x) * blockDim.x) >> 5;
  for (int64_t k = warp; k < p.n_chunks; k += n_warps) {
    double s = 0.0;
    for (int64_t i = p.chunk_lo[k] + lane; i < p.chunk_hi[k]; i += 32)
      s = __dadd_rn(s, cell_term<kOther>(p, i));
    s = warp_sum(s);
    if (lane == 0) p.chunk_sums[k] = s;
  }
}

// One margin step (kUpdate) or the margin's current block sums (!kUpdate): one warp per margin
// block adds the block's chunk sums (lane stride over chunks, fixed tree), then lane 0 updates
// the block's factor as the CPU engines do.
template <bool kUpdate>
__global__ void __launch_bounds__(kThreads) margin_finish_kernel(MarginParams p) {
  if (*p.stop_flag != 0) return;
  const int lane = static_cast<int>(threadIdx.x & 31);
  const int64_t warp = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
  const int64_t n_warps = (static_cast<int64_t>(gridDim.x) * blockDim.x) >> 5;
  for (int64_t b = warp; b < p.n_blocks; b += n_warps) {
    double s = 0.0;
    for (int64_t k = p.chunk_ptr[b] + lane; k < p.chunk_ptr[b + 1]; k += 32)
      s = __dadd_rn(s, p.chunk_sums[k]);
    s = warp_sum(s);
    if (lane == 0) {
      double* F = p.factors + p.own_offset;
      const double current = __dmul_rn(F[b], s);
      if constexpr (kUpdate) {
        const double f = ratio_factor(current, p.targets[b]);
        F[b] = __dmul_rn(F[b], f);
        p.l1_parts[b] = __dmul_rn(fabs(f - 1.0), current);
      } else {
        p.sums_out[b] = current;
      }
    }
  }
}

__device__ __forceinline__ double cell_factor(const CellParams& p, const double* factors,
                                              int64_t c) {
  double f = 1.0;
  for (int k = 0; k < p.n_margins; ++k)
    f = __dmul_rn(f, factors[p.factor_offset[k] + p.cell_block[k * p.n_cells + c]]);
  return f;
}

// Per-block partial sums of |q_end(c) - q_start(c)| over cells; fixed grid, fixed trees.
__global__ void __launch_bounds__(kThreads)
    sweep_l1_partials_kernel(CellParams p, const double* factors, const double* factors_before,
                             const int* stop_flag, double* partials) {
  __shared__ double scratch[kWarpsPerBlock];
  if (*stop_flag != 0) return;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  double s = 0.0;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < p.n_cells;
       c += stride) {
    const double q0 = p.q0[c];
    s = __dadd_rn(s, fabs(__dmul_rn(q0, cell_factor(p, factors, c)) -
                          __dmul_rn(q0, cell_factor(p, factors_before, c))));
  }
  s = block_sum<kThreads>(s, scratch);
  if (threadIdx.x == 0) partials[blockIdx.x] = s;
}

// Adds the partials, records the sweep, and raises the stop flag when the L1 stop is met.
__global__ void __launch_bounds__(kThreads)
    finish_measured_sweep_kernel(const double* partials, int64_t n_partials, Control* ctrl) {
  __shared__ double scratch[kWarpsPerBlock];
  if (ctrl->stop != 0) return;
  const double l1 = block_sum_of_array(partials, n_partials, scratch);
  if (threadIdx.x == 0) {
    ctrl->last_l1 = l1;
    ctrl->sweeps_done += 1;
    if (ctrl->has_stop != 0 && l1 <= ctrl->l1_stop) ctrl->stop = 1;
  }
}

__global__ void cell_factors_kernel(CellParams p, const double* factors, double* out) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < p.n_cells;
       c += stride)
    out[c] = cell_factor(p, factors, c);
}

template <int kOther>
void launch_chunks(const MarginParams& p, cudaStream_t stream) {
  margin_chunk_kernel<kOther><<<grid_for(p.n_chunks, kWarpsPerBlock), kThreads, 0, stream>>>(p);
  FLOWFIT_CUDA_CHECK_LAUNCH();
}

// One margin step (kUpdate) or its block sums: the chunk kernel, then the finishing kernel.
template <bool kUpdate>
void launch_margin(const MarginParams& p, cudaStream_t stream) {
  if (p.n_blocks == 0) return;
  if (p.n_chunks > 0) {
    switch (p.n_other) {
      case 0:
        launch_chunks<0>(p, stream);
        break;
      case 1:
        launch_chunks<1>(p, stream);
        break;
      case 2:
        launch_chunks<2>(p, stream);
        break;
      default:
        launch_chunks<-1>(p, stream);
        break;
    }
  }
  margin_finish_kernel<kUpdate><<<grid_for(p.n_blocks, kWarpsPerBlock), kThreads, 0, stream>>>(p);
  FLOWFIT_CUDA_CHECK_LAUNCH();
}

// The shared checks, plus the CUDA engine's own limit on margins.
void check_problem(const QuotientProblem& p) {
  p.validate();
  if (p.margins.size() > static_cast<size_t>(kMaxMargins))
    throw Error("quotient problem: the CUDA engine supports at most " +
                std::to_string(kMaxMargins) + " margins (got " + std::to_string(p.margins.size()) +
                ")");
}

class CudaQuotientEngine final : public QuotientEngine {
 public:
  CudaQuotientEngine(const QuotientProblem& p, int device) : device_(device) {
    check_problem(p);
    DeviceGuard guard(device_);
    const cudaStream_t s = stream_.get();
    n_cells_ = static_cast<int64_t>(p.cell_values.size());
    n_margins_ = static_cast<int>(p.margins.size());

    // Factors (all ones) of every margin, concatenated; a trailing 1.0 per margin.
    std::vector<int64_t> offset(n_margins_ + 1, 0);
    for (int k = 0; k < n_margins_; ++k) offset[k + 1] = offset[k] + p.margins[k].n_blocks + 1;
    n_factors_ = offset[n_margins_];
    factors_ = to_device(std::vector<double>(n_factors_, 1.0), s);
    factors_before_.allocate(n_factors_);

    // Cell-order data: q0 and the block (or n_blocks for outside) of each cell in each margin.
    q0_ = to_device(p.cell_values, s);
    std::vector<int32_t> cell_block(static_cast<size_t>(n_margins_) * n_cells_);
    for (int k = 0; k < n_margins_; ++k) {
      const auto& m = p.margins[k];
      for (int64_t c = 0; c < n_cells_; ++c)
        cell_block[k * n_cells_ + c] = m.block_of_cell[c] < 0 ? m.n_blocks : m.block_of_cell[c];
    }
    cell_block_ = to_device(cell_block, s);
    cell_params_.n_cells = n_cells_;
    cell_params_.n_margins = n_margins_;
    cell_params_.q0 = q0_.data();
    cell_params_.cell_block = cell_block_.data();
    for (int k = 0; k < n_margins_; ++k) cell_params_.factor_offset[k] = offset[k];

    // Block-order data per margin.
    int64_t l1_total = 0;
    for (int k = 0; k < n_margins_; ++k) {
      const auto& m = p.margins[k];
      Margin& dm = margins_.emplace_back();
      std::vector<int32_t> block_ptr(static_cast<size_t>(m.n_blocks) + 1, 0);
      for (int32_t b : m.block_of_cell)
        if (b >= 0) ++block_ptr[b + 1];
      for (int32_t b = 0; b < m.n_blocks; ++b) block_ptr[b + 1] += block_ptr[b];
      const int64_t n_in = block_ptr.back();
      // Fixed chunks of kChunkCells cells per block (a block's last chunk may be shorter).
      std::vector<int32_t> chunk_lo, chunk_hi, chunk_ptr(static_cast<size_t>(m.n_blocks) + 1, 0);
      for (int32_t b = 0; b < m.n_blocks; ++b) {
        for (int64_t lo = block_ptr[b]; lo < block_ptr[b + 1]; lo += kChunkCells) {
          chunk_lo.push_back(static_cast<int32_t>(lo));
          chunk_hi.push_back(
              static_cast<int32_t>(std::min<int64_t>(block_ptr[b + 1], lo + kChunkCells)));
        }
        chunk_ptr[b + 1] = static_cast<int32_t>(chunk_lo.size());
      }

      std::vector<int> others;
      for (int o = 0; o < n_margins_; ++o)
        if (o != k) others.push_back(o);
      std::vector<double> values(n_in);
      std::vector<int32_t> other_block(others.size() * n_in);
      std::vector<int32_t> next(block_ptr.begin(), block_ptr.end() - 1);
      for (int64_t c = 0; c < n_cells_; ++c) {
        const int32_t b = m.block_of_cell[c];
        if (b < 0) continue;
        const int64_t pos = next[b]++;
        values[pos] = p.cell_values[c];
        for (size_t o = 0; o < others.size(); ++o)
          other_block[o * n_in + pos] = cell_block[others[o] * n_cells_ + c];
      }
      dm.n_blocks = m.n_blocks;
      dm.chunk_lo = to_device(chunk_lo, s);
      dm.chunk_hi = to_device(chunk_hi, s);
      dm.chunk_ptr = to_device(chunk_ptr, s);
      dm.chunk_sums.allocate(chunk_lo.size());
      dm.block_ptr = to_device(block_ptr, s);
      dm.values = to_device(values, s);
      dm.other_block = to_device(other_block, s);
      dm.targets = to_device(m.targets, s);
      dm.l1_offset = l1_total;
      l1_total += m.n_blocks;
      dm.sums.allocate(m.n_blocks);

      MarginParams& mp = dm.params;
      mp.n_blocks = m.n_blocks;
      mp.n_chunks = static_cast<int32_t>(chunk_lo.size());
      mp.chunk_lo = dm.chunk_lo.data();
      mp.chunk_hi = dm.chunk_hi.data();
      mp.chunk_ptr = dm.chunk_ptr.data();
      mp.chunk_sums = dm.chunk_sums.data();
      mp.n_other = static_cast<int32_t>(others.size());
      mp.n_in = n_in;
      mp.block_ptr = dm.block_ptr.data();
      mp.values = dm.values.data();
      mp.other_block = dm.other_block.data();
      for (size_t o = 0; o < others.size(); ++o) mp.other_offset[o] = offset[others[o]];
      mp.factors = factors_.data();
      mp.own_offset = offset[k];
      mp.targets = dm.targets.data();
      mp.sums_out = dm.sums.data();
      mp.stop_flag = nullptr;  // set per use: the control word in sweeps, zero_flag_ otherwise
      if (m.n_blocks > 0) has_steps_ = true;
    }

    // Every margin's per-block step L1 in one array: one download per batch.
    l1_parts_ = to_device(std::vector<double>(static_cast<size_t>(l1_total), 0.0), s);
    for (Margin& dm : margins_) dm.params.l1_parts = l1_parts_.data() + dm.l1_offset;
    n_partials_ = n_cells_ > 0 ? static_cast<int64_t>(reduce_grid(n_cells_)) : 0;
    partials_.allocate(static_cast<size_t>(n_partials_));
    control_.allocate(1);
    zero_flag_ = to_device(std::vector<int>{0}, s);
    write_control(Control{}, s);
    stream_.synchronize();
  }

  SweepReport run_sweeps(int max_sweeps, std::optional<double> l1_stop,
                         bool measure_last) override {
    DeviceGuard guard(device_);
    const cudaStream_t s = stream_.get();
    SweepReport rep;
    rep.last_step_l1.assign(margins_.size(), 0.0);
    if (max_sweeps <= 0) return rep;

    Control ctrl{};
    ctrl.has_stop = l1_stop.has_value() ? 1 : 0;
    ctrl.l1_stop = l1_stop.value_or(0.0);
    write_control(ctrl, s);

    if (l1_stop) {
      // Every sweep is measured; the batch ends after the first sweep whose change is <= stop.
      // Graphs of 32 sweeps while at least 32 remain (the control word read after each), then
      // the binary decomposition of the rest; kernels after a met stop return at once.
      int launched = 0;
      while (launched < max_sweeps) {
        const int n = largest_graph(max_sweeps - launched);
        graph(true, n).launch(s);
        launched += n;
        if (n == kMaxSweepsPerGraph && launched < max_sweeps && read_control(s).stop != 0) break;
      }
    } else {
      const int plain = measure_last ? max_sweeps - 1 : max_sweeps;
      if (has_steps_)
        for (int left = plain; left > 0;) {
          const int n = largest_graph(left);
          graph(false, n).launch(s);
          left -= n;
        }
      if (measure_last) graph(true, 1).launch(s);
    }
    // The control word and every margin's per-block step L1, then one synchronization.
    Control c{};
    std::vector<double> parts(l1_parts_.size());
    FLOWFIT_CUDA_CHECK(
        cudaMemcpyAsync(&c, control_.data(), sizeof(Control), cudaMemcpyDeviceToHost, s));
    if (!parts.empty())
      FLOWFIT_CUDA_CHECK(cudaMemcpyAsync(parts.data(), l1_parts_.data(),
                                         parts.size() * sizeof(double), cudaMemcpyDeviceToHost, s));
    FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(s));
    if (l1_stop) {
      rep.sweeps_run = c.sweeps_done;
      rep.stopped_on_l1 = c.stop != 0;
      rep.last_sweep_l1 = c.last_l1;
    } else {
      rep.sweeps_run = max_sweeps;
      if (measure_last) rep.last_sweep_l1 = c.last_l1;
    }
    // Per-margin L1 of the last sweep run, added in block order (as the CPU engines do).
    for (size_t k = 0; k < margins_.size(); ++k) {
      double l1 = 0.0;
      for (int32_t b = 0; b < margins_[k].n_blocks; ++b)
        l1 += parts[static_cast<size_t>(margins_[k].l1_offset + b)];
      rep.last_step_l1[k] = l1;
    }
    return rep;
  }

  std::vector<std::vector<double>> block_sums() override {
    DeviceGuard guard(device_);
    const cudaStream_t s = stream_.get();
    std::vector<std::vector<double>> out;
    for (Margin& m : margins_) {
      MarginParams p = m.params;
      p.stop_flag = zero_flag_.data();
      launch_margin<false>(p, s);
      out.push_back(m.sums.to_host(s));
    }
    return out;
  }

  std::vector<double> cell_factors() override {
    DeviceGuard guard(device_);
    const cudaStream_t s = stream_.get();
    DeviceBuffer<double> f(static_cast<size_t>(n_cells_));
    if (n_cells_ > 0) {
      cell_factors_kernel<<<grid_for(n_cells_, kThreads), kThreads, 0, s>>>(
          cell_params_, factors_.data(), f.data());
      FLOWFIT_CUDA_CHECK_LAUNCH();
    }
    return f.to_host(s);
  }

 private:
  struct Margin {
    int32_t n_blocks = 0;
    int64_t l1_offset = 0;  // where this margin's blocks start in l1_parts_
    DeviceBuffer<int32_t> chunk_lo, chunk_hi, chunk_ptr;
    DeviceBuffer<double> chunk_sums;
    DeviceBuffer<int32_t> block_ptr;
    DeviceBuffer<double> values;
    DeviceBuffer<int32_t> other_block;
    DeviceBuffer<double> targets;
    DeviceBuffer<double> sums;
    MarginParams params;
  };

  // The largest graph size (a power of two up to kMaxSweepsPerGraph) not above n >= 1.
  static int largest_graph(int n) {
    int g = kMaxSweepsPerGraph;
    while (g > n) g >>= 1;
    return g;
  }

  // Stream-ordered: a host-to-device copy from pageable memory returns once the source has been
  // staged, so `c` may go out of scope; no synchronization.
  void write_control(const Control& c, cudaStream_t s) {
    FLOWFIT_CUDA_CHECK(
        cudaMemcpyAsync(control_.data(), &c, sizeof(Control), cudaMemcpyHostToDevice, s));
  }
  Control read_control(cudaStream_t s) const {
    Control c{};
    FLOWFIT_CUDA_CHECK(
        cudaMemcpyAsync(&c, control_.data(), sizeof(Control), cudaMemcpyDeviceToHost, s));
    FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(s));
    return c;
  }

  // Enqueues one sweep: (snapshot of the factors), every margin step, (the sweep's L1).
  void enqueue_sweep(bool measured, cudaStream_t s) {
    static_assert(offsetof(Control, stop) == 0, "the stop flag leads the control word");
    const int* stop = reinterpret_cast<const int*>(control_.data());
    if (measured) factors_before_.copy_from_device(factors_.data(), n_factors_, s);
    for (Margin& m : margins_) {
      MarginParams p = m.params;
      p.stop_flag = stop;
      launch_margin<true>(p, s);
    }
    if (measured) {
      if (n_cells_ > 0) {
        sweep_l1_partials_kernel<<<static_cast<unsigned>(n_partials_), kThreads, 0, s>>>(
            cell_params_, factors_.data(), factors_before_.data(), stop, partials_.data());
        FLOWFIT_CUDA_CHECK_LAUNCH();
      }
      finish_measured_sweep_kernel<<<1, kThreads, 0, s>>>(partials_.data(), n_partials_,
                                                          control_.data());
      FLOWFIT_CUDA_CHECK_LAUNCH();
    }
  }

  // The executable graph of `sweeps` consecutive sweeps, captured on first use.
  const GraphExec& graph(bool measured, int sweeps) {
    int size_index = 0;
    while ((1 << size_index) < sweeps) ++size_index;
    if ((1 << size_index) != sweeps || size_index >= kGraphSizes)
      throw Error("quotient engine: no graph of " + std::to_string(sweeps) + " sweeps");
    GraphExec& slot = graphs_[measured ? 1 : 0][size_index];
    if (!slot.valid()) {
      const cudaStream_t s = stream_.get();
      Graph g = capture_graph(s, [&] {
        for (int i = 0; i < sweeps; ++i) enqueue_sweep(measured, s);
      });
      slot = GraphExec(g);
    }
    return slot;
  }

  int device_;
  Stream stream_;
  int64_t n_cells_ = 0;
  int n_margins_ = 0;
  int64_t n_factors_ = 0;
  int64_t n_partials_ = 0;
  bool has_steps_ = false;
  DeviceBuffer<double> factors_, factors_before_, q0_, partials_, l1_parts_;
  DeviceBuffer<int32_t> cell_block_;
  DeviceBuffer<Control> control_;
  DeviceBuffer<int> zero_flag_;
  CellParams cell_params_;
  std::vector<Margin> margins_;
  GraphExec graphs_[2][kGraphSizes];  // [measured][log2(sweeps)], captured on first use
};

}  // namespace

std::unique_ptr<QuotientEngine> make_cuda_quotient_engine(const QuotientProblem& problem,
                                                          int device) {
  return std::make_unique<CudaQuotientEngine>(problem, device);
}

}  // namespace flowfit::cuda
