// CUDA availability: what make_backend / make_cuda_backend say with and without a device. The
// CUDA kernels are tested against the reference in backend_kernels_test.cpp, with every other
// built backend.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "flowfit/backend.hpp"
#include "flowfit/csr_matrix.hpp"
#include "flowfit/error.hpp"

namespace flowfit {
namespace {

// ---- availability (runs with or without a device) ---------------------------------------------

TEST(CudaAvailability, BuiltFlagMatchesTheBuild) {
#ifdef FLOWFIT_WITH_CUDA
  EXPECT_TRUE(cuda_built());
#else
  EXPECT_FALSE(cuda_built());
  EXPECT_EQ(cuda_device_count(), 0);
#endif
  EXPECT_GE(cuda_device_count(), 0);
}

TEST(CudaAvailability, CudaChoiceThrowsBackendUnavailableWithoutDevice) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "a CUDA device is present";
  EXPECT_THROW(make_backend(BackendChoice::cuda), BackendUnavailable);
  EXPECT_THROW(make_cuda_backend(0), BackendUnavailable);
  try {
    make_cuda_backend(0);
  } catch (const BackendUnavailable& e) {
    EXPECT_FALSE(std::string(e.what()).empty());
  }
  std::string why;
  auto b = make_backend(BackendChoice::automatic, 1, &why);
  ASSERT_NE(b, nullptr);
  EXPECT_NE(b->kind(), BackendKind::cuda);
  EXPECT_FALSE(why.empty());
}

TEST(CudaAvailability, DeviceOutOfRangeThrowsBackendUnavailable) {
  const int n = cuda_device_count();
  if (n == 0) GTEST_SKIP() << "no CUDA device present";
  EXPECT_THROW(make_cuda_backend(n), BackendUnavailable);
  EXPECT_THROW(make_cuda_backend(-1), BackendUnavailable);
  auto b = make_cuda_backend(0);
  EXPECT_EQ(b->kind(), BackendKind::cuda);
  EXPECT_EQ(b->name().rfind("cuda (", 0), 0u) << b->name();
  EXPECT_NE(b->name().find(", sm_"), std::string::npos) << b->name();
}

}  // namespace
}  // namespace flowfit
