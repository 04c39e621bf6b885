#pragma once
// Small helpers shared by the I/O tests: a reference matrix, exact comparison, scratch files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "flowfit/csr_matrix.hpp"

namespace flowfit::testing {

// 3 x 3 with a value that needs all 17 digits and one near the bottom of the double range.
inline CsrMatrix small_io_matrix() {
  CsrMatrix m;
  m.n_rows = 3;
  m.n_cols = 3;
  m.row_ptr = {0, 2, 4, 6};
  m.col_idx = {0, 2, 0, 1, 1, 2};
  m.values = {5.0, 1.5, 2.0, 0.1, 1.0 / 3.0, 1e-300};
  return m;
}

// Same shape, pattern and bit-identical values; `what` names the case in failure messages.
inline void expect_same_matrix(const CsrMatrix& a, const CsrMatrix& b,
                               const std::string& what = "") {
  EXPECT_EQ(a.n_rows, b.n_rows) << what;
  EXPECT_EQ(a.n_cols, b.n_cols) << what;
  EXPECT_EQ(a.row_ptr, b.row_ptr) << what;
  EXPECT_EQ(a.col_idx, b.col_idx) << what;
  ASSERT_EQ(a.values.size(), b.values.size()) << what;
  EXPECT_TRUE(a.values.empty() ||
              std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(double)) == 0)
      << what;
}

// A scratch path unique to this process and test suite (ctest runs test processes in parallel).
inline std::filesystem::path temp_file(const std::string& name) {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string suite = test ? test->test_suite_name() : "io";
  return std::filesystem::temp_directory_path() /
         ("flowfit_" + suite + "_" + std::to_string(::getpid()) + "_" + name);
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace flowfit::testing
