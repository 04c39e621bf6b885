#pragma once
// The backends every engine test runs on: reference, OpenMP with 1 and 2 threads, and CUDA when
// a device is present (the CUDA case is skipped otherwise).
#include <memory>
#include <string>
#include <vector>

#include "flowfit/backend.hpp"

namespace flowfit::testing {

enum class TestBackend { reference, openmp_1, openmp_2, cuda };
std::string name_of(TestBackend b);
const std::vector<TestBackend>& all_test_backends();
// nullptr when the backend cannot run here (CUDA without a device).
std::unique_ptr<Backend> make_test_backend(TestBackend b);

}  // namespace flowfit::testing
