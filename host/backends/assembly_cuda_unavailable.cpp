// The GPU assembly entry point of a build without CUDA: it exists, and says clearly why it cannot
// work. CMakeLists.txt should leave this file out of CUDA builds (as it does cuda_unavailable.cpp);
// the guard below keeps a CUDA build correct until it does (kernels/cuda_assembly.cu defines the
// function there).
#include "flowfit/assembly_cuda.hpp"
#include "flowfit/error.hpp"

#ifndef FLOWFIT_WITH_CUDA

namespace flowfit::assembly {

CsrMatrix assemble_flows_cuda(const CsrMatrix& address_flows, const CsrMatrix& crosswalk,
                              int device) {
  CudaAssemblyOptions options;
  options.device = device;
  return assemble_flows_cuda(address_flows, crosswalk, options);
}

CsrMatrix assemble_flows_cuda(const CsrMatrix& /*address_flows*/, const CsrMatrix& /*crosswalk*/,
                              const CudaAssemblyOptions& /*options*/) {
  throw BackendUnavailable(
      "GPU assembly is not available: flowfit was built without CUDA (rebuild with "
      "-DFLOWFIT_CUDA=ON on a machine with nvcc, or assemble on the CPU with "
      "flowfit::assembly::assemble_flows)");
}

}  // namespace flowfit::assembly

#endif  // FLOWFIT_WITH_CUDA
