// Run reports: JSON layout and terminal summaries, on a real run of golden case01.
#include <gtest/gtest.h>

#include <filesystem>

#include "flowfit/io/checksum.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/plan_toml.hpp"
#include "flowfit/report/summary.hpp"
#include "host/report/report_json.hpp"
#include "unit/cli_test_support.hpp"

namespace flowfit::report {
namespace {

namespace fs = std::filesystem;
const fs::path kCli = fs::path(FLOWFIT_TEST_DATA_DIR) / "cli";

class ReportJson : public ::testing::Test {
 protected:
  void SetUp() override {
    plan_ = pipeline::read_plan_toml(kCli / "plan.toml");
    plan_.output.dir = out_.path();
    plan_.backend = BackendChoice::reference;
    run_ = pipeline::run_plan(plan_);
    context_.plan_file = (kCli / "plan.toml").string();
    context_.plan_toml = pipeline::plan_to_toml(plan_, kCli);
    context_.inputs = plan_input_files(plan_);
    context_.machine = machine_info();
    doc_ = run_report_json(run_, context_);
  }
  testing::TempDir out_;
  pipeline::Plan plan_;
  pipeline::RunReport run_;
  RunContext context_;
  nlohmann::json doc_;
};

TEST_F(ReportJson, DescribesWhatRanAndWhere) {
  EXPECT_EQ(doc_["report_schema"], kReportSchemaVersion);
  EXPECT_EQ(doc_["flowfit_version"], run_.version);
  EXPECT_EQ(doc_["backend"]["name"], "reference");
  EXPECT_FALSE(doc_["backend"]["reason"].get<std::string>().empty());
  EXPECT_NE(doc_["plan"]["toml"].get<std::string>().find("kind = \"county_ipf\""),
            std::string::npos);
  EXPECT_EQ(doc_["plan"]["sha256"].get<std::string>().size(), 64u);
  EXPECT_GT(doc_["machine"]["hardware_threads"].get<int>(), 0);
  EXPECT_FALSE(doc_["machine"]["hostname"].get<std::string>().empty());
  // Geography and the five golden tables, each with the checksum of the file.
  ASSERT_EQ(doc_["inputs"].size(), 6u);
  EXPECT_EQ(doc_["inputs"][0]["role"], "geography");
  EXPECT_EQ(doc_["inputs"][0]["sha256"], io::file_sha256(kCli / "geography.csv"));
  EXPECT_EQ(doc_["nnls"]["cbgs"], 12);
}

TEST_F(ReportJson, HoldsEveryStageOfEveryYear) {
  ASSERT_EQ(doc_["years"].size(), 1u);
  const auto& y = doc_["years"][0];
  EXPECT_EQ(y["year"], 2015);
  EXPECT_EQ(y["input_sha256"], io::file_sha256(kCli / "flows_2015.mtx"));
  ASSERT_EQ(y["stages"].size(), 5u);
  EXPECT_EQ(y["stages"][0]["kind"], "diagonal_clip");
  EXPECT_EQ(y["stages"][0]["diagonal_entries_inserted"], 1);
  const auto& ipf = y["stages"][4];
  EXPECT_EQ(ipf["kind"], "county_ipf");
  EXPECT_EQ(ipf["spec"]["max_iterations"], 3000);
  const auto& r = ipf["result"];
  EXPECT_EQ(r["iterations"], 3000);
  EXPECT_EQ(r["verdict"], "converged");
  ASSERT_EQ(r["residuals"].size(), 2u);  // county columns, county rows
  EXPECT_LT(r["residuals"][1]["max_rel"].get<double>(), 1e-12);
  // History: iteration 1, every 50th and the last.
  ASSERT_EQ(r["history"].size(), 61u);
  EXPECT_EQ(r["history"][0]["iteration"], 1);
  EXPECT_EQ(r["history"].back()["iteration"], 3000);
  EXPECT_GT(r["history"][0]["l1_change"].get<double>(), r["history"][1]["l1_change"].get<double>());
  EXPECT_TRUE(r["timings"].contains("fit_s"));
  // case01's known target defects are reported (a zero-population CBG, zero flow targets).
  bool zero_population = false;
  for (const auto& w : y["target_warnings"]) zero_population |= w["kind"] == "zero_population";
  EXPECT_TRUE(zero_population);
}

TEST_F(ReportJson, SummaryHasARowPerStage) {
  const std::string s = run_summary(run_);
  EXPECT_NE(s.find("year  stage"), std::string::npos) << s;
  EXPECT_NE(s.find("2015  stage4_county_ipf"), std::string::npos) << s;
  EXPECT_NE(s.find("3000  converged"), std::string::npos) << s;
  EXPECT_NE(s.find("target warnings: 1 x zero_population"), std::string::npos) << s;
}

TEST_F(ReportJson, WriteJsonIsAtomicAndReadable) {
  const fs::path p = out_.path() / "r.json";
  write_json(p, doc_);
  std::ifstream in(p);
  EXPECT_EQ(nlohmann::json::parse(in), doc_);
  for (const auto& e : fs::directory_iterator(out_.path()))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos);
}

TEST(ReportSummary, TextTableAlignsNumbersRight) {
  TextTable t({"name", "value"});
  t.add_row({"a", "1"});
  t.add_row({"long name", "12.5"});
  EXPECT_EQ(t.render(), "name       value\na              1\nlong name   12.5\n");
}

}  // namespace
}  // namespace flowfit::report
