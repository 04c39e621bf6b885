// Geography and unit -> group mapping tables.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "flowfit/error.hpp"
#include "flowfit/io/geography_io.hpp"

namespace flowfit::io {
namespace {

namespace fs = std::filesystem;

const fs::path kIo = fs::path(FLOWFIT_TEST_DATA_DIR) / "io";

TEST(IoGeography, ReadsGeoidsInFileOrder) {
  const Geography geo = read_geography(kIo / "geo_small.csv");
  EXPECT_EQ(geo.geoids(),
            (std::vector<std::string>{"060010001001", "060010001002", "060010002001"}));
  EXPECT_EQ(geo.find("060010001002"), 1);
}

TEST(IoGeography, OtherColumnsAndMissingColumn) {
  // county_fips repeats in the mapping table: not a geography.
  EXPECT_THROW(read_geography(kIo / "mapping_small.csv", "county_fips"), InputError);
  EXPECT_THROW(read_geography(kIo / "geo_small.csv", "geoid"), InputError);
  EXPECT_EQ(read_geography(kIo / "geo_small.csv", "index").geoids(),
            (std::vector<std::string>{"0", "1", "2"}));
}

TEST(IoGeography, WriteReadRoundTripKeepsZeroPadding) {
  const fs::path p =
      fs::temp_directory_path() / ("flowfit_io_geo_" + std::to_string(::getpid()) + ".tsv");
  const Geography geo(std::vector<std::string>{"01", "02", "06", "11"});
  write_geography(p, geo, "state_fips");
  EXPECT_EQ(read_geography(p, "state_fips").geoids(), geo.geoids());
  fs::remove(p);
}

TEST(IoGeography, MappingFeedsGrouping) {
  const Geography geo = read_geography(kIo / "geo_small.csv");
  const auto mapping = read_mapping(kIo / "mapping_small.csv", "cbg_geoid", "county_fips");
  EXPECT_EQ(mapping.size(), 3u);
  EXPECT_EQ(mapping.at("060010002001"), "06003");
  const Grouping g = Grouping::from_mapping(geo, mapping);
  EXPECT_EQ(g.labels(), (std::vector<std::string>{"06001", "06003"}));
  EXPECT_EQ(g.group_of_unit(), (std::vector<int32_t>{0, 0, 1}));
  EXPECT_THROW(read_mapping(kIo / "mapping_small.csv", "cbg_geoid", "state"), InputError);
}

TEST(IoGeography, GoldenAndRealGeographies) {
  const fs::path golden = fs::path(FLOWFIT_TEST_DATA_DIR) / "golden" / "case02" / "geography.csv";
  if (fs::exists(golden)) {
    const Geography geo = read_geography(golden);
    EXPECT_EQ(geo.size(), 200);
    for (const std::string& g : geo.geoids()) EXPECT_EQ(g.size(), 12u) << g;
    const auto county = read_mapping(golden, "cbg_geoid", "county_fips");
    EXPECT_EQ(Grouping::from_mapping(geo, county).n_groups(), 9);
  }
  const fs::path cbg = FLOWFIT_SOURCE_DIR "/data/geography/cbg2010.csv";
  const Geography geo = read_geography(cbg);
  EXPECT_EQ(geo.size(), 217740);
  EXPECT_EQ(geo.geoid(0).substr(0, 2), "01");  // Alabama, zero-padded
  const auto county = read_mapping(cbg, "cbg_geoid", "county_fips");
  EXPECT_EQ(Grouping::from_mapping(geo, county).n_groups(), 3143);
}

}  // namespace
}  // namespace flowfit::io
