// scipy .npz archives: fixtures written by scipy/numpy, round trips, the archive layout.
#include <gtest/gtest.h>

#include <unistd.h>
#include "support/io_fixtures.hpp"

#include <cstring>
#include <filesystem>
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/io/checksum.hpp"
#include "flowfit/io/npz.hpp"
#include "host/io/npy.hpp"
#include "host/io/zip_archive.hpp"

namespace flowfit::io {
namespace {

using testing::expect_same_matrix;
using testing::slurp;
using testing::small_io_matrix;
using testing::temp_file;

namespace fs = std::filesystem;

const fs::path kIo = fs::path(FLOWFIT_TEST_DATA_DIR) / "io";

TEST(IoNpz, ReadsScipyCsrCompressed) {
  expect_same_matrix(read_npz(kIo / "small_csr_compressed.npz"), small_io_matrix());
}

TEST(IoNpz, ReadsScipyCscStored) {
  expect_same_matrix(read_npz(kIo / "small_csc_stored.npz"), small_io_matrix());
}

TEST(IoNpz, ReadsUnsortedCoo) {
  expect_same_matrix(read_npz(kIo / "small_coo_unsorted.npz"), small_io_matrix());
}

TEST(IoNpz, ReadsInt64IndicesAndFloat32Data) {
  CsrMatrix m = read_npz(kIo / "small_csr_int64_float32.npz");
  CsrMatrix want = small_io_matrix();
  want.values = {5, 1.5, 2, 0.25, 0.5, 0.125};
  expect_same_matrix(m, want);
}

TEST(IoNpz, ReadsUint16IndicesAndIntegerData) {
  CsrMatrix m = read_npz(kIo / "small_csr_int_data.npz");
  CsrMatrix want = small_io_matrix();
  want.values = {5, 1, 2, 0, 3, 4};
  expect_same_matrix(m, want);
}

TEST(IoNpz, CooDuplicatesCanBeSummed) {
  MatrixReadOptions options;
  options.duplicates = Duplicates::sum;
  CsrMatrix m =
      read_npz(fs::path(FLOWFIT_TEST_DATA_DIR) / "bad" / "npz_duplicate_coo.npz", options);
  EXPECT_EQ(m.row_ptr, (std::vector<int64_t>{0, 1, 2, 2}));
  EXPECT_EQ(m.col_idx, (std::vector<int32_t>{2, 1}));
  EXPECT_EQ(m.values, (std::vector<double>{4, 2}));
}

TEST(IoNpz, RoundTripsCompressedAndStored) {
  for (bool compressed : {true, false}) {
    const fs::path p = temp_file(compressed ? "z.npz" : "s.npz");
    MatrixWriteOptions options;
    options.compressed = compressed;
    write_npz(p, small_io_matrix(), options);
    expect_same_matrix(read_npz(p), small_io_matrix());
    fs::remove(p);
  }
}

TEST(IoNpz, CompressionLevels) {
  for (int level : {1, 9}) {
    const fs::path p = temp_file("level.npz");
    MatrixWriteOptions options;
    options.compression_level = level;
    write_npz(p, small_io_matrix(), options);
    expect_same_matrix(read_npz(p), small_io_matrix());
    fs::remove(p);
  }
  MatrixWriteOptions bad;
  bad.compression_level = 10;
  EXPECT_THROW(write_npz(temp_file("bad_level.npz"), small_io_matrix(), bad), ConfigError);
  EXPECT_FALSE(fs::exists(temp_file("bad_level.npz")));
}

TEST(IoNpz, EmptyMatrixRoundTrips) {
  CsrMatrix m;
  m.n_rows = 4;
  m.n_cols = 2;
  m.row_ptr.assign(5, 0);
  const fs::path p = temp_file("empty.npz");
  write_npz(p, m);
  expect_same_matrix(read_npz(p), m);
  fs::remove(p);
}

// The archive holds exactly what scipy.sparse.save_npz writes: int32 index arrays, a 0-d |S3
// format, int64 shape, float64 data, with 64-byte aligned .npy headers.
TEST(IoNpz, ArchiveLayoutMatchesScipy) {
  const fs::path p = temp_file("layout.npz");
  write_npz(p, small_io_matrix());
  detail::ZipReader zip(p.string());
  struct Want {
    const char* name;
    const char* descr;
    std::vector<int64_t> shape;
  };
  for (const Want& w :
       {Want{"indices", "<i4", {6}}, Want{"indptr", "<i4", {4}}, Want{"format", "|S3", {}},
        Want{"shape", "<i8", {2}}, Want{"data", "<f8", {6}}}) {
    detail::ZipReader::Member member(zip, std::string(w.name) + ".npy", w.name);
    std::string bytes(member.size(), '\0');
    member.read(bytes.data(), bytes.size());
    detail::NpyHeader h;
    ASSERT_EQ(detail::parse_npy_header(bytes, h), "") << w.name;
    EXPECT_EQ(h.descr, w.descr);
    EXPECT_EQ(h.shape, w.shape);
    EXPECT_FALSE(h.fortran_order);
    EXPECT_EQ(h.header_bytes % 64, 0u);
    if (std::string(w.name) == "format") {
      EXPECT_EQ(bytes.substr(h.header_bytes), "csr");
    }
  }
  fs::remove(p);
}

TEST(IoNpz, OutputIsReproducible) {
  const fs::path a = temp_file("a.npz");
  const fs::path b = temp_file("b.npz");
  write_npz(a, small_io_matrix());
  write_npz(b, small_io_matrix());
  EXPECT_EQ(file_sha256(a), file_sha256(b));
  fs::remove(a);
  fs::remove(b);
}

TEST(IoNpz, NpyHeaderFormat) {
  const std::string h = detail::make_npy_header("<f8", {3});
  EXPECT_EQ(h.size() % 64, 0u);
  EXPECT_EQ(h.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  EXPECT_EQ(h.substr(10, 55 - 10).substr(0, 44), "{'descr': '<f8', 'fortran_order': False, 'sh");
  EXPECT_EQ(h.back(), '\n');
  EXPECT_NE(h.find("'shape': (3,), }"), std::string::npos);
  EXPECT_NE(detail::make_npy_header("|S3", {}).find("'shape': (), }"), std::string::npos);
  EXPECT_NE(detail::make_npy_header("<i8", {2, 5}).find("'shape': (2, 5), }"), std::string::npos);
}

TEST(IoNpz, MissingFileIsAnInputError) {
  EXPECT_THROW(read_npz(temp_file("nope.npz")), InputError);
}

}  // namespace
}  // namespace flowfit::io
