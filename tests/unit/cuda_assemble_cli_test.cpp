// `flowfit --backend cuda assemble` reaches the GPU assembly: without a usable device it exits 4
// (backend unavailable) and writes nothing; with one, its result has the CPU result's pattern
// and values equal to rounding. `--backend cpu` (and auto) keep the CPU assembly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "flowfit/backend.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "unit/cli_test_support.hpp"

namespace flowfit {
namespace {

namespace fs = std::filesystem;
using testing::run_flowfit;
using testing::TempDir;

const fs::path kCli = fs::path(FLOWFIT_TEST_DATA_DIR) / "cli";

class CudaAssembleCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(testing::flowfit_binary()))
      FAIL() << "build the flowfit target first: " << testing::flowfit_binary();
    for (const char* f : {"address_flows.mtx", "crosswalk.csv"})
      fs::copy_file(kCli / f, dir_.path() / f);
  }
  testing::ProcessResult assemble(const std::string& backend, const std::string& out) {
    return run_flowfit({"--backend", backend, "assemble", "--flows", "address_flows.mtx",
                        "--crosswalk", "crosswalk.csv", "-o", out},
                       dir_.path());
  }
  TempDir dir_;
};

TEST_F(CudaAssembleCli, WithoutDeviceExitsBackendUnavailable) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "a CUDA device is present";
  const auto r = assemble("cuda", "gpu.mtx");
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("backend unavailable"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "gpu.mtx"));
}

TEST_F(CudaAssembleCli, CpuBackendAssemblesOnTheCpu) {
  const auto r = assemble("cpu", "cpu.mtx");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("assembly on the GPU"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(dir_.path() / "cpu.mtx"));
}

TEST_F(CudaAssembleCli, GpuResultMatchesCpu) {
  if (cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device present";
  const auto g = assemble("cuda", "gpu.mtx");
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_NE(g.err.find("assembly on the GPU"), std::string::npos) << g.err;
  ASSERT_EQ(assemble("cpu", "cpu.mtx").exit_code, 0);
  const CsrMatrix a = io::read_matrix((dir_.path() / "gpu.mtx").string());
  const CsrMatrix b = io::read_matrix((dir_.path() / "cpu.mtx").string());
  EXPECT_EQ(a.row_ptr, b.row_ptr);
  EXPECT_EQ(a.col_idx, b.col_idx);
  ASSERT_EQ(a.values.size(), b.values.size());
  for (size_t k = 0; k < a.values.size(); ++k)
    EXPECT_LE(std::fabs(a.values[k] - b.values[k]), 1e-12 * std::fabs(b.values[k])) << k;
}

}  // namespace
}  // namespace flowfit
