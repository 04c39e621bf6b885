#pragma once
// Error checking for CUDA runtime calls. Every call goes through FLOWFIT_CUDA_CHECK, which throws
// flowfit::DeviceError carrying the call text, the file, the line and the runtime's error string.
#include <cuda_runtime.h>

#include <string>

#include "flowfit/error.hpp"

namespace flowfit::cuda {

// "<api> error: <call> failed at <file>:<line>: <name>: <description>", thrown as
// flowfit::DeviceError. Shared by the CUDA runtime and cuSPARSE checks.
[[noreturn]] inline void throw_api_error(const char* api, const char* call, const char* file,
                                         int line, const char* name, const char* description) {
  throw DeviceError(std::string(api) + " error: " + call + " failed at " + file + ":" +
                    std::to_string(line) + ": " + name + ": " + description);
}

[[noreturn]] inline void throw_cuda_error(cudaError_t err, const char* call, const char* file,
                                          int line) {
  throw_api_error("CUDA", call, file, line, cudaGetErrorName(err), cudaGetErrorString(err));
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
