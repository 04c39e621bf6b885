// The CUDA backend: a CSR matrix resident in device memory (64-bit row offsets, 32-bit column
// indices, float64 values), per-entry int32 cell ids resident next to it, and the kernels of
// cell_kernels.cu and quotient_engine.cu. See docs/cuda_backend.md.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "flowfit/backend.hpp"
#include "flowfit/error.hpp"
#include "kernels/cell_kernels.cuh"
#include "kernels/cuda_check.cuh"
#include "kernels/device_buffer.cuh"
#include "kernels/host_staging.cuh"
#include "kernels/quotient_engine.cuh"

namespace flowfit {
namespace cuda {
namespace {

class CudaMatrix final : public ResidentMatrix {
 public:
  CudaMatrix(int device, int64_t n_rows, int64_t n_cols, int64_t nnz)
      : device(device), rows(n_rows), cols(n_cols), entries(nnz) {
    row_ptr.allocate(static_cast<size_t>(n_rows) + 1);
    col_idx.allocate(static_cast<size_t>(nnz));
    values.allocate(static_cast<size_t>(nnz));
  }
  int64_t n_rows() const override { return rows; }
  int64_t n_cols() const override { return cols; }
  int64_t nnz() const override { return entries; }
  DeviceCsrPattern pattern() const { return {rows, cols, entries, row_ptr.data(), col_idx.data()}; }

  int device;
  int64_t rows, cols, entries;
  DeviceBuffer<int64_t> row_ptr;
  DeviceBuffer<int32_t> col_idx;
  DeviceBuffer<double> values;
  std::vector<int64_t> host_row_ptr;  // a host copy of the offsets (8 bytes per row)
};

class CudaCells final : public CellAssignment {
 public:
  CudaCells(int device, CellTable table, DeviceBuffer<int32_t> ids)
      : device(device), cell_of_entry(std::move(ids)) {
    table_ = std::move(table);
  }
  int device;
  DeviceBuffer<int32_t> cell_of_entry;  // 4 bytes per nonzero
  bool use_pieces = false;              // reduce_by_cell without a sort (plan below)
  std::string sort_reason;              // why the sort path is used, when it is
  DeviceAggregatePlan plan;             // per piece 32 bytes, per cell and row cell 4-8 bytes
};

// Which reduce_by_cell path: FLOWFIT_CUDA_AGGREGATE=auto (default: pieces where the plan is
// usable, else the sort), pieces (the same), or sort (always the stable radix sort: the
// cross-check path).
enum class AggregatePath { pieces, sort };
AggregatePath aggregate_path_from_env() {
  const char* v = std::getenv("FLOWFIT_CUDA_AGGREGATE");
  const std::string s = v == nullptr ? "auto" : v;
  if (s.empty() || s == "auto" || s == "pieces") return AggregatePath::pieces;
  if (s == "sort") return AggregatePath::sort;
  throw Error("FLOWFIT_CUDA_AGGREGATE: expected auto, pieces or sort, got '" + s + "'");
}

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(int device) : device_(device) {
    DeviceGuard guard(device_);  // the stream belongs to this device
    cudaDeviceProp prop{};
    FLOWFIT_CUDA_CHECK(cudaGetDeviceProperties(&prop, device_));
    name_ = "cuda (" + std::string(prop.name) + ", sm_" + std::to_string(prop.major) +
            std::to_string(prop.minor) + ")";
    aggregate_ = aggregate_path_from_env();
    stream_ = std::make_unique<Stream>();
    keep_pool_memory(device_);  // stage temporaries (cudaMallocAsync) are reused, not re-mapped
  }

  BackendKind kind() const override { return BackendKind::cuda; }
  std::string name() const override { return name_; }

 protected:
  std::unique_ptr<ResidentMatrix> do_upload(ConstCsrView m) override {
    DeviceGuard guard(device_);
    auto d = std::make_unique<CudaMatrix>(device_, m.n_rows, m.n_cols, m.nnz());
    const cudaStream_t s = stream();
    staging_.upload(d->row_ptr.data(), m.row_ptr.data(), m.row_ptr.size() * sizeof(int64_t), s);
    staging_.upload(d->col_idx.data(), m.col_idx.data(), m.col_idx.size() * sizeof(int32_t), s);
    staging_.upload(d->values.data(), m.values.data(), m.values.size() * sizeof(double), s);
    // The aggregate's piece plan is built on the host from the offsets.
    d->host_row_ptr.assign(m.row_ptr.begin(), m.row_ptr.end());
    return d;
  }

  void do_download(const ResidentMatrix& rm, std::span<int64_t> row_ptr, std::span<int32_t> col_idx,
                   std::span<double> values) override {
    const CudaMatrix& d = matrix(rm);
    DeviceGuard guard(device_);
    const cudaStream_t s = stream();
    if (!row_ptr.empty())
      staging_.download(row_ptr.data(), d.row_ptr.data(), row_ptr.size() * sizeof(int64_t), s);
    if (!col_idx.empty())
      staging_.download(col_idx.data(), d.col_idx.data(), col_idx.size() * sizeof(int32_t), s);
    if (!values.empty())
      staging_.download(values.data(), d.values.data(), values.size() * sizeof(double), s);
  }

  std::unique_ptr<ResidentMatrix> do_clone(const ResidentMatrix& rm) override {
    const CudaMatrix& d = matrix(rm);
    DeviceGuard guard(device_);
    const cudaStream_t s = stream();
    auto c = std::make_unique<CudaMatrix>(device_, d.rows, d.cols, d.entries);
    c->row_ptr.copy_from_device(d.row_ptr.data(), d.row_ptr.size(), s);
    c->col_idx.copy_from_device(d.col_idx.data(), d.col_idx.size(), s);
    c->values.copy_from_device(d.values.data(), d.values.size(), s);
    c->host_row_ptr = d.host_row_ptr;
    FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(s));
    return c;
  }

  std::unique_ptr<CellAssignment> do_assign_cells(const ResidentMatrix& rm,
                                                  const CellLayout& layout) override {
    const CudaMatrix& d = matrix(rm);
    DeviceGuard guard(device_);
    const cudaStream_t s = stream();
    const ResidentCellLayout dl = upload_cell_layout(layout, s);
    DeviceBuffer<int32_t> ids(static_cast<size_t>(d.entries));
    const std::vector<uint64_t> keys = assign_cells_device(d.pattern(), dl.view, ids.data(), s);

    CellTable table = cell_table_from_keys(keys, layout.key_codec());
    const std::vector<int32_t> cell_row_cell = table.row_cell;
    auto out = std::make_unique<CudaCells>(device_, std::move(table), std::move(ids));
    if (aggregate_ == AggregatePath::pieces && d.entries > 0) {
      // Partials bounded by half the nonzeros (4 bytes per nonzero) and at least 2^20.
      const int64_t max_partials = std::max<int64_t>(d.entries / 2, int64_t{1} << 20);
      const AggregatePlan plan = make_aggregate_plan(
          d.host_row_ptr, layout.row_cell_of_row, layout.n_row_cells, cell_row_cell, max_partials);
      out->use_pieces = plan.usable;
      if (plan.usable)
        out->plan = upload_aggregate_plan(plan, s);
      else
        out->sort_reason = plan.why_not;
    } else {
      out->sort_reason = "FLOWFIT_CUDA_AGGREGATE=sort";
    }
    return out;
  }

  std::vector<double> do_reduce_by_cell(const ResidentMatrix& rm,
                                        const CellAssignment& ca) override {
    const CudaMatrix& d = matrix(rm);
    const CudaCells& c = cells(ca);
    DeviceGuard guard(device_);
    if (c.use_pieces)
      return reduce_by_cell_pieces_device(d.values.data(), c.cell_of_entry.data(), c.plan,
                                          stream());
    return reduce_by_cell_device(d.values.data(), c.cell_of_entry.data(), d.entries, c.n_cells(),
                                 stream());
  }

  void do_scale_by_cell(ResidentMatrix& rm, const CellAssignment& ca,
                        std::span<const double> factor_of_cell) override {
    CudaMatrix& d = matrix(rm);
    const CudaCells& c = cells(ca);
    DeviceGuard guard(device_);
    const cudaStream_t s = stream();
    DeviceBuffer<double> factor(factor_of_cell.size());
    factor.copy_from_host(factor_of_cell.data(), factor_of_cell.size(), s);
    scale_by_cell_device(d.values.data(), c.cell_of_entry.data(), d.entries, factor.data(), s);
    FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(s));
  }

  double do_l1_distance(const ResidentMatrix& a, const ResidentMatrix& b) override {
    const CudaMatrix& x = matrix(a);
    const CudaMatrix& y = matrix(b);
    DeviceGuard guard(device_);
    return l1_distance_device(x.values.data(), y.values.data(), x.entries, stream());
  }

  std::unique_ptr<QuotientEngine> do_make_quotient_engine(const QuotientProblem& p) override {
    DeviceGuard guard(device_);
    return make_cuda_quotient_engine(p, device_);
  }

 private:
  cudaStream_t stream() const { return stream_->get(); }

  const CudaMatrix& matrix(const ResidentMatrix& m) const {
    auto* d = dynamic_cast<const CudaMatrix*>(&m);
    if (d == nullptr)
      throw LogicError("matrix is not resident on a CUDA device (it belongs to another backend)");
    if (d->device != device_)
      throw LogicError("matrix is resident on CUDA device " + std::to_string(d->device) +
                       ", not on this backend's device " + std::to_string(device_));
    return *d;
  }
  CudaMatrix& matrix(ResidentMatrix& m) const {
    return const_cast<CudaMatrix&>(matrix(static_cast<const ResidentMatrix&>(m)));
  }
  const CudaCells& cells(const CellAssignment& c) const {
    auto* d = dynamic_cast<const CudaCells*>(&c);
    if (d == nullptr) throw LogicError("cell assignment does not belong to a CUDA backend");
    if (d->device != device_)
      throw LogicError("cell assignment is resident on another CUDA device");
    return *d;
  }

  int device_;
  std::string name_;
  AggregatePath aggregate_ = AggregatePath::pieces;
  std::unique_ptr<Stream> stream_;
  HostStaging staging_;
};

}  // namespace
}  // namespace cuda

int cuda_device_count() {
  int n = 0;
  const cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) {
    cudaGetLastError();  // no driver or no device: clear the error, report none
    return 0;
  }
  return n;
}

bool cuda_built() {
  return true;
}

std::unique_ptr<Backend> make_cuda_backend(int device) {
  int n = 0;
  const cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) {
    cudaGetLastError();
    throw BackendUnavailable(std::string("no usable CUDA device: cudaGetDeviceCount failed: ") +
                             cudaGetErrorName(err) + ": " + cudaGetErrorString(err) +
                             " (is the NVIDIA driver installed and a GPU visible?)");
  }
  if (n == 0) throw BackendUnavailable("no CUDA device found (cudaGetDeviceCount returned 0)");
  if (device < 0 || device >= n)
    throw BackendUnavailable("CUDA device " + std::to_string(device) + " requested, but only " +
                             std::to_string(n) + " device(s) present");
  return std::make_unique<cuda::CudaBackend>(device);
}

}  // namespace flowfit
