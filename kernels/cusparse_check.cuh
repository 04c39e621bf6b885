#pragma once
// Error checking for cuSPARSE calls and RAII owners of cuSPARSE objects. Every call goes through
// FLOWFIT_CUSPARSE_CHECK, which throws flowfit::Error carrying the call text, the file, the line
// and cuSPARSE's status name and string. Destructors never throw.
#include <cuda_runtime.h>
#include <cusparse.h>

#include <string>
#include <utility>

#include "flowfit/error.hpp"
#include "kernels/cuda_check.cuh"

namespace flowfit::cuda {

[[noreturn]] inline void throw_cusparse_error(cusparseStatus_t status, const char* call,
                                              const char* file, int line) {
  throw_api_error("cuSPARSE", call, file, line, cusparseGetErrorName(status),
                  cusparseGetErrorString(status));
}

}  // namespace flowfit::cuda

#define FLOWFIT_CUSPARSE_CHECK(call)                                                              \
  do {                                                                                            \
    const cusparseStatus_t flowfit_cusparse_status_ = (call);                                     \
    if (flowfit_cusparse_status_ != CUSPARSE_STATUS_SUCCESS) {                                    \
      ::flowfit::cuda::throw_cusparse_error(flowfit_cusparse_status_, #call, __FILE__, __LINE__); \
    }                                                                                             \
  } while (0)

namespace flowfit::cuda {

// A cuSPARSE library handle bound to one stream (of the current device).
class SparseHandle {
 public:
  explicit SparseHandle(cudaStream_t stream) {
    FLOWFIT_CUSPARSE_CHECK(cusparseCreate(&handle_));
    try {
      FLOWFIT_CUSPARSE_CHECK(cusparseSetStream(handle_, stream));
    } catch (...) {
      cusparseDestroy(handle_);
      throw;
    }
  }
  ~SparseHandle() {
    if (handle_ != nullptr) cusparseDestroy(handle_);
  }
  SparseHandle(const SparseHandle&) = delete;
  SparseHandle& operator=(const SparseHandle&) = delete;
  cusparseHandle_t get() const { return handle_; }

 private:
  cusparseHandle_t handle_ = nullptr;
};

// A sparse-matrix descriptor (cusparseSpMatDescr_t or cusparseConstSpMatDescr_t). Create it with
// the matching cusparseCreate*(&descr.out(), ...) call; it is destroyed with the owner.
template <class Descr>
class SpMatDescrT {
 public:
  SpMatDescrT() = default;
  ~SpMatDescrT() { reset(); }
  SpMatDescrT(const SpMatDescrT&) = delete;
  SpMatDescrT& operator=(const SpMatDescrT&) = delete;
  SpMatDescrT(SpMatDescrT&& o) noexcept : descr_(std::exchange(o.descr_, nullptr)) {}
  SpMatDescrT& operator=(SpMatDescrT&& o) noexcept {
    if (this != &o) {
      reset();
      descr_ = std::exchange(o.descr_, nullptr);
    }
    return *this;
  }
  void reset() noexcept {
    if (descr_ != nullptr) cusparseDestroySpMat(descr_);
    descr_ = nullptr;
  }
  // For the creating call; releases what was held first.
  Descr* out() {
    reset();
    return &descr_;
  }
  Descr get() const { return descr_; }

 private:
  Descr descr_ = nullptr;
};
using SpMatDescr = SpMatDescrT<cusparseSpMatDescr_t>;
using ConstSpMatDescr = SpMatDescrT<cusparseConstSpMatDescr_t>;

// An SpGEMM descriptor (the state carried from work estimation to copy).
class SpGemmDescr {
 public:
  SpGemmDescr() { FLOWFIT_CUSPARSE_CHECK(cusparseSpGEMM_createDescr(&descr_)); }
  ~SpGemmDescr() {
    if (descr_ != nullptr) cusparseSpGEMM_destroyDescr(descr_);
  }
  SpGemmDescr(const SpGemmDescr&) = delete;
  SpGemmDescr& operator=(const SpGemmDescr&) = delete;
  cusparseSpGEMMDescr_t get() const { return descr_; }

 private:
  cusparseSpGEMMDescr_t descr_ = nullptr;
};

}  // namespace flowfit::cuda
