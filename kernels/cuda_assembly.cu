// GPU assembly E = Gᵀ (A − diag A) G + diag(Gᵀ diag A) with cuSPARSE SpGEMM
// (flowfit/assembly_cuda.hpp, docs/cuda_assembly.md):
//
//   1. upload G, Gᵀ = csr2csc(G)                       (cuSPARSE, a permutation: exact)
//   2. upload A, split it into A − diag A and diag A     (two kernels + an integer scan)
//   3. stayers d = diag(Gᵀ diag A)                       (one thread per unit, CPU order)
//   4. movers M = (A − diag A) · G                       (cusparseSpGEMM, ALG1)
//   5. C = Gᵀ · M                                        (cusparseSpGEMM, ALG1)
//   6. E = C + diag(d), inserting missing diagonals      (two kernels + an integer scan)
//
// No floating-point atomics; every floating-point result is either cuSPARSE's (deterministic
// for ALG1) or a sum in a fixed order.
#include <cuda_runtime.h>
#include <cusparse.h>
#include <cub/device/device_scan.cuh>
#include <cub/device/device_segmented_sort.cuh>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "flowfit/assembly.hpp"
#include "flowfit/assembly_cuda.hpp"
#include "flowfit/error.hpp"
#include "host/assembly/spgemm_row_blocks.hpp"
#include "kernels/cuda_assembly.cuh"
#include "kernels/cuda_check.cuh"
#include "kernels/cusparse_check.cuh"
#include "kernels/device_buffer.cuh"
#include "kernels/device_reduce.cuh"
#include "kernels/host_staging.cuh"

namespace flowfit::cuda {
namespace {

constexpr int64_t kMaxIndex = std::numeric_limits<int32_t>::max();
// Pinned by name rather than CUSPARSE_SPGEMM_DEFAULT: documented bit-wise deterministic, needs no
// memory estimation step, takes 32-bit indices (docs/cuda_assembly.md).
constexpr cusparseSpGEMMAlg_t kSpgemmAlg = CUSPARSE_SPGEMM_ALG1;

__device__ __forceinline__ int64_t thread_index() {
  return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ int64_t thread_count() {
  return static_cast<int64_t>(gridDim.x) * blockDim.x;
}

void check_fits(int64_t value, const char* unit, const std::string& what) {
  if (value > kMaxIndex)
    throw Error("GPU assembly: " + what + " has " + std::to_string(value) + " " + unit +
                ", more than the 2^31 - 1 that cuSPARSE SpGEMM's 32-bit indices hold (assemble "
                "on the CPU with flowfit::assembly::assemble_flows)");
}

// Exclusive prefix sum of in[0..n) into out[0..n); integers, so exact. Synchronizes.
template <class T>
void exclusive_sum(const T* in, T* out, int64_t n, cudaStream_t stream) {
  size_t bytes = 0;
  FLOWFIT_CUDA_CHECK(cub::DeviceScan::ExclusiveSum(nullptr, bytes, in, out, n, stream));
  DeviceBuffer<unsigned char> temp(std::max<size_t>(bytes, 1));
  FLOWFIT_CUDA_CHECK(cub::DeviceScan::ExclusiveSum(temp.data(), bytes, in, out, n, stream));
  FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));  // before temp is freed
}

template <class T>
T read_back(const T* device_value, cudaStream_t stream) {
  T v{};
  FLOWFIT_CUDA_CHECK(cudaMemcpyAsync(&v, device_value, sizeof(T), cudaMemcpyDeviceToHost, stream));
  FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
  return v;
}

// ---- diagonal split ------------------------------------------------------------------------

// One thread per row: the diagonal by binary search (rows are sorted), the off-diagonal count.
__global__ void split_count_kernel(const int32_t* row_ptr, const int32_t* col_idx,
                                   const double* values, int64_t n, int32_t* off_count,
                                   uint8_t* has_diag, double* diag) {
  for (int64_t i = thread_index(); i < n; i += thread_count()) {
    const int64_t b = row_ptr[i], e = row_ptr[i + 1];
    const int32_t key = static_cast<int32_t>(i);
    const int64_t p = b + lower_bound_dev(col_idx + b, e - b, key);
    const bool d = p < e && col_idx[p] == key;
    has_diag[i] = d ? 1 : 0;
    diag[i] = d ? values[p] : 0.0;
    off_count[i] = static_cast<int32_t>(e - b - (d ? 1 : 0));
  }
}

// One warp per row: the off-diagonal entries, in order (those right of the diagonal move one
// place left).
__global__ void split_copy_kernel(const int32_t* row_ptr, const int32_t* col_idx,
                                  const double* values, int64_t n, const int32_t* off_ptr,
                                  const uint8_t* has_diag, int32_t* off_col, double* off_val) {
  const int lane = static_cast<int>(threadIdx.x & 31);
  const int64_t n_warps = thread_count() / 32;
  for (int64_t i = thread_index() / 32; i < n; i += n_warps) {
    const int64_t b = row_ptr[i], e = row_ptr[i + 1];
    const int32_t key = static_cast<int32_t>(i);
    const int64_t out = off_ptr[i];
    const bool d = has_diag[i] != 0;
    for (int64_t p = b + lane; p < e; p += 32) {
      const int32_t j = col_idx[p];
      if (j == key) continue;
      const int64_t q = out + (p - b) - ((d && j > key) ? 1 : 0);
      off_col[q] = j;
      off_val[q] = values[p];
    }
  }
}

// ---- sortedness of SpGEMM output -------------------------------------------------------------

// One warp per row: raises *flag (idempotent plain store) where a row is not strictly increasing.
__global__ void unsorted_rows_kernel(const int32_t* row_ptr, const int32_t* col_idx, int64_t n,
                                     int32_t* flag) {
  const int lane = static_cast<int>(threadIdx.x & 31);
  const int64_t n_warps = thread_count() / 32;
  for (int64_t i = thread_index() / 32; i < n; i += n_warps) {
    const int64_t b = row_ptr[i], e = row_ptr[i + 1];
    for (int64_t p = b + lane; p + 1 < e; p += 32)
      if (col_idx[p] >= col_idx[p + 1]) *flag = 1;
  }
}

bool rows_strictly_increasing(const DeviceCsr32& m, cudaStream_t stream) {
  if (m.nnz == 0 || m.n_rows == 0) return true;
  DeviceBuffer<int32_t> flag(1);
  FLOWFIT_CUDA_CHECK(cudaMemsetAsync(flag.data(), 0, sizeof(int32_t), stream));
  unsorted_rows_kernel<<<grid_for(m.n_rows, kWarpsPerBlock), kThreads, 0, stream>>>(
      m.row_ptr.data(), m.col_idx.data(), m.n_rows, flag.data());
  FLOWFIT_CUDA_CHECK_LAUNCH();
  return read_back(flag.data(), stream) == 0;
}

// Sorts every row by column (values follow); a permutation, no arithmetic.
void sort_rows_device(DeviceCsr32& m, cudaStream_t stream) {
  DeviceBuffer<int32_t> cols(static_cast<size_t>(std::max<int64_t>(m.nnz, 1)));
  DeviceBuffer<double> vals(static_cast<size_t>(std::max<int64_t>(m.nnz, 1)));
  const int n_items = static_cast<int>(m.nnz);
  const int n_segments = static_cast<int>(m.n_rows);
  size_t bytes = 0;
  FLOWFIT_CUDA_CHECK(cub::DeviceSegmentedSort::SortPairs(
      nullptr, bytes, m.col_idx.data(), cols.data(), m.values.data(), vals.data(), n_items,
      n_segments, m.row_ptr.data(), m.row_ptr.data() + 1, stream));
  DeviceBuffer<unsigned char> temp(std::max<size_t>(bytes, 1));
  FLOWFIT_CUDA_CHECK(cub::DeviceSegmentedSort::SortPairs(
      temp.data(), bytes, m.col_idx.data(), cols.data(), m.values.data(), vals.data(), n_items,
      n_segments, m.row_ptr.data(), m.row_ptr.data() + 1, stream));
  FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
  m.col_idx = std::move(cols);
  m.values = std::move(vals);
}

// ---- stayers and the diagonal merge ------------------------------------------------------------

// One thread per unit k: the stayers of its addresses, in ascending address order, without FMA
// contraction (the CPU adds the same products in the same order).
__global__ void stayers_kernel(const int32_t* gt_ptr, const int32_t* gt_col, const double* gt_val,
                               int64_t m, const uint8_t* has_diag, const double* diag,
                               double* value, uint8_t* present) {
  for (int64_t k = thread_index(); k < m; k += thread_count()) {
    double s = 0.0;
    uint8_t any = 0;
    for (int64_t p = gt_ptr[k]; p < gt_ptr[k + 1]; ++p) {
      const int32_t i = gt_col[p];
      if (has_diag[i] != 0) {
        s = __dadd_rn(s, __dmul_rn(gt_val[p], diag[i]));
        any = 1;
      }
    }
    value[k] = s;
    present[k] = any;
  }
}

// One thread per row k of C: entries of E in row k (one more where (k, k) must be inserted).
__global__ void merge_count_kernel(const int32_t* c_ptr, const int32_t* c_col, int64_t m,
                                   const uint8_t* present, int64_t* count) {
  for (int64_t k = thread_index(); k < m; k += thread_count()) {
    const int64_t b = c_ptr[k], len = c_ptr[k + 1] - b;
    int64_t extra = 0;
    if (present[k] != 0) {
      const int32_t key = static_cast<int32_t>(k);
      const int64_t pos = lower_bound_dev(c_col + b, len, key);
      extra = (pos < len && c_col[b + pos] == key) ? 0 : 1;
    }
    count[k] = len + extra;
  }
}

// One warp per row k: copies row k of C into E, adding d[k] to (k, k) or inserting it in order.
__global__ void merge_write_kernel(const int32_t* c_ptr, const int32_t* c_col, const double* c_val,
                                   int64_t m, const uint8_t* present, const double* d,
                                   const int64_t* e_ptr, int32_t* e_col, double* e_val) {
  const int lane = static_cast<int>(threadIdx.x & 31);
  const int64_t n_warps = thread_count() / 32;
  for (int64_t k = thread_index() / 32; k < m; k += n_warps) {
    const int64_t b = c_ptr[k], len = c_ptr[k + 1] - b;
    const int64_t out = e_ptr[k];
    const int32_t key = static_cast<int32_t>(k);
    const bool has = present[k] != 0;
    int64_t pos = len;
    bool contains = false;
    if (has) {
      pos = lower_bound_dev(c_col + b, len, key);
      contains = pos < len && c_col[b + pos] == key;
    }
    const double dk = has ? d[k] : 0.0;
    const bool insert = has && !contains;
    for (int64_t j = lane; j < len; j += 32) {
      double v = c_val[b + j];
      if (contains && j == pos) v = __dadd_rn(v, dk);
      const int64_t q = out + j + ((insert && j >= pos) ? 1 : 0);
      e_col[q] = c_col[b + j];
      e_val[q] = v;
    }
    if (insert && lane == 0) {
      e_col[out + pos] = key;
      e_val[out + pos] = dk;
    }
  }
}

}  // namespace

DeviceCsr32 upload_csr32(const HostCsrView& m, const char* what, cudaStream_t stream,
                         HostStaging& staging) {
  check_fits(m.n_rows, "rows", what);
  check_fits(m.n_cols, "columns", what);
  check_fits(m.nnz, "nonzeros", what);
  std::vector<int32_t> ptr(static_cast<size_t>(m.n_rows) + 1);
  for (size_t i = 0; i < ptr.size(); ++i) ptr[i] = static_cast<int32_t>(m.row_ptr[i]);
  DeviceCsr32 d;
  d.n_rows = m.n_rows;
  d.n_cols = m.n_cols;
  d.nnz = m.nnz;
  d.row_ptr = to_device(ptr, stream);
  d.col_idx.allocate(static_cast<size_t>(std::max<int64_t>(m.nnz, 1)));
  d.values.allocate(static_cast<size_t>(std::max<int64_t>(m.nnz, 1)));
  staging.upload(d.col_idx.data(), m.col_idx, static_cast<size_t>(m.nnz) * sizeof(int32_t), stream);
  staging.upload(d.values.data(), m.values, static_cast<size_t>(m.nnz) * sizeof(double), stream);
  return d;
}

DeviceSplitDiagonal split_diagonal_device(const DeviceCsr32& a, cudaStream_t stream) {
  if (a.n_rows != a.n_cols) throw Error("split_diagonal_device: the matrix is not square");
  const int64_t n = a.n_rows;
  DeviceSplitDiagonal s;
  s.off.n_rows = n;
  s.off.n_cols = n;
  s.off.row_ptr.allocate(static_cast<size_t>(n) + 1);
  s.has_diag.allocate(static_cast<size_t>(n));
  s.diag.allocate(static_cast<size_t>(n));
  DeviceBuffer<int32_t> count(static_cast<size_t>(n) + 1);
  FLOWFIT_CUDA_CHECK(cudaMemsetAsync(count.data() + n, 0, sizeof(int32_t), stream));
  if (n > 0) {
    split_count_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(
        a.row_ptr.data(), a.col_idx.data(), a.values.data(), n, count.data(), s.has_diag.data(),
        s.diag.data());
    FLOWFIT_CUDA_CHECK_LAUNCH();
  }
  exclusive_sum(count.data(), s.off.row_ptr.data(), n + 1, stream);
  s.off.nnz = read_back(s.off.row_ptr.data() + n, stream);
  s.off.col_idx.allocate(static_cast<size_t>(std::max<int64_t>(s.off.nnz, 1)));
  s.off.values.allocate(static_cast<size_t>(std::max<int64_t>(s.off.nnz, 1)));
  if (s.off.nnz > 0) {
    split_copy_kernel<<<grid_for(n, kWarpsPerBlock), kThreads, 0, stream>>>(
        a.row_ptr.data(), a.col_idx.data(), a.values.data(), n, s.off.row_ptr.data(),
        s.has_diag.data(), s.off.col_idx.data(), s.off.values.data());
    FLOWFIT_CUDA_CHECK_LAUNCH();
  }
  FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
  return s;
}

DeviceCsr32 transpose_device(const DeviceCsr32& m, cusparseHandle_t handle, cudaStream_t stream) {
  DeviceCsr32 t;
  t.n_rows = m.n_cols;
  t.n_cols = m.n_rows;
  t.nnz = m.nnz;
  t.row_ptr.allocate(static_cast<size_t>(t.n_rows) + 1);
  t.col_idx.allocate(static_cast<size_t>(std::max<int64_t>(m.nnz, 1)));
  t.values.allocate(static_cast<size_t>(std::max<int64_t>(m.nnz, 1)));
  if (m.nnz == 0 || m.n_rows == 0) {
    FLOWFIT_CUDA_CHECK(cudaMemsetAsync(t.row_ptr.data(), 0, t.row_ptr.bytes(), stream));
    FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
    return t;
  }
  const int rows = static_cast<int>(m.n_rows), cols = static_cast<int>(m.n_cols),
            nnz = static_cast<int>(m.nnz);
  size_t bytes = 0;
  FLOWFIT_CUSPARSE_CHECK(cusparseCsr2cscEx2_bufferSize(
      handle, rows, cols, nnz, m.values.data(), m.row_ptr.data(), m.col_idx.data(), t.values.data(),
      t.row_ptr.data(), t.col_idx.data(), CUDA_R_64F, CUSPARSE_ACTION_NUMERIC,
      CUSPARSE_INDEX_BASE_ZERO, CUSPARSE_CSR2CSC_ALG1, &bytes));
  DeviceBuffer<unsigned char> buffer(std::max<size_t>(bytes, 1));
  FLOWFIT_CUSPARSE_CHECK(cusparseCsr2cscEx2(
      handle, rows, cols, nnz, m.values.data(), m.row_ptr.data(), m.col_idx.data(), t.values.data(),
      t.row_ptr.data(), t.col_idx.data(), CUDA_R_64F, CUSPARSE_ACTION_NUMERIC,
      CUSPARSE_INDEX_BASE_ZERO, CUSPARSE_CSR2CSC_ALG1, buffer.data()));
  FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));  // before buffer is freed
  return t;
}

namespace {

// A block of consecutive rows of a device CSR matrix: offsets rebased to the block's first entry,
// index and value pointers into the parent's arrays.
struct CsrRows {
  int64_t n_rows = 0;
  int64_t n_cols = 0;
  int64_t nnz = 0;
  const int32_t* row_ptr = nullptr;  // n_rows + 1, starting at 0
  const int32_t* col_idx = nullptr;
  const double* values = nullptr;
};

// C = A · B for a block of A's rows, in one cusparseSpGEMM call.
DeviceCsr32 spgemm_rows(const CsrRows& a, const DeviceCsr32& b, cusparseHandle_t handle,
                        cudaStream_t stream) {
  DeviceCsr32 c;
  c.n_rows = a.n_rows;
  c.n_cols = b.n_cols;
  c.row_ptr.allocate(static_cast<size_t>(c.n_rows) + 1);
  if (a.nnz == 0 || b.nnz == 0 || c.n_rows == 0 || c.n_cols == 0) {
    // An empty product: cuSPARSE is not asked (it may reject empty operands).
    FLOWFIT_CUDA_CHECK(cudaMemsetAsync(c.row_ptr.data(), 0, c.row_ptr.bytes(), stream));
    c.col_idx.allocate(1);
    c.values.allocate(1);
    FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
    return c;
  }

  ConstSpMatDescr da, db;
  SpMatDescr dc;
  FLOWFIT_CUSPARSE_CHECK(cusparseCreateConstCsr(
      da.out(), a.n_rows, a.n_cols, a.nnz, a.row_ptr, a.col_idx, a.values, CUSPARSE_INDEX_32I,
      CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO, CUDA_R_64F));
  FLOWFIT_CUSPARSE_CHECK(cusparseCreateConstCsr(
      db.out(), b.n_rows, b.n_cols, b.nnz, b.row_ptr.data(), b.col_idx.data(), b.values.data(),
      CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO, CUDA_R_64F));
  FLOWFIT_CUSPARSE_CHECK(cusparseCreateCsr(dc.out(), c.n_rows, c.n_cols, 0, c.row_ptr.data(),
                                           nullptr, nullptr, CUSPARSE_INDEX_32I, CUSPARSE_INDEX_32I,
                                           CUSPARSE_INDEX_BASE_ZERO, CUDA_R_64F));
  SpGemmDescr desc;
  const double alpha = 1.0, beta = 0.0;  // host scalars (the handle's default pointer mode)
  constexpr cusparseOperation_t op = CUSPARSE_OPERATION_NON_TRANSPOSE;

  // Work estimation, then compute; each asked for its buffer size first. The buffers are at
  // least one byte, so that the second call of each pair is never taken for a size query.
  size_t bytes1 = 0;
  FLOWFIT_CUSPARSE_CHECK(cusparseSpGEMM_workEstimation(handle, op, op, &alpha, da.get(), db.get(),
                                                       &beta, dc.get(), CUDA_R_64F, kSpgemmAlg,
                                                       desc.get(), &bytes1, nullptr));
  DeviceBuffer<unsigned char> buffer1(std::max<size_t>(bytes1, 1));
  FLOWFIT_CUSPARSE_CHECK(cusparseSpGEMM_workEstimation(handle, op, op, &alpha, da.get(), db.get(),
                                                       &beta, dc.get(), CUDA_R_64F, kSpgemmAlg,
                                                       desc.get(), &bytes1, buffer1.data()));
  size_t bytes2 = 0;
  FLOWFIT_CUSPARSE_CHECK(cusparseSpGEMM_compute(handle, op, op, &alpha, da.get(), db.get(), &beta,
                                                dc.get(), CUDA_R_64F, kSpgemmAlg, desc.get(),
                                                &bytes2, nullptr));
  DeviceBuffer<unsigned char> buffer2(std::max<size_t>(bytes2, 1));
  FLOWFIT_CUSPARSE_CHECK(cusparseSpGEMM_compute(handle, op, op, &alpha, da.get(), db.get(), &beta,
                                                dc.get(), CUDA_R_64F, kSpgemmAlg, desc.get(),
                                                &bytes2, buffer2.data()));
  int64_t c_rows = 0, c_cols = 0, c_nnz = 0;
  FLOWFIT_CUSPARSE_CHECK(cusparseSpMatGetSize(dc.get(), &c_rows, &c_cols, &c_nnz));
  if (c_rows != c.n_rows || c_cols != c.n_cols || c_nnz < 0)
    throw Error("cusparseSpGEMM_compute reported a " + std::to_string(c_rows) + " x " +
                std::to_string(c_cols) + " product with " + std::to_string(c_nnz) +
                " nonzeros; expected " + std::to_string(c.n_rows) + " x " +
                std::to_string(c.n_cols));
  check_fits(c_nnz, "nonzeros", "a sparse product");
  c.nnz = c_nnz;
  if (c_nnz == 0) {
    // Operands with entries, an empty product (e.g. movers only between unmapped addresses):
    // every row is empty, so the offsets are all 0. cusparseSpGEMM_copy is not asked to write
    // zero entries through one-element buffers (an edge case its documentation does not cover).
    FLOWFIT_CUDA_CHECK(cudaMemsetAsync(c.row_ptr.data(), 0, c.row_ptr.bytes(), stream));
    c.col_idx.allocate(1);
    c.values.allocate(1);
    FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));  // before the buffers are freed
    return c;
  }
  c.col_idx.allocate(static_cast<size_t>(std::max<int64_t>(c_nnz, 1)));
  c.values.allocate(static_cast<size_t>(std::max<int64_t>(c_nnz, 1)));
  FLOWFIT_CUSPARSE_CHECK(
      cusparseCsrSetPointers(dc.get(), c.row_ptr.data(), c.col_idx.data(), c.values.data()));
  FLOWFIT_CUSPARSE_CHECK(cusparseSpGEMM_copy(handle, op, op, &alpha, da.get(), db.get(), &beta,
                                             dc.get(), CUDA_R_64F, kSpgemmAlg, desc.get()));
  FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));  // before the buffers are freed

  // cuSPARSE documents sorted output; the merge below relies on it, so it is checked.
  if (!rows_strictly_increasing(c, stream)) {
    sort_rows_device(c, stream);
    if (!rows_strictly_increasing(c, stream))
      throw Error("cusparseSpGEMM returned a row with a repeated column index");
  }
  return c;
}

// ---- SpGEMM in blocks of rows ---------------------------------------------------------------

// products[i] = the intermediate products of row i of A · B: the sum of B's row lengths over the
// columns of A's row i (integers: exact).
__global__ void row_products_kernel(const int32_t* a_row_ptr, const int32_t* a_col,
                                    const int32_t* b_row_ptr, int64_t n_rows, int64_t* products) {
  for (int64_t i = thread_index(); i < n_rows; i += thread_count()) {
    int64_t sum = 0;
    for (int64_t p = a_row_ptr[i]; p < a_row_ptr[i + 1]; ++p) {
      const int32_t j = a_col[p];
      sum += b_row_ptr[j + 1] - b_row_ptr[j];
    }
    products[i] = sum;
  }
}

// out[i] = in[i] - base for i in [0, n): a block's row offsets rebased to its first entry.
__global__ void rebase_offsets_kernel(const int32_t* in, int32_t base, int64_t n, int32_t* out) {
  for (int64_t i = thread_index(); i < n; i += thread_count()) out[i] = in[i] - base;
}

// out[i] = in[i] + shift for i in [0, n): a block's result offsets placed in the whole result.
__global__ void shift_offsets_kernel(const int32_t* in, int32_t shift, int64_t n, int32_t* out) {
  for (int64_t i = thread_index(); i < n; i += thread_count()) out[i] = in[i] + shift;
}

int64_t default_products_per_block() {
  size_t free_bytes = 0, total_bytes = 0;
  FLOWFIT_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
  return std::max<int64_t>(int64_t{1} << 20, static_cast<int64_t>(free_bytes / 4 / 32));
}

}  // namespace

DeviceCsr32 spgemm_device(const DeviceCsr32& a, const DeviceCsr32& b, cusparseHandle_t handle,
                          cudaStream_t stream, int64_t max_products_per_block) {
  if (a.n_cols != b.n_rows)
    throw Error("spgemm_device: a " + std::to_string(a.n_rows) + " x " + std::to_string(a.n_cols) +
                " matrix times a " + std::to_string(b.n_rows) + " x " + std::to_string(b.n_cols) +
                " matrix");
  const CsrRows whole{a.n_rows,         a.n_cols,         a.nnz,
                      a.row_ptr.data(), a.col_idx.data(), a.values.data()};
  if (a.nnz == 0 || b.nnz == 0 || a.n_rows == 0 || b.n_cols == 0)
    return spgemm_rows(whole, b, handle, stream);

  const int64_t n = a.n_rows;
  DeviceBuffer<int64_t> products(static_cast<size_t>(n) + 1);
  DeviceBuffer<int64_t> cumulative(static_cast<size_t>(n) + 1);
  FLOWFIT_CUDA_CHECK(cudaMemsetAsync(products.data() + n, 0, sizeof(int64_t), stream));
  row_products_kernel<<<grid_for(n, kThreads), kThreads, 0, stream>>>(
      a.row_ptr.data(), a.col_idx.data(), b.row_ptr.data(), n, products.data());
  FLOWFIT_CUDA_CHECK_LAUNCH();
  exclusive_sum(products.data(), cumulative.data(), n + 1, stream);
  const std::vector<int64_t> cum = cumulative.to_host(stream);
  const int64_t budget =
      max_products_per_block > 0 ? max_products_per_block : default_products_per_block();
  const std::vector<int64_t> starts = assembly::spgemm_row_blocks(cum, budget);
  if (starts.size() == 1) return spgemm_rows(whole, b, handle, stream);

  const std::vector<int32_t> a_offsets = a.row_ptr.to_host(stream);
  std::vector<DeviceCsr32> parts;
  parts.reserve(starts.size());
  for (size_t k = 0; k < starts.size(); ++k) {
    const int64_t r0 = starts[k], r1 = k + 1 < starts.size() ? starts[k + 1] : n;
    const int32_t base = a_offsets[static_cast<size_t>(r0)];
    DeviceBuffer<int32_t> rebased(static_cast<size_t>(r1 - r0) + 1);
    rebase_offsets_kernel<<<grid_for(r1 - r0 + 1, kThreads), kThreads, 0, stream>>>(
        a.row_ptr.data() + r0, base, r1 - r0 + 1, rebased.data());
    FLOWFIT_CUDA_CHECK_LAUNCH();
    const CsrRows rows{r1 - r0,
                       a.n_cols,
                       a_offsets[static_cast<size_t>(r1)] - base,
                       rebased.data(),
                       a.col_idx.data() + base,
                       a.values.data() + base};
    parts.push_back(spgemm_rows(rows, b, handle, stream));  // synchronizes: rebased may go
  }

  int64_t total = 0;
  for (const DeviceCsr32& part : parts) total += part.nnz;
  check_fits(total, "nonzeros", "a sparse product");
  DeviceCsr32 c;
  c.n_rows = n;
  c.n_cols = b.n_cols;
  c.nnz = total;
  c.row_ptr.allocate(static_cast<size_t>(n) + 1);
  c.col_idx.allocate(static_cast<size_t>(std::max<int64_t>(total, 1)));
  c.values.allocate(static_cast<size_t>(std::max<int64_t>(total, 1)));
  int64_t offset = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    const DeviceCsr32& part = parts[k];
    const int64_t r0 = starts[k];
    if (part.n_rows > 0) {
      shift_offsets_kernel<<<grid_for(part.n_rows, kThreads), kThreads, 0, stream>>>(
          part.row_ptr.data(), static_cast<int32_t>(offset), part.n_rows, c.row_ptr.data() + r0);
      FLOWFIT_CUDA_CHECK_LAUNCH();
    }
    if (part.nnz > 0) {
      FLOWFIT_CUDA_CHECK(cudaMemcpyAsync(c.col_idx.data() + offset, part.col_idx.data(),
                                         static_cast<size_t>(part.nnz) * sizeof(int32_t),
                                         cudaMemcpyDeviceToDevice, stream));
      FLOWFIT_CUDA_CHECK(cudaMemcpyAsync(c.values.data() + offset, part.values.data(),
                                         static_cast<size_t>(part.nnz) * sizeof(double),
                                         cudaMemcpyDeviceToDevice, stream));
    }
    offset += part.nnz;
  }
  const int32_t end = static_cast<int32_t>(total);
  FLOWFIT_CUDA_CHECK(
      cudaMemcpyAsync(c.row_ptr.data() + n, &end, sizeof(int32_t), cudaMemcpyHostToDevice, stream));
  FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));  // before the parts and `end` go
  return c;
}

DeviceDiagonal stayers_device(const DeviceCsr32& gt, const uint8_t* has_diag, const double* diag,
                              cudaStream_t stream) {
  const int64_t m = gt.n_rows;
  DeviceDiagonal d;
  d.value.allocate(static_cast<size_t>(m));
  d.present.allocate(static_cast<size_t>(m));
  if (m > 0) {
    stayers_kernel<<<grid_for(m, kThreads), kThreads, 0, stream>>>(
        gt.row_ptr.data(), gt.col_idx.data(), gt.values.data(), m, has_diag, diag, d.value.data(),
        d.present.data());
    FLOWFIT_CUDA_CHECK_LAUNCH();
  }
  FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
  return d;
}

DeviceCsr64 add_diagonal_device(const DeviceCsr32& c, const DeviceDiagonal& d,
                                cudaStream_t stream) {
  if (c.n_rows != c.n_cols) throw Error("add_diagonal_device: the matrix is not square");
  const int64_t m = c.n_rows;
  if (static_cast<int64_t>(d.value.size()) != m || static_cast<int64_t>(d.present.size()) != m)
    throw Error("add_diagonal_device: one diagonal value per row expected");
  DeviceCsr64 e;
  e.n_rows = m;
  e.n_cols = m;
  e.row_ptr.allocate(static_cast<size_t>(m) + 1);
  DeviceBuffer<int64_t> count(static_cast<size_t>(m) + 1);
  FLOWFIT_CUDA_CHECK(cudaMemsetAsync(count.data() + m, 0, sizeof(int64_t), stream));
  if (m > 0) {
    merge_count_kernel<<<grid_for(m, kThreads), kThreads, 0, stream>>>(
        c.row_ptr.data(), c.col_idx.data(), m, d.present.data(), count.data());
    FLOWFIT_CUDA_CHECK_LAUNCH();
  }
  exclusive_sum(count.data(), e.row_ptr.data(), m + 1, stream);
  e.nnz = read_back(e.row_ptr.data() + m, stream);
  e.col_idx.allocate(static_cast<size_t>(e.nnz));
  e.values.allocate(static_cast<size_t>(e.nnz));
  if (e.nnz > 0) {
    merge_write_kernel<<<grid_for(m, kWarpsPerBlock), kThreads, 0, stream>>>(
        c.row_ptr.data(), c.col_idx.data(), c.values.data(), m, d.present.data(), d.value.data(),
        e.row_ptr.data(), e.col_idx.data(), e.values.data());
    FLOWFIT_CUDA_CHECK_LAUNCH();
  }
  FLOWFIT_CUDA_CHECK(cudaStreamSynchronize(stream));
  return e;
}

}  // namespace flowfit::cuda

namespace flowfit::assembly {
namespace {

// BackendUnavailable unless `device` names a present CUDA device (as make_cuda_backend says).
void require_device(int device) {
  int n = 0;
  const cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) {
    cudaGetLastError();  // clear it, so later calls start clean
    throw BackendUnavailable(std::string("GPU assembly: no usable CUDA device: "
                                         "cudaGetDeviceCount failed: ") +
                             cudaGetErrorName(err) + ": " + cudaGetErrorString(err) +
                             " (is the NVIDIA driver installed and a GPU visible?)");
  }
  if (n == 0)
    throw BackendUnavailable("GPU assembly: no CUDA device found (cudaGetDeviceCount returned 0)");
  if (device < 0 || device >= n)
    throw BackendUnavailable("GPU assembly: CUDA device " + std::to_string(device) +
                             " requested, but only " + std::to_string(n) + " device(s) present");
}

cuda::HostCsrView host_view(const CsrMatrix& m) {
  return {m.n_rows, m.n_cols, m.row_ptr.data(), m.col_idx.data(), m.values.data(), m.nnz()};
}

}  // namespace

CsrMatrix assemble_flows_cuda(const CsrMatrix& address_flows, const CsrMatrix& crosswalk,
                              int device) {
  CudaAssemblyOptions options;
  options.device = device;
  return assemble_flows_cuda(address_flows, crosswalk, options);
}

CsrMatrix assemble_flows_cuda(const CsrMatrix& address_flows, const CsrMatrix& crosswalk,
                              const CudaAssemblyOptions& options) {
  using namespace flowfit::cuda;
  const int device = options.device;
  const int64_t block = options.max_products_per_block;
  const CsrMatrix& a = address_flows;
  const CsrMatrix& g = crosswalk;
  require_device(device);
  check_assembly_shapes(a, g);  // the CPU's shape errors, word for word
  // The kernels index with these arrays: inconsistent ones must not reach the device.
  a.validate();
  g.validate();

  DeviceGuard guard(device);
  Stream stream;
  const cudaStream_t s = stream.get();
  SparseHandle handle(s);
  HostStaging staging;
  const int64_t m = g.n_cols;

  DeviceCsr32 dg = upload_csr32(host_view(g), "the crosswalk", s, staging);
  DeviceCsr32 gt = transpose_device(dg, handle.get(), s);  // units x addresses
  DeviceDiagonal stayers;
  DeviceCsr32 movers;  // addresses x units
  {
    DeviceSplitDiagonal split = [&] {
      const DeviceCsr32 da = upload_csr32(host_view(a), "the address flow matrix", s, staging);
      return split_diagonal_device(da, s);
    }();
    stayers = stayers_device(gt, split.has_diag.data(), split.diag.data(), s);
    movers = spgemm_device(split.off, dg, handle.get(), s, block);
  }
  dg = DeviceCsr32{};
  DeviceCsr32 product = spgemm_device(gt, movers, handle.get(), s, block);  // units x units
  movers = DeviceCsr32{};
  gt = DeviceCsr32{};
  const DeviceCsr64 de = add_diagonal_device(product, stayers, s);
  product = DeviceCsr32{};

  CsrMatrix e;
  e.n_rows = m;
  e.n_cols = m;
  e.row_ptr.resize(static_cast<size_t>(m) + 1);
  e.col_idx.resize(static_cast<size_t>(de.nnz));
  e.values.resize(static_cast<size_t>(de.nnz));
  staging.download(e.row_ptr.data(), de.row_ptr.data(), e.row_ptr.size() * sizeof(int64_t), s);
  staging.download(e.col_idx.data(), de.col_idx.data(), e.col_idx.size() * sizeof(int32_t), s);
  staging.download(e.values.data(), de.values.data(), e.values.size() * sizeof(double), s);
  return e;
}

}  // namespace flowfit::assembly
