#include "support/backends.hpp"

namespace flowfit::testing {

std::string name_of(TestBackend b) {
  switch (b) {
    case TestBackend::reference:
      return "reference";
    case TestBackend::openmp_1:
      return "openmp1";
    case TestBackend::openmp_2:
      return "openmp2";
    case TestBackend::cuda:
      return "cuda";
  }
  return "unknown";
}

const std::vector<TestBackend>& all_test_backends() {
  static const std::vector<TestBackend> all{TestBackend::reference, TestBackend::openmp_1,
                                            TestBackend::openmp_2, TestBackend::cuda};
  return all;
}

std::unique_ptr<Backend> make_test_backend(TestBackend b) {
  switch (b) {
    case TestBackend::reference:
      return make_reference_backend();
    case TestBackend::openmp_1:
      return make_openmp_backend(1);
    case TestBackend::openmp_2:
      return make_openmp_backend(2);
    case TestBackend::cuda:
      if (cuda_device_count() == 0) return nullptr;
      return make_cuda_backend(0);
  }
  return nullptr;
}

}  // namespace flowfit::testing
