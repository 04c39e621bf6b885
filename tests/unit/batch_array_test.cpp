// Batches (docs/batch.md): work items (year x stage order x replicate), task shares from flags
// and scheduler variables, array tasks as separate processes against a serial run (bit for bit),
// gather, submit, and the replicates' resampled tables.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/io/geography_io.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/pipeline/batch_summary.hpp"
#include "flowfit/pipeline/plan_toml.hpp"
#include "flowfit/pipeline/task_share.hpp"
#include "flowfit/pipeline/work_items.hpp"
#include "host/pipeline/replicates.hpp"
#include "unit/cli_test_support.hpp"

namespace flowfit {
namespace {

namespace fs = std::filesystem;
using pipeline::find_task_share;
using pipeline::task_item_range;
using testing::files_under;
using testing::Process;
using testing::ProcessResult;
using testing::run_flowfit;
using testing::TempDir;

const fs::path kCli = fs::path(FLOWFIT_TEST_DATA_DIR) / "cli";
const fs::path kCensus = fs::path(FLOWFIT_SOURCE_DIR) / "data" / "census";

pipeline::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(TaskShare, RangesAreBalancedContiguousAndCoverEveryItemOnce) {
  for (int64_t n : {0, 1, 5, 18, 100, 101})
    for (int count : {1, 2, 3, 7, 18, 40}) {
      int64_t next = 0, smallest = n, largest = 0;
      for (int i = 0; i < count; ++i) {
        const auto [first, last] = task_item_range(n, i, count);
        EXPECT_EQ(first, next) << n << " items, task " << i << " of " << count;
        EXPECT_LE(first, last);
        smallest = std::min(smallest, last - first);
        largest = std::max(largest, last - first);
        next = last;
      }
      EXPECT_EQ(next, n);
      EXPECT_LE(largest - smallest, 1) << n << " items over " << count << " tasks";
    }
}

TEST(TaskShare, FromFlagsAndSchedulerVariables) {
  EXPECT_FALSE(find_task_share(std::nullopt, std::nullopt, 0, env_of({})));
  auto s = find_task_share(2, 5, 0, env_of({{"SLURM_ARRAY_TASK_ID", "0"}}));
  ASSERT_TRUE(s);  // flags win over the environment
  EXPECT_EQ(s->index, 2);
  EXPECT_EQ(s->count, 5);
  EXPECT_NE(s->source.find("--task-index"), std::string::npos);

  // --array=1-3: IDs 1..3 are tasks 0..2.
  s = find_task_share(std::nullopt, std::nullopt, 0,
                      env_of({{"SLURM_ARRAY_TASK_ID", "3"},
                              {"SLURM_ARRAY_TASK_MIN", "1"},
                              {"SLURM_ARRAY_TASK_MAX", "3"},
                              {"SLURM_ARRAY_TASK_COUNT", "3"}}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->index, 2);
  EXPECT_EQ(s->count, 3);
  EXPECT_NE(s->source.find("SLURM_ARRAY_TASK_ID=3"), std::string::npos);
  // --array=1-9:4 (IDs 1, 5, 9): ID 5 is task 1 of 3.
  s = find_task_share(std::nullopt, std::nullopt, 0,
                      env_of({{"SLURM_ARRAY_TASK_ID", "5"},
                              {"SLURM_ARRAY_TASK_MIN", "1"},
                              {"SLURM_ARRAY_TASK_MAX", "9"},
                              {"SLURM_ARRAY_TASK_COUNT", "3"}}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->index, 1);
  EXPECT_EQ(s->count, 3);
  // MIN/MAX without COUNT: a contiguous array.
  s = find_task_share(std::nullopt, std::nullopt, 0,
                      env_of({{"SLURM_ARRAY_TASK_ID", "7"},
                              {"SLURM_ARRAY_TASK_MIN", "4"},
                              {"SLURM_ARRAY_TASK_MAX", "8"}}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->index, 3);
  EXPECT_EQ(s->count, 5);
  // A count that contradicts the array is refused.
  EXPECT_THROW(
      find_task_share(std::nullopt, 4, 0,
                      env_of({{"SLURM_ARRAY_TASK_ID", "0"}, {"SLURM_ARRAY_TASK_COUNT", "3"}})),
      ConfigError);

  s = find_task_share(
      std::nullopt, std::nullopt, 0,
      env_of({{"AWS_BATCH_JOB_ARRAY_INDEX", "4"}, {"AWS_BATCH_JOB_ARRAY_SIZE", "6"}}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->index, 4);
  EXPECT_EQ(s->count, 6);
  // AWS Batch without a size and Kubernetes take the count from the flag, else the plan.
  EXPECT_THROW(
      find_task_share(std::nullopt, std::nullopt, 0, env_of({{"AWS_BATCH_JOB_ARRAY_INDEX", "1"}})),
      ConfigError);
  s = find_task_share(std::nullopt, 3, 0, env_of({{"AWS_BATCH_JOB_ARRAY_INDEX", "1"}}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->count, 3);
  s = find_task_share(std::nullopt, std::nullopt, 4, env_of({{"JOB_COMPLETION_INDEX", "3"}}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->index, 3);
  EXPECT_EQ(s->count, 4);
  EXPECT_NE(s->source.find("batch.tasks"), std::string::npos);
  EXPECT_THROW(
      find_task_share(std::nullopt, std::nullopt, 3, env_of({{"JOB_COMPLETION_INDEX", "3"}})),
      ConfigError);                                                            // index out of range
  EXPECT_THROW(find_task_share(std::nullopt, 3, 0, env_of({})), ConfigError);  // count alone
  EXPECT_THROW(
      find_task_share(std::nullopt, std::nullopt, 0, env_of({{"SLURM_ARRAY_TASK_ID", "x"}})),
      ConfigError);
}

// The test plan: the 12-CBG example under the real census tables of three years, two stage
// orders, two replicates (18 items), a short county IPF.
std::string batch_plan(const std::string& extra = "") {
  return "name = \"batch test\"\n"
         "geography = \"geography.csv\"\n"
         "allow_partial_geography = true\n"
         "orders = [\"diagonal_clip,state_nonmovers,state_flows,county_ipf\",\n"
         "          [\"diagonal_clip\", \"state_flows\", \"state_nonmovers\", \"county_ipf\"]]\n"
         "replicates = 2\n"
         "seed = 7\n" +
         extra +
         "[census]\n"
         "census_dir = \"" +
         kCensus.string() +
         "\"\n"
         "[[years]]\nyear = 2015\nmatrix = \"flows_2015.mtx\"\n"
         "[[years]]\nyear = 2016\nmatrix = \"flows_2016.mtx\"\n"
         "[[years]]\nyear = 2017\nmatrix = \"flows_2017.mtx\"\n"
         "[[stages]]\nkind = \"diagonal_clip\"\n"
         "[[stages]]\nkind = \"state_nonmovers\"\n"
         "[[stages]]\nkind = \"state_flows\"\n"
         "[[stages]]\nkind = \"county_ipf\"\nmax_iterations = 20\n"
         "[output]\ndir = \"out\"\nformat = \"mtx\"\n";
}

class Batch : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(testing::flowfit_binary()))
      FAIL() << "build the flowfit target first: " << testing::flowfit_binary();
    fs::copy_file(kCli / "geography.csv", at("geography.csv"));
    for (int y : {2015, 2016, 2017})
      fs::copy_file(kCli / "flows_2015.mtx", at("flows_" + std::to_string(y) + ".mtx"));
  }
  void write_plan(const std::string& text, const std::string& name = "batch.toml") {
    std::ofstream(at(name)) << text;
  }
  ProcessResult flowfit(const std::vector<std::string>& args,
                        const std::vector<std::string>& env = {}) {
    return run_flowfit(args, dir_.path(), env);
  }
  fs::path at(const std::string& name) const { return dir_.path() / name; }
  static std::string slurp(const fs::path& p) { return Process::slurp(p); }
  // item name -> matrix bytes, for every item output under `out`.
  static std::map<std::string, std::string> item_outputs(const fs::path& out) {
    std::map<std::string, std::string> m;
    for (const fs::path& p : files_under(out / "items"))
      if (p.extension() == ".mtx") m[p.parent_path().filename().string()] = slurp(p);
    return m;
  }
  TempDir dir_;
};

TEST_F(Batch, PlanDeclaresItemsInCanonicalOrder) {
  write_plan(batch_plan());
  const pipeline::Plan plan = pipeline::read_plan_toml(at("batch.toml"));
  ASSERT_EQ(plan.batch.orders.size(), 2u);
  EXPECT_EQ(plan.batch.replicates, 2);
  EXPECT_EQ(plan.batch.seed, 7u);
  const auto items = pipeline::work_items(plan);
  ASSERT_EQ(items.size(), 18u);
  EXPECT_EQ(pipeline::item_name(plan, items[0]), "2015_order0_rep0");
  EXPECT_EQ(pipeline::item_name(plan, items[5]), "2015_order1_rep2");
  EXPECT_EQ(pipeline::item_name(plan, items[17]), "2017_order1_rep2");
  EXPECT_EQ(pipeline::item_output_path(plan, items[4]),
            at("out") / "items" / "2015_order1_rep1" / "flows_2015.mtx");
  const auto stages = pipeline::item_stages(plan, items[3]);
  ASSERT_EQ(stages.size(), 4u);
  EXPECT_EQ(stages[1].kind, pipeline::StageKind::state_flows);
  EXPECT_EQ(stages[3].stop.max_iterations, 20);  // the spec of the plan's stage
  // Written back and read again: the same plan.
  write_plan(pipeline::plan_to_toml(plan), "again.toml");
  EXPECT_EQ(pipeline::read_plan_toml(at("again.toml")).canonical_text(), plan.canonical_text());
  // A plan without orders and replicates: one item per year, outputs where they always were.
  pipeline::Plan plain = plan;
  plain.batch = {};
  const auto plain_items = pipeline::work_items(plain);
  ASSERT_EQ(plain_items.size(), 3u);
  EXPECT_EQ(pipeline::item_output_path(plain, plain_items[1]), at("out") / "flows_2016.mtx");
  EXPECT_EQ(plain.canonical_text().find("order"), std::string::npos);
}

TEST_F(Batch, BadBatchKeysNameTheKeyAndLine) {
  auto error_of = [&](const std::string& extra) {
    write_plan(batch_plan(extra), "bad.toml");
    try {
      pipeline::read_plan_toml(at("bad.toml"));
    } catch (const pipeline::PlanError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string plan = batch_plan();
  const std::string word = "\"diagonal_clip\", \"state_flows\"";
  plan.replace(plan.find(word), std::string("\"diagonal_clip\"").size(), "\"diagonal_clp\"");
  write_plan(plan, "typo.toml");
  try {
    pipeline::read_plan_toml(at("typo.toml"));
    ADD_FAILURE() << "no error";
  } catch (const pipeline::PlanError& e) {
    EXPECT_NE(std::string(e.what()).find("typo.toml:5: orders[1]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("did you mean 'diagonal_clip'"), std::string::npos);
  }
  EXPECT_NE(error_of("[batch]\ntask = 3\n").find("did you mean 'tasks'"), std::string::npos);
  EXPECT_NE(error_of("[batch]\nmem = \"16G; rm\"\n").find("batch.mem"), std::string::npos);
  plan = batch_plan();
  const std::string full = "\"diagonal_clip,state_nonmovers,state_flows,county_ipf\"";
  plan.replace(plan.find(full), full.size(), "\"diagonal_clip,county_ipf\"");
  write_plan(plan, "short.toml");
  try {
    pipeline::read_plan_toml(at("short.toml"));
    ADD_FAILURE() << "no error";
  } catch (const pipeline::PlanError& e) {
    EXPECT_NE(std::string(e.what()).find("orders[0]: expected a permutation"), std::string::npos)
        << e.what();
  }
}

// The array semantics: three tasks as separate processes with SLURM's variables set, against a
// serial run of the same plan: every item output identical byte for byte.
TEST_F(Batch, SlurmArrayTasksAsProcessesMatchTheSerialRunBitForBit) {
  write_plan(batch_plan());
  const auto serial = flowfit({"--backend", "cpu", "run", "batch.toml", "--output-dir", "serial"});
  ASSERT_EQ(serial.exit_code, 0) << serial.err;
  const auto expected = item_outputs(at("serial"));
  ASSERT_EQ(expected.size(), 18u);

  auto task_env = [](int id) {
    return std::vector<std::string>{"SLURM_ARRAY_TASK_ID=" + std::to_string(id),
                                    "SLURM_ARRAY_TASK_MIN=1", "SLURM_ARRAY_TASK_MAX=3",
                                    "SLURM_ARRAY_TASK_COUNT=3"};
  };
  auto start = [&](int id, TempDir& capture) {
    return std::make_unique<Process>(
        testing::flowfit_binary(),
        std::vector<std::string>{"--backend", "cpu", "run", "batch.toml", "--output-dir", "array",
                                 "--progress", "none"},
        dir_.path(), capture.path(), task_env(id));
  };
  // Tasks 1 and 2 at once; gather then lists what task 3 has not done.
  TempDir c1, c2, c3;
  auto p1 = start(1, c1);
  auto p2 = start(2, c2);
  const ProcessResult r1 = p1->wait(), r2 = p2->wait();
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  EXPECT_NE(r1.err.find("array task 0 of 3 (from SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=1"),
            std::string::npos)
      << r1.err;
  EXPECT_NE(r1.err.find("items 0..5 (2015_order0_rep0 .. 2015_order1_rep2) of 18"),
            std::string::npos)
      << r1.err;
  EXPECT_TRUE(fs::exists(at("array/reports/run_report_task1of3.json")));
  const auto partial = flowfit({"gather", "batch.toml", "--output-dir", "array"});
  EXPECT_EQ(partial.exit_code, 5);
  EXPECT_NE(partial.err.find("missing: 2017_order0_rep0"), std::string::npos) << partial.err;
  EXPECT_EQ(partial.err.find("missing: 2016_order1_rep2"), std::string::npos) << partial.err;
  EXPECT_NE(partial.err.find("6 of 18 work items are not done"), std::string::npos) << partial.err;
  EXPECT_FALSE(fs::exists(at("array/run_report.json")));

  auto p3 = start(3, c3);
  const ProcessResult r3 = p3->wait();
  ASSERT_EQ(r3.exit_code, 0) << r3.err;
  const auto gathered = flowfit({"gather", "batch.toml", "--output-dir", "array"});
  ASSERT_EQ(gathered.exit_code, 0) << gathered.err;
  EXPECT_EQ(item_outputs(at("array")), expected);
  // The merged report holds every item once, with its order and replicate.
  std::ifstream in(at("array/run_report.json"));
  const auto report = nlohmann::json::parse(in);
  ASSERT_EQ(report["years"].size(), 18u);
  std::set<std::string> names;
  for (const auto& y : report["years"]) names.insert(y["item"]["name"].get<std::string>());
  EXPECT_EQ(names.size(), 18u);
  EXPECT_EQ(report["years"][4]["item"]["order"],
            "diagonal_clip,state_flows,state_nonmovers,county_ipf");
  EXPECT_EQ(report["years"][4]["item"]["replicate"], 1);

  // Rerunning a task resumes its items; a task past the items has nothing to do.
  const auto again = flowfit({"--backend", "cpu", "run", "batch.toml", "--output-dir", "array",
                              "--task-index", "1", "--task-count", "3"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const auto report2 = nlohmann::json::parse(slurp(at("array/reports/run_report_task1of3.json")));
  ASSERT_EQ(report2["years"].size(), 6u);
  for (const auto& y : report2["years"]) EXPECT_TRUE(y["resumed"].get<bool>()) << y.dump();
}

TEST_F(Batch, ReplicatesResampleTheAcsTablesDeterministically) {
  write_plan(batch_plan());
  const auto r = flowfit({"--backend", "cpu", "run", "batch.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = item_outputs(at("out"));
  // Replicates differ from the published tables and from each other; orders differ too.
  EXPECT_NE(out.at("2016_order0_rep0"), out.at("2016_order0_rep1"));
  EXPECT_NE(out.at("2016_order0_rep1"), out.at("2016_order0_rep2"));
  EXPECT_NE(out.at("2016_order0_rep1"), out.at("2016_order1_rep1"));
  // Another seed, other replicates; replicate 0 is the same.
  std::string plan = batch_plan();
  plan.replace(plan.find("seed = 7"), 8, "seed = 8");
  write_plan(plan, "seed8.toml");
  const auto r8 = flowfit({"--backend", "cpu", "run", "seed8.toml", "--output-dir", "seed8"});
  ASSERT_EQ(r8.exit_code, 0) << r8.err;
  const auto out8 = item_outputs(at("seed8"));
  EXPECT_EQ(out8.at("2016_order0_rep0"), out.at("2016_order0_rep0"));
  EXPECT_NE(out8.at("2016_order0_rep1"), out.at("2016_order0_rep1"));
}

TEST(BatchSummary, ReplicateStatsAreMeanSampleSdAndType7Quantiles) {
  const auto s = pipeline::replicate_stats({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_DOUBLE_EQ(s.sd, std::sqrt(5.0 / 3.0));
  EXPECT_DOUBLE_EQ(s.q50, 2.5);
  EXPECT_DOUBLE_EQ(s.q05, 1 + 0.15);  // h = 3 * 0.05
  EXPECT_DOUBLE_EQ(s.q95, 3 + 0.85);
  const auto one = pipeline::replicate_stats({7});
  EXPECT_EQ(one.mean, 7);
  EXPECT_TRUE(std::isnan(one.sd));
  EXPECT_EQ(one.q05, 7);
}

TEST_F(Batch, SummarizeWritesReplicateAndOrderPackages) {
  write_plan(batch_plan());
  const auto missing = flowfit({"summarize", "batch.toml"});
  EXPECT_EQ(missing.exit_code, 5) << missing.err;
  EXPECT_NE(missing.err.find("18 work items are not done"), std::string::npos) << missing.err;
  ASSERT_EQ(flowfit({"--backend", "cpu", "run", "batch.toml", "--progress", "none"}).exit_code, 0);
  const auto r = flowfit({"summarize", "batch.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path rep = at("out/summary/replicates_county_out_rates");
  ASSERT_TRUE(fs::exists(rep / "datapackage.json"));
  const auto table = io::CsvTable::read(rep / "replicate_summary.csv");
  ASSERT_EQ(table.n_rows(), 4 * 3 * 2);  // counties x years x orders
  // One row recomputed from the item outputs: county 36047, 2016, order 1.
  const pipeline::Plan plan = pipeline::read_plan_toml(at("batch.toml"));
  const Geography geo = io::read_geography(at("geography.csv"));
  std::vector<double> values;
  double published = 0;
  for (int rep_index = 0; rep_index <= 2; ++rep_index) {
    const pipeline::WorkItem item{1, 2016, 1, rep_index};
    const auto a =
        pipeline::aggregate_output(io::read_matrix(pipeline::item_output_path(plan, item)), geo,
                                   pipeline::SummaryQuantity::county_out_rates);
    for (size_t e = 0; e < a.value.size(); ++e)
      if (a.origin[e] == "36047") (rep_index == 0 ? published : values.emplace_back()) = a.value[e];
  }
  ASSERT_EQ(values.size(), 2u);
  const auto expected = pipeline::replicate_stats(values);
  bool found = false;
  for (int64_t row = 0; row < table.n_rows(); ++row) {
    if (table.field(row, table.column("county")) != "36047" ||
        table.integer(row, table.column("year")) != 2016 ||
        table.integer(row, table.column("order_index")) != 1)
      continue;
    found = true;
    EXPECT_DOUBLE_EQ(table.number(row, table.column("published")), published);
    EXPECT_DOUBLE_EQ(table.number(row, table.column("mean")), expected.mean);
    EXPECT_DOUBLE_EQ(table.number(row, table.column("sd")), expected.sd);
    EXPECT_DOUBLE_EQ(table.number(row, table.column("q95")), expected.q95);
    EXPECT_NE(expected.sd, 0);  // the replicates do differ
  }
  EXPECT_TRUE(found);
  // Orders: county and state levels of every year, order 1 against order 0.
  const auto orders = io::CsvTable::read(at("out/summary/orders/order_differences.csv"));
  ASSERT_EQ(orders.n_rows(), 3 * 2);
  for (int64_t row = 0; row < orders.n_rows(); ++row) {
    EXPECT_GE(orders.number(row, orders.column("max_rel_diff")),
              orders.number(row, orders.column("median_rel_diff")));
    EXPECT_GT(orders.number(row, orders.column("max_abs_diff")), 0);
  }
}

TEST(Replicates, DrawsAreTruncatedNormalsWithSeFromTheMoe) {
  // 20,000 draws of one estimate: mean and sd of normal(1000, 164.5 / 1.645 = 100).
  double sum = 0, sum2 = 0;
  const int n = 20000;
  for (int k = 0; k < n; ++k) {
    const double x = pipeline::detail::draw_estimate(1000, 164.5, 3, 2016, 1, 14, k);
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
  EXPECT_NEAR(mean, 1000, 4 * 100 / std::sqrt(n));
  EXPECT_NEAR(sd, 100, 3);
  // Deterministic, keyed by seed, year, replicate and entry.
  const double a = pipeline::detail::draw_estimate(1000, 164.5, 3, 2016, 1, 14, 5);
  EXPECT_EQ(a, pipeline::detail::draw_estimate(1000, 164.5, 3, 2016, 1, 14, 5));
  EXPECT_NE(a, pipeline::detail::draw_estimate(1000, 164.5, 4, 2016, 1, 14, 5));
  EXPECT_NE(a, pipeline::detail::draw_estimate(1000, 164.5, 3, 2017, 1, 14, 5));
  EXPECT_NE(a, pipeline::detail::draw_estimate(1000, 164.5, 3, 2016, 2, 14, 5));
  // Truncated at 0: a small estimate with a large MOE never goes negative.
  int zeros_or_less = 0;
  for (int k = 0; k < 2000; ++k) {
    const double x = pipeline::detail::draw_estimate(10, 500, 3, 2016, 1, 14, k);
    EXPECT_GE(x, 0);
    zeros_or_less += x <= 0;
  }
  EXPECT_LT(zeros_or_less, 5);  // redrawn, not clamped to 0
  EXPECT_EQ(pipeline::detail::draw_estimate(42, 0, 3, 2016, 1, 14, 0), 42);  // no MOE: as is
}

TEST_F(Batch, PlainRunsCleanItemFoldersArrayTasksLeaveThemAlone) {
  write_plan(batch_plan());
  const fs::path item = at("out/items/2016_order1_rep2");
  fs::create_directories(item);
  const fs::path stale = item / ".flows_2016.mtx.tmp.4000000";  // no such process
  std::ofstream(stale) << "partial";
  fs::last_write_time(stale, fs::file_time_type::clock::now() - std::chrono::hours(1));
  const auto task = flowfit({"--backend", "cpu", "run", "batch.toml", "--task-index", "1",
                             "--task-count", "3", "--progress", "none"});
  ASSERT_EQ(task.exit_code, 0) << task.err;
  EXPECT_TRUE(fs::exists(stale));  // another machine's task could be writing it
  const auto all = flowfit({"--backend", "cpu", "run", "batch.toml", "--progress", "none"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_NE(all.err.find("removed a stale temporary file of a killed run: " + stale.string()),
            std::string::npos)
      << all.err;
}

// A sweep keeps every order's matrix when asked; it is the matrix the batch item of that order
// (replicate 0) writes, and the table gives county and state differences.
TEST_F(Batch, SweepKeepsEveryOrdersMatrixAndSummarizesDifferences) {
  write_plan(batch_plan());
  const std::string orders =
      "diagonal_clip,state_nonmovers,state_flows,county_ipf;"
      "diagonal_clip,state_flows,state_nonmovers,county_ipf";
  const auto sweep = flowfit({"--backend", "cpu", "run", "batch.toml", "--orders", orders,
                              "--years", "2016", "--sweep-keep", "--output-dir", "sweep_run"});
  ASSERT_EQ(sweep.exit_code, 0) << sweep.err;
  EXPECT_NE(sweep.err.find("year 2016: order 2/2 done in"), std::string::npos) << sweep.err;
  const auto items =
      flowfit({"--backend", "cpu", "run", "batch.toml", "--years", "2016", "--progress", "none"});
  ASSERT_EQ(items.exit_code, 0) << items.err;
  for (int k : {0, 1})
    EXPECT_EQ(slurp(at("sweep_run/sweep/flows_2016_order" + std::to_string(k) + ".mtx")),
              slurp(at("out/items/2016_order" + std::to_string(k) + "_rep0/flows_2016.mtx")))
        << "order " << k;
  const auto table = io::CsvTable::read(at("sweep_run/order_sweep.csv"));
  ASSERT_EQ(table.n_rows(), 2);
  EXPECT_EQ(table.number(0, table.column("state_flow_max_rel_diff")), 0);  // the baseline
  const double med = table.number(1, table.column("county_flow_median_rel_diff"));
  const double worst = table.number(1, table.column("county_flow_max_rel_diff"));
  EXPECT_GT(worst, 0);
  EXPECT_LE(med, worst);
  EXPECT_GT(table.number(1, table.column("state_flow_max_abs_diff")), 0);
  const auto no_sweep = flowfit({"run", "batch.toml", "--sweep-keep"});
  EXPECT_EQ(no_sweep.exit_code, 2) << no_sweep.err;
}

// Every matrix year the bundled tables support (2011-2019) in one plan, through the released
// stages (stage-1 stand-in populations from the geography's population column), shared among
// three Kubernetes-style tasks, gathered into one report with a summary row per year.
TEST_F(Batch, EveryBundledYearRunsInOnePlanAsArrayTasks) {
  {
    std::ifstream pops(kCli / "census" / "cbg_pop_census2010.csv");
    std::ofstream geo(at("geo_pop.csv"));
    geo << "cbg_geoid,population\n";
    std::string line;
    std::getline(pops, line);  // index,cbg_geoid,pop_census2010
    while (std::getline(pops, line)) {
      const auto a = line.find(','), b = line.find(',', a + 1);
      geo << line.substr(a + 1, b - a - 1) << ',' << line.substr(b + 1) << '\n';
    }
  }
  std::string years;
  for (int y = 2011; y <= 2019; ++y) {
    fs::copy_file(kCli / "flows_2015.mtx", at("E_" + std::to_string(y) + ".mtx"),
                  fs::copy_options::overwrite_existing);
    years += (years.empty() ? "" : ", ") + std::to_string(y);
  }
  write_plan(
      "geography = \"geo_pop.csv\"\nallow_partial_geography = true\n"
      "matrix_template = \"E_{year}.mtx\"\nyears = [" +
          years + "]\n[census]\ncensus_dir = \"" + kCensus.string() +
          "\"\n[output]\ndir = \"out\"\nformat = \"mtx\"\n",
      "all_years.toml");
  for (int i = 0; i < 3; ++i) {
    const auto r = flowfit(
        {"--backend", "cpu", "run", "all_years.toml", "--task-count", "3", "--progress", "none"},
        {"JOB_COMPLETION_INDEX=" + std::to_string(i)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const auto g = flowfit({"gather", "all_years.toml"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  for (int y = 2011; y <= 2019; ++y) {
    EXPECT_TRUE(fs::exists(at("out/flows_" + std::to_string(y) + ".mtx"))) << y;
    EXPECT_NE(g.out.find("\n" + std::to_string(y) + "  stage4_county_ipf"), std::string::npos)
        << y << "\n"
        << g.out;
  }
  const auto report = nlohmann::json::parse(slurp(at("out/run_report.json")));
  ASSERT_EQ(report["years"].size(), 9u);
  EXPECT_EQ(report["years"][0]["stages"].size(), 5u);  // the released stages 0-4
}

TEST_F(Batch, TaskShareFromAwsBatchAndKubernetesVariables) {
  write_plan(batch_plan("[batch]\ntasks = 4\n"));
  const auto aws = flowfit({"--backend", "cpu", "run", "batch.toml", "--progress", "none"},
                           {"AWS_BATCH_JOB_ARRAY_INDEX=3", "AWS_BATCH_JOB_ARRAY_SIZE=9"});
  ASSERT_EQ(aws.exit_code, 0) << aws.err;
  EXPECT_NE(aws.err.find("array task 3 of 9 (from AWS_BATCH_JOB_ARRAY_INDEX=3 "
                         "AWS_BATCH_JOB_ARRAY_SIZE=9): items 6..7"),
            std::string::npos)
      << aws.err;
  const auto k8s = flowfit({"--backend", "cpu", "run", "batch.toml", "--progress", "none"},
                           {"JOB_COMPLETION_INDEX=3"});
  ASSERT_EQ(k8s.exit_code, 0) << k8s.err;
  EXPECT_NE(k8s.err.find("array task 3 of 4 (from JOB_COMPLETION_INDEX=3, count 4 from the "
                         "plan's batch.tasks): items 13..17"),
            std::string::npos)
      << k8s.err;
  const auto bad = flowfit({"run", "batch.toml"}, {"JOB_COMPLETION_INDEX=4"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("task index 4 is not in 0..3"), std::string::npos) << bad.err;
}

TEST_F(Batch, SubmitWritesAnSbatchArrayScriptAndSubmitsIt) {
  write_plan(
      batch_plan("[batch]\ntasks = 3\ncpus_per_task = 8\nmem = \"16G\"\n"
                 "time = \"01:30:00\"\npartition = \"short\"\n"));
  const auto r = flowfit({"submit", "--slurm", "batch.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string script = slurp(at("out/submit_slurm.sh"));
  for (const char* line :
       {"#SBATCH --array=0-2\n", "#SBATCH --cpus-per-task=8\n", "#SBATCH --mem=16G\n",
        "#SBATCH --time=01:30:00\n", "#SBATCH --partition=short\n",
        "#SBATCH --job-name=flowfit-batch_test\n"})
    EXPECT_NE(script.find(line), std::string::npos) << line << " in\n" << script;
  EXPECT_NE(script.find(" run '" + at("batch.toml").string() + "'"), std::string::npos) << script;
  EXPECT_TRUE(fs::is_directory(at("out/logs")));
  EXPECT_NE(fs::status(at("out/submit_slurm.sh")).permissions() & fs::perms::owner_exec,
            fs::perms::none);

  // --now runs sbatch SCRIPT: a stand-in sbatch on PATH records its arguments.
  fs::create_directories(at("bin"));
  std::ofstream(at("bin/sbatch")) << "#!/bin/sh\necho \"$@\" > \"" << at("sbatch_args").string()
                                  << "\"\necho 'Submitted batch job 42'\n";
  fs::permissions(at("bin/sbatch"), fs::perms::owner_all);
  const std::string path = "PATH=" + at("bin").string() + ":/usr/bin:/bin";
  const auto now = flowfit({"submit", "--slurm", "batch.toml", "--now", "--tasks", "2"}, {path});
  ASSERT_EQ(now.exit_code, 0) << now.err;
  EXPECT_NE(now.out.find("Submitted batch job 42"), std::string::npos) << now.out;
  EXPECT_EQ(slurp(at("sbatch_args")), at("out/submit_slurm.sh").string() + "\n");
  EXPECT_NE(slurp(at("out/submit_slurm.sh")).find("#SBATCH --array=0-1\n"), std::string::npos);
  // sbatch failing fails the command.
  std::ofstream(at("bin/sbatch")) << "#!/bin/sh\necho 'sbatch: error: no partition' >&2\nexit 1\n";
  const auto failed = flowfit({"submit", "--slurm", "batch.toml", "--now"}, {path});
  EXPECT_EQ(failed.exit_code, 5) << failed.err;
}

}  // namespace
}  // namespace flowfit
