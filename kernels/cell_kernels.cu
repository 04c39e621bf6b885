// Per-entry CUDA kernels: cell ids, deterministic per-cell sums, per-cell scaling, L1 distance.
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_scan.cuh>
#include <cub/device/device_select.cuh>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "flowfit/cell_key.hpp"
#include "kernels/cell_kernels.cuh"
#include "kernels/cuda_check.cuh"
#include "kernels/device_buffer.cuh"
#include "kernels/device_reduce.cuh"

namespace flowfit::cuda {
namespace {

// Dense cell numbering (a flag per possible key, then a scan) is used while the key space is at
// most this many keys or twice the nonzeros, whichever is larger; beyond that keys are sorted.
constexpr uint64_t kDenseMinKeys = uint64_t{1} << 22;
// Entries per chunk of the segmented sum: one warp sums a chunk, 32 entries per lane.
constexpr int64_t kChunk = 1024;

// Key of an entry (flowfit/cell_key.hpp), as CellTable orders cells.
struct KeyMaker {
  const int32_t* __restrict__ row_cell_of_row;
  const int32_t* __restrict__ col_cell_of_col;
  CellKeyCodec codec;
  __device__ __forceinline__ uint64_t operator()(int64_t i, int32_t j, int32_t row_cell) const {
    return static_cast<uint64_t>(codec.key(row_cell, col_cell_of_col[j], codec.diagonal(i, j)));
  }
};

// Visits every entry with its key: one warp per row (grid-stride over rows), lanes over the
// row's entries, so reads of col_idx are coalesced and skewed rows need no search.
template <class Op>
__global__ void for_each_entry_key_kernel(DeviceCsrPattern m, KeyMaker key, Op op) {
  const int lane = threadIdx.x & 31;
  const int64_t warp = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
  const int64_t n_warps = (static_cast<int64_t>(gridDim.x) * blockDim.x) >> 5;
  for (int64_t i = warp; i < m.n_rows; i += n_warps) {
    const int64_t begin = __ldg(m.row_ptr + i);
    const int64_t end = __ldg(m.row_ptr + i + 1);
    const int32_t row_cell = __ldg(key.row_cell_of_row + i);
    // Read-only loads, none aliasing the output (the ops write other arrays): col_idx streams
    // through the non-coherent cache and several rows' loads can be in flight.
    for (int64_t e = begin + lane; e < end; e += 32) op(e, key(i, __ldg(m.col_idx + e), row_cell));
  }
}

struct MarkKey {
  uint32_t* flags;
  __device__ __forceinline__ void operator()(int64_t, uint64_t k) const { flags[k] = 1u; }
};
struct DenseId {
  const uint32_t* rank;
  int32_t* cell;
  __device__ __forceinline__ void operator()(int64_t e, uint64_t k) const {
    cell[e] = static_cast<int32_t>(rank[k]);
  }
};
struct StoreKey {
  uint64_t* keys;
  __device__ __forceinline__ void operator()(int64_t e, uint64_t k) const { keys[e] = k; }
};
struct SparseId {
  const uint64_t* distinct;
  int64_t n_distinct;
  int32_t* cell;
  __device__ __forceinline__ void operator()(int64_t e, uint64_t k) const {
    cell[e] = static_cast<int32_t>(lower_bound_dev(distinct, n_distinct, k));
  }
};

template <class Op>
void for_each_entry_key(const DeviceCsrPattern& m, const KeyMaker& key, Op op,
                        cudaStream_t stream) {
  if (m.n_rows == 0 || m.nnz == 0) return;
  for_each_entry_key_kernel<<<grid_for(m.n_rows, kWarpsPerBlock), kThreads, 0, stream>>>(m, key,
                                                                                         op);
  FLOWFIT_CUDA_CHECK_LAUNCH();
}

// keys[rank[k]] = k for every flagged k.
__global__ void compact_flagged_keys_kernel(const uint32_t* flags, const uint32_t* rank,
                                            uint64_t n_keys, uint64_t* keys) {
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t k = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; k < n_keys;
       k += stride)
    if (flags[k] != 0u) keys[rank[k]] = k;
}

template <class T>
T read_scalar(const T* device_ptr, cudaStream_t stream) {
  T value{};
  FLOWFIT_CUDA_CHECK(
      cudaMemcpyAsync(&value, device_ptr, sizeof(T), cudaMemcpyDeviceToHost, stream));
  FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
  return value;
}

void check_cell_count(uint64_t n_cells) {
  if (n_cells > static_cast<uint64_t>(std::numeric_limits<int32_t>::max()))
    throw Error("assign_cells: " + std::to_string(n_cells) +
                " occupied cells; cell ids are 32-bit, at most 2^31 - 1 cells are supported");
}

int bits_for(uint64_t max_value) {
  return std::max(1, static_cast<int>(std::bit_width(max_value)));
}

std::vector<uint64_t> assign_dense(const DeviceCsrPattern& m, const KeyMaker& key, uint64_t n_keys,
                                   int32_t* cell_of_entry, cudaStream_t stream) {
  DeviceBuffer<uint32_t> flags(n_keys);
  DeviceBuffer<uint32_t> rank(n_keys);
  FLOWFIT_CUDA_CHECK(cudaMemsetAsync(flags.data(), 0, flags.bytes(), stream));
  for_each_entry_key(m, key, MarkKey{flags.data()}, stream);

  size_t temp_bytes = 0;
  FLOWFIT_CUDA_CHECK(cub::DeviceScan::ExclusiveSum(nullptr, temp_bytes, flags.data(), rank.data(),
                                                   static_cast<int64_t>(n_keys), stream));
  DeviceBuffer<unsigned char> temp(std::max<size_t>(temp_bytes, 1));
  FLOWFIT_CUDA_CHECK(cub::DeviceScan::ExclusiveSum(
      temp.data(), temp_bytes, flags.data(), rank.data(), static_cast<int64_t>(n_keys), stream));
  // The last key's rank and flag in one round trip (the host needs the cell count here).
  uint32_t last[2] = {0u, 0u};
  FLOWFIT_CUDA_CHECK(cudaMemcpyAsync(&last[0], rank.data() + n_keys - 1, sizeof(uint32_t),
                                     cudaMemcpyDeviceToHost, stream));
  FLOWFIT_CUDA_CHECK(cudaMemcpyAsync(&last[1], flags.data() + n_keys - 1, sizeof(uint32_t),
                                     cudaMemcpyDeviceToHost, stream));
  FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
  const uint64_t n_cells = uint64_t{last[0]} + last[1];
  check_cell_count(n_cells);

  for_each_entry_key(m, key, DenseId{rank.data(), cell_of_entry}, stream);

  DeviceBuffer<uint64_t> keys(n_cells);
  if (n_cells > 0) {
    compact_flagged_keys_kernel<<<grid_for(static_cast<int64_t>(n_keys), kThreads), kThreads, 0,
                                  stream>>>(flags.data(), rank.data(), n_keys, keys.data());
    FLOWFIT_CUDA_CHECK_LAUNCH();
  }
  return keys.to_host(stream);
}

std::vector<uint64_t> assign_sparse(const DeviceCsrPattern& m, const KeyMaker& key, uint64_t n_keys,
                                    int32_t* cell_of_entry, cudaStream_t stream) {
  const size_t nnz = static_cast<size_t>(m.nnz);
  DeviceBuffer<uint64_t> a(nnz), b(nnz);
  for_each_entry_key(m, key, StoreKey{a.data()}, stream);

  const int end_bit = bits_for(n_keys - 1);
  cub::DoubleBuffer<uint64_t> sort_keys(a.data(), b.data());
  size_t sort_bytes = 0;
  FLOWFIT_CUDA_CHECK(
      cub::DeviceRadixSort::SortKeys(nullptr, sort_bytes, sort_keys, m.nnz, 0, end_bit, stream));
  DeviceBuffer<int64_t> n_selected(1);
  size_t unique_bytes = 0;
  FLOWFIT_CUDA_CHECK(cub::DeviceSelect::Unique(nullptr, unique_bytes, a.data(), b.data(),
                                               n_selected.data(), m.nnz, stream));
  DeviceBuffer<unsigned char> temp(std::max<size_t>({sort_bytes, unique_bytes, size_t{1}}));
  FLOWFIT_CUDA_CHECK(cub::DeviceRadixSort::SortKeys(temp.data(), sort_bytes, sort_keys, m.nnz, 0,
                                                    end_bit, stream));
  uint64_t* sorted = sort_keys.Current();
  uint64_t* distinct = sort_keys.Alternate();
  FLOWFIT_CUDA_CHECK(cub::DeviceSelect::Unique(temp.data(), unique_bytes, sorted, distinct,
                                               n_selected.data(), m.nnz, stream));
  const int64_t n_cells = read_scalar(n_selected.data(), stream);
  check_cell_count(static_cast<uint64_t>(n_cells));

  for_each_entry_key(m, key, SparseId{distinct, n_cells, cell_of_entry}, stream);

  std::vector<uint64_t> keys(static_cast<size_t>(n_cells));
  if (n_cells > 0) {
    FLOWFIT_CUDA_CHECK(cudaMemcpyAsync(keys.data(), distinct, keys.size() * sizeof(uint64_t),
                                       cudaMemcpyDeviceToHost, stream));
  }
  FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
  return keys;
}

// ---- reduce_by_cell ---------------------------------------------------------------------------

// cell_begin[c] = first position of cell c in the sorted cell ids, for c in [0, n_cells];
// cells with no entry get the position of the next cell, cell_begin[n_cells] = nnz.
__global__ void segment_begins_kernel(const uint32_t* sorted_cells, int64_t nnz, int64_t n_cells,
                                      int64_t* cell_begin) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t k = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; k < nnz;
       k += stride) {
    const int64_t c = sorted_cells[k];
    const int64_t prev = k == 0 ? -1 : static_cast<int64_t>(sorted_cells[k - 1]);
    for (int64_t x = prev + 1; x <= c; ++x) cell_begin[x] = k;
    if (k == nnz - 1)
      for (int64_t x = c + 1; x <= n_cells; ++x) cell_begin[x] = nnz;
  }
}

// chunk_count[c] = chunks of cell c (0 for c == n_cells, so that a scan gives the total).
__global__ void chunk_counts_kernel(const int64_t* cell_begin, int64_t n_cells,
                                    int64_t* chunk_count) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c <= n_cells;
       c += stride)
    chunk_count[c] =
        c < n_cells ? (cell_begin[c + 1] - cell_begin[c] + kChunk - 1) / kChunk : int64_t{0};
}

// One warp per chunk: lanes stride over the chunk's entries, then the warp's fixed tree.
__global__ void chunk_sums_kernel(const double* sorted_values, const int64_t* cell_begin,
                                  const int64_t* chunk_begin, int64_t n_cells, int64_t n_chunks,
                                  double* chunk_sum) {
  const int lane = threadIdx.x & 31;
  const int64_t warp = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
  const int64_t n_warps = (static_cast<int64_t>(gridDim.x) * blockDim.x) >> 5;
  for (int64_t k = warp; k < n_chunks; k += n_warps) {
    // The cell of chunk k: the last c with chunk_begin[c] <= k (cells without chunks skipped).
    const int64_t c = last_not_greater_dev(chunk_begin, n_cells + 1, k);
    const int64_t lo = cell_begin[c] + (k - chunk_begin[c]) * kChunk;
    const int64_t hi = min(lo + kChunk, cell_begin[c + 1]);
    double s = 0.0;
    for (int64_t e = lo + lane; e < hi; e += 32) s += sorted_values[e];
    s = warp_sum(s);
    if (lane == 0) chunk_sum[k] = s;
  }
}

// out[c] = the chunk sums of cell c added in chunk order.
__global__ void cell_sums_kernel(const double* chunk_sum, const int64_t* chunk_begin,
                                 int64_t n_cells, double* out) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t c = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; c < n_cells;
       c += stride) {
    double s = 0.0;
    for (int64_t k = chunk_begin[c]; k < chunk_begin[c + 1]; ++k) s += chunk_sum[k];
    out[c] = s;
  }
}

// ---- reduce_by_cell without a sort (aggregate_plan.hpp) ----------------------------------------

constexpr unsigned kFullMask = 0xffffffffu;
constexpr int kPieceBatch = 16;  // steps of 32 entries whose loads are in flight together
constexpr int kPieceSmemBytes = 96 * 1024;

// 32 consecutive entries of a piece into the warp's accumulator: a segmented inclusive scan over
// runs of equal slots (fixed Hillis-Steele tree), then each run's last lane adds the run's sum;
// run ends of one slot (non-adjacent runs) add one after another in lane order. slot < 0: no entry.
__device__ __forceinline__ void warp_step(double* acc, double v, int32_t slot, int lane) {
  const int32_t prev = __shfl_up_sync(kFullMask, slot, 1);
  const unsigned heads = __ballot_sync(kFullMask, lane == 0 || prev != slot);
  const int start = run_start(heads, lane);
  double s = v;
#pragma unroll
  for (int d = 1; d < 32; d <<= 1) {
    const double o = __shfl_up_sync(kFullMask, s, d);
    if (lane - d >= start) s += o;
  }
  const bool tail = is_run_tail(heads, lane) && slot >= 0;
  const unsigned peers = __match_any_sync(kFullMask, tail ? slot : -2 - lane);
  const int rank = __popc(peers & lanes_below(lane));
  for (int r = 0;; ++r) {
    if (tail && rank == r) acc[slot] += s;
    __syncwarp();
    if (!__any_sync(kFullMask, tail && rank > r)) break;
  }
}

// One warp per piece (grid-stride over pieces); `slots` doubles of dynamic shared memory per warp.
__global__ void piece_sums_kernel(const double* __restrict__ values,
                                  const int32_t* __restrict__ cell,
                                  const Piece* __restrict__ pieces, int64_t n_pieces, int slots,
                                  double* __restrict__ partial) {
  extern __shared__ double piece_smem[];
  const int lane = static_cast<int>(threadIdx.x & 31);
  double* acc = piece_smem + static_cast<size_t>(threadIdx.x >> 5) * static_cast<size_t>(slots);
  const int64_t warp = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
  const int64_t n_warps = (static_cast<int64_t>(gridDim.x) * blockDim.x) >> 5;
  for (int64_t w = warp; w < n_pieces; w += n_warps) {
    const Piece q = pieces[w];
    for (int t = lane; t < q.n_cells; t += 32) acc[t] = 0.0;
    __syncwarp();
    for (int64_t base = q.lo; base < q.hi; base += 32 * kPieceBatch) {
      double v[kPieceBatch];
      int32_t slot[kPieceBatch];
#pragma unroll
      for (int k = 0; k < kPieceBatch; ++k) {  // every load of the batch before the first use
        const int64_t e = base + k * 32 + lane;
        const bool in = e < q.hi;
        v[k] = in ? __ldg(values + e) : 0.0;
        slot[k] = in ? __ldg(cell + e) - q.cell_begin : -1;
      }
#pragma unroll
      for (int k = 0; k < kPieceBatch; ++k) {
        if (base + k * 32 >= q.hi) break;  // the same for every lane
        warp_step(acc, v[k], slot[k], lane);
      }
    }
    __syncwarp();
    for (int t = lane; t < q.n_cells; t += 32) partial[q.partial + t] = acc[t];
    __syncwarp();  // the accumulator is cleared for the next piece
  }
}

// One warp per cell: its row cell's partials in piece order, lane stride 32, the fixed warp tree.
__global__ void cell_sums_from_pieces_kernel(const double* __restrict__ partial,
                                             const Piece* __restrict__ pieces,
                                             const int32_t* __restrict__ rc_cell_begin,
                                             const int32_t* __restrict__ rc_piece_begin,
                                             const int32_t* __restrict__ cell_row_cell,
                                             int64_t n_cells, double* __restrict__ out) {
  const int lane = static_cast<int>(threadIdx.x & 31);
  const int64_t warp = (static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
  const int64_t n_warps = (static_cast<int64_t>(gridDim.x) * blockDim.x) >> 5;
  for (int64_t c = warp; c < n_cells; c += n_warps) {
    const int32_t rc = cell_row_cell[c];
    const int64_t local = c - rc_cell_begin[rc];
    double s = 0.0;
    for (int32_t q = rc_piece_begin[rc] + lane; q < rc_piece_begin[rc + 1]; q += 32)
      s += partial[pieces[q].partial + local];
    s = warp_sum(s);
    if (lane == 0) out[c] = s;
  }
}

// ---- scale and L1 -----------------------------------------------------------------------------

__global__ void scale_by_cell_kernel(double* __restrict__ values, const int32_t* __restrict__ cell,
                                     int64_t nnz, const double* __restrict__ factor) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < nnz;
       e += stride)
    values[e] *= __ldg(factor + __ldg(cell + e));
}

__global__ void l1_partials_kernel(const double* a, const double* b, int64_t n, double* partials) {
  __shared__ double scratch[kWarpsPerBlock];
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  double s = 0.0;
  for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += stride)
    s += fabs(a[e] - b[e]);
  s = block_sum<kThreads>(s, scratch);
  if (threadIdx.x == 0) partials[blockIdx.x] = s;
}

__global__ void sum_partials_kernel(const double* partials, int64_t n, double* out) {
  __shared__ double scratch[kWarpsPerBlock];
  const double s = block_sum_of_array(partials, n, scratch);
  if (threadIdx.x == 0) *out = s;
}

}  // namespace

ResidentCellLayout upload_cell_layout(const CellLayout& layout, cudaStream_t stream) {
  ResidentCellLayout r;
  r.row_cell_of_row = to_device(layout.row_cell_of_row, stream);
  r.col_cell_of_col = to_device(layout.col_cell_of_col, stream);
  r.view.n_row_cells = layout.n_row_cells;
  r.view.n_col_cells = layout.n_col_cells;
  r.view.split_diagonal = layout.split_diagonal;
  r.view.row_cell_of_row = r.row_cell_of_row.data();
  r.view.col_cell_of_col = r.col_cell_of_col.data();
  return r;
}

std::vector<uint64_t> assign_cells_device(const DeviceCsrPattern& m, const DeviceCellLayout& layout,
                                          int32_t* cell_of_entry, cudaStream_t stream) {
  if (m.nnz == 0) return {};
  const CellKeyCodec codec = CellKeyCodec::of(layout.n_col_cells, layout.split_diagonal);
  const KeyMaker key{layout.row_cell_of_row, layout.col_cell_of_col, codec};
  // n_row_cells, n_col_cells < 2^31, so the key space is below 2^63.
  const uint64_t n_keys = static_cast<uint64_t>(layout.n_row_cells * codec.keys_per_row_cell());
  const uint64_t dense_limit = std::max(kDenseMinKeys, 2 * static_cast<uint64_t>(m.nnz));
  if (n_keys <= dense_limit && n_keys <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max()))
    return assign_dense(m, key, n_keys, cell_of_entry, stream);
  return assign_sparse(m, key, n_keys, cell_of_entry, stream);
}

std::vector<double> reduce_by_cell_device(const double* values, const int32_t* cell_of_entry,
                                          int64_t nnz, int64_t n_cells, cudaStream_t stream) {
  std::vector<double> out(static_cast<size_t>(n_cells), 0.0);
  if (n_cells == 0 || nnz == 0) return out;
  const size_t n = static_cast<size_t>(nnz);

  // 1. Stable radix sort of (cell, value) pairs: within a cell, entries stay in entry order.
  DeviceBuffer<uint32_t> sorted_cells(n);
  DeviceBuffer<double> sorted_values(n);
  {
    const auto* keys_in = reinterpret_cast<const uint32_t*>(cell_of_entry);
    const int end_bit = bits_for(static_cast<uint64_t>(n_cells - 1));
    size_t temp_bytes = 0;
    FLOWFIT_CUDA_CHECK(
        cub::DeviceRadixSort::SortPairs(nullptr, temp_bytes, keys_in, sorted_cells.data(), values,
                                        sorted_values.data(), nnz, 0, end_bit, stream));
    DeviceBuffer<unsigned char> temp(std::max<size_t>(temp_bytes, 1));
    FLOWFIT_CUDA_CHECK(
        cub::DeviceRadixSort::SortPairs(temp.data(), temp_bytes, keys_in, sorted_cells.data(),
                                        values, sorted_values.data(), nnz, 0, end_bit, stream));
    FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));  // before temp is freed
  }

  // 2. Where each cell's run starts, and how many fixed chunks it has.
  const size_t cells1 = static_cast<size_t>(n_cells) + 1;
  DeviceBuffer<int64_t> cell_begin(cells1);
  segment_begins_kernel<<<grid_for(nnz, kThreads), kThreads, 0, stream>>>(
      sorted_cells.data(), nnz, n_cells, cell_begin.data());
  FLOWFIT_CUDA_CHECK_LAUNCH();
  FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));  // the kernel reads sorted_cells
  sorted_cells.reset();

  DeviceBuffer<int64_t> chunk_count(cells1), chunk_begin(cells1);
  chunk_counts_kernel<<<grid_for(n_cells + 1, kThreads), kThreads, 0, stream>>>(
      cell_begin.data(), n_cells, chunk_count.data());
  FLOWFIT_CUDA_CHECK_LAUNCH();
  {
    size_t temp_bytes = 0;
    FLOWFIT_CUDA_CHECK(cub::DeviceScan::ExclusiveSum(nullptr, temp_bytes, chunk_count.data(),
                                                     chunk_begin.data(),
                                                     static_cast<int64_t>(cells1), stream));
    DeviceBuffer<unsigned char> temp(std::max<size_t>(temp_bytes, 1));
    FLOWFIT_CUDA_CHECK(cub::DeviceScan::ExclusiveSum(temp.data(), temp_bytes, chunk_count.data(),
                                                     chunk_begin.data(),
                                                     static_cast<int64_t>(cells1), stream));
    FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
  }
  const int64_t n_chunks = read_scalar(chunk_begin.data() + n_cells, stream);

  // 3. Chunk sums (one warp each), then each cell's chunks in order.
  DeviceBuffer<double> chunk_sum(static_cast<size_t>(n_chunks));
  DeviceBuffer<double> sums(static_cast<size_t>(n_cells));
  if (n_chunks > 0) {
    chunk_sums_kernel<<<grid_for(n_chunks, kWarpsPerBlock), kThreads, 0, stream>>>(
        sorted_values.data(), cell_begin.data(), chunk_begin.data(), n_cells, n_chunks,
        chunk_sum.data());
    FLOWFIT_CUDA_CHECK_LAUNCH();
  }
  cell_sums_kernel<<<grid_for(n_cells, kThreads), kThreads, 0, stream>>>(
      chunk_sum.data(), chunk_begin.data(), n_cells, sums.data());
  FLOWFIT_CUDA_CHECK_LAUNCH();
  sums.copy_to_host(out.data(), out.size(), stream);
  return out;
}

DeviceAggregatePlan upload_aggregate_plan(const AggregatePlan& plan, cudaStream_t stream) {
  DeviceAggregatePlan d;
  d.n_cells = static_cast<int64_t>(plan.cell_row_cell.size());
  d.n_partials = plan.n_partials;
  d.max_cells = plan.max_cells;
  d.pieces = to_device(plan.pieces, stream);
  d.rc_cell_begin = to_device(plan.rc_cell_begin, stream);
  d.rc_piece_begin = to_device(plan.rc_piece_begin, stream);
  d.cell_row_cell = to_device(plan.cell_row_cell, stream);
  return d;
}

std::vector<double> reduce_by_cell_pieces_device(const double* values, const int32_t* cell_of_entry,
                                                 const DeviceAggregatePlan& plan,
                                                 cudaStream_t stream) {
  std::vector<double> out(static_cast<size_t>(plan.n_cells), 0.0);
  const int64_t n_pieces = static_cast<int64_t>(plan.pieces.size());
  if (plan.n_cells == 0 || n_pieces == 0) return out;
  if (plan.max_cells > kMaxPieceSlots) throw Error("reduce_by_cell: piece plan not usable");

  AsyncBuffer<double> partial(static_cast<size_t>(plan.n_partials), stream);
  AsyncBuffer<double> sums(static_cast<size_t>(plan.n_cells), stream);
  const int slots = std::max(plan.max_cells, 1);
  const size_t warp_bytes = static_cast<size_t>(slots) * sizeof(double);
  const int warps = static_cast<int>(
      std::clamp<size_t>(kPieceSmemBytes / warp_bytes, 1, static_cast<size_t>(kWarpsPerBlock)));
  const size_t smem = warp_bytes * static_cast<size_t>(warps);
  FLOWFIT_CUDA_CHECK(cudaFuncSetAttribute(
      piece_sums_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(smem)));
  piece_sums_kernel<<<grid_for(n_pieces, warps), warps * 32, smem, stream>>>(
      values, cell_of_entry, plan.pieces.data(), n_pieces, slots, partial.data());
  FLOWFIT_CUDA_CHECK_LAUNCH();
  cell_sums_from_pieces_kernel<<<grid_for(plan.n_cells, kWarpsPerBlock), kThreads, 0, stream>>>(
      partial.data(), plan.pieces.data(), plan.rc_cell_begin.data(), plan.rc_piece_begin.data(),
      plan.cell_row_cell.data(), plan.n_cells, sums.data());
  FLOWFIT_CUDA_CHECK_LAUNCH();
  FLOWFIT_CUDA_CHECK(cudaMemcpyAsync(out.data(), sums.data(), out.size() * sizeof(double),
                                     cudaMemcpyDeviceToHost, stream));
  FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
  return out;
}

void scale_by_cell_device(double* values, const int32_t* cell_of_entry, int64_t nnz,
                          const double* factor_of_cell, cudaStream_t stream) {
  if (nnz == 0) return;
  scale_by_cell_kernel<<<grid_for(nnz, kThreads), kThreads, 0, stream>>>(values, cell_of_entry, nnz,
                                                                         factor_of_cell);
  FLOWFIT_CUDA_CHECK_LAUNCH();
}

double l1_distance_device(const double* a, const double* b, int64_t n, cudaStream_t stream) {
  if (n == 0) return 0.0;
  const unsigned grid = reduce_grid(n);
  DeviceBuffer<double> partials(grid), result(1);
  l1_partials_kernel<<<grid, kThreads, 0, stream>>>(a, b, n, partials.data());
  FLOWFIT_CUDA_CHECK_LAUNCH();
  sum_partials_kernel<<<1, kThreads, 0, stream>>>(partials.data(), grid, result.data());
  FLOWFIT_CUDA_CHECK_LAUNCH();
  return read_scalar(result.data(), stream);
}

}  // namespace flowfit::cuda
