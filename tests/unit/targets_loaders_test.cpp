// Loaders of the real census tables (data/census) and of malformed tables.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/targets/targets.hpp"

namespace ft = flowfit::targets;
namespace fs = std::filesystem;

namespace {

fs::path census_dir() {
  return fs::path(FLOWFIT_SOURCE_DIR) / "data" / "census";
}
fs::path golden_case(const std::string& name) {
  return fs::path(FLOWFIT_TEST_DATA_DIR) / "golden" / name;
}

int count_kind(const std::vector<ft::TargetWarning>& ws, ft::WarningKind kind) {
  int n = 0;
  for (const auto& w : ws) n += w.kind == kind;
  return n;
}

// A scratch directory with copies of the real tables that a test may corrupt.
class ScratchTables {
 public:
  ScratchTables() {
    dir_ = fs::temp_directory_path() /
           ("flowfit_targets_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (const char* f : {"pep_state_2010_2019.csv", "pep_county_2010_2019.csv",
                          "acs1_state_totals_2011_2019.csv", "acs1_state_flows_2011_2019.csv"})
      fs::copy_file(census_dir() / f, dir_ / f);
  }
  ~ScratchTables() { fs::remove_all(dir_); }
  const fs::path& dir() const { return dir_; }
  fs::path path(const std::string& f) const { return dir_ / f; }

  // Replaces 1-based line `line` of file f by the result of `edit`.
  void edit_line(const std::string& f, int line,
                 const std::function<std::string(std::string)>& edit) {
    std::ifstream in(path(f));
    std::stringstream out;
    std::string s;
    for (int k = 1; std::getline(in, s); ++k) out << (k == line ? edit(s) : s) << '\n';
    in.close();
    std::ofstream(path(f), std::ios::trunc) << out.str();
  }

 private:
  fs::path dir_;
};

// Replace the `field`-th comma-separated field (0-based) of a CSV line.
std::string set_field(std::string line, int field, const std::string& value) {
  size_t begin = 0;
  for (int k = 0; k < field; ++k) begin = line.find(',', begin) + 1;
  size_t end = line.find(',', begin);
  if (end == std::string::npos) end = line.size();
  return line.replace(begin, end - begin, value);
}

}  // namespace

TEST(TargetsRealTables, LoadsYear2018) {
  const ft::StateCensusTables st = ft::load_state_census_tables_from_dir(census_dir(), 2018);
  ASSERT_EQ(st.states.size(), 51u);
  ASSERT_EQ(st.flows.size(), 51u * 50u);
  EXPECT_EQ(st.year, 2018);
  double pop = 0, same_house = 0, immigrants = 0, flows = 0;
  for (const auto& s : st.states) {
    pop += s.pop_t;
    same_house += s.same_house;
    immigrants += s.immigrants;
    EXPECT_EQ(s.fips.size(), 2u);
    if (s.fips == "01") {  // Alabama, PEP V2019 row
      EXPECT_EQ(s.pop_t, 4887681);
      EXPECT_EQ(s.births, 58271);
      EXPECT_EQ(s.deaths, 53665);
      EXPECT_EQ(s.intl_mig_net, 3379);
    }
  }
  for (const auto& f : st.flows) flows += f.estimate;
  EXPECT_EQ(pop, 326687501);         // US (50 states + DC) POPESTIMATE2018
  EXPECT_EQ(same_house, 278079469);  // ACS 2018 same house 1 year ago
  EXPECT_EQ(immigrants, 1959629);    // ACS 2018 abroad 1 year ago
  EXPECT_EQ(flows, 7571282);         // ACS 2018 interstate movers

  const ft::StateTargets t = ft::build_state_targets(st);
  ASSERT_EQ(t.size(), 51);
  for (int32_t p = 0; p < t.size(); ++p) {
    EXPECT_GT(t.movers[p], 0) << t.fips[p];
    EXPECT_GT(t.nonmovers[p], t.movers[p]) << t.fips[p];
    EXPECT_GT(t.flow(p, p), 0.8 * t.nonmovers[p]) << t.fips[p];
    for (int32_t q = 0; q < t.size(); ++q) EXPECT_FALSE(std::isnan(t.flow(p, q)));
  }
  // 212 published zero estimates in 2018: each is reported (block left unchanged).
  EXPECT_EQ(count_kind(t.warnings, ft::WarningKind::nonpositive_flow), 212);
  EXPECT_EQ(count_kind(t.warnings, ft::WarningKind::nonpositive_movers), 0);

  const ft::CountyCensusTable ct = ft::load_county_census_table_from_dir(census_dir(), 2018);
  ASSERT_EQ(ct.counties.size(), 3142u);
  double pop0 = 0, pop1 = 0;
  for (const auto& c : ct.counties) {
    pop0 += c.pop_t_minus_1;
    pop1 += c.pop_t;
  }
  EXPECT_EQ(pop1, pop);  // counties sum to the states
  EXPECT_EQ(pop0, 324985539);
  const ft::CountyTargets k = ft::build_county_targets(ct);
  ASSERT_EQ(k.size(), 3142);
  double rows = 0, cols = 0;
  for (int32_t i = 0; i < k.size(); ++i) {
    rows += k.row_targets[i];
    cols += k.col_targets[i];
    EXPECT_GT(k.col_targets[i], 0) << k.fips[i];
  }
  EXPECT_EQ(rows, 324985539);
  EXPECT_EQ(cols, rows);  // nationally consistent in 2018 (domestic migration nets to 0)
  EXPECT_EQ(count_kind(k.warnings, ft::WarningKind::county_totals_mismatch), 0);
  EXPECT_EQ(k.row_targets[*k.find("01001")], 55390);                  // Autauga pop_2017
  EXPECT_EQ(k.col_targets[*k.find("01001")], 55533 - 631 + 518 + 7);  // pop - b + d - intl
}

TEST(TargetsRealTables, MarginsForAGoldenGeography) {
  // case01's CBGs lie in states 06, 36 and real counties 06001, 06003, 36005, 36047.
  const auto geo_csv = flowfit::io::CsvTable::read(golden_case("case01") / "geography.csv");
  const flowfit::Geography geo(geo_csv.strings(geo_csv.column("cbg_geoid")));
  const ft::StateTargets st =
      ft::build_state_targets(ft::load_state_census_tables_from_dir(census_dir(), 2018));
  const ft::CountyTargets ct =
      ft::build_county_targets(ft::load_county_census_table_from_dir(census_dir(), 2018));

  const ft::StageMargins s2 = ft::state_nonmover_margins(st, geo);
  ASSERT_EQ(s2.margins.size(), 2u);
  EXPECT_EQ(s2.margins[0].targets[0], st.movers[*st.find("06")]);
  EXPECT_EQ(s2.margins[1].targets[1], st.nonmovers[*st.find("36")]);
  ASSERT_EQ(count_kind(s2.warnings, ft::WarningKind::ignored_census_rows), 1);
  EXPECT_EQ(s2.warnings.back().value, 49);

  const ft::StageMargins s3 = ft::state_flow_margins(st, geo);
  ASSERT_EQ(s3.margins[0].targets.size(), 4u);
  EXPECT_EQ(s3.margins[0].targets[1], st.flow(*st.find("06"), *st.find("36")));

  const ft::StageMargins s4 = ft::county_margins(ct, geo);
  ASSERT_EQ(s4.margins.size(), 2u);
  EXPECT_EQ(s4.margins[0].cols.n_groups(), 4);
  EXPECT_EQ(count_kind(s4.warnings, ft::WarningKind::ignored_census_rows), 1);
  // Over 4 counties the totals do not agree: reported.
  EXPECT_EQ(count_kind(s4.warnings, ft::WarningKind::county_totals_mismatch), 1);
  for (const auto* s : {&s2, &s3, &s4})
    for (const auto& m : s->margins) EXPECT_NO_THROW(m.validate(geo.size(), geo.size()));
}

TEST(TargetsRealTables, YearRange) {
  EXPECT_THROW(ft::load_state_census_tables_from_dir(census_dir(), 2010), flowfit::ConfigError);
  EXPECT_THROW(ft::load_county_census_table_from_dir(census_dir(), 2020), flowfit::ConfigError);
  EXPECT_NO_THROW(ft::load_county_census_table_from_dir(census_dir(), 2011));
  EXPECT_NO_THROW(ft::load_state_census_tables_from_dir(census_dir(), 2019));
}

TEST(TargetsLoaders, MalformedNumberNamesFileLineAndField) {
  ScratchTables s;
  const std::string f = "pep_state_2010_2019.csv";
  // Line 4 = third data row; births_2018 is column 3 + 5 * 8 + 1 (0-based 44).
  const auto header = flowfit::io::CsvTable::read(s.path(f)).header();
  const int col =
      static_cast<int>(std::find(header.begin(), header.end(), "births_2018") - header.begin());
  s.edit_line(f, 4, [&](std::string l) { return set_field(l, col, "12x4"); });
  try {
    ft::load_state_census_tables_from_dir(s.dir(), 2018);
    FAIL() << "expected InputError";
  } catch (const flowfit::InputError& e) {
    EXPECT_EQ(fs::path(e.file()).filename(), f);
    EXPECT_EQ(e.line(), 4);
    EXPECT_EQ(e.field(), "births_2018");
  }
  // Other years do not read that field.
  EXPECT_NO_THROW(ft::load_state_census_tables_from_dir(s.dir(), 2017));
}

TEST(TargetsLoaders, MalformedTables) {
  auto expect_error = [](const std::function<void()>& load, const std::string& file, int64_t line,
                         const std::string& field) {
    try {
      load();
      ADD_FAILURE() << "expected InputError in " << file;
    } catch (const flowfit::InputError& e) {
      EXPECT_EQ(fs::path(e.file()).filename(), file) << e.what();
      EXPECT_EQ(e.line(), line) << e.what();
      EXPECT_EQ(e.field(), field) << e.what();
    }
  };
  {  // FIPS code that lost its zero padding
    ScratchTables s;
    s.edit_line("pep_county_2010_2019.csv", 3,
                [](std::string l) { return set_field(l, 0, "1003"); });
    expect_error([&] { ft::load_county_census_table_from_dir(s.dir(), 2018); },
                 "pep_county_2010_2019.csv", 3, "county_fips");
  }
  {  // negative count
    ScratchTables s;
    const auto header = flowfit::io::CsvTable::read(s.path("pep_county_2010_2019.csv")).header();
    const int col =
        static_cast<int>(std::find(header.begin(), header.end(), "deaths_2016") - header.begin());
    s.edit_line("pep_county_2010_2019.csv", 10,
                [&](std::string l) { return set_field(l, col, "-3"); });
    expect_error([&] { ft::load_county_census_table_from_dir(s.dir(), 2016); },
                 "pep_county_2010_2019.csv", 10, "deaths_2016");
  }
  {  // duplicate county
    ScratchTables s;
    s.edit_line("pep_county_2010_2019.csv", 3,
                [](std::string l) { return set_field(l, 0, "01001"); });
    try {
      ft::load_county_census_table_from_dir(s.dir(), 2018);
      ADD_FAILURE() << "expected InputError";
    } catch (const flowfit::InputError& e) {
      EXPECT_EQ(e.line(), 3);
      EXPECT_EQ(e.field(), "county_fips");
    }
  }
  {  // a diagonal pair in the ACS flows (line 2 is 2011 01->02)
    ScratchTables s;
    s.edit_line("acs1_state_flows_2011_2019.csv", 2,
                [](std::string l) { return set_field(l, 2, "01"); });
    expect_error([&] { ft::load_state_census_tables_from_dir(s.dir(), 2011); },
                 "acs1_state_flows_2011_2019.csv", 2, "dest_state_fips");
  }
  {  // a state without ACS totals for the year (line 2 is 2011 Alabama)
    ScratchTables s;
    s.edit_line("acs1_state_totals_2011_2019.csv", 2,
                [](std::string l) { return set_field(l, 0, "2010"); });
    expect_error([&] { ft::load_state_census_tables_from_dir(s.dir(), 2011); },
                 "pep_state_2010_2019.csv", 2, "state_fips");
  }
  {  // missing column
    ScratchTables s;
    s.edit_line("acs1_state_totals_2011_2019.csv", 1,
                [](std::string l) { return l.replace(l.find("abroad_total,"), 13, "abroad,"); });
    expect_error([&] { ft::load_state_census_tables_from_dir(s.dir(), 2015); },
                 "acs1_state_totals_2011_2019.csv", 1, "abroad_total");
  }
}

TEST(TargetsLoaders, GoldenTablesAndErrors) {
  const ft::StateCensusTables st =
      ft::load_golden_state_tables(golden_case("case01") / "state_components.csv",
                                   golden_case("case01") / "state_flows.csv", 2015);
  ASSERT_EQ(st.states.size(), 2u);
  EXPECT_EQ(st.states[0].same_state, 266 - 246);  // diagonal acs_raw - same_house
  EXPECT_EQ(st.flows.size(), 2u);

  const fs::path dir = fs::temp_directory_path() / "flowfit_targets_golden_bad";
  fs::create_directories(dir);
  std::ofstream(dir / "census.csv") << "index,cbg_geoid,pop_census2010\n0,060010001001,42\n"
                                       "1,060010001002,32\n";
  std::ofstream(dir / "acs.csv")
      << "index,cbg_geoid,acs5_2010,acs5_2011,acs5_2012,acs5_2013,acs5_2014,acs5_2015,acs5_2016,"
         "acs5_2017,acs5_2018,acs5_2019\n0,060010001001,41,42,43,44,46,48,50,52,54,56\n";
  try {
    ft::load_cbg_population_inputs(dir / "census.csv", dir / "acs.csv");
    ADD_FAILURE() << "expected InputError";
  } catch (const flowfit::InputError& e) {
    EXPECT_EQ(fs::path(e.file()).filename(), "census.csv");
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.field(), "cbg_geoid");
  }
  std::ofstream(dir / "county.csv")
      << "county_fips,pop_t_minus_1,pop_t,births,deaths,intl_mig_net\n"
         "06001,120,127,3,2,1\n06003,130,,2,1,0\n";
  try {
    ft::load_golden_county_table(dir / "county.csv", 2015);
    ADD_FAILURE() << "expected InputError";
  } catch (const flowfit::InputError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.field(), "pop_t");
  }
  fs::remove_all(dir);
}
