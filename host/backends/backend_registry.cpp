// make_backend: turns the user's choice into a backend and says why.
#include "flowfit/backend.hpp"
#include "flowfit/error.hpp"

namespace flowfit {

std::unique_ptr<Backend> make_backend(BackendChoice choice, int threads, std::string* why) {
  auto say = [&](std::string text) {
    if (why) *why = std::move(text);
  };
  switch (choice) {
    case BackendChoice::reference:
      say("reference backend requested (serial, for debugging)");
      return make_reference_backend();
    case BackendChoice::cpu:
      say("CPU backend requested");
      return make_openmp_backend(threads);
    case BackendChoice::cuda:
      say("CUDA backend requested");
      return make_cuda_backend(0);
    case BackendChoice::automatic:
      if (!cuda_built()) {
        say("auto: flowfit was built without CUDA, using the CPU backend");
        return make_openmp_backend(threads);
      }
      if (cuda_device_count() == 0) {
        say("auto: no CUDA device found, using the CPU backend");
        return make_openmp_backend(threads);
      }
      say("auto: CUDA device found, using the CUDA backend");
      return make_cuda_backend(0);
  }
  throw ConfigError("backend", "unknown backend choice");
}

}  // namespace flowfit
