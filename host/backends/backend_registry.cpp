// select_backend: turns the user's choice into a backend and says why.
#include "flowfit/backend.hpp"
#include "flowfit/error.hpp"

namespace flowfit {

SelectedBackend select_backend(const BackendRequest& request) {
  const std::string device = std::to_string(request.device);
  switch (request.choice) {
    case BackendChoice::reference:
      return {make_reference_backend(), "reference backend requested (serial, for debugging)"};
    case BackendChoice::cpu:
      return {make_openmp_backend(request.threads), "CPU backend requested"};
    case BackendChoice::cuda:
      return {make_cuda_backend(request.device), "CUDA backend requested (device " + device + ")"};
    case BackendChoice::automatic:
      if (!cuda_built())
        return {make_openmp_backend(request.threads),
                "auto: flowfit was built without CUDA, using the CPU backend"};
      if (cuda_device_count() == 0)
        return {make_openmp_backend(request.threads),
                "auto: no CUDA device found, using the CPU backend"};
      return {make_cuda_backend(request.device),
              "auto: CUDA device found, using the CUDA backend (device " + device + ")"};
  }
  throw ConfigError("backend", "unknown backend choice");
}

std::unique_ptr<Backend> make_backend(BackendChoice choice, int threads, std::string* why) {
  SelectedBackend selected = select_backend({choice, threads, 0});
  if (why) *why = std::move(selected.reason);
  return std::move(selected.backend);
}

}  // namespace flowfit
