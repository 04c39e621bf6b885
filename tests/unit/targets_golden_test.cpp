// Stage targets from the golden census components reproduce the golden target tables.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/targets/targets.hpp"

namespace ft = flowfit::targets;
namespace fs = std::filesystem;
using flowfit::io::CsvTable;

namespace {

constexpr int kYear = 2015;  // every golden case is matrix year 2015
const char* const kGoldenCases[] = {"case01", "case02", "case04", "case05"};

fs::path case_dir(const std::string& name) {
  return fs::path(FLOWFIT_TEST_DATA_DIR) / "golden" / name;
}

ft::StateTargets golden_state_targets(const std::string& name) {
  return ft::build_state_targets(ft::load_golden_state_tables(
      case_dir(name) / "state_components.csv", case_dir(name) / "state_flows.csv", kYear));
}

ft::CountyTargets golden_county_targets(const std::string& name) {
  return ft::build_county_targets(
      ft::load_golden_county_table(case_dir(name) / "county_components.csv", kYear));
}

int count_kind(const std::vector<ft::TargetWarning>& ws, ft::WarningKind kind) {
  int n = 0;
  for (const auto& w : ws) n += w.kind == kind;
  return n;
}

}  // namespace

TEST(TargetsGolden, StateNonmoversAndMovers) {
  for (const char* c : kGoldenCases) {
    const ft::StateTargets t = golden_state_targets(c);
    const CsvTable want = CsvTable::read(case_dir(c) / "state_nonmovers_movers.csv");
    ASSERT_EQ(want.n_rows(), t.size()) << c;
    for (int64_t r = 0; r < want.n_rows(); ++r) {
      const auto k = t.find(want.field(r, want.column("state_fips")));
      ASSERT_TRUE(k) << c;
      EXPECT_EQ(t.nonmovers[*k], want.number(r, want.column("nonmovers_target"))) << c;
      EXPECT_EQ(t.movers[*k], want.number(r, want.column("movers_target"))) << c;
    }
    const CsvTable comp = CsvTable::read(case_dir(c) / "state_components.csv");
    for (int64_t r = 0; r < comp.n_rows(); ++r)
      EXPECT_EQ(t.emigrants[*t.find(comp.field(r, 0))], comp.number(r, comp.column("emigrants")));
  }
}

TEST(TargetsGolden, StateFlowTargets) {
  for (const char* c : kGoldenCases) {
    const ft::StateTargets t = golden_state_targets(c);
    const CsvTable want = CsvTable::read(case_dir(c) / "state_flows.csv");
    ASSERT_EQ(want.n_rows(), int64_t{t.size()} * t.size()) << c;
    int zero_targets = 0;
    for (int64_t r = 0; r < want.n_rows(); ++r) {
      const auto p = t.find(want.field(r, want.column("orig_state_fips")));
      const auto q = t.find(want.field(r, want.column("dest_state_fips")));
      ASSERT_TRUE(p && q) << c;
      const double target = want.number(r, want.column("target"));
      EXPECT_EQ(t.flow(*p, *q), target) << c << " " << *p << "->" << *q;
      zero_targets += target <= 0;
    }
    // Quirk 2: every zero block target is reported (it leaves the block unchanged).
    EXPECT_EQ(count_kind(t.warnings, ft::WarningKind::nonpositive_flow), zero_targets) << c;
    EXPECT_GE(zero_targets, 1) << c;  // 36->06 in cases 01/05, 41->17 in cases 02/04
  }
}

TEST(TargetsGolden, CountyTargetsAndTotalsWarning) {
  for (const char* c : kGoldenCases) {
    const ft::CountyTargets t = golden_county_targets(c);
    const CsvTable want = CsvTable::read(case_dir(c) / "county_targets.csv");
    ASSERT_EQ(want.n_rows(), t.size()) << c;
    double rows = 0, cols = 0;
    for (int64_t r = 0; r < want.n_rows(); ++r) {
      const auto k = t.find(want.field(r, want.column("county_fips")));
      ASSERT_TRUE(k) << c;
      EXPECT_EQ(t.row_targets[*k], want.number(r, want.column("row_target_t_minus_1"))) << c;
      EXPECT_EQ(t.col_targets[*k], want.number(r, want.column("col_target_t"))) << c;
      rows += t.row_targets[*k];
      cols += t.col_targets[*k];
    }
    // case04 has inconsistent totals (262,643 vs 267,896); the others are consistent.
    EXPECT_EQ(count_kind(t.warnings, ft::WarningKind::county_totals_mismatch),
              std::string(c) == "case04" ? 1 : 0)
        << c;
    EXPECT_EQ(rows != cols, std::string(c) == "case04") << c;
  }
}

TEST(TargetsGolden, Stage1RowTargetsFromNnls) {
  for (const char* c : kGoldenCases) {
    const ft::YearlyPopulations x = ft::resolve_yearly_populations(ft::load_cbg_population_inputs(
        case_dir(c) / "cbg_pop_census2010.csv", case_dir(c) / "cbg_pop_acs5.csv"));
    const CsvTable geo_csv = CsvTable::read(case_dir(c) / "geography.csv");
    const flowfit::Geography geo(geo_csv.strings(geo_csv.column("cbg_geoid")));
    const ft::StageMargins s1 = ft::cbg_row_margins(x, geo, kYear);
    ASSERT_EQ(s1.margins.size(), 1u);
    const flowfit::Margin& m = s1.margins[0];
    EXPECT_EQ(m.name, "cbg rows");
    EXPECT_EQ(m.entries, flowfit::EntryClass::all);
    EXPECT_NO_THROW(m.validate(geo.size(), geo.size()));
    ASSERT_EQ(m.rows.n_groups(), geo.size());
    ASSERT_EQ(m.cols.n_groups(), 1);

    const CsvTable want = CsvTable::read(case_dir(c) / "stage1_row_targets.csv");
    ASSERT_EQ(want.n_rows(), geo.size());
    int zero_rows = 0;
    for (int64_t r = 0; r < want.n_rows(); ++r) {
      const auto u = geo.find(want.field(r, want.column("cbg_geoid")));
      ASSERT_TRUE(u);
      const double w = want.number(r, want.column("row_target"));
      const double got = m.targets[m.rows.group_of(*u)];
      const double d = std::abs(got - w);
      EXPECT_TRUE(d <= 1e-12 * std::abs(w) || (std::abs(w) < 1 && d <= 1e-9))
          << c << " CBG " << geo.geoid(*u) << ": " << got << " vs " << w;
      zero_rows += w == 0.0;
    }
    // Zero populations (case01 CBG 8, case02 CBGs with x2014 = 0) are reported.
    EXPECT_EQ(count_kind(s1.warnings, ft::WarningKind::zero_population), zero_rows > 0 ? 1 : 0)
        << c;
    EXPECT_EQ(count_kind(s1.warnings, ft::WarningKind::ignored_census_rows), 0) << c;
  }
  const ft::YearlyPopulations none;
  const flowfit::Geography geo(std::vector<std::string>{"060010001001"});
  EXPECT_THROW(ft::cbg_row_margins(none, geo, 2009), flowfit::ConfigError);  // needs x2008
  EXPECT_THROW(ft::cbg_row_margins(none, geo, 2015), flowfit::InputError);   // CBG has no row
}

TEST(TargetsFormulas, OrderOfOperationsAndNegativeComponents) {
  ft::StateComponents s{
      "06", 100, 20, 150, 5, 3, 9, 4,
  };
  EXPECT_EQ(ft::emigrants(s), -5);  // quirk 7: may be negative
  EXPECT_EQ(ft::nonmovers_target(s), 100 + (3 - 5));
  EXPECT_EQ(ft::movers_target(s), 150 - 4 - 5 - 100);
  EXPECT_EQ(ft::state_flow_diagonal_target(s), 120 + (3 - 5));
  ft::CountyComponents c{"06001", 120, 127, 3, 2, 1};
  EXPECT_EQ(ft::county_row_target(c), 120);
  EXPECT_EQ(ft::county_col_target(c), 125);
  // Left-to-right evaluation matters for non-integers: ((a - b) + c) - d.
  ft::CountyComponents f{"06001", 0, 0.1, 0.2, 0.3, 0.4};
  EXPECT_EQ(ft::county_col_target(f), ((0.1 - 0.2) + 0.3) - 0.4);

  ft::StateCensusTables tables;
  tables.source = "mem";
  tables.states = {{"36", 10, 1, 12, 5, 1, 7, 2}, {"06", 100, 20, 150, 5, 3, 9, 4}};
  tables.flows = {{"06", "36", 7}};
  const ft::StateTargets t = ft::build_state_targets(tables);
  ASSERT_EQ(t.fips, (std::vector<std::string>{"06", "36"}));  // sorted
  EXPECT_EQ(t.movers[1], 12 - 2 - 5 - 10);                    // -5: reported, not hidden
  EXPECT_EQ(count_kind(t.warnings, ft::WarningKind::nonpositive_movers), 1);
  EXPECT_EQ(count_kind(t.warnings, ft::WarningKind::negative_emigrants), 2);
  EXPECT_EQ(t.flow(0, 1), 7);
  EXPECT_TRUE(std::isnan(t.flow(1, 0)));  // no estimate: an error only if a geography needs it
  for (const auto& w : t.warnings) EXPECT_FALSE(ft::format_warning(w).empty());

  tables.flows.push_back({"06", "36", 8});
  EXPECT_THROW(ft::build_state_targets(tables), flowfit::InputError);  // duplicate pair
  tables.flows = {{"06", "06", 8}};
  EXPECT_THROW(ft::build_state_targets(tables), flowfit::InputError);  // diagonal pair
  tables.flows = {{"06", "48", 8}};
  EXPECT_THROW(ft::build_state_targets(tables), flowfit::InputError);  // unknown state
  tables.flows.clear();
  tables.states.push_back(tables.states[0]);
  EXPECT_THROW(ft::build_state_targets(tables), flowfit::InputError);  // duplicate state
}
