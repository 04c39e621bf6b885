#pragma once
// Error checking for CUDA runtime calls. Every call goes through FLOWFIT_CUDA_CHECK, which throws
// flowfit::Error carrying the call text, the file, the line and the runtime's error string.
#include <cuda_runtime.h>

#include <string>

#include "flowfit/error.hpp"

namespace flowfit::cuda {

[[noreturn]] inline void throw_cuda_error(cudaError_t err, const char* call, const char* file,
                                          int line) {
  std::string msg = "CUDA error: ";
  msg += call;
  msg += " failed at ";
  msg += file;
  msg += ":";
  msg += std::to_string(line);
  msg += ": ";
  msg += cudaGetErrorName(err);
  msg += ": ";
  msg += cudaGetErrorString(err);
  throw Error(msg);
}

}  // namespace flowfit::cuda

#define FLOWFIT_CUDA_CHECK(call)                                                       \
  do {                                                                                 \
    const cudaError_t flowfit_cuda_err_ = (call);                                      \
    if (flowfit_cuda_err_ != cudaSuccess) {                                            \
      ::flowfit::cuda::throw_cuda_error(flowfit_cuda_err_, #call, __FILE__, __LINE__); \
    }                                                                                  \
  } while (0)

// After a kernel launch: reports launch-configuration errors at the launch site.
#define FLOWFIT_CUDA_CHECK_LAUNCH() FLOWFIT_CUDA_CHECK(cudaGetLastError())
