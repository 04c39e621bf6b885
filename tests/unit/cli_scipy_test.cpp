// scipy round trips at the command line: `flowfit convert` to .npz read by
// scipy.sparse.load_npz, and scipy.sparse.save_npz archives read by `flowfit convert`.
// Skipped when /usr/bin/python3 with scipy is not available.
#include <gtest/gtest.h>

#include "flowfit/io/matrix_io.hpp"
#include "unit/cli_test_support.hpp"

namespace flowfit {
namespace {

namespace fs = std::filesystem;
using testing::run_flowfit;
using testing::TempDir;

const fs::path kPython = "/usr/bin/python3";
const fs::path kCli = fs::path(FLOWFIT_TEST_DATA_DIR) / "cli";

testing::ProcessResult python(const std::string& script, const fs::path& cwd) {
  TempDir capture;
  testing::Process p(kPython, {"-c", script}, cwd, capture.path());
  return p.wait();
}

class CliScipy : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kPython)) GTEST_SKIP() << "no /usr/bin/python3";
    if (python("import scipy.sparse, scipy.io", dir_.path()).exit_code != 0)
      GTEST_SKIP() << "scipy is not installed for /usr/bin/python3";
    fs::copy_file(kCli / "expected_2015.mtx", dir_.path() / "m.mtx");
  }
  TempDir dir_;
};

TEST_F(CliScipy, FlowfitNpzLoadsInScipyWithEveryValueExact) {
  for (const char* flag : {"", "--uncompressed"}) {
    std::vector<std::string> args{"convert", "m.mtx", "m.npz"};
    if (*flag) args.push_back(flag);
    auto r = run_flowfit(args, dir_.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto py = python(R"(
import numpy as np, scipy.sparse as sp, scipy.io as sio
a = sp.load_npz("m.npz")
b = sp.csr_matrix(sio.mmread("m.mtx"))
assert a.format == "csr", a.format
assert a.shape == (12, 12), a.shape
assert a.nnz == b.nnz == 42, (a.nnz, b.nnz)
assert a.has_sorted_indices
assert (a != b).nnz == 0, "values differ"
assert a.dtype == np.float64
print("ok", a.sum())
)",
                     dir_.path());
    EXPECT_EQ(py.exit_code, 0) << flag << "\n" << py.err;
    EXPECT_EQ(py.out.rfind("ok ", 0), 0u) << py.out;
  }
}

TEST_F(CliScipy, ScipyArchivesOfEveryLayoutConvertBack) {
  auto py = python(R"(
import scipy.sparse as sp, scipy.io as sio
m = sp.csr_matrix(sio.mmread("m.mtx"))
sp.save_npz("csr.npz", m, compressed=True)
sp.save_npz("csc.npz", m.tocsc(), compressed=False)
sp.save_npz("coo.npz", m.tocoo(), compressed=True)
)",
                   dir_.path());
  ASSERT_EQ(py.exit_code, 0) << py.err;
  const CsrMatrix want = io::read_matrix(dir_.path() / "m.mtx");
  for (const char* name : {"csr", "csc", "coo"}) {
    auto r = run_flowfit({"convert", std::string(name) + ".npz", std::string(name) + ".mtx"},
                         dir_.path());
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    const CsrMatrix got = io::read_matrix(dir_.path() / (std::string(name) + ".mtx"));
    EXPECT_EQ(got.row_ptr, want.row_ptr) << name;
    EXPECT_EQ(got.col_idx, want.col_idx) << name;
    EXPECT_EQ(got.values, want.values) << name;
  }
}

}  // namespace
}  // namespace flowfit
