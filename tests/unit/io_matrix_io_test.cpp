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

using testing::expect_same_matrix;
using testing::slurp;
using testing::small_io_matrix;
using testing::temp_file;

namespace fs = std::filesystem;

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
    write_matrix(p, small_io_matrix(), w);
    MatrixReadOptions r;
    r.row_geography = &geo;
    expect_same_matrix(read_matrix(p, r), small_io_matrix(), name);
    fs::remove(p);
  }
}

TEST(IoMatrixIo, ExplicitFormatOverridesTheExtension) {
  const fs::path p = temp_file("matrix.dat");
  for (MatrixFormat f : {MatrixFormat::matrix_market, MatrixFormat::npz, MatrixFormat::ffm}) {
    MatrixWriteOptions w;
    w.format = f;
    write_matrix(p, small_io_matrix(), w);
    MatrixReadOptions r;
    r.format = f;
    expect_same_matrix(read_matrix(p, r), small_io_matrix(), std::string(to_string(f)));
    EXPECT_THROW(read_matrix(p), ConfigError);  // .dat says nothing
  }
  fs::remove(p);
}

TEST(IoMatrixIo, TripletsNeedAGeography) {
  EXPECT_THROW(write_matrix(temp_file("m.csv"), small_io_matrix()), ConfigError);
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
    expect_same_matrix(read_matrix(p, r), m, name);
    fs::remove(p);
  }
}

}  // namespace
}  // namespace flowfit::io
