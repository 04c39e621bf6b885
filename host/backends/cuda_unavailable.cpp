// CUDA entry points of a build without CUDA: they exist, and say clearly why they cannot work.
#include "flowfit/backend.hpp"
#include "flowfit/error.hpp"

namespace flowfit {

std::unique_ptr<Backend> make_cuda_backend(int /*device*/) {
  throw BackendUnavailable(
      "the CUDA backend is not available: flowfit was built without CUDA (rebuild with "
      "-DFLOWFIT_CUDA=ON on a machine with nvcc)");
}

bool cuda_built() {
  return false;
}

int cuda_device_count() {
  return 0;
}

}  // namespace flowfit
