// GEOID-labelled triplet tables (CSV and TSV).
#include <gtest/gtest.h>

#include <unistd.h>
#include "support/io_fixtures.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "flowfit/error.hpp"
#include "flowfit/io/geography_io.hpp"
#include "flowfit/io/triplet_csv.hpp"

namespace flowfit::io {
namespace {

using testing::expect_same_matrix;
using testing::slurp;
using testing::small_io_matrix;
using testing::temp_file;

namespace fs = std::filesystem;

const fs::path kIo = fs::path(FLOWFIT_TEST_DATA_DIR) / "io";

TEST(IoTripletCsv, ReadsTheFixture) {
  const Geography geo = read_geography(kIo / "geo_small.csv");
  expect_same_matrix(read_triplet_csv(kIo / "triplets_small.csv", geo, geo), small_io_matrix());
}

TEST(IoTripletCsv, WritesTheFixtureByteForByte) {
  const Geography geo = read_geography(kIo / "geo_small.csv");
  const fs::path p = temp_file("t.csv");
  MatrixWriteOptions options;
  options.real_format = RealFormat::shortest;
  write_triplet_csv(p, small_io_matrix(), geo, geo, options);
  // The fixture prints 1/3 with 17 digits; shortest needs 16 (0.3333333333333333).
  std::string want = slurp(kIo / "triplets_small.csv");
  want.replace(want.find("0.33333333333333331"), 19, "0.3333333333333333");
  EXPECT_EQ(slurp(p), want);
  fs::remove(p);
}

TEST(IoTripletCsv, TsvAndCustomColumnsRoundTrip) {
  const Geography rows(std::vector<std::string>{"06", "36", "48"});
  const Geography cols(std::vector<std::string>{"01001", "01003", "02013"});
  MatrixWriteOptions w;
  w.columns = {"orig_state_fips", "dest_county_fips", "returns"};
  const fs::path p = temp_file("t.tsv");
  write_triplet_csv(p, small_io_matrix(), rows, cols, w, '\t');
  EXPECT_EQ(slurp(p).substr(0, 41), "orig_state_fips\tdest_county_fips\treturns\n");
  MatrixReadOptions r;
  r.columns = w.columns;
  expect_same_matrix(read_triplet_csv(p, rows, cols, r, CsvOptions{'\t'}), small_io_matrix());
  fs::remove(p);
}

TEST(IoTripletCsv, ExtraColumnsAreIgnoredAndRectangularShapesWork) {
  const fs::path p = temp_file("irs.csv");
  std::ofstream(p) << "dest,agi,orig,n\n02013,-5,06,7\n01001,3,48,2.5\n";
  const Geography rows(std::vector<std::string>{"06", "36", "48"});
  const Geography cols(std::vector<std::string>{"01001", "02013"});
  MatrixReadOptions r;
  r.columns = {"orig", "dest", "n"};
  CsrMatrix m = read_triplet_csv(p, rows, cols, r);
  EXPECT_EQ(m.n_rows, 3);
  EXPECT_EQ(m.n_cols, 2);
  EXPECT_EQ(m.row_ptr, (std::vector<int64_t>{0, 1, 1, 2}));
  EXPECT_EQ(m.col_idx, (std::vector<int32_t>{1, 0}));
  EXPECT_EQ(m.values, (std::vector<double>{7, 2.5}));
  fs::remove(p);
}

TEST(IoTripletCsv, UnknownGeoidNamesLineAndColumn) {
  const Geography geo = read_geography(kIo / "geo_small.csv");
  try {
    read_triplet_csv(fs::path(FLOWFIT_TEST_DATA_DIR) / "bad" / "triplets_unknown_geoid.csv", geo,
                     geo);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.field(), "destination");
    EXPECT_NE(e.reason().find("069999999999"), std::string::npos);
  }
}

}  // namespace
}  // namespace flowfit::io
