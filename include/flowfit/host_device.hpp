#pragma once
// FLOWFIT_HOST_DEVICE marks the small inline functions that host code and CUDA kernels share
// (the ratio rule, cell keys): __host__ __device__ under nvcc, nothing elsewhere.
#if defined(__CUDACC__)
#define FLOWFIT_HOST_DEVICE __host__ __device__
#else
#define FLOWFIT_HOST_DEVICE
#endif
