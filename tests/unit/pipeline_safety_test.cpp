// Library side of issue #11: path identity, resume keys, coverage of census groups, stale
// temporaries. The CLI side is in cli_safety_test.cpp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/io/path_identity.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/plan_files.hpp"
#include "flowfit/pipeline/work_items.hpp"
#include "flowfit/report/report_json.hpp"
#include "flowfit/targets/coverage.hpp"
#include "host/pipeline/resume.hpp"
#include "support/random_problems.hpp"

namespace flowfit {
namespace {

namespace fs = std::filesystem;
using pipeline::StageKind;

const fs::path kSource = FLOWFIT_SOURCE_DIR;

struct Scratch {
  fs::path path;
  Scratch() {
    path = fs::temp_directory_path() /
           ("flowfit_safety_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Scratch() { fs::remove_all(path); }
};

TEST(PathIdentity, SymlinksHardLinksAndDetoursAreTheSameFile) {
  Scratch s;
  const fs::path a = s.path / "a.csv";
  std::ofstream(a) << "x\n";
  fs::create_symlink(a, s.path / "sym.csv");
  fs::create_hard_link(a, s.path / "hard.csv");
  fs::create_directories(s.path / "d");
  EXPECT_TRUE(io::same_file(a, s.path / "sym.csv"));
  EXPECT_TRUE(io::same_file(a, s.path / "hard.csv"));
  EXPECT_TRUE(io::same_file(a, s.path / "d" / ".." / "a.csv"));
  EXPECT_FALSE(io::same_file(a, s.path / "b.csv"));                         // not yet written
  EXPECT_TRUE(io::same_file(s.path / "new.csv", s.path / "d/../new.csv"));  // neither exists
  EXPECT_FALSE(io::same_file(a, fs::path()));
  try {
    io::refuse_output_over_input(s.path / "hard.csv", "--output", {{"--geography", a}});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "--output");
    EXPECT_NE(std::string(e.what()).find("the same file under another name"), std::string::npos);
  }
}

TEST(Coverage, FindsCountiesAndStatesMissingMembers) {
  const Geography geo({"010010201001", "010010201002", "010030101001"});
  const std::vector<std::string> all{"010010201001", "010010201002", "010030101001",
                                     "010030101002", "010050101001", "020010001001"};
  const auto counties = targets::uncovered_counties(geo, all);
  ASSERT_EQ(counties.size(), 1u);  // 01003 lacks one CBG; 01005 and state 02 are not touched
  EXPECT_EQ(counties[0].group, "01003");
  EXPECT_EQ(counties[0].present, 1);
  EXPECT_EQ(counties[0].expected, 2);
  EXPECT_EQ(counties[0].first_missing, "010030101002");
  const auto states = targets::uncovered_states(geo, {"01001", "01003", "01005", "02001"});
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].group, "01");
  EXPECT_EQ(states[0].first_missing, "01005");
  EXPECT_EQ(targets::describe_gaps(states, "state", "counties"),
            "state 01 has 2 of its 3 counties in the geography (01005 is missing)");
}

TEST(StaleTemporaries, OnlyFlowfitPatternsOfDeadProcessesOlderThanTheRun) {
  Scratch s;
  const auto old = fs::file_time_type::clock::now() - std::chrono::hours(2);
  const std::vector<std::pair<std::string, bool>> files{
      {".flows_2015.npz.tmp.4194001", true},
      {".flows_2015.npz.tmp.4194001.2", true},
      {".flows_2015.npz.tmp.4194001.Q7xk2P", true},
      {".flows_2015.npz.tmp." + std::to_string(::getppid()), false},  // alive
      {"flows_2015.npz.tmp.4194001", false},                          // not hidden: not ours
      {".flows_2015.npz.tmp.abc", false},
  };
  for (const auto& [name, _] : files) {
    std::ofstream(s.path / name) << "partial";
    fs::last_write_time(s.path / name, old);
  }
  std::ofstream(s.path / ".fresh.npz.tmp.4194002") << "x";  // newer than the run start
  const auto removed = pipeline::remove_stale_temporaries(
      s.path, fs::file_time_type::clock::now() - std::chrono::hours(1));
  EXPECT_EQ(removed.size(), 3u);
  for (const auto& [name, gone] : files) EXPECT_EQ(!fs::exists(s.path / name), gone) << name;
  EXPECT_TRUE(fs::exists(s.path / ".fresh.npz.tmp.4194002"));
}

TEST(ResumeKey, DependsOnEveryInputSettingVersionAndBackendClass) {
  pipeline::Plan plan;
  plan.geography = "g.csv";
  plan.years = {{2015, "m.mtx"}};
  const std::vector<report::InputFile> shared{{"geography", "g.csv", "aa", 1},
                                              {"census/pep_county_2010_2019.csv", "p", "bb", 1}};
  const auto base =
      pipeline::detail::year_key(plan, plan.years[0], "mm", shared, BackendKind::openmp);
  EXPECT_EQ(base.key,
            pipeline::detail::year_key(plan, plan.years[0], "mm", shared, BackendKind::openmp).key);
  EXPECT_NE(base.key,
            pipeline::detail::year_key(plan, plan.years[0], "mm", shared, BackendKind::cuda).key);
  EXPECT_NE(base.key,
            pipeline::detail::year_key(plan, plan.years[0], "m2", shared, BackendKind::openmp).key);
  auto edited = shared;
  edited[1].sha256 = "cc";
  EXPECT_NE(base.key,
            pipeline::detail::year_key(plan, plan.years[0], "mm", edited, BackendKind::openmp).key);
  pipeline::Plan other = plan;
  other.stages.back().stop = StopRule::exactly(10);
  EXPECT_NE(
      base.key,
      pipeline::detail::year_key(other, other.years[0], "mm", shared, BackendKind::openmp).key);
  other = plan;
  other.name = "renamed";  // cosmetic: same key
  other.years.push_back({2016, "n.mtx"});
  EXPECT_EQ(
      base.key,
      pipeline::detail::year_key(other, other.years[0], "mm", shared, BackendKind::openmp).key);
}

// Delaware (10) and DC (11) from the bundled CBG list, minus the counties in `drop`.
fs::path write_geography(const fs::path& dir, const std::string& drop_county = "") {
  const io::CsvTable t = io::CsvTable::read(kSource / "data/geography/cbg2010.csv");
  const int id = t.column("cbg_geoid"), pop = t.column("population");
  const fs::path out = dir / "geography.csv";
  std::ofstream f(out);
  f << "cbg_geoid,population\n";
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    const std::string_view g = t.field(r, id);
    if (g.substr(0, 2) != "10" && g.substr(0, 2) != "11") continue;
    if (!drop_county.empty() && g.substr(0, 5) == drop_county) continue;
    f << g << "," << t.field(r, pop) << "\n";
  }
  return out;
}

pipeline::Plan small_plan(const fs::path& dir, const fs::path& geography, int64_t n,
                          const std::vector<int>& years) {
  pipeline::Plan plan;
  plan.geography = geography;
  plan.census.census_dir = kSource / "data/census";
  plan.backend = BackendChoice::cpu;
  plan.output.dir = dir / "out";
  plan.output.format = "ffm";
  for (int y : years) {
    std::mt19937_64 rng(static_cast<uint64_t>(y));
    testing::RandomMatrixOptions opt;
    opt.n = n;
    opt.density = 0.01;
    opt.full_diagonal = true;
    opt.empty_row_share = opt.empty_col_share = 0;
    CsrMatrix m = testing::random_matrix(rng, opt);
    for (double& v : m.values) v *= 10;
    const fs::path path = dir / ("observed_" + std::to_string(y) + ".ffm");
    io::write_matrix(path, m);
    plan.years.push_back({y, path});
  }
  for (auto& s : plan.stages)
    if (s.kind == StageKind::county_ipf) s.stop = StopRule::exactly(20);
  return plan;
}

// A damaged sidecar (fields of the wrong type, not an object, not JSON) means "recompute", never
// an exception: resume decisions run before any work and must not abort a run.
TEST(ResumeKey, DamagedSidecarsAreRecomputedNotFatal) {
  const fs::path dir = fs::temp_directory_path() / "flowfit_damaged_sidecar";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path out = dir / "flows_2015.ffm";
  std::ofstream(out) << "output";
  pipeline::detail::YearKey key;
  key.parts = {{"matrix", "abc"}};
  key.key = "k";
  pipeline::detail::write_sidecar(out, key, nlohmann::json{{"year", 2015}, {"stages", {}}});
  ASSERT_TRUE(pipeline::detail::decide_resume(out, key).resume);
  fs::path side;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path() != out) side = e.path();
  ASSERT_FALSE(side.empty());
  const nlohmann::json good = nlohmann::json::parse(std::ifstream(side));
  for (const std::string& damaged : {std::string("[1, 2]"), std::string("\"text\""),
                                     std::string("{\"key\": 5}"), std::string("not json"),
                                     [&] {
                                       auto j = good;
                                       j["output_sha256"] = 5;
                                       return j.dump();
                                     }(),
                                     [&] {
                                       auto j = good;
                                       j["year"] = "2015";
                                       return j.dump();
                                     }(),
                                     [&] {
                                       auto j = good;
                                       j["key"] = "other";
                                       j["key_parts"] = 3;
                                       return j.dump();
                                     }()}) {
    std::ofstream(side, std::ios::trunc) << damaged;
    pipeline::detail::ResumeDecision d;
    EXPECT_NO_THROW(d = pipeline::detail::decide_resume(out, key)) << damaged;
    EXPECT_FALSE(d.resume) << damaged;
    EXPECT_NE(d.reason.find("recomputed"), std::string::npos) << damaged << ": " << d.reason;
  }
  fs::remove_all(dir);
}

TEST(PipelineSafety, YearShardsAndFullRunsResumeEachOther) {
  Scratch s;
  const pipeline::Plan full = small_plan(s.path, write_geography(s.path), 1024, {2016, 2017});
  pipeline::Plan shard = full;
  shard.years = {full.years[1]};
  const auto first = pipeline::run_plan(shard);
  ASSERT_EQ(first.years.size(), 1u);
  EXPECT_FALSE(first.years[0].resumed);
  const auto second = pipeline::run_plan(full);
  EXPECT_FALSE(second.years[0].resumed);
  EXPECT_TRUE(second.years[1].resumed) << second.years[1].resume_note;
  // The resumed year brings its stored stage results.
  ASSERT_EQ(second.years[1].stages.size(), 5u);
  EXPECT_EQ(second.years[1].stages.back().result->iterations, 20);
  EXPECT_EQ(second.years[1].stages.back().result->verdict,
            first.years[0].stages.back().result->verdict);
}

TEST(PipelineSafety, PartialStateIsRefusedBeforeFitting) {
  Scratch s;
  // Delaware without Sussex County (10005): state 10's targets would be put on two counties.
  const fs::path geo = write_geography(s.path, "10005");
  const io::CsvTable t = io::CsvTable::read(geo);
  const pipeline::Plan plan = small_plan(s.path, geo, t.n_rows(), {2016});
  try {
    pipeline::run_plan(plan);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("state 10 has"), std::string::npos) << what;
    EXPECT_NE(what.find("(100050501011 is missing)"), std::string::npos) << what;
    EXPECT_NE(what.find("allow_partial_geography"), std::string::npos) << what;
  }
  EXPECT_FALSE(fs::exists(pipeline::year_output_path(plan, 2016)));
}

// run_item is the unit run_plan loops over: items run one by one by a caller are resumed by a
// later run_plan, and run_item resumes what run_plan wrote.
TEST(PipelineSafety, RunItemIsTheUnitOfRunPlan) {
  Scratch s;
  const pipeline::Plan plan = small_plan(s.path, write_geography(s.path), 1024, {2016, 2017});
  pipeline::RunSetup setup;
  setup.shared = pipeline::load_shared_inputs(plan);
  setup.shared_files = report::plan_input_files(plan);
  auto backend = make_openmp_backend(1);
  const std::vector<pipeline::WorkItem> items = pipeline::work_items(plan);
  ASSERT_EQ(items.size(), 2u);
  const pipeline::YearReport second = pipeline::run_item(plan, items[1], *backend, setup);
  EXPECT_EQ(second.year, 2017);
  EXPECT_FALSE(second.resumed);
  EXPECT_TRUE(fs::exists(second.output));
  EXPECT_EQ(setup.matrix_sha256.size(), 1u);  // the checksum of the year's matrix, kept
  const auto run = pipeline::run_plan(plan);
  EXPECT_FALSE(run.years[0].resumed);
  EXPECT_TRUE(run.years[1].resumed) << run.years[1].resume_note;
  const pipeline::YearReport again = pipeline::run_item(plan, items[0], *backend, setup);
  EXPECT_TRUE(again.resumed) << again.resume_note;
}

// A cancelled run stops inside its second year: the first year's output is whole and resumes,
// the second has no output and no temporary file left.
TEST(PipelineSafety, CancelledRunLeavesWholeOutputsThatResume) {
  Scratch s;
  pipeline::Plan plan = small_plan(s.path, write_geography(s.path), 1024, {2016, 2017});
  for (auto& st : plan.stages)
    if (st.kind == StageKind::county_ipf) st.stop = StopRule::exactly(2000);
  CancelToken cancel;
  pipeline::RunOptions options;
  options.cancel = &cancel;
  auto cancel_in_second_year = [&](const pipeline::ProgressEvent& e) {
    if (e.year == 2017 && e.sweeps) cancel.cancel();
  };
  EXPECT_THROW(pipeline::run_plan(plan, cancel_in_second_year, nullptr, options), Cancelled);
  EXPECT_TRUE(fs::exists(pipeline::year_output_path(plan, 2016)));
  EXPECT_FALSE(fs::exists(pipeline::year_output_path(plan, 2017)));
  for (const auto& e : fs::directory_iterator(plan.output.dir))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
  const auto rerun = pipeline::run_plan(plan);
  EXPECT_TRUE(rerun.years[0].resumed) << rerun.years[0].resume_note;
  EXPECT_FALSE(rerun.years[1].resumed);
  // A token set before the run stops it before any year.
  CancelToken already;
  already.cancel();
  options.cancel = &already;
  fs::remove_all(plan.output.dir);
  EXPECT_THROW(pipeline::run_plan(plan, {}, nullptr, options), Cancelled);
  EXPECT_FALSE(fs::exists(pipeline::year_output_path(plan, 2016)));
}

}  // namespace
}  // namespace flowfit
