// Matrix Market reading and writing: fixtures, the golden files, bit-exact round trips.
#include <gtest/gtest.h>

#include <unistd.h>
#include "support/io_fixtures.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/io/matrix_market.hpp"

namespace flowfit::io {
namespace {

using testing::expect_same_matrix;
using testing::slurp;
using testing::small_io_matrix;
using testing::temp_file;

namespace fs = std::filesystem;

const fs::path kIo = fs::path(FLOWFIT_TEST_DATA_DIR) / "io";
const fs::path kGolden = fs::path(FLOWFIT_TEST_DATA_DIR) / "golden";

CsrMatrix random_matrix(int64_t rows, int64_t cols, double density, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<int> exp(-300, 300);
  CsrMatrix m;
  m.n_rows = rows;
  m.n_cols = cols;
  m.row_ptr = {0};
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      if (u(rng) < density) {
        m.col_idx.push_back(static_cast<int32_t>(c));
        // Awkward values: full-precision mantissas over the whole exponent range, and zeros.
        const double v = u(rng) < 0.05 ? 0.0 : std::ldexp(u(rng), exp(rng) * 3);
        m.values.push_back(v);
      }
    }
    m.row_ptr.push_back(static_cast<int64_t>(m.col_idx.size()));
  }
  return m;
}

TEST(IoMatrixMarket, ReadsTheFixture) {
  expect_same_matrix(read_matrix_market(kIo / "small.mtx"), small_io_matrix());
}

TEST(IoMatrixMarket, UnsortedCrlfBlankLinesAndShortestDigits) {
  expect_same_matrix(read_matrix_market(kIo / "small_unsorted_crlf.mtx"), small_io_matrix());
}

TEST(IoMatrixMarket, WritesTheFixtureByteForByte) {
  const fs::path p = temp_file("small.mtx");
  MatrixWriteOptions options;
  options.comments = {"the 3x3 fixture", ""};
  write_matrix_market(p, small_io_matrix(), options);
  EXPECT_EQ(slurp(p), slurp(kIo / "small.mtx"));
  fs::remove(p);
}

TEST(IoMatrixMarket, SymmetricPatternAndInteger) {
  CsrMatrix s = read_matrix_market(kIo / "small_symmetric.mtx");
  EXPECT_EQ(s.row_ptr, (std::vector<int64_t>{0, 3, 4, 6}));
  EXPECT_EQ(s.col_idx, (std::vector<int32_t>{0, 1, 2, 0, 0, 2}));
  EXPECT_EQ(s.values, (std::vector<double>{1, 2, 3, 2, 3, 4}));

  CsrMatrix p = read_matrix_market(kIo / "small_pattern.mtx");
  EXPECT_EQ(p.n_rows, 2);
  EXPECT_EQ(p.n_cols, 3);
  EXPECT_EQ(p.col_idx, (std::vector<int32_t>{2, 0}));
  EXPECT_EQ(p.values, (std::vector<double>{1, 1}));

  CsrMatrix i = read_matrix_market(kIo / "small_integer.mtx");
  EXPECT_EQ(i.values, (std::vector<double>{7, 9}));
}

TEST(IoMatrixMarket, DuplicatesCanBeSummedInFileOrder) {
  MatrixReadOptions options;
  options.duplicates = Duplicates::sum;
  CsrMatrix m = read_matrix_market(
      fs::path(FLOWFIT_TEST_DATA_DIR) / "bad" / "mtx_duplicate_entry.mtx", options);
  EXPECT_EQ(m.nnz(), 2);
  EXPECT_EQ(m.values, (std::vector<double>{3, 1}));
}

TEST(IoMatrixMarket, NegativeValuesOnRequest) {
  MatrixReadOptions options;
  options.allow_negative = true;
  CsrMatrix m = read_matrix_market(
      fs::path(FLOWFIT_TEST_DATA_DIR) / "bad" / "mtx_negative_value.mtx", options);
  EXPECT_EQ(m.values, (std::vector<double>{-1e-3}));
  // NaN and infinities stay errors.
  EXPECT_THROW(
      read_matrix_market(fs::path(FLOWFIT_TEST_DATA_DIR) / "bad" / "mtx_inf_value.mtx", options),
      InputError);
}

TEST(IoMatrixMarket, RandomRoundTripsAreBitExactInBothDigitModes) {
  for (RealFormat f : {RealFormat::digits17, RealFormat::shortest}) {
    CsrMatrix m = random_matrix(57, 43, 0.2, 7 + static_cast<int>(f));
    const fs::path p = temp_file("random.mtx");
    MatrixWriteOptions options;
    options.real_format = f;
    write_matrix_market(p, m, options);
    expect_same_matrix(read_matrix_market(p), m);
    fs::remove(p);
  }
}

TEST(IoMatrixMarket, EmptyMatricesRoundTrip) {
  for (int64_t n : {0, 5}) {
    CsrMatrix m;
    m.n_rows = n;
    m.n_cols = n;
    m.row_ptr.assign(static_cast<std::size_t>(n) + 1, 0);
    const fs::path p = temp_file("empty.mtx");
    write_matrix_market(p, m);
    expect_same_matrix(read_matrix_market(p), m);
    fs::remove(p);
  }
}

// Every golden matrix reads, and writing it back with its own comments gives the same bytes:
// the golden files are printed with %.17g, which RealFormat::digits17 reproduces exactly.
TEST(IoMatrixMarket, GoldenFilesRewriteByteForByte) {
  if (!fs::exists(kGolden)) GTEST_SKIP() << kGolden << " not present";
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kGolden)) {
    if (entry.path().extension() != ".mtx") continue;
    ++files;
    const CsrMatrix m = read_matrix_market(entry.path());
    const std::string original = slurp(entry.path());
    MatrixWriteOptions options;
    std::istringstream lines(original);
    std::string line;
    std::getline(lines, line);  // banner
    while (std::getline(lines, line) && !line.empty() && line[0] == '%') {
      options.comments.push_back(line.size() > 2 ? line.substr(2) : "");
    }
    const fs::path p = temp_file("golden.mtx");
    write_matrix_market(p, m, options);
    EXPECT_EQ(slurp(p), original) << entry.path();
    fs::remove(p);
  }
  EXPECT_GE(files, 10);
}

TEST(IoMatrixMarket, GoldenCase02HasTheDocumentedSize) {
  const fs::path p = kGolden / "case02" / "E_input.mtx";
  if (!fs::exists(p)) GTEST_SKIP() << p << " not present";
  CsrMatrix m = read_matrix_market(p);
  EXPECT_EQ(m.n_rows, 200);
  EXPECT_EQ(m.n_cols, 200);
  EXPECT_EQ(m.nnz(), 2946);
  EXPECT_NO_THROW(m.validate());
}

TEST(IoMatrixMarket, MissingFileIsAnInputError) {
  try {
    read_matrix_market(temp_file("does_not_exist.mtx"));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(e.reason().find("cannot open"), std::string::npos);
  }
}

}  // namespace
}  // namespace flowfit::io
