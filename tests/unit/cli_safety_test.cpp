// Safety of the flowfit binary (issue #11): no output replaces an input, resume never returns a
// stale result, a partial geography is not scaled to whole census totals, GEOIDs that lost their
// leading zero are refused, output locations are checked before any work, stale temporaries of
// killed runs are removed, typos get suggestions, --dry-run reports every problem.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "unit/cli_test_support.hpp"

namespace flowfit {
namespace {

namespace fs = std::filesystem;
using testing::run_flowfit;
using testing::TempDir;

const fs::path kCli = fs::path(FLOWFIT_TEST_DATA_DIR) / "cli";

std::string slurp(const fs::path& p) {
  return testing::Process::slurp(p);
}

void replace_in(const fs::path& file, const std::string& from, const std::string& to) {
  std::string text = slurp(file);
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << file;
  text.replace(at, from.size(), to);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

class CliSafety : public ::testing::Test {
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
  testing::ProcessResult flowfit(const std::vector<std::string>& args) {
    return run_flowfit(args, dir_.path());
  }
  fs::path at(const std::string& name) const { return dir_.path() / name; }
  // plan.toml with a short county IPF (fast) and `edit` applied.
  void write_plan(const std::string& name, const std::string& from = "",
                  const std::string& to = "") {
    fs::copy_file(at("plan.toml"), at(name), fs::copy_options::overwrite_existing);
    replace_in(at(name), "max_iterations = 3000", "max_iterations = 50");
    if (!from.empty()) replace_in(at(name), from, to);
  }
  TempDir dir_;
};

// ---- 1. no output replaces an input -------------------------------------------------------

TEST_F(CliSafety, RunRefusesAnOutputDirThatWouldOverwriteItsMatrix) {
  write_plan("here.toml", "dir = \"out\"", "dir = \".\"");
  const std::string before = slurp(at("flows_2015.mtx"));
  auto r = flowfit({"run", "here.toml"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("would overwrite the input years[0].matrix"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("stage"), std::string::npos) << "refused before any work: " << r.err;
  EXPECT_EQ(slurp(at("flows_2015.mtx")), before);
}

TEST_F(CliSafety, SubcommandsRefuseOutputsThatAreTheirGeographyOrTargets) {
  const std::string geography = slurp(at("geography.csv"));
  const std::string targets = slurp(at("county_rows.csv"));
  const std::vector<std::vector<std::string>> cases{
      {"aggregate", "flows_2015.mtx", "--geography", "geography.csv", "--level", "county", "-o",
       "geography.csv"},
      {"fit", "--matrix", "flows_2015.mtx", "--geography", "geography.csv", "--rows", "county",
       "--targets", "county_rows.csv", "--report", "county_rows.csv"},
      {"fit", "--matrix", "flows_2015.mtx", "--geography", "geography.csv", "--rows", "county",
       "--targets", "county_rows.csv", "-o", "county_rows.csv"},
      {"convert", "flows_2015.mtx", "geography.csv", "--geography", "geography.csv"},
      {"convert", "flows_2015.mtx", "./sub/../geography.csv", "--geography", "geography.csv"},
  };
  fs::create_directories(at("sub"));
  for (const auto& args : cases) {
    auto r = flowfit(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("would overwrite the input"), std::string::npos) << r.err;
  }
  EXPECT_EQ(slurp(at("geography.csv")), geography);
  EXPECT_EQ(slurp(at("county_rows.csv")), targets);
}

TEST_F(CliSafety, SymlinksAndHardLinksToAnInputAreTheInput) {
  fs::create_symlink(at("geography.csv"), at("link.csv"));
  fs::create_hard_link(at("geography.csv"), at("hard.csv"));
  const std::string geography = slurp(at("geography.csv"));
  for (const char* out : {"link.csv", "hard.csv"}) {
    auto r = flowfit({"aggregate", "flows_2015.mtx", "--geography", "geography.csv", "--level",
                      "county", "-o", out});
    EXPECT_EQ(r.exit_code, 2) << out << ": " << r.err;
    EXPECT_NE(r.err.find("the same file under another name"), std::string::npos) << r.err;
  }
  EXPECT_EQ(slurp(at("geography.csv")), geography);
}

// ---- 2. resume keyed to content -------------------------------------------------------------

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

TEST_F(CliSafety, ResumeRecomputesWhenACensusTableChanges) {
  write_plan("p.toml");
  ASSERT_EQ(flowfit({"run", "p.toml"}).exit_code, 0);
  auto again = flowfit({"run", "p.toml", "--progress", "log"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("resumed"), std::string::npos) << again.err;
  // The resumed report carries the stored stage results.
  const auto report = read_json(at("out/run_report.json"));
  EXPECT_EQ(report["years"][0]["resumed"], true);
  EXPECT_EQ(report["years"][0]["stages"][4]["result"]["iterations"], 50);

  const std::string table = slurp(at("census/county_components.csv"));
  const auto line_end = table.find('\n', table.find("\n06001,") + 1);
  std::string edited = table;
  edited.insert(line_end, "1");  // the last field of the first 06001 row changes
  std::ofstream(at("census/county_components.csv"), std::ios::trunc) << edited;
  auto changed = flowfit({"run", "p.toml", "--progress", "log"});
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_NE(changed.err.find("recomputed: changed since the last run: "
                             "golden/county_components.csv"),
            std::string::npos)
      << changed.err;
  EXPECT_EQ(read_json(at("out/run_report.json"))["years"][0]["resumed"], false);
}

TEST_F(CliSafety, ResumeVerifiesTheOutputChecksumNotItsMtime) {
  write_plan("p.toml");
  ASSERT_EQ(flowfit({"run", "p.toml"}).exit_code, 0);
  const fs::path out = at("out/flows_2015.mtx");
  const auto mtime = fs::last_write_time(out);
  std::string bytes = slurp(out);
  const auto digit = bytes.find_last_of("123456789");
  bytes[digit] = bytes[digit] == '9' ? '8' : static_cast<char>(bytes[digit] + 1);
  std::ofstream(out, std::ios::binary | std::ios::trunc) << bytes;
  fs::last_write_time(out, mtime);
  auto r = flowfit({"run", "p.toml", "--progress", "log"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("checksum mismatch"), std::string::npos) << r.err;
  EXPECT_NE(slurp(out), bytes);
}

TEST_F(CliSafety, StrictCountsResumedYears) {
  write_plan("short.toml", "max_iterations = 50", "max_iterations = 2");
  auto first = flowfit({"run", "short.toml", "--strict"});
  EXPECT_EQ(first.exit_code, 5) << first.err;
  auto second = flowfit({"run", "short.toml", "--strict", "--progress", "log"});
  EXPECT_EQ(second.exit_code, 5) << second.err;
  EXPECT_NE(second.err.find("resumed"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("county_ipf: iteration_cap"), std::string::npos) << second.err;
}

// ---- 3. coverage and GEOID lengths ---------------------------------------------------------

TEST_F(CliSafety, PartialCountyCoverageIsAnErrorUnlessAllowed) {
  // The reference list (the golden CBG table) knows one more CBG of county 06001.
  std::ofstream(at("census/cbg_pop_census2010.csv"), std::ios::app) << "12,060010001099,40\n";
  // Without cbg_rows, which would need the CBG in the ACS table too.
  write_plan("p.toml", "[[stages]]\nkind = \"cbg_rows\"\n", "");
  auto r = flowfit({"run", "p.toml"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("county 06001 has 3 of its 4 CBGs in the geography (060010001099 is "
                       "missing)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("allow_partial_geography"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(at("out/flows_2015.mtx")));

  replace_in(at("p.toml"), "geography = \"geography.csv\"",
             "geography = \"geography.csv\"\nallow_partial_geography = true");
  auto allowed = flowfit({"run", "p.toml"});
  ASSERT_EQ(allowed.exit_code, 0) << allowed.err;
  const auto report = read_json(at("out/run_report.json"));
  bool warned = false;
  for (const auto& w : report["years"][0]["target_warnings"])
    warned = warned || w["kind"] == "partial_coverage";
  EXPECT_TRUE(warned) << report["years"][0]["target_warnings"].dump();
}

TEST_F(CliSafety, GeoidsThatLostTheirLeadingZeroAreRefused) {
  std::ofstream(at("lost_zero.csv")) << "cbg_geoid\n10010201001\n10010201002\n";
  std::ofstream(at("two.mtx")) << "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 2 5\n";
  auto r = flowfit({"aggregate", "two.mtx", "--geography", "lost_zero.csv", "--level", "state",
                    "-o", "states.csv"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("lost_zero.csv:2: field 'cbg_geoid'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("leading zero"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(at("states.csv")));
}

// ---- 5. fail early ---------------------------------------------------------------------------

TEST_F(CliSafety, OutputLocationsAreCheckedBeforeAnyWork) {
  std::ofstream(at("not_a_dir")) << "x";
  write_plan("p.toml", "dir = \"out\"", "dir = \"not_a_dir/out\"");
  auto r = flowfit({"run", "p.toml", "--progress", "log"});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("cannot write output"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("is not a directory"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("stage"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("filesystem error"), std::string::npos) << r.err;

  auto c = flowfit({"convert", "flows_2015.mtx", "not_a_dir/out.mtx"});
  EXPECT_EQ(c.exit_code, 6) << c.err;

  if (::geteuid() != 0) {  // root writes anywhere: a read-only folder only stops other users
    fs::create_directories(at("ro"));
    fs::permissions(at("ro"), fs::perms::owner_read | fs::perms::owner_exec);
    auto ro = flowfit({"convert", "flows_2015.mtx", "ro/out.mtx"});
    EXPECT_EQ(ro.exit_code, 6) << ro.err;
    EXPECT_NE(ro.err.find("is not writable"), std::string::npos) << ro.err;
    fs::permissions(at("ro"), fs::perms::owner_all);
  }
}

TEST_F(CliSafety, StaleTemporariesOfKilledRunsAreRemoved) {
  write_plan("p.toml");
  fs::create_directories(at("out"));
  const fs::path dead = at("out/.flows_2015.mtx.tmp.4194000");
  const fs::path dead_zip = at("out/.flows_2015.npz.tmp.4194000.aB3xYz");
  const fs::path alive = at("out/.flows_2015.mtx.tmp." + std::to_string(::getpid()));
  const fs::path other = at("out/notes.tmp.4194000");
  for (const fs::path& p : {dead, dead_zip, alive, other}) {
    std::ofstream(p) << "partial";
    fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::hours(1));
  }
  auto r = flowfit({"run", "p.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_FALSE(fs::exists(dead_zip));
  EXPECT_TRUE(fs::exists(alive)) << "its process (this test) is alive";
  EXPECT_TRUE(fs::exists(other)) << "not flowfit's naming pattern";
  EXPECT_NE(r.err.find("removed a stale temporary file"), std::string::npos) << r.err;
  EXPECT_EQ(read_json(at("out/run_report.json"))["removed_temporaries"].size(), 2u);
}

TEST_F(CliSafety, DryRunOpensEveryInputAndReportsEveryProblem) {
  // Two problems the plan reader cannot see: a missing census table and an output over an input.
  fs::remove(at("census/state_flows.csv"));
  write_plan("p.toml", "dir = \"out\"", "dir = \".\"");
  auto r = flowfit({"run", "p.toml", "--dry-run"});
  EXPECT_EQ(r.exit_code, 2) << r.err;  // the code of the first problem
  EXPECT_NE(r.err.find("would overwrite the input years[0].matrix"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("state_flows.csv"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 problems found; nothing was run"), std::string::npos) << r.err;
}

TEST_F(CliSafety, DryRunReportsAnOutputOverAnInput) {
  write_plan("p.toml", "dir = \"out\"", "dir = \".\"");
  auto r = flowfit({"run", "p.toml", "--dry-run"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("would overwrite the input years[0].matrix"), std::string::npos) << r.err;
}

TEST_F(CliSafety, DryRunPlacesAYearOutsideTheCensusTablesAtItsPlanLine) {
  // The real tables (data/census) cover matrix years 2011..2019; 2020 is a valid plan year.
  const std::string census = (fs::path(FLOWFIT_SOURCE_DIR) / "data" / "census").string();
  std::ofstream(at("years.toml")) << "geography = \"geography.csv\"\n"      // 1
                                  << "allow_partial_geography = true\n"     // 2
                                  << "[census]\n"                           // 3
                                  << "census_dir = \"" << census << "\"\n"  // 4
                                  << "[[years]]\n"                          // 5
                                  << "year = 2015\n"                        // 6
                                  << "matrix = \"flows_2015.mtx\"\n"        // 7
                                  << "[[years]]\n"                          // 8
                                  << "year = 2020\n"                        // 9
                                  << "matrix = \"flows_2015.mtx\"\n"        // 10
                                  << "[[stages]]\n"
                                  << "kind = \"county_ipf\"\n"
                                  << "[output]\n"
                                  << "dir = \"out\"\n";
  auto r = flowfit({"run", "years.toml", "--dry-run"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("years.toml:8: years[1].year: matrix year 2020: census tables cover "
                       "matrix years 2011..2019"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("matrix year 2015"), std::string::npos) << "2015 is covered: " << r.err;
  EXPECT_FALSE(fs::exists(at("out")));
}

TEST_F(CliSafety, DryRunNamesAGeographyWithoutThePopulationColumnCensusDirNeeds) {
  // With census_dir the CBG populations come from the geography's `population` column; the
  // example geography has none. The dry run says so, naming the file and the column.
  const std::string census = (fs::path(FLOWFIT_SOURCE_DIR) / "data" / "census").string();
  std::ofstream(at("pop.toml")) << "geography = \"geography.csv\"\n"
                                << "allow_partial_geography = true\n"
                                << "[census]\n"
                                << "census_dir = \"" << census << "\"\n"
                                << "[[years]]\n"
                                << "year = 2015\n"
                                << "matrix = \"flows_2015.mtx\"\n"
                                << "[output]\n"
                                << "dir = \"out\"\n";
  auto r = flowfit({"run", "pop.toml", "--dry-run"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("geography.csv:1: field 'population': missing column"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("1 problem found; nothing was run"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(at("out")));
}

TEST_F(CliSafety, DryRunReadsEveryMatrixHeader) {
  // Three years, three matrices: a bad banner, a shape that is not the geography's, and a good
  // one. Both problems are reported, and the entries of none are needed to find them.
  std::ofstream(at("banner.mtx")) << "%%MatrixMarket matrix array real general\n12 12\n";
  std::ofstream(at("shape.mtx")) << "%%MatrixMarket matrix coordinate real general\n11 11 1\n"
                                 << "1 1 not-a-number\n";
  write_plan("p.toml", "year = 2015\nmatrix = \"flows_2015.mtx\"",
             "year = 2014\nmatrix = \"banner.mtx\"\n[[years]]\nyear = 2015\n"
             "matrix = \"shape.mtx\"\n[[years]]\nyear = 2016\nmatrix = \"flows_2015.mtx\"");
  auto r = flowfit({"run", "p.toml", "--dry-run"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("banner.mtx:1: field 'banner'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the matrix is 11 x 11 but the geography"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("not-a-number"), std::string::npos) << "entries are not read: " << r.err;
  EXPECT_NE(r.err.find("2 problems found; nothing was run"), std::string::npos) << r.err;
}

TEST_F(CliSafety, MaxDimensionRaisesOrLowersTheMatrixSizeLimit) {
  // flows_2015.mtx is 12 x 12 (the catalogue has the refusal at 11).
  auto at_shape = flowfit({"info", "flows_2015.mtx", "--max-dimension", "12"});
  EXPECT_EQ(at_shape.exit_code, 0) << at_shape.err;
  auto zero = flowfit({"info", "flows_2015.mtx", "--max-dimension", "0"});
  EXPECT_EQ(zero.exit_code, 2) << zero.err;
  auto above = flowfit({"info", "flows_2015.mtx", "--max-dimension", "2147483648"});
  EXPECT_EQ(above.exit_code, 2) << "above the 32-bit index limit: " << above.err;
}

// ---- 7. suggestions --------------------------------------------------------------------------

TEST_F(CliSafety, TyposGetSuggestions) {
  auto sub = flowfit({"rnu", "plan.toml"});
  EXPECT_EQ(sub.exit_code, 2);
  EXPECT_NE(sub.err.find("did you mean 'run'"), std::string::npos) << sub.err;
  auto flag = flowfit({"run", "plan.toml", "--year", "2015"});
  EXPECT_EQ(flag.exit_code, 2);
  EXPECT_NE(flag.err.find("did you mean '--years'"), std::string::npos) << flag.err;
  auto global = flowfit({"--treads", "2", "run", "plan.toml"});
  EXPECT_EQ(global.exit_code, 2);
  EXPECT_NE(global.err.find("did you mean '--threads'"), std::string::npos) << global.err;
  auto device = flowfit({"--device", "-1", "run", "plan.toml"});
  EXPECT_EQ(device.exit_code, 2) << device.err;
  auto after_value = flowfit({"--backend", "cpu", "rnu", "plan.toml"});
  EXPECT_NE(after_value.err.find("did you mean 'run'"), std::string::npos) << after_value.err;
}

}  // namespace
}  // namespace flowfit
