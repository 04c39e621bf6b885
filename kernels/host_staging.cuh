#pragma once
// Pinned staging of large host <-> device copies. A copy from pageable memory (a std::vector)
// goes through the driver's own small staging buffers, one piece at a time; here the data moves
// through two pinned chunks of 32 MB: while the DMA engine copies one chunk, host threads fill
// (or empty) the other. Small copies (< 1 MB) go straight through cudaMemcpyAsync.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <thread>
#include <vector>

#include "kernels/cuda_check.cuh"

namespace flowfit::cuda {

// memcpy split over a few host threads (a single thread copies ~10 GB/s, below the DMA rate).
inline void parallel_memcpy(void* dst, const void* src, std::size_t bytes) {
  constexpr std::size_t kPerThread = std::size_t{4} << 20;
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t n_threads =
      std::min<std::size_t>({8, hw, std::max<std::size_t>(1, bytes / kPerThread)});
  if (n_threads <= 1) {
    std::memcpy(dst, src, bytes);
    return;
  }
  const std::size_t piece = (bytes + n_threads - 1) / n_threads;
  std::vector<std::thread> threads;
  auto copy_piece = [&](std::size_t t) {
    const std::size_t lo = t * piece, hi = std::min(bytes, lo + piece);
    if (lo < hi)
      std::memcpy(static_cast<char*>(dst) + lo, static_cast<const char*>(src) + lo, hi - lo);
  };
  for (std::size_t t = 1; t < n_threads; ++t) threads.emplace_back(copy_piece, t);
  copy_piece(0);
  for (auto& th : threads) th.join();
}

class HostStaging {
 public:
  static constexpr std::size_t kChunkBytes = std::size_t{32} << 20;
  static constexpr std::size_t kDirectBytes = std::size_t{1} << 20;

  HostStaging() = default;
  ~HostStaging() {
    for (void* b : buffer_)
      if (b != nullptr) cudaFreeHost(b);
    for (cudaEvent_t e : done_)
      if (e != nullptr) cudaEventDestroy(e);
  }
  HostStaging(const HostStaging&) = delete;
  HostStaging& operator=(const HostStaging&) = delete;

  // Host -> device; complete when it returns.
  void upload(void* dst, const void* src, std::size_t bytes, cudaStream_t stream) {
    if (bytes == 0) return;
    if (bytes < kDirectBytes) {
      FLOWFIT_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream));
      FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
      return;
    }
    ensure();
    int slot = 0;
    for (std::size_t off = 0; off < bytes; off += kChunkBytes, slot ^= 1) {
      const std::size_t n = std::min(kChunkBytes, bytes - off);
      FLOWFIT_CUDA_CHECK(cudaEventSynchronize(done_[slot]));  // its last DMA has finished
      parallel_memcpy(buffer_[slot], static_cast<const char*>(src) + off, n);
      FLOWFIT_CUDA_CHECK(cudaMemcpyAsync(static_cast<char*>(dst) + off, buffer_[slot], n,
                                         cudaMemcpyHostToDevice, stream));
      FLOWFIT_CUDA_CHECK(cudaEventRecord(done_[slot], stream));
    }
    FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
  }

  // Device -> host; complete when it returns. Chunk k + 1 is in flight while chunk k is copied
  // out of its pinned buffer.
  void download(void* dst, const void* src, std::size_t bytes, cudaStream_t stream) {
    if (bytes == 0) return;
    if (bytes < kDirectBytes) {
      FLOWFIT_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream));
      FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
      return;
    }
    ensure();
    const std::size_t n_chunks = (bytes + kChunkBytes - 1) / kChunkBytes;
    auto enqueue = [&](std::size_t k) {
      const std::size_t off = k * kChunkBytes, n = std::min(kChunkBytes, bytes - off);
      FLOWFIT_CUDA_CHECK(cudaMemcpyAsync(buffer_[k % 2], static_cast<const char*>(src) + off, n,
                                         cudaMemcpyDeviceToHost, stream));
      FLOWFIT_CUDA_CHECK(cudaEventRecord(done_[k % 2], stream));
    };
    auto drain = [&](std::size_t k) {
      const std::size_t off = k * kChunkBytes, n = std::min(kChunkBytes, bytes - off);
      FLOWFIT_CUDA_CHECK(cudaEventSynchronize(done_[k % 2]));
      parallel_memcpy(static_cast<char*>(dst) + off, buffer_[k % 2], n);
    };
    enqueue(0);
    for (std::size_t k = 1; k < n_chunks; ++k) {
      enqueue(k);  // buffer k % 2 held chunk k - 2, drained in the previous iteration
      drain(k - 1);
    }
    drain(n_chunks - 1);
  }

 private:
  void ensure() {
    for (int i = 0; i < 2; ++i) {
      if (buffer_[i] == nullptr) FLOWFIT_CUDA_CHECK(cudaMallocHost(&buffer_[i], kChunkBytes));
      if (done_[i] == nullptr)
        FLOWFIT_CUDA_CHECK(cudaEventCreateWithFlags(&done_[i], cudaEventDisableTiming));
    }
  }

  void* buffer_[2] = {nullptr, nullptr};
  cudaEvent_t done_[2] = {nullptr, nullptr};
};

}  // namespace flowfit::cuda
