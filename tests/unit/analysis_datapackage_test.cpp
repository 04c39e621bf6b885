// Data packages: the writer's descriptor (schema, primary key, sha256 hash, bytes), reading it
// back, and the bundled segregation package's quirks (paths under data/, integer FIPS).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "flowfit/analysis/attributes.hpp"
#include "flowfit/analysis/datapackage.hpp"
#include "flowfit/error.hpp"
#include "flowfit/io/checksum.hpp"
#include "support/io_fixtures.hpp"

namespace flowfit::analysis {
namespace {

namespace fs = std::filesystem;

TEST(AnalysisDataPackage, WriterRecordsSchemaHashAndSize) {
  const fs::path dir = flowfit::testing::temp_file("pkg");
  fs::remove_all(dir);
  {
    PackageWriter pkg(dir, "test-package", "Test", "A test package");
    TableSpec t;
    t.name = "rates";
    t.fields = {geoid_field("area", 5, "county"),
                {"rate", "number", "a rate", "fraction", "", false}};
    t.primary_key = {"area"};
    io::CsvWriter& w = pkg.table(t);
    w.field("01001").field(0.25).end_row();
    w.field("01003").field(std::string_view()).end_row();
    pkg.finish_table();
    pkg.add_source("matrix", "m.mtx");
    pkg.commit();
  }
  std::ifstream in(dir / "datapackage.json");
  const auto d = nlohmann::json::parse(in);
  EXPECT_EQ(d["name"], "test-package");
  EXPECT_EQ(d["profile"], "tabular-data-package");
  const auto& r = d["resources"][0];
  EXPECT_EQ(r["path"], "rates.csv");
  EXPECT_EQ(r["hash"], "sha256:" + io::file_sha256(dir / "rates.csv"));
  EXPECT_EQ(r["bytes"], fs::file_size(dir / "rates.csv"));
  EXPECT_EQ(r["schema"]["primaryKey"], nlohmann::json::array({"area"}));
  EXPECT_EQ(r["schema"]["fields"][0]["constraints"]["pattern"], "^[0-9]{5}$");
  EXPECT_EQ(r["schema"]["fields"][1]["unit"], "fraction");
  EXPECT_EQ(flowfit::testing::slurp(dir / "rates.csv"), "area,rate\n01001,0.25\n01003,\n");

  const DataPackage back = read_datapackage(dir);
  ASSERT_EQ(back.resources.size(), 1u);
  EXPECT_TRUE(back.warnings.empty());
  EXPECT_EQ(back.resource("").field("area")->pattern, "^[0-9]{5}$");
  EXPECT_THROW(back.resource("nope"), ConfigError);
  fs::remove_all(dir);
}

TEST(AnalysisDataPackage, BundledSegregationPackageQuirksAreToleratedWithWarnings) {
  const fs::path pkg = fs::path(FLOWFIT_SOURCE_DIR) / "data/segregation-tracking";
  const DataPackage d = read_datapackage(pkg / "datapackage.json");
  ASSERT_EQ(d.resources.size(), 2u);
  ASSERT_EQ(d.warnings.size(), 2u);  // both resources say data/... but sit beside the descriptor
  EXPECT_NE(d.warnings[0].find("beside datapackage.json"), std::string::npos);
  EXPECT_THROW(d.resource(""), ConfigError);  // two resources: the name is needed

  const AttributeTable t = read_attribute_table(pkg, "exposure-segregation-county", "fips_code",
                                                "exposure_segregation_smoothed");
  EXPECT_EQ(t.key_length, 5);
  EXPECT_EQ(t.values.size(), 2829u);             // the README says 2,828; the file has 2,829 rows
  EXPECT_EQ(t.values.at("01001").text, "0.31");  // 1001 in the file
  bool padded_warning = false;
  for (const auto& w : t.warnings)
    padded_warning = padded_warning || w.find("typed as a number") != std::string::npos ||
                     w.find("types the column as a number") != std::string::npos;
  EXPECT_TRUE(padded_warning);
}

TEST(AnalysisDataPackage, MissingResourceFileIsAnInputError) {
  const fs::path dir = flowfit::testing::temp_file("badpkg");
  fs::create_directories(dir);
  std::ofstream(dir / "datapackage.json")
      << R"({"name":"x","resources":[{"name":"r","path":"data/r.csv"}]})";
  EXPECT_THROW(read_datapackage(dir), InputError);
  std::ofstream(dir / "datapackage.json")
      << R"({"name":"x","resources":[{"name":"r","path":"../r.csv"}]})";
  EXPECT_THROW(read_datapackage(dir), InputError);
  std::ofstream(dir / "datapackage.json") << "{not json";
  EXPECT_THROW(read_datapackage(dir), InputError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace flowfit::analysis
