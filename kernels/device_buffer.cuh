#pragma once
// RAII owners for device resources: memory (plain cudaMalloc, never managed memory), streams,
// graphs and the current-device guard. Destructors never throw; every constructor and transfer
// checks its calls and throws flowfit::Error.
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "kernels/cuda_check.cuh"

namespace flowfit::cuda {

// Sets the current device for its lifetime and restores the previous one afterwards.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device) {
    FLOWFIT_CUDA_CHECK(cudaGetDevice(&previous_));
    if (previous_ != device) FLOWFIT_CUDA_CHECK(cudaSetDevice(device));
    device_ = device;
  }
  ~DeviceGuard() {
    if (previous_ != device_) cudaSetDevice(previous_);
  }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
  int device_ = 0;
};

// An array of T in device memory.
template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t n) { allocate(n); }
  ~DeviceBuffer() { reset(); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept {
    if (this != &o) {
      reset();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }

  // Frees what is held and allocates n elements (contents undefined). n == 0 holds nothing.
  void allocate(std::size_t n) {
    reset();
    if (n == 0) return;
    void* p = nullptr;
    FLOWFIT_CUDA_CHECK(cudaMalloc(&p, n * sizeof(T)));
    data_ = static_cast<T*>(p);
    size_ = n;
  }
  void reset() noexcept {
    if (data_ != nullptr) cudaFree(data_);
    data_ = nullptr;
    size_ = 0;
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::size_t bytes() const { return size_ * sizeof(T); }
  bool empty() const { return size_ == 0; }

  // Host -> device into the first n elements; completes before returning.
  void copy_from_host(const T* host, std::size_t n, cudaStream_t stream) {
    if (n > size_) throw Error("DeviceBuffer::copy_from_host: more elements than allocated");
    if (n == 0) return;
    FLOWFIT_CUDA_CHECK(cudaMemcpyAsync(data_, host, n * sizeof(T), cudaMemcpyHostToDevice, stream));
    FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
  }
  // Device -> host of the first n elements; completes before returning.
  void copy_to_host(T* host, std::size_t n, cudaStream_t stream) const {
    if (n > size_) throw Error("DeviceBuffer::copy_to_host: more elements than allocated");
    if (n == 0) return;
    FLOWFIT_CUDA_CHECK(cudaMemcpyAsync(host, data_, n * sizeof(T), cudaMemcpyDeviceToHost, stream));
    FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
  }
  std::vector<T> to_host(cudaStream_t stream) const {
    std::vector<T> out(size_);
    copy_to_host(out.data(), size_, stream);
    return out;
  }
  // Device -> device copy of another buffer's first n elements (asynchronous on the stream).
  void copy_from_device(const T* src, std::size_t n, cudaStream_t stream) {
    if (n > size_) throw Error("DeviceBuffer::copy_from_device: more elements than allocated");
    if (n == 0) return;
    FLOWFIT_CUDA_CHECK(
        cudaMemcpyAsync(data_, src, n * sizeof(T), cudaMemcpyDeviceToDevice, stream));
  }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

// A stream-ordered array of T (cudaMallocAsync / cudaFreeAsync on one stream): allocating and
// freeing never synchronize the device, unlike cudaMalloc / cudaFree. Memory comes from the
// device's default pool, which keep_pool_memory() tells to keep freed memory for reuse, so a
// stage's temporaries are served from memory the previous stage gave back.
template <class T>
class AsyncBuffer {
 public:
  AsyncBuffer() = default;
  AsyncBuffer(std::size_t n, cudaStream_t stream) { allocate(n, stream); }
  ~AsyncBuffer() { reset(); }
  AsyncBuffer(const AsyncBuffer&) = delete;
  AsyncBuffer& operator=(const AsyncBuffer&) = delete;
  AsyncBuffer(AsyncBuffer&& o) noexcept
      : data_(std::exchange(o.data_, nullptr)),
        size_(std::exchange(o.size_, 0)),
        stream_(o.stream_) {}
  AsyncBuffer& operator=(AsyncBuffer&& o) noexcept {
    if (this != &o) {
      reset();
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
      stream_ = o.stream_;
    }
    return *this;
  }
  // Frees what is held (stream-ordered) and allocates n elements on `stream`.
  void allocate(std::size_t n, cudaStream_t stream) {
    reset();
    stream_ = stream;
    if (n == 0) return;
    void* p = nullptr;
    FLOWFIT_CUDA_CHECK(cudaMallocAsync(&p, n * sizeof(T), stream));
    data_ = static_cast<T*>(p);
    size_ = n;
  }
  // Grows to at least n elements (contents are not kept); a workspace reused across calls.
  void reserve(std::size_t n, cudaStream_t stream) {
    if (n > size_ || stream != stream_) allocate(n, stream);
  }
  void reset() noexcept {
    if (data_ != nullptr) cudaFreeAsync(data_, stream_);
    data_ = nullptr;
    size_ = 0;
  }
  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
  cudaStream_t stream_ = nullptr;
};

// Keeps memory freed into `device`'s default pool for reuse instead of returning it to the driver
// at the next synchronization (the default release threshold is 0).
inline void keep_pool_memory(int device) {
  cudaMemPool_t pool = nullptr;
  FLOWFIT_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, device));
  uint64_t threshold = UINT64_MAX;
  FLOWFIT_CUDA_CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &threshold));
}

// Allocates a buffer of n elements and uploads a host vector into it (synchronously).
template <class T>
DeviceBuffer<T> to_device(const std::vector<T>& host, cudaStream_t stream) {
  DeviceBuffer<T> d(host.size());
  d.copy_from_host(host.data(), host.size(), stream);
  return d;
}

// An owned, non-blocking CUDA stream.
class Stream {
 public:
  Stream() { FLOWFIT_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking)); }
  ~Stream() {
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return stream_; }
  void synchronize() const { FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream_)); }

 private:
  cudaStream_t stream_ = nullptr;
};

// An owned CUDA graph (the captured template).
class Graph {
 public:
  Graph() = default;
  explicit Graph(cudaGraph_t g) : graph_(g) {}
  ~Graph() { reset(); }
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;
  Graph(Graph&& o) noexcept : graph_(std::exchange(o.graph_, nullptr)) {}
  Graph& operator=(Graph&& o) noexcept {
    if (this != &o) {
      reset();
      graph_ = std::exchange(o.graph_, nullptr);
    }
    return *this;
  }
  void reset() noexcept {
    if (graph_ != nullptr) cudaGraphDestroy(graph_);
    graph_ = nullptr;
  }
  cudaGraph_t get() const { return graph_; }

 private:
  cudaGraph_t graph_ = nullptr;
};

// An owned executable graph instance.
class GraphExec {
 public:
  GraphExec() = default;
  explicit GraphExec(const Graph& g) {
    FLOWFIT_CUDA_CHECK(cudaGraphInstantiate(&exec_, g.get(), 0ULL));
  }
  ~GraphExec() { reset(); }
  GraphExec(const GraphExec&) = delete;
  GraphExec& operator=(const GraphExec&) = delete;
  GraphExec(GraphExec&& o) noexcept : exec_(std::exchange(o.exec_, nullptr)) {}
  GraphExec& operator=(GraphExec&& o) noexcept {
    if (this != &o) {
      reset();
      exec_ = std::exchange(o.exec_, nullptr);
    }
    return *this;
  }
  void reset() noexcept {
    if (exec_ != nullptr) cudaGraphExecDestroy(exec_);
    exec_ = nullptr;
  }
  bool valid() const { return exec_ != nullptr; }
  void launch(cudaStream_t stream) const { FLOWFIT_CUDA_CHECK(cudaGraphLaunch(exec_, stream)); }

 private:
  cudaGraphExec_t exec_ = nullptr;
};

// Captures everything `record` enqueues on `stream` into a graph. If `record` throws, the
// capture is ended and its partial graph destroyed before the exception propagates.
template <class F>
Graph capture_graph(cudaStream_t stream, F&& record) {
  FLOWFIT_CUDA_CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
  try {
    record();
  } catch (...) {
    cudaGraph_t partial = nullptr;
    cudaStreamEndCapture(stream, &partial);
    if (partial != nullptr) cudaGraphDestroy(partial);
    cudaGetLastError();  // clear a capture-invalidation error so later calls start clean
    throw;
  }
  cudaGraph_t g = nullptr;
  FLOWFIT_CUDA_CHECK(cudaStreamEndCapture(stream, &g));
  return Graph(g);
}

}  // namespace flowfit::cuda
