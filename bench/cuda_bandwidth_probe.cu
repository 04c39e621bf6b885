// Bandwidth probe (bench/cuda_bandwidth_probe.cuh): a device-to-device copy and the backend's
// per-entry passes, timed with cudaEvents.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/cuda_bandwidth_probe.cuh"
#include "flowfit/error.hpp"
#include "kernels/cell_kernels.cuh"
#include "kernels/cuda_check.cuh"
#include "kernels/device_buffer.cuh"

namespace flowfit::cuda {
namespace {

// An owned CUDA event (timing enabled).
class Event {
 public:
  Event() { FLOWFIT_CUDA_CHECK(cudaEventCreate(&event_)); }
  ~Event() {
    if (event_ != nullptr) cudaEventDestroy(event_);
  }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  void record(cudaStream_t stream) { FLOWFIT_CUDA_CHECK(cudaEventRecord(event_, stream)); }
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

// Seconds from `start` to `stop` (both recorded and complete).
double seconds_between(const Event& start, const Event& stop) {
  float ms = 0;
  FLOWFIT_CUDA_CHECK(cudaEventElapsedTime(&ms, start.get(), stop.get()));
  return static_cast<double>(ms) * 1e-3;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void check_inputs(const CsrMatrix& m, const CellLayout& layout, int device) {
  int n = 0;
  const cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) {
    cudaGetLastError();
    throw BackendUnavailable(std::string("bandwidth probe: cudaGetDeviceCount failed: ") +
                             cudaGetErrorName(err) + ": " + cudaGetErrorString(err));
  }
  if (device < 0 || device >= n)
    throw BackendUnavailable("bandwidth probe: CUDA device " + std::to_string(device) +
                             " requested, " + std::to_string(n) + " device(s) present");
  m.validate();
  if (m.nnz() == 0) throw Error("bandwidth probe: the matrix has no entries");
  check_layout(m.n_rows, m.n_cols, layout);
}

}  // namespace

BandwidthProbe probe_bandwidth(const CsrMatrix& m, const CellLayout& layout, int repeats,
                               int device, bool sort_path) {
  check_inputs(m, layout, device);
  DeviceGuard guard(device);
  BandwidthProbe r;
  r.repeats = std::max(1, repeats);
  cudaDeviceProp prop{};
  FLOWFIT_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  r.device = std::string(prop.name) + " (sm_" + std::to_string(prop.major) +
             std::to_string(prop.minor) + ", " + std::to_string(prop.multiProcessorCount) + " SMs)";
  Stream stream;
  const cudaStream_t s = stream.get();
  Event start, stop;

  // Device-to-device copy of a buffer the size of the matrix (freed before the passes run).
  {
    r.copy_bytes = m.storage_bytes();
    const size_t bytes = static_cast<size_t>(r.copy_bytes);
    DeviceBuffer<unsigned char> src(bytes), dst(bytes);
    FLOWFIT_CUDA_CHECK(cudaMemsetAsync(src.data(), 1, bytes, s));
    FLOWFIT_CUDA_CHECK(cudaMemsetAsync(dst.data(), 0, bytes, s));
    std::vector<double> times;
    for (int k = 0; k <= r.repeats; ++k) {
      start.record(s);
      FLOWFIT_CUDA_CHECK(
          cudaMemcpyAsync(dst.data(), src.data(), bytes, cudaMemcpyDeviceToDevice, s));
      stop.record(s);
      FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(s));
      if (k > 0) times.push_back(seconds_between(start, stop));  // k == 0: warm-up
    }
    r.copy_s = median(times);
  }

  // The matrix and the layout, resident as the CUDA backend keeps them.
  DeviceBuffer<int64_t> row_ptr = to_device(m.row_ptr, s);
  DeviceBuffer<int32_t> col_idx = to_device(m.col_idx, s);
  DeviceBuffer<double> values = to_device(m.values, s);
  const ResidentCellLayout dl = upload_cell_layout(layout, s);
  const DeviceCsrPattern pattern{m.n_rows, m.n_cols, m.nnz(), row_ptr.data(), col_idx.data()};
  DeviceBuffer<int32_t> cell_of_entry(static_cast<size_t>(m.nnz()));
  DeviceBuffer<double> factors;

  Event after_assign, after_reduce;
  std::vector<double> assign_t, reduce_t, scale_t;
  bool use_pieces = false;
  DeviceAggregatePlan plan;
  r.reduce_path = "sort (asked for)";
  for (int k = 0; k <= r.repeats; ++k) {
    start.record(s);
    const std::vector<uint64_t> keys =
        assign_cells_device(pattern, dl.view, cell_of_entry.data(), s);
    after_assign.record(s);
    if (k == 0 && !sort_path) {
      // The backend's plan (cuda_backend.cu): row cell of each cell from its key.
      const std::vector<int32_t> cell_row_cell =
          cell_table_from_keys(keys, layout.key_codec()).row_cell;
      const AggregatePlan p =
          make_aggregate_plan(m.row_ptr, layout.row_cell_of_row, layout.n_row_cells, cell_row_cell,
                              std::max<int64_t>(m.nnz() / 2, int64_t{1} << 20));
      use_pieces = p.usable;
      r.reduce_path = p.usable ? "pieces (" + std::to_string(p.pieces.size()) + " pieces)"
                               : "sort (piece plan unusable: " + p.why_not + ")";
      if (p.usable) plan = upload_aggregate_plan(p, s);
      after_assign.record(s);
    }
    const std::vector<double> sums =
        use_pieces ? reduce_by_cell_pieces_device(values.data(), cell_of_entry.data(), plan, s)
                   : reduce_by_cell_device(values.data(), cell_of_entry.data(), m.nnz(),
                                           static_cast<int64_t>(keys.size()), s);
    after_reduce.record(s);
    if (k == 0) {
      r.n_cells = static_cast<int64_t>(keys.size());
      factors = to_device(std::vector<double>(keys.size(), 1.0), s);  // warm-up run only
    }
    scale_by_cell_device(values.data(), cell_of_entry.data(), m.nnz(), factors.data(), s);
    stop.record(s);
    FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(s));
    if (static_cast<int64_t>(sums.size()) != r.n_cells)
      throw Error("bandwidth probe: reduce_by_cell returned " + std::to_string(sums.size()) +
                  " sums for " + std::to_string(r.n_cells) + " cells");
    if (k == 0) continue;  // warm-up: lazy module loading, first touch of the allocator
    assign_t.push_back(seconds_between(start, after_assign));
    reduce_t.push_back(seconds_between(after_assign, after_reduce));
    scale_t.push_back(seconds_between(after_reduce, stop));
  }
  r.assign_s = median(assign_t);
  r.reduce_s = median(reduce_t);
  r.scale_s = median(scale_t);
  return r;
}

}  // namespace flowfit::cuda
