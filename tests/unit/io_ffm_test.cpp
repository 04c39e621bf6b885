// The native .ffm format: byte layout (against a fixture written from the spec by python),
// round trips, zero-copy views and checksum handling.
#include <gtest/gtest.h>

#include <unistd.h>
#include "support/io_fixtures.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "flowfit/error.hpp"
#include "flowfit/io/ffm.hpp"

namespace flowfit::io {
namespace {

using testing::expect_same_matrix;
using testing::slurp;
using testing::small_io_matrix;
using testing::temp_file;

namespace fs = std::filesystem;

const fs::path kIo = fs::path(FLOWFIT_TEST_DATA_DIR) / "io";
const fs::path kBad = fs::path(FLOWFIT_TEST_DATA_DIR) / "bad";

TEST(IoFfm, WriterMatchesTheSpecFixtureByteForByte) {
  const fs::path p = temp_file("small.ffm");
  write_ffm(p, small_io_matrix());
  EXPECT_EQ(slurp(p), slurp(kIo / "small.ffm"));
  fs::remove(p);
}

TEST(IoFfm, ReadsTheFixture) {
  expect_same_matrix(read_ffm(kIo / "small.ffm"), small_io_matrix());
}

TEST(IoFfm, RandomRoundTripsWithOddAndEvenNnz) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 6; ++trial) {
    CsrMatrix m;
    m.n_rows = 10 + trial;
    m.n_cols = 7 + 2 * trial;
    m.row_ptr = {0};
    for (int64_t r = 0; r < m.n_rows; ++r) {
      for (int32_t c = 0; c < m.n_cols; ++c) {
        if (rng() % 3 == 0) {
          m.col_idx.push_back(c);
          m.values.push_back(static_cast<double>(rng() % 1000) / 7.0);
        }
      }
      m.row_ptr.push_back(static_cast<int64_t>(m.col_idx.size()));
    }
    const fs::path p = temp_file("r.ffm");
    write_ffm(p, m);
    expect_same_matrix(read_ffm(p), m);
    EXPECT_EQ(fs::file_size(p) % 8, 0u);
    fs::remove(p);
  }
}

TEST(IoFfm, EmptyMatrixRoundTrips) {
  CsrMatrix m;
  const fs::path p = temp_file("e.ffm");
  write_ffm(p, m);
  EXPECT_EQ(fs::file_size(p), 136u);  // header + one row offset
  expect_same_matrix(read_ffm(p), m);
  fs::remove(p);
}

TEST(IoFfm, ZeroCopyViewPointsIntoTheMapping) {
  const FfmView view(kIo / "small.ffm");
  const ConstCsrView v = view.view();
  EXPECT_EQ(v.n_rows, 3);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.row_ptr.data()) % 8, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v.values.data()) % 8, 0u);
  EXPECT_EQ(reinterpret_cast<const char*>(v.col_idx.data()) -
                reinterpret_cast<const char*>(v.row_ptr.data()),
            32);
  EXPECT_EQ(v.values[3], 0.1);
  expect_same_matrix(view.to_matrix(), small_io_matrix());
}

TEST(IoFfm, ChecksumCanBeSkippedButStructureIsStillChecked) {
  MatrixReadOptions options;
  options.verify_checksum = false;
  // The flipped byte is in the last value's sign/exponent: structurally fine.
  CsrMatrix m = read_ffm(kBad / "ffm_bad_checksum.ffm", options);
  EXPECT_EQ(m.nnz(), 6);
  EXPECT_THROW(read_ffm(kBad / "ffm_truncated.ffm", options), InputError);
}

}  // namespace
}  // namespace flowfit::io
