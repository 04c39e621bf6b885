// Hostile inputs through the real binary under an address-space limit (issue #11): a tiny file
// that claims a huge matrix must fail fast with a clear message, not allocate gigabytes; and
// `info` on a matrix with far more columns than entries must not allocate per column. The limit
// (setrlimit RLIMIT_AS through the shell's `ulimit -v`) turns a regression into a failure instead
// of a machine that swaps. AddressSanitizer reserves terabytes of address space, so the two
// memory tests skip under it (detected at compile time, below) and the escaping test runs
// without a limit.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "unit/cli_test_support.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define FLOWFIT_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FLOWFIT_TEST_ASAN 1
#endif
#endif

namespace flowfit {
namespace {

namespace fs = std::filesystem;
using testing::Process;
using testing::ProcessResult;
using testing::TempDir;

const fs::path kBad = fs::path(FLOWFIT_TEST_DATA_DIR) / "bad";

// flowfit `args` with its address space limited to `limit_mib` MiB (0: no limit).
ProcessResult run_limited(const std::vector<std::string>& args, int limit_mib,
                          const fs::path& cwd) {
  const std::string limit =
      limit_mib > 0 ? "ulimit -v " + std::to_string(limit_mib * 1024) + " && " : "";
  std::vector<std::string> sh = {"-c", limit + "exec \"$0\" \"$@\"",
                                 testing::flowfit_binary().string()};
  sh.insert(sh.end(), args.begin(), args.end());
  TempDir capture;
  Process p("/bin/sh", sh, cwd, capture.path(), {"OMP_NUM_THREADS=1"});
  return p.wait();
}

// The address space the binary needs just to start (its shared libraries: a CUDA build maps
// cuSPARSE, hundreds of MiB), found once by trying doubling limits on `flowfit --version`. The
// limits below are this plus what each input may legitimately use.
int startup_mib() {
  static const int mib = [] {
    for (int limit = 32; limit <= 16384; limit *= 2) {
      TempDir cwd;
      if (run_limited({"--version"}, limit, cwd.path()).exit_code == 0) return limit;
    }
    return 16384;
  }();
  return mib;
}

class CliHostileInput : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(testing::flowfit_binary())) << testing::flowfit_binary();
  }
  TempDir cwd_;
};

// Start-up plus 512 MiB: each claim below would need 1-16 GiB. Under AddressSanitizer (whose
// shadow memory reserves terabytes of address space, so no `ulimit -v` lets the binary start)
// there is no limit: the tests that exist to show the limit holds skip themselves there
// (FLOWFIT_SKIP_WITHOUT_LIMIT); the others run unlimited.
int limit_mib() {
#ifdef FLOWFIT_TEST_ASAN
  return 0;
#else
  return startup_mib() + 512;
#endif
}

#ifdef FLOWFIT_TEST_ASAN
#define FLOWFIT_SKIP_WITHOUT_LIMIT() \
  GTEST_SKIP() << "address-space limits (ulimit -v) do not work under AddressSanitizer"
#else
#define FLOWFIT_SKIP_WITHOUT_LIMIT() (void)0
#endif

TEST_F(CliHostileInput, HugeShapesFailClearlyWithinTheLimit) {
  FLOWFIT_SKIP_WITHOUT_LIMIT();
  for (const char* name :
       {"mtx_huge_shape.mtx", "mtx_many_empty_rows.mtx", "mtx_one_row_huge_cols.mtx",
        "npz_hostile_huge_shape_coo.npz", "npz_hostile_huge_shape_csc.npz",
        "npz_hostile_huge_dtype.npz", "npz_hostile_header_length.npz"}) {
    const ProcessResult r = run_limited({"info", (kBad / name).string()}, limit_mib(), cwd_.path());
    EXPECT_EQ(r.exit_code, 3) << name << "\n" << r.err;
    EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("bad_alloc"), std::string::npos) << r.err;
  }
}

TEST_F(CliHostileInput, InfoOnFewEntriesAndManyColumnsAllocatesPerEntry) {
  FLOWFIT_SKIP_WITHOUT_LIMIT();
  // 1 x 2^25 with two entries: dense column sums would take 288 MiB, over start-up + 128 MiB.
  const fs::path file = cwd_.path() / "wide.mtx";
  {
    std::ofstream out(file);
    out << "%%MatrixMarket matrix coordinate real general\n1 33554432 2\n1 7 2.5\n1 33554432 4\n";
  }
  const ProcessResult r =
      run_limited({"info", file.string(), "--json"}, startup_mib() + 128, cwd_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"empty_cols\": 33554430"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"max\": 4.0"), std::string::npos) << r.out;
}

TEST_F(CliHostileInput, ErrorsDoNotEchoTerminalControlSequences) {
  const ProcessResult r =
      run_limited({"info", (kBad / "mtx_escape_sequence.mtx").string()}, limit_mib(), cwd_.path());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\x07'), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\\x1b]0;pwned\\x07"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace flowfit
