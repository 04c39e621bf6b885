// Round trips with scipy itself (Debian's /usr/bin/python3 with python3-scipy): flowfit writes,
// scipy.sparse.load_npz reads; scipy.sparse.save_npz writes (csr/csc/coo, compressed or not),
// flowfit reads. Arrays cross over as raw little-endian binaries, so the comparison is bit-exact.
// Skipped when that python or scipy is absent.
#include <gtest/gtest.h>

#include <unistd.h>
#include "support/io_fixtures.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "flowfit/io/npz.hpp"

namespace flowfit::io {
namespace {

using testing::expect_same_matrix;
using testing::slurp;
using testing::small_io_matrix;
using testing::temp_file;

namespace fs = std::filesystem;

constexpr const char* kPython = "/usr/bin/python3";

bool have_scipy() {
  static const bool ok =
      fs::exists(kPython) &&
      std::system((std::string(kPython) + " -c 'import scipy.sparse' >/dev/null 2>&1").c_str()) ==
          0;
  return ok;
}

class IoScipy : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_scipy()) GTEST_SKIP() << kPython << " with scipy is not available";
    dir_ = fs::temp_directory_path() /
           ("flowfit_io_scipy_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  // Runs a python script; returns its exit status and leaves its output in out.txt.
  int python(const std::string& script) {
    const fs::path py = dir_ / "script.py";
    std::ofstream(py) << script;
    const std::string cmd =
        std::string(kPython) + " " + py.string() + " > " + (dir_ / "out.txt").string() + " 2>&1";
    return std::system(cmd.c_str());
  }
  std::string output() const {
    std::ifstream in(dir_ / "out.txt");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  template <class T>
  void write_raw(const std::string& name, const std::vector<T>& v) {
    std::ofstream(dir_ / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(v.data()),
               static_cast<std::streamsize>(v.size() * sizeof(T)));
  }
  template <class T>
  std::vector<T> read_raw(const std::string& name) {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string bytes = ss.str();
    std::vector<T> v(bytes.size() / sizeof(T));
    std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
    return v;
  }
  fs::path dir_;
};

CsrMatrix random_matrix(int64_t rows, int64_t cols, double density, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  CsrMatrix m;
  m.n_rows = rows;
  m.n_cols = cols;
  m.row_ptr = {0};
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      if (u(rng) < density) {
        m.col_idx.push_back(static_cast<int32_t>(c));
        m.values.push_back(
            u(rng) < 0.05 ? 0.0 : std::ldexp(u(rng), static_cast<int>(u(rng) * 200) - 100));
      }
    }
    m.row_ptr.push_back(static_cast<int64_t>(m.col_idx.size()));
  }
  return m;
}

TEST_F(IoScipy, ScipyLoadsWhatFlowfitWrites) {
  const CsrMatrix m = random_matrix(120, 90, 0.05, 11);
  for (bool compressed : {true, false}) {
    MatrixWriteOptions options;
    options.compressed = compressed;
    write_npz(dir_ / "m.npz", m, options);
    const int rc = python(R"(
import numpy as np, scipy.sparse as sp, sys
d = sys.argv[0].rsplit('/', 1)[0]
m = sp.load_npz(d + '/m.npz')
assert m.format == 'csr', m.format
assert m.shape == (120, 90), m.shape
assert m.indptr.dtype == np.int32 and m.indices.dtype == np.int32, (m.indptr.dtype, m.indices.dtype)
assert m.data.dtype == np.float64
assert m.has_canonical_format
m.indptr.astype('<i8').tofile(d + '/indptr.bin')
m.indices.astype('<i4').tofile(d + '/indices.bin')
m.data.astype('<f8').tofile(d + '/data.bin')
print('ok')
)");
    ASSERT_EQ(rc, 0) << output();
    CsrMatrix back;
    back.n_rows = m.n_rows;
    back.n_cols = m.n_cols;
    back.row_ptr = read_raw<int64_t>("indptr.bin");
    back.col_idx = read_raw<int32_t>("indices.bin");
    back.values = read_raw<double>("data.bin");
    expect_same_matrix(back, m, compressed ? "compressed" : "stored");
  }
}

TEST_F(IoScipy, FlowfitReadsWhatScipyWrites) {
  const CsrMatrix m = random_matrix(80, 130, 0.06, 12);
  write_raw("indptr.bin", m.row_ptr);
  write_raw("indices.bin", m.col_idx);
  write_raw("data.bin", m.values);
  const int rc = python(R"(
import numpy as np, scipy.sparse as sp, sys
d = sys.argv[0].rsplit('/', 1)[0]
indptr = np.fromfile(d + '/indptr.bin', '<i8')
indices = np.fromfile(d + '/indices.bin', '<i4')
data = np.fromfile(d + '/data.bin', '<f8')
m = sp.csr_matrix((data, indices, indptr), shape=(80, 130))
for z in (True, False):
    tag = 'z' if z else 's'
    sp.save_npz(d + '/csr_' + tag + '.npz', m, compressed=z)
    sp.save_npz(d + '/csc_' + tag + '.npz', m.tocsc(), compressed=z)
    coo = m.tocoo()
    perm = np.random.default_rng(1).permutation(coo.nnz)  # COO in no particular order
    sp.save_npz(d + '/coo_' + tag + '.npz',
                sp.coo_matrix((coo.data[perm], (coo.row[perm], coo.col[perm])), shape=m.shape),
                compressed=z)
    sp.save_npz(d + '/csr64_' + tag + '.npz',
                sp.csr_matrix((data, indices.astype(np.int64), indptr.astype(np.int64)),
                              shape=m.shape), compressed=z)
    if hasattr(sp, 'csr_array'):
        sp.save_npz(d + '/array_' + tag + '.npz', sp.csr_array(m), compressed=z)
print('ok')
)");
  ASSERT_EQ(rc, 0) << output();
  int n = 0;
  for (const char* kind : {"csr", "csc", "coo", "csr64", "array"}) {
    for (const char* tag : {"z", "s"}) {
      const fs::path p = dir_ / (std::string(kind) + "_" + tag + ".npz");
      if (!fs::exists(p)) continue;
      expect_same_matrix(read_npz(p), m, p.filename().string());
      ++n;
    }
  }
  EXPECT_GE(n, 8);
}

}  // namespace
}  // namespace flowfit::io
