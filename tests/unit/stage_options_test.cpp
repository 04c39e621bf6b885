// Stage options (flowfit/stage.hpp): one rule per kind of value, keyed errors wherever a stage is
// checked (engine, plans in code and TOML), and the option table that plans read, write and hash.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "flowfit/backend.hpp"
#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/plan_toml.hpp"

namespace flowfit {
namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

// The ConfigError of `f`, or a failure when it throws none.
template <class F>
ConfigError error_of(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ConfigError";
  return ConfigError("", "");
}

TEST(StageOptions, TheTableListsEveryOptionOnce) {
  std::vector<std::string> keys;
  StageOptions options;
  for_each_stage_option([&](const StageOptionKey& k, const auto&) { keys.emplace_back(k.key); },
                        options);
  EXPECT_EQ(keys, (std::vector<std::string>{"method", "max_iterations", "l1_tolerance",
                                            "residual_tolerance", "log_every",
                                            "consistency_tolerance", "report_tolerance"}));
}

TEST(StageOptions, StopRuleRejectsBadValuesWithTheirKey) {
  EXPECT_NO_THROW(StopRule::exactly(3000).validate());
  StopRule zero = StopRule::exactly(0);
  ConfigError e = error_of([&] { zero.validate(); });
  EXPECT_EQ(e.key(), "max_iterations");
  EXPECT_EQ(e.reason(), "expected a positive integer (at most 1000000000), got 0");

  StopRule l1;
  l1.l1_tolerance = -1e-3;
  EXPECT_EQ(error_of([&] { l1.validate(); }).key(), "l1_tolerance");
  l1.l1_tolerance = 0.0;  // reached only at a fixed point, but allowed
  EXPECT_NO_THROW(l1.validate());

  StopRule residual;
  residual.residual_tolerance = kNaN;
  EXPECT_EQ(error_of([&] { residual.validate(); }).key(), "residual_tolerance");
  residual.residual_tolerance = kInf;
  EXPECT_EQ(error_of([&] { residual.validate("stages[3]."); }).key(),
            "stages[3].residual_tolerance");
}

TEST(StageOptions, StageOptionsRejectBadValuesWithTheirKey) {
  EXPECT_NO_THROW(StageOptions{}.validate());
  auto key_of = [](StageOptions o) { return error_of([&] { o.validate(); }).key(); };
  StageOptions o;
  o.log_every = 0;
  EXPECT_EQ(key_of(o), "log_every");
  o = {};
  o.stop.max_iterations = -5;
  EXPECT_EQ(key_of(o), "max_iterations");
  o = {};
  o.consistency_tolerance = kNaN;
  EXPECT_EQ(key_of(o), "consistency_tolerance");
  o = {};
  o.report_tolerance = -1;
  EXPECT_EQ(key_of(o), "report_tolerance");
  EXPECT_EQ(error_of([&] { o.validate(); }).reason(), "expected a number >= 0, got -1");
  o.report_tolerance = kInf;
  EXPECT_EQ(error_of([&] { o.validate(); }).reason(), "expected a finite number >= 0, got inf");
}

TEST(StageOptions, TheEngineChecksTheSameRulesUnderTheStageName) {
  auto backend = make_reference_backend();
  CsrMatrix m = csr_from_triplets(2, 2, std::vector<int64_t>{0, 1}, std::vector<int64_t>{0, 1},
                                  std::vector<double>{1.0, 2.0});
  Stage stage;
  stage.name = "fit";
  stage.margins.push_back(
      row_margin("rows", Grouping::from_labels(std::vector<std::string>{"a", "b"}), 2, {1, 1}));
  stage.report_tolerance = -1;
  EXPECT_EQ(error_of([&] { run_stage(*backend, m, stage); }).key(), "stage 'fit'.report_tolerance");
  stage.report_tolerance = 1e-9;
  stage.log_every = 0;
  EXPECT_EQ(error_of([&] { run_stage(*backend, m, stage); }).key(), "stage 'fit'.log_every");
}

// --- plans ---------------------------------------------------------------------------------

namespace pl = pipeline;

pl::Plan valid_plan() {
  pl::Plan p;
  p.geography = "geography.csv";
  p.census.golden_dir = "census";
  p.years = {pl::YearSpec{2015, "E.mtx"}};
  p.stages = {pl::StageSpec::defaults(pl::StageKind::diagonal_clip),
              pl::StageSpec::defaults(pl::StageKind::county_ipf)};
  p.output.dir = "out";
  return p;
}

TEST(StageOptions, PlanValidatePrefixesTheStage) {
  pl::Plan p = valid_plan();
  EXPECT_NO_THROW(p.validate());
  p.stages[1].report_tolerance = kNaN;
  EXPECT_EQ(error_of([&] { p.validate(); }).key(), "stages[1].report_tolerance");
  p = valid_plan();
  p.stages[1].stop.max_iterations = 0;
  ConfigError e = error_of([&] { p.validate(); });
  EXPECT_EQ(e.key(), "stages[1].max_iterations");
  EXPECT_EQ(e.reason(), "expected a positive integer (at most 1000000000), got 0");
}

const char* kPlan = R"(geography = "geography.csv"

[census]
golden_dir = "census"

[[years]]
year = 2015
matrix = "E.mtx"

[[stages]]
kind = "diagonal_clip"

[[stages]]
kind = "county_ipf"
max_iterations = 20
report_tolerance = 0.5
consistency_tolerance = 0.01

[output]
dir = "out"
)";

pl::Plan parse(const std::string& text) {
  return pl::plan_from_toml(text, "plan.toml", "/tmp", pl::PlanReadOptions{false});
}

pl::PlanError plan_error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const pl::PlanError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a PlanError for:\n" << text;
  return pl::PlanError("", 0, "", "");
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  return text.replace(text.find(from), from.size(), to);
}

TEST(StageOptions, EveryOptionIsAPlanKeyThatRoundTrips) {
  const pl::Plan p = parse(kPlan);
  ASSERT_EQ(p.stages.size(), 2u);
  EXPECT_EQ(p.stages[1].stop.max_iterations, 20);
  EXPECT_EQ(p.stages[1].report_tolerance, 0.5);
  EXPECT_EQ(p.stages[1].consistency_tolerance, 0.01);
  EXPECT_EQ(p.stages[0].report_tolerance, 1e-9);  // unset: the default

  const std::string toml = pl::plan_to_toml(p);
  EXPECT_NE(toml.find("report_tolerance = 0.5\n"), std::string::npos) << toml;
  EXPECT_NE(toml.find("consistency_tolerance = 0.01\n"), std::string::npos) << toml;
  const pl::Plan q = parse(toml);
  EXPECT_EQ(q.stages[1].report_tolerance, 0.5);
  EXPECT_EQ(q.stages[1].consistency_tolerance, 0.01);
  EXPECT_EQ(q.canonical_text(), p.canonical_text());
}

TEST(StageOptions, DefaultOptionsKeepTheCanonicalTextAndTheWrittenPlan) {
  const pl::Plan plain = valid_plan();
  const std::string canonical = plain.canonical_text();
  // The stage lines of plans written before these options existed (resume keys stay valid).
  EXPECT_NE(canonical.find("stage=diagonal_clip method=quotient max_iterations=1\n"
                           "stage=county_ipf method=quotient max_iterations=3000\n"),
            std::string::npos)
      << canonical;
  const std::string toml = pl::plan_to_toml(plain);
  EXPECT_EQ(toml.find("report_tolerance"), std::string::npos) << toml;
  EXPECT_EQ(toml.find("consistency_tolerance"), std::string::npos) << toml;
  EXPECT_NE(toml.find("log_every = 50"), std::string::npos) << toml;

  pl::Plan report = plain;
  report.stages[1].report_tolerance = 1e-6;
  EXPECT_NE(report.canonical_text(), canonical);
  EXPECT_NE(report.canonical_text().find(" report_tolerance=9.9999999999999995e-07"),
            std::string::npos)
      << report.canonical_text();
  pl::Plan consistency = plain;
  consistency.stages[1].consistency_tolerance = 1e-3;
  EXPECT_NE(consistency.canonical_text(), canonical);
  EXPECT_NE(consistency.canonical_text(), report.canonical_text());
  pl::Plan logging = plain;  // history only: not part of the results
  logging.stages[1].log_every = 7;
  EXPECT_EQ(logging.canonical_text(), canonical);
}

TEST(StageOptions, PlanFilesCheckTheSameRules) {
  pl::PlanError e =
      plan_error_of(replaced(kPlan, "report_tolerance = 0.5", "report_tolerance = -1"));
  EXPECT_EQ(e.key(), "stages[1].report_tolerance");
  EXPECT_EQ(e.line(), 16);
  EXPECT_NE(std::string(e.what()).find("expected a number >= 0, got -1"), std::string::npos)
      << e.what();
  e = plan_error_of(replaced(kPlan, "consistency_tolerance = 0.01", "consistency_tolerance = nan"));
  EXPECT_EQ(e.key(), "stages[1].consistency_tolerance");
  e = plan_error_of(replaced(kPlan, "max_iterations = 20", "log_every = 0"));
  EXPECT_EQ(e.key(), "stages[1].log_every");
  e = plan_error_of(replaced(kPlan, "max_iterations = 20", "max_iterations = 5000000000"));
  EXPECT_STREQ(e.what(),
               "plan.toml:15: stages[1].max_iterations: expected a positive integer (at most "
               "1000000000), got 5000000000");
  e = plan_error_of(replaced(kPlan, "report_tolerance", "report_tolerence"));
  EXPECT_NE(std::string(e.what()).find("did you mean 'report_tolerance'?"), std::string::npos)
      << e.what();
}

// 3 x 3; rows to 10 each (total 30), columns to 10, 10, 11 (total 31): both margins cover every
// entry, so their targets disagree by 1/31.
pl::YearProblem disagreeing_problem() {
  pl::YearProblem p;
  p.year = 2015;
  p.matrix = csr_from_triplets(3, 3, std::vector<int64_t>{0, 0, 1, 2, 2},
                               std::vector<int64_t>{0, 2, 0, 1, 2},
                               std::vector<double>{4.0, 2.0, 3.0, 5.0, 0.25});
  targets::StageMargins margins;
  const auto three = [](std::vector<std::string> labels) { return Grouping::from_labels(labels); };
  margins.margins.push_back(row_margin("rows", three({"a", "b", "c"}), 3, {10.0, 10.0, 10.0}));
  margins.margins.push_back(col_margin("cols", 3, three({"x", "y", "z"}), {10.0, 10.0, 11.0}));
  p.margins.emplace_back(pl::StageKind::county_ipf, std::move(margins));
  return p;
}

Verdict verdict_of(const pl::StageSpec& spec) {
  auto backend = make_reference_backend();
  const pl::YearProblem problem = disagreeing_problem();
  auto resident = backend->upload(problem.matrix);
  const auto runs = pl::run_stages(*backend, resident, problem, {spec});
  return runs.at(0).result.value().verdict;
}

TEST(StageOptions, RunStagesPassesEveryOptionToTheStage) {
  // The plan's options reach the engine: the tolerances change the verdict.
  pl::StageSpec spec = parse(kPlan).stages[1];
  spec.stop = StopRule::exactly(1);
  spec.consistency_tolerance = 1e-9;
  spec.report_tolerance = 1e-9;
  EXPECT_EQ(verdict_of(spec), Verdict::inconsistent_targets);
  spec.consistency_tolerance = 0.05;
  EXPECT_EQ(verdict_of(spec), Verdict::iteration_cap);
  spec.report_tolerance = 10;
  EXPECT_EQ(verdict_of(spec), Verdict::converged);
}

}  // namespace
}  // namespace flowfit
