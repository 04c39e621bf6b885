// read_matrix / write_matrix: format by extension or override, every format round trips.
#include <gtest/gtest.h>

#include <unistd.h>
#include "support/io_fixtures.hpp"

#include <cstring>
#include <filesystem>

#include "flowfit/error.hpp"
#include "flowfit/io/io.hpp"

namespace flowfit::io {
namespace {

CsrMatrix small() {
  return testing::small_io_matrix();
}
std::filesystem::path temp_file(const std::string& name) {
  return testing::scratch_file("io_mio", name);
}

namespace fs = std::filesystem;

void expect_same(const CsrMatrix& a, const CsrMatrix& b, const std::string& what) {
  EXPECT_EQ(a.n_rows, b.n_rows) << what;
  EXPECT_EQ(a.n_cols, b.n_cols) << what;
  EXPECT_EQ(a.row_ptr, b.row_ptr) << what;
  EXPECT_EQ(a.col_idx, b.col_idx) << what;
  ASSERT_EQ(a.values.size(), b.values.size()) << what;
  EXPECT_TRUE(a.values.empty() ||
              std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(double)) == 0)
      << what;
}

TEST(IoMatrixFormat, FromExtensionAndName) {
  EXPECT_EQ(matrix_format_from_path("a/b.mtx"), MatrixFormat::matrix_market);
  EXPECT_EQ(matrix_format_from_path("b.MTX"), MatrixFormat::matrix_market);
  EXPECT_EQ(matrix_format_from_path("b.npz"), MatrixFormat::npz);
  EXPECT_EQ(matrix_format_from_path("b.csv"), MatrixFormat::csv);
  EXPECT_EQ(matrix_format_from_path("b.tsv"), MatrixFormat::tsv);
  EXPECT_EQ(matrix_format_from_path("b.ffm"), MatrixFormat::ffm);
  EXPECT_THROW(matrix_format_from_path("b.mtx.gz"), ConfigError);
  EXPECT_THROW(matrix_format_from_path("noext"), ConfigError);
  for (MatrixFormat f : {MatrixFormat::automatic, MatrixFormat::matrix_market, MatrixFormat::npz,
                         MatrixFormat::csv, MatrixFormat::tsv, MatrixFormat::ffm}) {
    EXPECT_EQ(matrix_format_from_string(to_string(f)), f);
  }
  EXPECT_EQ(matrix_format_from_string("Matrix_Market"), MatrixFormat::matrix_market);
  EXPECT_THROW(matrix_format_from_string("parquet"), ConfigError);
  EXPECT_EQ(resolve_matrix_format(MatrixFormat::npz, "x.mtx"), MatrixFormat::npz);
}

TEST(IoMatrixIo, EveryFormatRoundTripsBitExactly) {
  const Geography geo(std::vector<std::string>{"060010001001", "060010001002", "060010002001"});
  for (const char* name : {"m.mtx", "m.npz", "m.csv", "m.tsv", "m.ffm"}) {
    const fs::path p = temp_file(name);
    MatrixWriteOptions w;
    w.row_geography = &geo;
    write_matrix(p, small(), w);
    MatrixReadOptions r;
    r.row_geography = &geo;
    expect_same(read_matrix(p, r), small(), name);
    fs::remove(p);
  }
}

TEST(IoMatrixIo, ExplicitFormatOverridesTheExtension) {
  const fs::path p = temp_file("matrix.dat");
  for (MatrixFormat f : {MatrixFormat::matrix_market, MatrixFormat::npz, MatrixFormat::ffm}) {
    MatrixWriteOptions w;
    w.format = f;
    write_matrix(p, small(), w);
    MatrixReadOptions r;
    r.format = f;
    expect_same(read_matrix(p, r), small(), std::string(to_string(f)));
    EXPECT_THROW(read_matrix(p), ConfigError);  // .dat says nothing
  }
  fs::remove(p);
}

TEST(IoMatrixIo, TripletsNeedAGeography) {
  EXPECT_THROW(write_matrix(temp_file("m.csv"), small()), ConfigError);
  EXPECT_THROW(read_matrix(temp_file("m.csv")), ConfigError);
  EXPECT_FALSE(fs::exists(temp_file("m.csv")));
}

TEST(IoMatrixIo, GoldenMatrixSurvivesEveryFormat) {
  const fs::path golden = fs::path(FLOWFIT_TEST_DATA_DIR) / "golden" / "case02" / "E_input.mtx";
  if (!fs::exists(golden)) GTEST_SKIP() << golden << " not present";
  const CsrMatrix m = read_matrix(golden);
  std::vector<std::string> ids;
  for (int i = 0; i < m.n_rows; ++i) ids.push_back("u" + std::to_string(1000 + i));
  const Geography geo(ids);
  for (const char* name : {"g.mtx", "g.npz", "g.csv", "g.ffm"}) {
    const fs::path p = temp_file(name);
    MatrixWriteOptions w;
    w.row_geography = &geo;
    w.real_format = RealFormat::shortest;
    write_matrix(p, m, w);
    MatrixReadOptions r;
    r.row_geography = &geo;
    expect_same(read_matrix(p, r), m, name);
    fs::remove(p);
  }
}

}  // namespace
}  // namespace flowfit::io
