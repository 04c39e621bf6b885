// The GPU assembly entry points of a build without CUDA: they exist, and say clearly why they
// cannot work. Part of the CPU-only stand-ins (with cuda_unavailable.cpp): CMakeLists.txt compiles
// them instead of kernels/*.cu (kernels/cuda_assembly.cu defines these functions in CUDA builds).
#include "flowfit/assembly_cuda.hpp"
#include "flowfit/error.hpp"

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
