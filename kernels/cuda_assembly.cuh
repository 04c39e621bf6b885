#pragma once
// Device-side pieces of the GPU assembly E = Gᵀ (A − diag A) G + diag(Gᵀ diag A)
// (flowfit/assembly_cuda.hpp; docs/cuda_assembly.md). Matrices here use 32-bit row offsets and
// column indices, as cuSPARSE SpGEMM (CUSPARSE_SPGEMM_ALG1) requires. Every function enqueues
// its work on `stream` (the stream of `handle` where one is taken) and synchronizes it before
// returning when it reads sizes back or frees temporaries; all pointers belong to the current
// device.
#include <cuda_runtime.h>
#include <cusparse.h>

#include <cstdint>

#include "kernels/device_buffer.cuh"

namespace flowfit::cuda {

// A CSR matrix in device memory, 32-bit offsets and indices, float64 values. The index and value
// buffers may hold more elements than nnz (at least one, so that cuSPARSE never sees null).
struct DeviceCsr32 {
  int64_t n_rows = 0;
  int64_t n_cols = 0;
  int64_t nnz = 0;
  DeviceBuffer<int32_t> row_ptr;  // n_rows + 1
  DeviceBuffer<int32_t> col_idx;  // >= nnz
  DeviceBuffer<double> values;    // >= nnz
};

// Uploads a host CSR matrix (its 64-bit offsets narrowed on the host). Throws flowfit::Error when
// a dimension or the number of nonzeros needs more than 31 bits.
struct HostCsrView {
  int64_t n_rows = 0;
  int64_t n_cols = 0;
  const int64_t* row_ptr = nullptr;  // n_rows + 1
  const int32_t* col_idx = nullptr;
  const double* values = nullptr;
  int64_t nnz = 0;
};
class HostStaging;
DeviceCsr32 upload_csr32(const HostCsrView& m, const char* what, cudaStream_t stream,
                         HostStaging& staging);

// The off-diagonal part of a square matrix (column indices stay sorted) and its diagonal:
// has_diag[i] = 1 and diag[i] = a[i, i] where a stores (i, i), else 0 and 0.0.
struct DeviceSplitDiagonal {
  DeviceCsr32 off;
  DeviceBuffer<uint8_t> has_diag;  // n
  DeviceBuffer<double> diag;       // n
};
DeviceSplitDiagonal split_diagonal_device(const DeviceCsr32& a, cudaStream_t stream);

// The transpose (cusparseCsr2cscEx2: a permutation of the values, no arithmetic).
DeviceCsr32 transpose_device(const DeviceCsr32& m, cusparseHandle_t handle, cudaStream_t stream);

// C = A · B with cusparseSpGEMM, CUSPARSE_SPGEMM_ALG1 (deterministic), structural entries kept.
// Column indices of C are sorted (checked; sorted on the device should a row come back unsorted).
// Throws flowfit::Error when C has 2^31 or more nonzeros.
// The product is computed in blocks of A's rows with at most max_products_per_block intermediate
// products each (0: from the device's free memory; see CudaAssemblyOptions), which bounds
// cuSPARSE's buffers; the blocks' rows are concatenated (2x C's memory at the end).
DeviceCsr32 spgemm_device(const DeviceCsr32& a, const DeviceCsr32& b, cusparseHandle_t handle,
                          cudaStream_t stream, int64_t max_products_per_block = 0);

// The stayer term diag(Gᵀ diag A) from Gᵀ (m x n): per unit k, value[k] = sum over the stored
// (k, i) of Gᵀ with has_diag[i] of gt[k, i] · diag[i], added in ascending i (the CPU's order),
// and present[k] = 1 when that sum has at least one term.
struct DeviceDiagonal {
  DeviceBuffer<double> value;     // m
  DeviceBuffer<uint8_t> present;  // m
};
DeviceDiagonal stayers_device(const DeviceCsr32& gt, const uint8_t* has_diag, const double* diag,
                              cudaStream_t stream);

// E = C + diag(d) for a square C with sorted rows; entries of d that are not present add
// nothing, present ones add to C's stored (k, k) or are inserted in order. 64-bit offsets.
struct DeviceCsr64 {
  int64_t n_rows = 0;
  int64_t n_cols = 0;
  int64_t nnz = 0;
  DeviceBuffer<int64_t> row_ptr;  // n_rows + 1
  DeviceBuffer<int32_t> col_idx;  // nnz
  DeviceBuffer<double> values;    // nnz
};
DeviceCsr64 add_diagonal_device(const DeviceCsr32& c, const DeviceDiagonal& d, cudaStream_t stream);

}  // namespace flowfit::cuda
