// Plan files: parsing, validation messages (file, line, key path), write-back.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/pipeline/plan_toml.hpp"

namespace flowfit::pipeline {
namespace {

namespace fs = std::filesystem;

const fs::path kCase01 = fs::path(FLOWFIT_TEST_DATA_DIR) / "golden" / "case01";

const char* kGoodPlan = R"(name = "case01"
geography = "geography.csv"
backend = "reference"
threads = 2

[census]
golden_dir = "."

[[years]]
year = 2015
matrix = "E_raw.mtx"

[[stages]]
kind = "diagonal_clip"

[[stages]]
kind = "county_ipf"
max_iterations = 500
l1_tolerance = 1e-10
method = "naive"
log_every = 10

[output]
dir = "out"
format = "mtx"
stage_outputs = true
)";

Plan parse(const std::string& text, bool check_files = true) {
  return plan_from_toml(text, "plan.toml", kCase01, PlanReadOptions{check_files});
}

// The PlanError of `text`, or a failure when it parses.
PlanError error_of(const std::string& text, bool check_files = true) {
  try {
    parse(text, check_files);
  } catch (const PlanError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a PlanError for:\n" << text;
  return PlanError("", 0, "", "");
}

TEST(PlanToml, ReadsEveryFieldAndResolvesPathsAgainstThePlanDirectory) {
  Plan p = parse(kGoodPlan);
  EXPECT_EQ(p.name, "case01");
  EXPECT_EQ(p.geography, (kCase01 / "geography.csv").lexically_normal());
  EXPECT_EQ(p.backend, BackendChoice::reference);
  EXPECT_EQ(p.threads, 2);
  EXPECT_EQ(p.census.golden_dir, kCase01.lexically_normal());
  ASSERT_EQ(p.years.size(), 1u);
  EXPECT_EQ(p.years[0].year, 2015);
  EXPECT_EQ(p.years[0].matrix, (kCase01 / "E_raw.mtx").lexically_normal());
  ASSERT_EQ(p.stages.size(), 2u);
  EXPECT_EQ(p.stages[0].kind, StageKind::diagonal_clip);
  EXPECT_EQ(p.stages[0].stop.max_iterations, 1);
  EXPECT_EQ(p.stages[1].kind, StageKind::county_ipf);
  EXPECT_EQ(p.stages[1].stop.max_iterations, 500);
  EXPECT_EQ(p.stages[1].stop.l1_tolerance, 1e-10);
  EXPECT_FALSE(p.stages[1].stop.residual_tolerance.has_value());
  EXPECT_EQ(p.stages[1].method, FitMethod::naive);
  EXPECT_EQ(p.stages[1].log_every, 10);
  EXPECT_EQ(p.output.dir, (kCase01 / "out").lexically_normal());
  EXPECT_EQ(p.output.format, "mtx");
  EXPECT_TRUE(p.output.stage_outputs);
}

TEST(PlanToml, StagesAsNamesYearsFromATemplateAndDefaults) {
  Plan p = parse(R"(geography = "geography.csv"
matrix_template = "E_{year}.mtx"
years = [2015]
stages = ["diagonal_clip", "county_ipf"]
census = { golden_dir = "." }
output = { dir = "out" }
)",
                 false);
  ASSERT_EQ(p.years.size(), 1u);
  EXPECT_EQ(p.years[0].matrix, (kCase01 / "E_2015.mtx").lexically_normal());
  ASSERT_EQ(p.stages.size(), 2u);
  EXPECT_EQ(p.stages[1].stop.max_iterations, 3000);  // the reference county IPF
  EXPECT_EQ(p.output.format, "npz");
  EXPECT_EQ(p.backend, BackendChoice::automatic);
}

TEST(PlanToml, OmittedStagesMeanTheReleasedPipeline) {
  Plan p = parse(R"(geography = "geography.csv"
years = [{ year = 2015, matrix = "E_raw.mtx" }]
census = { golden_dir = "." }
output = { dir = "out" }
)");
  ASSERT_EQ(p.stages.size(), released_stages().size());
  EXPECT_EQ(p.stages.front().kind, StageKind::diagonal_clip);
  EXPECT_EQ(p.stages.back().kind, StageKind::county_ipf);
}

TEST(PlanToml, WriteBackReadsToTheSamePlan) {
  Plan p = parse(kGoodPlan);
  const std::string text = plan_to_toml(p, kCase01);
  EXPECT_NE(text.find("geography = \"geography.csv\""), std::string::npos) << text;
  Plan q = parse(text);
  EXPECT_EQ(q.canonical_text(), p.canonical_text());
  EXPECT_EQ(q.backend, p.backend);
  EXPECT_EQ(q.threads, p.threads);
  EXPECT_EQ(q.output.dir, p.output.dir);
}

TEST(PlanToml, NegativeIterationsNameFileLineAndKeyPath) {
  std::string text = kGoodPlan;
  text.replace(text.find("max_iterations = 500"), 20, "max_iterations = -3");
  PlanError e = error_of(text);
  EXPECT_EQ(e.file(), "plan.toml");
  EXPECT_EQ(e.line(), 18);
  EXPECT_EQ(e.key(), "stages[1].max_iterations");
  EXPECT_STREQ(e.what(),
               "plan.toml:18: stages[1].max_iterations: expected a positive integer (at most "
               "1000000000), got -3");
}

TEST(PlanToml, UnknownKeysAreRejectedWithASuggestion) {
  std::string text = kGoodPlan;
  text.replace(text.find("log_every"), 9, "log_evry");
  PlanError e = error_of(text);
  EXPECT_EQ(e.line(), 21);
  EXPECT_EQ(e.key(), "stages[1].log_evry");
  EXPECT_NE(std::string(e.what()).find("did you mean 'log_every'?"), std::string::npos) << e.what();

  PlanError top = error_of(std::string("geografy = \"x.csv\"\n") + kGoodPlan);
  EXPECT_EQ(top.line(), 1);
  EXPECT_NE(std::string(top.what()).find("did you mean 'geography'?"), std::string::npos);

  PlanError far = error_of(std::string("zzzzzz = 1\n") + kGoodPlan);
  EXPECT_NE(std::string(far.what()).find("expected one of name, geography"), std::string::npos)
      << far.what();
}

TEST(PlanToml, WrongTypesAndBadChoices) {
  std::string text = kGoodPlan;
  text.replace(text.find("threads = 2"), 11, "threads = \"two\"");
  PlanError e = error_of(text);
  EXPECT_EQ(e.line(), 4);
  EXPECT_NE(std::string(e.what()).find("threads: expected an integer, got the string \"two\""),
            std::string::npos)
      << e.what();

  text = kGoodPlan;
  text.replace(text.find("\"county_ipf\""), 12, "\"county_pif\"");
  e = error_of(text);
  EXPECT_EQ(e.key(), "stages[1].kind");
  EXPECT_NE(std::string(e.what()).find("did you mean 'county_ipf'?"), std::string::npos)
      << e.what();

  text = kGoodPlan;
  text.replace(text.find("format = \"mtx\""), 14, "format = \"npy\"");
  e = error_of(text);
  EXPECT_EQ(e.key(), "output.format");
  EXPECT_EQ(e.line(), 25);
}

TEST(PlanToml, MissingFilesAndSyntaxErrors) {
  std::string text = kGoodPlan;
  text.replace(text.find("E_raw.mtx"), 9, "E_missing.mtx");
  PlanError e = error_of(text);
  EXPECT_EQ(e.key(), "years[0].matrix");
  EXPECT_EQ(e.line(), 11);
  EXPECT_NE(std::string(e.what()).find("file not found"), std::string::npos);

  PlanError syntax = error_of("name = \"x\"\nthreads = = 3\n");
  EXPECT_EQ(syntax.line(), 2);
  EXPECT_NE(std::string(syntax.what()).find("invalid TOML"), std::string::npos);
}

TEST(PlanToml, CrossFieldRulesGetTheLineOfTheirKey) {
  // The county stage needs census tables; the year is out of range; a stage repeats.
  PlanError e = error_of(R"(geography = "geography.csv"
years = [{ year = 2015, matrix = "E_raw.mtx" }]
stages = ["county_ipf"]
output = { dir = "out" }
)");
  EXPECT_EQ(e.key(), "census");
  EXPECT_NE(std::string(e.what()).find("census_dir or census.golden_dir"), std::string::npos)
      << e.what();

  PlanError y = error_of(R"(geography = "geography.csv"
census = { golden_dir = "." }

[[years]]
year = 2031
matrix = "E_raw.mtx"
)");
  EXPECT_EQ(y.key(), "years[0].year");
  EXPECT_EQ(y.line(), 5);

  PlanError twice = error_of(R"(geography = "geography.csv"
stages = ["county_ipf", "county_ipf"]
)");
  EXPECT_EQ(twice.key(), "stages[1]");
  EXPECT_NE(std::string(twice.what()).find("listed twice"), std::string::npos);
}

TEST(PlanToml, ReadingAMissingPlanFileIsAPlanError) {
  EXPECT_THROW(read_plan_toml(kCase01 / "no_such_plan.toml"), PlanError);
}

TEST(PlanToml, ClosestMatch) {
  const std::vector<std::string> keys{"max_iterations", "l1_tolerance", "method"};
  EXPECT_EQ(closest_match("max_iteration", keys), "max_iterations");
  EXPECT_EQ(closest_match("max_iter", keys), "max_iterations");
  EXPECT_EQ(closest_match("methdo", keys), "method");
  EXPECT_EQ(closest_match("L1_Tolerance", keys), "l1_tolerance");
  EXPECT_EQ(closest_match("colour", keys), "");
}

TEST(PlanToml, NnlsSnapNoiseIsOptInAndPartOfThePlanIdentity) {
  const Plan reference = parse(kGoodPlan);
  EXPECT_FALSE(reference.nnls.snap_noise);  // the reference's Lawson–Hanson by default
  std::string text = kGoodPlan;
  text.replace(text.find("[census]"), 8, "[nnls]\nsnap_noise = true\n\n[census]");
  const Plan snap = parse(text);
  EXPECT_TRUE(snap.nnls.snap_noise);
  EXPECT_NE(snap.canonical_text(), reference.canonical_text());  // resume keys differ
  EXPECT_TRUE(parse(plan_to_toml(snap), false).nnls.snap_noise);
  text.replace(text.find("snap_noise"), 10, "snap_nois");
  EXPECT_NE(std::string(error_of(text).what()).find("nnls.snap_nois"), std::string::npos);
}

TEST(PlanToml, StageOutputsFormatAndIntermediateTables) {
  const Plan plain = parse(kGoodPlan);
  EXPECT_EQ(plain.output.stage_outputs_format, "");  // unset: the stage outputs use `format`
  EXPECT_FALSE(plain.output.intermediate_tables);
  std::string text = kGoodPlan;
  text.replace(text.find("stage_outputs = true"), 20,
               "stage_outputs = true\nstage_outputs_format = \"ffm\"\nintermediate_tables = true");
  const Plan p = parse(text);
  EXPECT_EQ(p.output.stage_outputs_format, "ffm");
  EXPECT_TRUE(p.output.intermediate_tables);
  EXPECT_NE(p.canonical_text(), plain.canonical_text());
  // Written back and read again.
  const Plan back = parse(plan_to_toml(p), false);
  EXPECT_EQ(back.output.stage_outputs_format, "ffm");
  EXPECT_TRUE(back.output.intermediate_tables);
  EXPECT_EQ(parse(plan_to_toml(plain), false).output.stage_outputs_format, "");

  // A bad format names the key, its line and the choices; a typo gets a suggestion.
  std::string bad = text;
  bad.replace(bad.find("\"ffm\""), 5, "\"zip\"");
  PlanError e = error_of(bad);
  EXPECT_EQ(e.key(), "output.stage_outputs_format");
  EXPECT_EQ(e.line(), 27);
  EXPECT_NE(std::string(e.what()).find("npz"), std::string::npos) << e.what();
  std::string typo = text;
  typo.replace(typo.find("stage_outputs_format"), 20, "stage_output_format");
  EXPECT_NE(std::string(error_of(typo).what()).find("did you mean 'stage_outputs_format'?"),
            std::string::npos)
      << error_of(typo).what();
  std::string typo2 = text;
  typo2.replace(typo2.find("intermediate_tables"), 19, "intermediate_table");
  EXPECT_NE(std::string(error_of(typo2).what()).find("did you mean 'intermediate_tables'?"),
            std::string::npos);

  // In code, Plan::validate checks the format too.
  Plan coded = plain;
  coded.output.stage_outputs_format = "parquet";
  try {
    coded.validate();
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& c) {
    EXPECT_EQ(c.key(), "output.stage_outputs_format");
  }
}

}  // namespace
}  // namespace flowfit::pipeline
