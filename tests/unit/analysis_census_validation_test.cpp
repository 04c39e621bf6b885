// Validation against census tables: block sums, fitted / held-out marking and the warnings, on a
// hand-made four-CBG geography (states 01 and 02; counties 01001, 01003, 02001), and
// `flowfit validate --plan` end to end on the 12-CBG example of tests/data/cli.
#include <gtest/gtest.h>

#include "support/analysis_fixtures.hpp"

#include <cmath>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "flowfit/analysis/census_validation.hpp"
#include "flowfit/error.hpp"
#include "unit/cli_test_support.hpp"

namespace flowfit::analysis {
namespace {

namespace fs = std::filesystem;

Geography geo4() {
  return testing::four_cbgs();
}
CsrMatrix dense(const std::vector<std::vector<double>>& rows) {
  return testing::dense_matrix(rows);
}

// Observed E and harmonized H, both with total 113; T of the synthetic-truth tests.
CsrMatrix raw() {
  return testing::four_raw();
}
CsrMatrix harmonized() {
  return testing::four_harmonized();
}
CsrMatrix truth() {
  return testing::four_truth();
}

// County row sums: E 33, 32, 48; H and T 37, 32, 44.
CensusTable county_rows(std::vector<double> targets, TableRole role) {
  const Geography geo = geo4();
  CensusTable t;
  t.name = "county_populations";
  t.role = role;
  if (role == TableRole::fitted) t.stage = "county_ipf";
  t.last_stage = role == TableRole::fitted;
  TableQuantity q;
  q.name = "county rows";
  q.margin = row_margin("county rows", Grouping::by_level(geo, Level::county), geo.size(),
                        std::move(targets));
  t.quantities.push_back(std::move(q));
  return t;
}

// State blocks: E 01->01 62, 01->02 3, 02->01 8, 02->02 40; H 69, 0, 4, 40.
CensusTable state_flows_held_out() {
  const Geography geo = geo4();
  CensusTable t;
  t.name = "state_flows";
  t.role = TableRole::held_out;
  TableQuantity q;
  q.name = "flows";
  const Grouping s = Grouping::by_level(geo, Level::state);
  q.margin = block_margin("state flows", s, s, {60, 5, 5, 40});
  q.split_diagonal_blocks = true;
  t.quantities.push_back(std::move(q));
  return t;
}

TEST(CensusValidation, BlockSumsByEntryClass) {
  const Geography geo = geo4();
  const Grouping s = Grouping::by_level(geo, Level::state);
  EXPECT_EQ(block_sums(raw(), block_margin("b", s, s, {0, 0, 0, 0})),
            (std::vector<double>{62, 3, 8, 40}));
  EXPECT_EQ(block_sums(raw(), col_margin("d", geo.size(), s, {0, 0}, EntryClass::diagonal)),
            (std::vector<double>{56, 40}));
  EXPECT_EQ(block_sums(raw(), col_margin("o", geo.size(), s, {0, 0}, EntryClass::off_diagonal)),
            (std::vector<double>{14, 3}));
  EXPECT_THROW(block_sums(dense({{1}}), block_margin("b", s, s, {0, 0, 0, 0})), ConfigError);
}

TEST(CensusValidation, FittedTableOnlyIsAFitCheckNotAValidation) {
  const auto rep = validate_against_tables(raw(), harmonized(), nullptr,
                                           {county_rows({37, 32, 44}, TableRole::fitted)});
  ASSERT_EQ(rep.rows.size(), 1u);
  const auto& r = rep.rows[0];
  EXPECT_EQ(r.role, TableRole::fitted);
  EXPECT_DOUBLE_EQ(r.raw_scale, 1.0);                 // table total 113 = E's total
  EXPECT_DOUBLE_EQ(r.raw.rmse, std::sqrt(32.0 / 3));  // E off by -4, 0, +4
  EXPECT_DOUBLE_EQ(r.harmonized.rmse, 0.0);
  EXPECT_DOUBLE_EQ(r.rmse_reduction, 100.0);
  EXPECT_NE(r.note.find("by construction"), std::string::npos) << r.note;
  EXPECT_FALSE(rep.has_held_out());
  ASSERT_EQ(rep.warnings.size(), 1u);  // met exactly, so only the "no held-out table" warning
  EXPECT_NE(rep.warnings[0].find("does not validate"), std::string::npos);
  const auto j = nlohmann::json::parse(to_json(rep));
  EXPECT_EQ(j["rows"][0]["role"], "fitted");
  EXPECT_FALSE(j["has_held_out"].get<bool>());
  EXPECT_NE(to_markdown(rep).find("| fitted (county_ipf) |"), std::string::npos);
}

TEST(CensusValidation, HeldOutBlocksSplitAndRescaled) {
  const auto rep = validate_against_tables(
      raw(), harmonized(), nullptr,
      {county_rows({37, 32, 44}, TableRole::fitted), state_flows_held_out()});
  ASSERT_EQ(rep.rows.size(), 3u);
  EXPECT_TRUE(rep.has_held_out());
  EXPECT_TRUE(rep.warnings.empty());
  const auto& within = rep.rows[1];
  EXPECT_EQ(within.role, TableRole::held_out);
  EXPECT_NE(within.quantity.find("diagonal blocks"), std::string::npos);
  // Table 60, 40 (total 100); E 62, 40 rescaled by 100/102: off by +-80/102.
  EXPECT_DOUBLE_EQ(within.raw_scale, 100.0 / 102);
  EXPECT_NEAR(within.raw.rmse, 80.0 / 102, 1e-12);
  EXPECT_DOUBLE_EQ(within.harmonized.rmse, std::sqrt(81.0 / 2));  // H 69, 40
  EXPECT_NEAR(within.rmse_reduction, 100 * (1 - std::sqrt(81.0 / 2) / (80.0 / 102)), 1e-9);
  const auto& between = rep.rows[2];
  // Table 5, 5; E 3, 8 rescaled by 10/11: off by -+25/11; H 0, 4.
  EXPECT_NEAR(between.raw.rmse, 25.0 / 11, 1e-12);
  EXPECT_DOUBLE_EQ(between.harmonized.rmse, std::sqrt(13.0));
  EXPECT_TRUE(std::isnan(between.raw.pearson));  // the table is constant
  EXPECT_NE(between.note.find("held out"), std::string::npos);

  CensusValidationOptions o;
  o.rescale_raw = false;
  const auto plain =
      validate_against_tables(raw(), harmonized(), nullptr, {state_flows_held_out()}, o);
  EXPECT_DOUBLE_EQ(plain.rows[0].raw_scale, 1.0);
  EXPECT_DOUBLE_EQ(plain.rows[0].raw.rmse, std::sqrt(4.0 / 2));  // E 62, 40 against 60, 40
}

TEST(CensusValidation, AHeldOutCopyOfAFittedTableIsReportedAsFitted) {
  // The same county row table, supplied once as fitted and once as "held out".
  const auto rep = validate_against_tables(
      raw(), harmonized(), nullptr,
      {county_rows({37, 32, 44}, TableRole::fitted), county_rows({37, 32, 44}, TableRole::held_out),
       county_rows({37, 30, 46}, TableRole::held_out)});
  ASSERT_EQ(rep.rows.size(), 3u);
  EXPECT_EQ(rep.rows[1].role, TableRole::fitted);
  EXPECT_EQ(rep.rows[1].stage, "county_ipf");
  EXPECT_EQ(rep.rows[2].role, TableRole::held_out);  // different values: a real held-out table
  bool copy = false;
  for (const auto& w : rep.warnings) copy |= w.find("not held out") != std::string::npos;
  EXPECT_TRUE(copy);
}

TEST(CensusValidation, UnmetLastStageAndTruthDisagreement) {
  // H (37, 32, 44) does not meet the table (30, 32, 51) its last stage supposedly fitted; the
  // truth (37, 32, 44) differs from it too.
  const CsrMatrix t = truth();
  const auto rep = validate_against_tables(raw(), harmonized(), &t,
                                           {county_rows({30, 32, 51}, TableRole::fitted)});
  ASSERT_EQ(rep.rows.size(), 1u);
  const auto& r = rep.rows[0];
  ASSERT_TRUE(r.truth.has_value());
  EXPECT_DOUBLE_EQ(r.truth->rmse, std::sqrt(98.0 / 3));
  ASSERT_TRUE(r.truth_relative_rmse.has_value());
  EXPECT_DOUBLE_EQ(*r.truth_relative_rmse, std::sqrt(98.0 / 3) / (113.0 / 3));
  EXPECT_NE(r.note.find("the truth differs from this table"), std::string::npos) << r.note;
  bool unmet = false;
  for (const auto& w : rep.warnings) unmet |= w.find("does not meet") != std::string::npos;
  EXPECT_TRUE(unmet);

  // A zero target is left unchanged by the ratio rule: not counted as unmet.
  const auto zero = validate_against_tables(raw(), harmonized(), nullptr,
                                            {county_rows({37, 0, 44}, TableRole::fitted)});
  for (const auto& w : zero.warnings) EXPECT_EQ(w.find("does not meet"), std::string::npos) << w;
  EXPECT_THROW(validate_against_tables(raw(), harmonized(), nullptr, {}), ConfigError);
}

class HeldOutFile : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_.path() / name;
    std::ofstream(p) << text;
    return p.string();
  }
  flowfit::testing::TempDir dir_;
};

TEST_F(HeldOutFile, FlowsAndAreaTables) {
  std::vector<std::string> warnings;
  const std::string flows = write("irs.csv",
                                  "orig,dest,people\n01001,01003,2\n01003,01001,3\n"
                                  "02001,01001,9\n99001,01001,5\n");
  const CensusTable t = read_held_out_table(flows, geo4(), "orig,dest,people", false, warnings);
  EXPECT_EQ(t.role, TableRole::held_out);
  ASSERT_EQ(t.quantities.size(), 1u);
  const TableQuantity& q = t.quantities[0];
  EXPECT_EQ(std::count(q.compared.begin(), q.compared.end(), 1), 3);
  ASSERT_EQ(warnings.size(), 1u);  // 99001 is not in the geography
  EXPECT_NE(warnings[0].find("99001"), std::string::npos);
  const auto rep = validate_against_tables(raw(), harmonized(), nullptr, {t});
  ASSERT_EQ(rep.rows.size(), 1u);  // no diagonal block is compared: only "between areas"
  EXPECT_EQ(rep.rows[0].raw.n, 3);
  // E's county blocks 01001->01003 1, 01003->01001 2, 02001->01001 8 against 2, 3, 9 (total 14,
  // E 11): scale 14/11.
  EXPECT_DOUBLE_EQ(rep.rows[0].raw_scale, 14.0 / 11);

  warnings.clear();
  const std::string areas = write("pop.csv", "geoid,value\n01,113\n");
  const CensusTable a = read_held_out_table(areas, geo4(), "", true, warnings);
  const auto ra = validate_against_tables(raw(), harmonized(), nullptr, {a});
  EXPECT_EQ(ra.rows[0].raw.n, 1);
  EXPECT_NE(ra.rows[0].quantity.find("column sums"), std::string::npos);

  EXPECT_THROW(read_held_out_table(write("mixed.csv", "geoid,value\n01,1\n01001,2\n"), geo4(), "",
                                   false, warnings),
               InputError);
  EXPECT_THROW(
      read_held_out_table(write("none.csv", "geoid,value\n55,1\n"), geo4(), "", false, warnings),
      InputError);
  EXPECT_THROW(read_held_out_table(write("dup.csv", "geoid,value\n01,1\n01,2\n"), geo4(), "", false,
                                   warnings),
               InputError);
  EXPECT_THROW(read_held_out_table(areas, geo4(), "a,b,c,d", false, warnings), ConfigError);
}

TEST_F(HeldOutFile, TwentyNineteenCountyCodesJoinTheirTwentyTenCounty) {
  // Wade Hampton (02270 in 2010) is Kusilvak (02158) in 2019 tables.
  const Geography geo({"022700001001", "020130001001"});
  const std::string path = write("irs.csv", "geoid,value\n02158,7\n02013,5\n");
  CountyCodeChanges changes;
  changes.to_2019 = {{"02270", "02158"}};
  std::vector<std::string> warnings;
  const CensusTable plain = read_held_out_table(path, geo, "", false, warnings);
  EXPECT_EQ(std::count(plain.quantities[0].compared.begin(), plain.quantities[0].compared.end(), 1),
            1);
  warnings.clear();
  const CensusTable t = read_held_out_table(path, geo, "", false, warnings, &changes);
  const TableQuantity& q = t.quantities[0];
  EXPECT_EQ(std::count(q.compared.begin(), q.compared.end(), 1), 2);
  const auto k = q.margin.rows.find("02270");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(q.margin.targets[static_cast<size_t>(*k)], 7);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("2019 county code"), std::string::npos);
}

// ---- flowfit validate --plan on the example plan (golden case01 tables) ------------------------

const fs::path kCli = fs::path(FLOWFIT_TEST_DATA_DIR) / "cli";

class ValidateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(flowfit::testing::flowfit_binary()));
    fs::copy(kCli, dir_.path(), fs::copy_options::recursive);
  }
  flowfit::testing::ProcessResult flowfit(const std::vector<std::string>& args) {
    return flowfit::testing::run_flowfit(args, dir_.path());
  }
  nlohmann::json validate_json(std::vector<std::string> args) {
    args.insert(args.begin(), "validate");
    args.push_back("--json");
    const auto r = flowfit(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }
  static const nlohmann::json* row(const nlohmann::json& j, const std::string& table,
                                   const std::string& starts) {
    for (const auto& r : j["census_tables"]["rows"])
      if (r["table"] == table && r["quantity"].get<std::string>().rfind(starts, 0) == 0) return &r;
    return nullptr;
  }
  flowfit::testing::TempDir dir_;
};

TEST_F(ValidateCli, FittedAndHeldOutTablesOfAPlan) {
  ASSERT_EQ(flowfit({"run", "plan.toml", "-q"}).exit_code, 0);
  const auto all = validate_json({"--plan", "plan.toml"});
  EXPECT_FALSE(all["census_tables"]["has_held_out"].get<bool>());
  for (const auto& r : all["census_tables"]["rows"]) EXPECT_EQ(r["role"], "fitted") << r;
  const auto* county = row(all, "county_populations", "county row sums");
  ASSERT_TRUE(county);
  EXPECT_LT((*county)["harmonized"]["rmse"].get<double>(), 1e-9);

  // The same run without its county stage: the county table is held out.
  std::string plan;
  {
    std::ifstream in(dir_.path() / "plan.toml");
    std::stringstream s;
    s << in.rdbuf();
    plan = s.str();
  }
  const auto cut = plan.find("[[stages]]\nkind = \"county_ipf\"");
  ASSERT_NE(cut, std::string::npos);
  plan = plan.substr(0, cut) + plan.substr(plan.find("[output]"));
  plan.replace(plan.find("dir = \"out\""), 11, "dir = \"out3\"");
  std::ofstream(dir_.path() / "plan3.toml") << plan;
  ASSERT_EQ(flowfit({"run", "plan3.toml", "-q"}).exit_code, 0);
  const auto three = validate_json({"--plan", "plan3.toml", "--year", "2015"});
  EXPECT_TRUE(three["census_tables"]["has_held_out"].get<bool>());
  const auto* held = row(three, "county_populations", "county row sums");
  ASSERT_TRUE(held);
  EXPECT_EQ((*held)["role"], "held-out");
  for (const auto& w : three["warnings"])
    EXPECT_EQ(w.get<std::string>().find("does not meet"), std::string::npos) << w;

  // H that is not this plan's output: the last stage's table is not met.
  const auto wrong = validate_json({"--plan", "plan.toml", "--harmonized", "out3/flows_2015.mtx"});
  bool unmet = false;
  for (const auto& w : wrong["warnings"])
    unmet |= w.get<std::string>().find("does not meet") != std::string::npos;
  EXPECT_TRUE(unmet);

  // The golden state table as "held out": its off-diagonal ACS estimates are stage 3's targets
  // (so that row is reported as fitted); its diagonal (ACS only, without deaths and emigrants)
  // is not.
  const auto copy =
      validate_json({"--plan", "plan.toml", "--held-out", "census/state_flows.csv",
                     "--held-out-columns", "orig_state_fips,dest_state_fips,acs_raw"});
  const auto* between = row(copy, "state_flows", "flows between 2-digit areas (acs_raw) between");
  const auto* within = row(copy, "state_flows", "flows between 2-digit areas (acs_raw) within");
  ASSERT_TRUE(between && within) << copy.dump(1);
  EXPECT_EQ((*between)["role"], "fitted");
  EXPECT_EQ((*between)["stage"], "state_flows");
  EXPECT_EQ((*within)["role"], "held-out");

  // A package with the census table.
  const auto p = flowfit({"validate", "--plan", "plan3.toml", "--package", "val", "-q"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("| held-out |"), std::string::npos) << p.out;
  EXPECT_TRUE(fs::exists(dir_.path() / "val" / "census_tables.csv"));
  const auto d = nlohmann::json::parse(
      flowfit::testing::Process::slurp(dir_.path() / "val" / "datapackage.json"));
  EXPECT_EQ(d["resources"][0]["name"], "census_tables");
}

TEST_F(ValidateCli, RefusesComparisonsThatAreNotMeaningful) {
  ASSERT_EQ(flowfit({"run", "plan.toml", "-q"}).exit_code, 0);
  auto r = flowfit({"validate", "--raw", "flows_2015.mtx", "--harmonized", "out/flows_2015.mtx"});
  EXPECT_EQ(r.exit_code, 2);  // nothing to compare with
  r = flowfit({"validate", "--raw", "flows_2015.mtx", "--harmonized", "out/flows_2015.mtx",
               "--geography", "geography.csv", "--held-out", "state_flows.csv"});
  EXPECT_EQ(r.exit_code, 2);  // held out of what? needs the plan
  EXPECT_NE(r.err.find("needs --plan"), std::string::npos) << r.err;
  std::ofstream(dir_.path() / "other_geo.csv") << "cbg_geoid\n060010001001\n";
  r = flowfit({"validate", "--plan", "plan.toml", "--geography", "other_geo.csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("inconsistent geography"), std::string::npos) << r.err;
  std::ofstream(dir_.path() / "elsewhere.csv") << "geoid,value\n55,10\n";
  r = flowfit({"validate", "--plan", "plan.toml", "--held-out", "elsewhere.csv"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("no row of the table names an area of the geography"), std::string::npos)
      << r.err;
  r = flowfit({"validate", "--plan", "plan.toml", "--year", "2016"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace flowfit::analysis
