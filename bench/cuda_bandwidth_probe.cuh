#pragma once
// Bandwidth probe of the CUDA backend's per-entry passes, for bench/cuda_bandwidth_bench.cpp
// (issue 3). Plain C++ declarations, no CUDA headers: host code compiled by the C++ compiler
// includes this header, but only in builds with FLOWFIT_WITH_CUDA (the definition lives in
// bench/cuda_bandwidth_probe.cu, compiled into that benchmark only: the library does not ship it).
#include <cstdint>
#include <string>

#include "flowfit/backend.hpp"
#include "flowfit/csr_matrix.hpp"

namespace flowfit::cuda {

// Medians over the repeats (after one untimed warm-up run), in seconds of GPU time measured with
// cudaEvents on the probe's own stream.
struct BandwidthProbe {
  std::string device;  // e.g. "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs)"
  int repeats = 0;
  int64_t copy_bytes = 0;   // size of the buffer copied device to device (the matrix's CSR bytes)
  double copy_s = 0;        // one cudaMemcpyAsync(..., cudaMemcpyDeviceToDevice) of copy_bytes
  int64_t n_cells = 0;      // cells of the layout
  double assign_s = 0;      // assign_cells_device: entry -> cell ids
  double reduce_s = 0;      // reduce_by_cell: per-cell sums (incl. their download)
  std::string reduce_path;  // "pieces" or "sort" (and why the sort, when the plan is unusable)
  double scale_s = 0;       // scale_by_cell_device: every value times its cell's factor (1.0)
};

// Uploads `m` to `device`, copies a buffer of m.storage_bytes() device to device, then runs
// assign_cells -> reduce_by_cell -> scale_by_cell (the aggregate and apply passes of a stage on
// `layout`) through the same device entry points the CUDA backend calls (kernels/
// cell_kernels.cuh), 1 + repeats times. Each pass is timed between cudaEvents recorded on the
// stream just before and just after its entry point, so a pass's figure includes its temporary
// allocations and the download of its small result, not the Backend method's host-side work.
// Throws BackendUnavailable without a device, flowfit::Error on bad inputs or CUDA errors.
// sort_path: reduce_by_cell through the stable radix sort (the cross-check path) instead of the
// piece plan (built on the host once, after the warm-up's assign_cells, and not timed).
BandwidthProbe probe_bandwidth(const CsrMatrix& m, const CellLayout& layout, int repeats,
                               int device, bool sort_path = false);

}  // namespace flowfit::cuda
