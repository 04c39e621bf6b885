#pragma once
// GPU assembly through cuSPARSE: the same E = Gᵀ (A − diag A) G + diag(Gᵀ diag A) as
// flowfit::assembly::assemble_flows (flowfit/assembly.hpp), computed on one CUDA device with
// cusparseSpGEMM. No CUDA headers here; see docs/cuda_assembly.md.
#include "flowfit/csr_matrix.hpp"

namespace flowfit::assembly {

// E for address flows A (n x n) and a crosswalk G (n x m) on CUDA device `device`. The result
// has the CPU result's pattern exactly (structural entries kept, column indices sorted) and its
// values to rounding (≤ 1e-12 relative for non-negative inputs): the GPU adds the terms of an
// entry in another order. Deterministic: the same inputs give bit-identical results run to run.
//
// Throws BackendUnavailable when flowfit was built without CUDA, when no device is present or
// `device` is out of range; ConfigError("shape", ...) on mismatched shapes (as the CPU does);
// flowfit::Error when A or G is not a valid CSR matrix, when a dimension or a nonzero count
// (of A, G, (A − diag A) G or Gᵀ (A − diag A) G) exceeds 2^31 − 1 (cuSPARSE SpGEMM takes 32-bit
// indices), or when a CUDA or cuSPARSE call fails (out of device memory included).
CsrMatrix assemble_flows_cuda(const CsrMatrix& address_flows, const CsrMatrix& crosswalk,
                              int device = 0);

// Bounds on the GPU assembly's temporary memory. cuSPARSE SpGEMM (ALG1) needs buffers that grow
// with the number of intermediate products (for C = A·B: the sum over A's entries (i, j) of the
// length of B's row j), far more than C itself; the products are therefore computed in blocks of
// A's rows, each with at most max_products_per_block intermediate products (a longer single row
// forms a block of its own), and the blocks' rows concatenated. Rows are independent in SpGEMM,
// so the result does not depend on the blocking (the GPU tests check it bit for bit).
struct CudaAssemblyOptions {
  int device = 0;
  // 0: a quarter of the device's free memory at 32 bytes per intermediate product.
  int64_t max_products_per_block = 0;
};
CsrMatrix assemble_flows_cuda(const CsrMatrix& address_flows, const CsrMatrix& crosswalk,
                              const CudaAssemblyOptions& options);

}  // namespace flowfit::assembly
