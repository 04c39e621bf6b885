#pragma once
// Deterministic reductions and launch helpers shared by the CUDA kernels. Every reduction here
// adds in an order fixed by the problem size alone (sequential per thread over a fixed stride,
// then a fixed shuffle tree), never by timing: no floating-point atomics anywhere.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

namespace flowfit::cuda {

constexpr int kThreads = 256;  // threads per block for every kernel here
constexpr int kWarpsPerBlock = kThreads / 32;
constexpr int64_t kMaxGrid = 1 << 20;  // grid-stride loops cap their grid here
constexpr int kReduceGrid = 1024;      // fixed partial count of whole-array sums

// Blocks for `items` work items handled `per_block` at a time by a grid-stride loop.
inline unsigned grid_for(int64_t items, int64_t per_block, int64_t cap = kMaxGrid) {
  const int64_t blocks = (items + per_block - 1) / per_block;
  return static_cast<unsigned>(std::max<int64_t>(1, std::min(blocks, cap)));
}

// Grid of a whole-array deterministic sum over n items: depends on n only (not on the device).
inline unsigned reduce_grid(int64_t n) {
  return grid_for(n, kThreads, kReduceGrid);
}

// Sum over the 32 lanes of a warp in a fixed tree; the result is valid in lane 0.
__device__ __forceinline__ double warp_sum(double v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_down_sync(0xffffffffu, v, offset);
  return v;
}

// Sum over the kBlock threads of a block in a fixed tree; the result is valid in thread 0.
// `scratch` holds kBlock / 32 doubles of shared memory. Every thread of the block must call it;
// callers that reuse `scratch` must __syncthreads() before the next call.
template <int kBlock>
__device__ __forceinline__ double block_sum(double v, double* scratch) {
  static_assert(kBlock % 32 == 0 && kBlock <= 1024, "block size must be a multiple of 32");
  constexpr int kWarps = kBlock / 32;
  const int lane = threadIdx.x & 31;
  const int warp = threadIdx.x >> 5;
  v = warp_sum(v);
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  double r = 0.0;
  if (warp == 0) {
    r = lane < kWarps ? scratch[lane] : 0.0;
    r = warp_sum(r);
  }
  return r;
}

// Sums partials[0..n) in one block of kThreads threads: thread t adds t, t + kThreads, ...
// sequentially, then the block tree. Result valid in thread 0.
__device__ __forceinline__ double block_sum_of_array(const double* partials, int64_t n,
                                                     double* scratch) {
  double s = 0.0;
  for (int64_t i = threadIdx.x; i < n; i += kThreads) s += partials[i];
  return block_sum<kThreads>(s, scratch);
}

// First index in sorted[0..n) whose value is >= key.
template <class T>
__device__ __forceinline__ int64_t lower_bound_dev(const T* sorted, int64_t n, T key) {
  int64_t lo = 0, hi = n;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (sorted[mid] < key)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

// Last index i in sorted[0..n) with sorted[i] <= key (sorted[0] <= key assumed).
template <class T>
__device__ __forceinline__ int64_t last_not_greater_dev(const T* sorted, int64_t n, T key) {
  int64_t lo = 0, hi = n;  // answer in [lo, hi)
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (sorted[mid] <= key)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

}  // namespace flowfit::cuda
