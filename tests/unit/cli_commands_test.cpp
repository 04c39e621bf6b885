// The flowfit binary end to end: every subcommand on the example data of tests/data/cli, with
// results checked against the golden case and hand arithmetic; interrupt safety; progress.
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "flowfit/io/geography_io.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "unit/cli_test_support.hpp"

namespace flowfit {
namespace {

namespace fs = std::filesystem;
using testing::files_under;
using testing::run_flowfit;
using testing::TempDir;

const fs::path kCli = fs::path(FLOWFIT_TEST_DATA_DIR) / "cli";
const fs::path kGolden = fs::path(FLOWFIT_TEST_DATA_DIR) / "golden" / "case01";

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(testing::flowfit_binary()))
      FAIL() << "build the flowfit target first: " << testing::flowfit_binary();
    for (const auto& e : fs::recursive_directory_iterator(kCli)) {
      const fs::path rel = fs::relative(e.path(), kCli);
      if (e.is_directory())
        fs::create_directories(dir_.path() / rel);
      else
        fs::copy_file(e.path(), dir_.path() / rel);
    }
  }
  testing::ProcessResult flowfit(const std::vector<std::string>& args,
                                 const std::vector<std::string>& env = {}) {
    return run_flowfit(args, dir_.path(), env);
  }
  fs::path at(const std::string& name) const { return dir_.path() / name; }
  TempDir dir_;
};

double max_abs_diff(const CsrMatrix& a, const CsrMatrix& b) {
  EXPECT_EQ(a.row_ptr, b.row_ptr);
  EXPECT_EQ(a.col_idx, b.col_idx);
  double worst = 0;
  for (size_t k = 0; k < a.values.size() && k < b.values.size(); ++k)
    worst = std::max(worst, std::abs(a.values[k] - b.values[k]));
  return worst;
}

TEST_F(Cli, HelpAndVersion) {
  auto r = flowfit({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* sub : {"run", "fit", "assemble", "convert", "info", "compare", "aggregate"}) {
    EXPECT_NE(r.out.find(std::string("\n  ") + sub + " "), std::string::npos) << sub;
    auto h = flowfit({sub, "--help"});
    EXPECT_EQ(h.exit_code, 0) << sub;
    EXPECT_NE(h.out.find("Usage:"), std::string::npos) << sub;
  }
  EXPECT_NE(r.out.find("Exit codes"), std::string::npos);
  r = flowfit({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("flowfit 0.", 0), 0u) << r.out;
}

TEST_F(Cli, RunReproducesTheReferenceImplementation) {
  auto r = flowfit({"--backend", "cpu", "run", "plan.toml", "--progress", "log"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("backend: openmp"), std::string::npos) << r.err;  // says what it picked
  EXPECT_NE(r.err.find("[1/1] 2015: stage county_ipf done"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("2015  stage4_county_ipf"), std::string::npos) << r.out;
  // The final audit: every stage's targets measured on the final matrix.
  EXPECT_NE(r.out.find("final matrix against every stage's targets"), std::string::npos) << r.out;
  const CsrMatrix got = io::read_matrix(at("out/flows_2015.mtx"));
  const CsrMatrix want = io::read_matrix(kGolden / "after_stage4_county_ipf.mtx");
  EXPECT_LT(max_abs_diff(got, want), 1e-9);

  std::ifstream in(at("out/run_report.json"));
  const auto report = nlohmann::json::parse(in);
  EXPECT_EQ(report["years"][0]["stages"][4]["result"]["iterations"], 3000);
  EXPECT_EQ(report["years"][0]["stages"][4]["name"], "stage4_county_ipf");
  ASSERT_EQ(report["years"][0]["final_audit"].size(), 5u);
  EXPECT_EQ(report["years"][0]["final_audit"][1]["kind"], "cbg_rows");
  EXPECT_GT(report["years"][0]["final_audit"][1]["max_rel"].get<double>(),
            report["years"][0]["stages"][1]["result"]["residuals"][0]["max_rel"].get<double>());
  EXPECT_NE(report["command_line"].get<std::string>().find("run plan.toml"), std::string::npos);

  // A second run resumes: the output exists and matches the plan.
  r = flowfit({"--quiet", "run", "plan.toml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(Cli, IntermediateTablesFlagWritesTheCsvTables) {
  auto r = flowfit({"-q", "run", "plan.toml", "--intermediate-tables", "--output-dir", "tables"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f :
       {"cbg_populations.csv", "targets_2015_stage1_cbg_rows.csv",
        "targets_2015_stage2_state_nonmovers.csv", "targets_2015_stage3_state_flows.csv",
        "targets_2015_stage4_county_ipf.csv"})
    EXPECT_TRUE(fs::exists(at("tables") / f)) << f;
  EXPECT_FALSE(fs::exists(at("tables/targets_2015_stage0_diagonal_clip.csv")));
  std::ifstream in(at("tables/run_report.json"));
  const auto report = nlohmann::json::parse(in);
  EXPECT_EQ(report["years"][0]["target_tables"].size(), 4u);
  EXPECT_NE(report["populations_table"].get<std::string>().find("cbg_populations.csv"),
            std::string::npos);
}

TEST_F(Cli, ProgressBarRedrawsOneLineWithRateAndEta) {
  auto r = flowfit({"run", "plan.toml", "--progress", "bar", "--output-dir", "bar_out"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("\r["), std::string::npos);
  EXPECT_NE(r.err.find("100%"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ETA"), std::string::npos);
  EXPECT_NE(r.err.find("years/min"), std::string::npos);
}

TEST_F(Cli, DryRunPrintsThePlanAndWritesNothing) {
  auto r = flowfit({"run", "plan.toml", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("matrix = \"flows_2015.mtx\""), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(at("out")));
}

TEST_F(Cli, StrictRunFailsWhenAStageDoesNotConverge) {
  // Two county IPF sweeps cannot meet both county margins: iteration cap.
  std::ifstream in(at("plan.toml"));
  std::string plan((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  plan.replace(plan.find("max_iterations = 3000"), 21, "max_iterations = 2");
  std::ofstream(at("short.toml")) << plan;
  auto r = flowfit({"run", "short.toml", "--strict"});
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_NE(r.err.find("check failed: --strict"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("county_ipf: iteration_cap"), std::string::npos) << r.err;
}

TEST_F(Cli, SweepOrdersWritesOneRowPerOrder) {
  auto r = flowfit({"run", "plan.toml", "--sweep-orders", "state_flows,county_ipf,cbg_rows"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(at("out/order_sweep.csv"));
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 7u);  // header + 3! orders
  EXPECT_EQ(
      lines[1].rfind("2015,diagonal_clip cbg_rows state_nonmovers state_flows county_ipf,0,1,", 0),
      0u)
      << lines[1];
  std::ifstream js(at("out/order_sweep.json"));
  const auto doc = nlohmann::json::parse(js);
  EXPECT_EQ(doc["sweeps"][0]["orders"].size(), 6u);
}

TEST_F(Cli, FitAlternatingCountyMarginsMatchesTheCountyIpf) {
  // MIGRATE's stage 4 alone, as an ad-hoc fit: columns then rows, 3000 sweeps, from the matrix
  // after stage 3.
  fs::copy_file(kGolden / "after_stage3_state_flows.mtx", at("stage3.mtx"));
  auto r = flowfit({"fit", "--matrix", "stage3.mtx", "--geography", "geography.csv", "--margin",
                    "cols=county,targets=county_cols.csv,name=county columns", "--margin",
                    "rows=county,targets=county_rows.csv,name=county rows", "--iterations", "3000",
                    "-o", "fitted.mtx", "--report", "fit.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("stage fit: 3000 iterations, converged"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("county rows"), std::string::npos) << r.out;
  EXPECT_LT(max_abs_diff(io::read_matrix(at("fitted.mtx")),
                         io::read_matrix(kGolden / "after_stage4_county_ipf.mtx")),
            1e-9);
  std::ifstream in(at("fit.json"));
  const auto doc = nlohmann::json::parse(in);
  EXPECT_EQ(doc["result"]["iterations"], 3000);
  // The audit of the fitted matrix: one stage, so its margins' maxima are the stage's own.
  const auto& audit = doc["final_audit"];
  ASSERT_EQ(audit["margins"].size(), 2u);
  for (int k = 0; k < 2; ++k) {
    EXPECT_EQ(audit["margins"][k]["margin"], doc["result"]["residuals"][k]["margin"]);
    EXPECT_NEAR(audit["margins"][k]["max_rel"].get<double>(),
                doc["result"]["residuals"][k]["max_rel"].get<double>(), 1e-12);
    EXPECT_LE(audit["margins"][k]["median_rel"].get<double>(),
              audit["margins"][k]["max_rel"].get<double>());
  }
  EXPECT_LE(audit["margins"][1]["max_rel"].get<double>(), 1e-12);  // rows: applied last
}

TEST_F(Cli, FitStopsOnTheL1Tolerance) {
  auto r =
      flowfit({"fit", "--matrix", "expected_2015.mtx", "--geography", "geography.csv", "--rows",
               "county", "--targets", "county_rows.csv", "--iterations", "50", "--l1-tol", "1e-6"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Already fitted: one sweep changes nothing measurable.
  EXPECT_NE(r.out.find("stage fit: 1 iteration, converged"), std::string::npos) << r.out;
}

TEST_F(Cli, AssembleSpreadsMoversAndKeepsStayersOnTheDiagonal) {
  auto r = flowfit({"assemble", "--flows", "address_flows.mtx", "--crosswalk", "crosswalk.csv",
                    "-o", "cbg_flows.mtx", "--geography-out", "cbgs.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Geography cbgs = io::read_geography(at("cbgs.csv"));
  ASSERT_EQ(cbgs.size(), 6);  // the distinct CBGs of the crosswalk, sorted
  EXPECT_EQ(cbgs.geoid(0), "060010001001");
  const CsrMatrix e = io::read_matrix(at("cbg_flows.mtx"));
  EXPECT_DOUBLE_EQ(total(e), 67.0);
  // Worked by hand: CBG 060010001001 keeps 10 + 8 stayers and 2 movers between its addresses.
  const std::vector<double> d = diagonal(e);
  EXPECT_DOUBLE_EQ(d[0], 20.0);
  EXPECT_DOUBLE_EQ(d[3], 10.0);  // 060030001001: stayers 9 + 4 x 0.25
}

TEST_F(Cli, AggregateToCountiesKeepsTheTotal) {
  auto r = flowfit({"aggregate", "expected_2015.mtx", "--geography", "geography.csv", "--level",
                    "county", "-o", "counties.csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(at("counties.csv"));
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header, "origin,destination,value");
  double sum = 0;
  int rows = 0;
  while (std::getline(in, line)) {
    sum += std::stod(line.substr(line.rfind(',') + 1));
    ++rows;
  }
  EXPECT_EQ(rows, 13);
  EXPECT_NEAR(sum, 460.0, 1e-9);
}

TEST_F(Cli, ConvertRoundTripsThroughEveryFormat) {
  const CsrMatrix original = io::read_matrix(at("expected_2015.mtx"));
  std::string from = "expected_2015.mtx";
  for (const char* to : {"m.npz", "m.ffm", "m.csv", "m.tsv", "m.mtx"}) {
    auto r = flowfit({"convert", from, to, "--geography", "geography.csv"});
    ASSERT_EQ(r.exit_code, 0) << to << ": " << r.err;
    from = to;
  }
  const CsrMatrix back = io::read_matrix(at("m.mtx"));
  EXPECT_EQ(back.values, original.values);  // bit-exact through every format
}

TEST_F(Cli, InfoJsonAndCompareExitCodes) {
  auto r = flowfit({"info", "flows_2015.mtx", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["matrix"]["rows"], 12);
  EXPECT_EQ(j["matrix"]["nonzeros"], 41);
  EXPECT_EQ(j["matrix"]["empty_rows"], 1);  // CBG 4 of case01
  EXPECT_EQ(j["matrix"]["diagonal"]["stored"], 11);

  EXPECT_EQ(flowfit({"compare", "expected_2015.mtx", "expected_2015.mtx", "--rtol", "0"}).exit_code,
            0);
  r = flowfit({"compare", "flows_2015.mtx", "expected_2015.mtx", "--rtol", "1e-9", "--json"});
  EXPECT_EQ(r.exit_code, 5);
  const auto c = nlohmann::json::parse(r.out);
  EXPECT_EQ(c["pass"], false);
  EXPECT_EQ(c["only_in_b"], 1);  // the clipped diagonal entry of CBG 4
}

// check-golden from the command line: a shipped case passes (exit 0); a case whose final matrix
// was changed in one entry fails (exit 5, the FAIL line names the file).
TEST_F(Cli, CheckGoldenPassesACaseAndFailsAChangedOne) {
  auto r = flowfit({"check-golden", kGolden.string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("after_stage4_county_ipf.mtx"), std::string::npos) << r.out;
  const fs::path changed = at("case01_changed");
  fs::copy(kGolden, changed);
  CsrMatrix m = io::read_matrix(changed / "after_stage4_county_ipf.mtx");
  m.values[3] *= 1.001;
  fs::remove(changed / "after_stage4_county_ipf.mtx");
  io::write_matrix(changed / "after_stage4_county_ipf.mtx", m);
  r = flowfit({"check-golden", changed.string()});
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  bool named = false;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);)
    if (line.find("after_stage4_county_ipf.mtx") != std::string::npos &&
        line.find("FAIL") != std::string::npos)
      named = true;
  EXPECT_TRUE(named) << r.out;
}

// Ctrl-C while an output is being written leaves neither the output nor its temporary file.
TEST_F(Cli, InterruptLeavesNoPartialOutput) {
  TempDir capture;
  testing::Process p(testing::flowfit_binary(), {"info", "flows_2015.mtx", "-o", "info.json"},
                     dir_.path(), capture.path(), {"FLOWFIT_TEST_STALL_BEFORE_COMMIT=30"});
  // Wait until the temporary file exists (the write is complete, the rename is pending).
  bool temp_seen = false;
  for (int i = 0; i < 500 && !temp_seen; ++i) {
    for (const auto& f : files_under(dir_.path()))
      temp_seen |= f.filename().string().rfind(".info.json.tmp.", 0) == 0;
    if (!temp_seen) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(temp_seen) << "flowfit never started writing";
  p.signal(SIGINT);
  const auto r = p.wait();
  EXPECT_EQ(r.exit_code, 130) << r.err;
  EXPECT_NE(r.err.find("interrupted"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(at("info.json")));
  for (const auto& f : files_under(dir_.path()))
    EXPECT_EQ(f.filename().string().find(".tmp."), std::string::npos) << f;
}

}  // namespace
}  // namespace flowfit
