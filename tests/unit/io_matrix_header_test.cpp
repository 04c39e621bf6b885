// read_matrix_header (what `run --dry-run` reads of each matrix): the shape and declared entries
// of every good file agree with the full read, and a file whose header is bad fails the header
// read exactly as it fails the full read (same field, same line), while a file whose only fault
// lies in its entries passes the header read.
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/io/geography_io.hpp"
#include "flowfit/io/matrix_header.hpp"
#include "flowfit/io/matrix_io.hpp"

namespace flowfit::io {
namespace {

namespace fs = std::filesystem;

const fs::path kBad = fs::path(FLOWFIT_TEST_DATA_DIR) / "bad";
const fs::path kGood = fs::path(FLOWFIT_TEST_DATA_DIR) / "io";

bool is_matrix(const fs::path& p) {
  const std::string ext = p.extension().string();
  return ext == ".mtx" || ext == ".npz" || ext == ".ffm";
}

TEST(IoMatrixHeader, AgreesWithTheFullReadOnEveryGoodFile) {
  const Geography geo = read_geography(kGood / "geo_small.csv");
  int files = 0;
  for (const auto& e : fs::directory_iterator(kGood)) {
    const fs::path p = e.path();
    const bool triplets = p.filename() == "triplets_small.csv";
    if (!is_matrix(p) && !triplets) continue;
    MatrixReadOptions opt;
    opt.row_geography = &geo;
    const MatrixHeader h = read_matrix_header(p, opt);
    const CsrMatrix m = read_matrix(p, opt);
    EXPECT_EQ(h.format, resolve_matrix_format(MatrixFormat::automatic, p)) << p;
    EXPECT_EQ(h.n_rows, m.n_rows) << p;
    EXPECT_EQ(h.n_cols, m.n_cols) << p;
    if (triplets) {
      EXPECT_EQ(h.nnz, -1) << "a triplet table declares no count";
    } else if (p.filename() == "small_symmetric.mtx") {
      EXPECT_LT(h.nnz, m.nnz()) << "off-diagonal entries are stored once";
    } else {
      EXPECT_EQ(h.nnz, m.nnz()) << p;
    }
    ++files;
  }
  EXPECT_GE(files, 12);
}

TEST(IoMatrixHeader, FailsAsTheFullReadDoesOnABadHeader) {
  int header_faults = 0;
  int entry_faults = 0;
  for (const auto& e : fs::directory_iterator(kBad)) {
    const fs::path p = e.path();
    if (!is_matrix(p)) continue;
    std::optional<InputError> full;
    try {
      (void)read_matrix(p);
    } catch (const InputError& err) {
      full = err;
    }
    ASSERT_TRUE(full) << p << " is in the bad-input catalogue but reads";
    try {
      (void)read_matrix_header(p);
      ++entry_faults;  // the fault lies past the header: the full read's business
    } catch (const InputError& err) {
      EXPECT_EQ(err.field(), full->field()) << p << ": " << err.what() << " vs " << full->what();
      EXPECT_EQ(err.line(), full->line()) << p << ": " << err.what() << " vs " << full->what();
      EXPECT_EQ(err.reason(), full->reason()) << p;
      ++header_faults;
    }
  }
  // Both kinds are in the catalogue: banners, size lines, shapes, magic, member headers; and
  // values, indices, duplicates, checksums.
  EXPECT_GE(header_faults, 15);
  EXPECT_GE(entry_faults, 15);
}

TEST(IoMatrixHeader, TripletTablesNeedTheirColumnsAndAGeography) {
  const Geography geo = read_geography(kGood / "geo_small.csv");
  EXPECT_THROW((void)read_matrix_header(kGood / "triplets_small.csv"), ConfigError);
  MatrixReadOptions opt;
  opt.row_geography = &geo;
  opt.columns.value = "flow";
  try {
    (void)read_matrix_header(kGood / "triplets_small.csv", opt);
    FAIL() << "a missing value column was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "flow") << e.what();
  }
}

}  // namespace
}  // namespace flowfit::io
