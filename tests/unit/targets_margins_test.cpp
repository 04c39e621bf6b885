// Stage margin builders: structure on the golden geographies, errors for missing targets, and an
// end-to-end check that the margins, run through the stage engine, reproduce the golden matrices.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "flowfit/backend.hpp"
#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/targets/targets.hpp"

namespace ft = flowfit::targets;
namespace fs = std::filesystem;
using flowfit::EntryClass;

namespace {

constexpr int kYear = 2015;

fs::path case_path(const std::string& name, const std::string& file) {
  return fs::path(FLOWFIT_TEST_DATA_DIR) / "golden" / name / file;
}

flowfit::Geography golden_geography(const std::string& name) {
  const auto t = flowfit::io::CsvTable::read(case_path(name, "geography.csv"));
  return flowfit::Geography(t.strings(t.column("cbg_geoid")));
}

struct GoldenTargets {
  ft::YearlyPopulations populations;
  ft::StateTargets states;
  ft::CountyTargets counties;
};

GoldenTargets golden_targets(const std::string& name) {
  return {ft::resolve_yearly_populations(ft::load_cbg_population_inputs(
              case_path(name, "cbg_pop_census2010.csv"), case_path(name, "cbg_pop_acs5.csv"))),
          ft::build_state_targets(ft::load_golden_state_tables(
              case_path(name, "state_components.csv"), case_path(name, "state_flows.csv"), kYear)),
          ft::build_county_targets(
              ft::load_golden_county_table(case_path(name, "county_components.csv"), kYear))};
}

}  // namespace

TEST(TargetsMargins, Case01Structure) {
  const flowfit::Geography geo = golden_geography("case01");
  const GoldenTargets t = golden_targets("case01");

  const ft::StageMargins s2 = ft::state_nonmover_margins(t.states, geo);
  ASSERT_EQ(s2.margins.size(), 2u);
  EXPECT_EQ(s2.margins[0].name, "state movers");
  EXPECT_EQ(s2.margins[0].entries, EntryClass::off_diagonal);
  EXPECT_TRUE(s2.margins[0].rows.is_whole());
  EXPECT_EQ(s2.margins[0].cols.labels(), (std::vector<std::string>{"06", "36"}));
  EXPECT_EQ(s2.margins[0].targets, (std::vector<double>{40, 35}));
  EXPECT_EQ(s2.margins[1].name, "state non-movers");
  EXPECT_EQ(s2.margins[1].entries, EntryClass::diagonal);
  EXPECT_EQ(s2.margins[1].targets, (std::vector<double>{250, 200}));
  EXPECT_TRUE(s2.warnings.empty());

  const ft::StageMargins s3 = ft::state_flow_margins(t.states, geo);
  ASSERT_EQ(s3.margins.size(), 1u);
  EXPECT_EQ(s3.margins[0].name, "state flows");
  EXPECT_EQ(s3.margins[0].entries, EntryClass::all);
  EXPECT_EQ(s3.margins[0].rows.labels(), (std::vector<std::string>{"06", "36"}));
  EXPECT_EQ(s3.margins[0].targets, (std::vector<double>{270, 6, 0, 230}));
  ASSERT_EQ(s3.warnings.size(), 1u);  // 36->06 has target 0: left unchanged (quirk 2)
  EXPECT_EQ(s3.warnings[0].kind, ft::WarningKind::nonpositive_flow);
  EXPECT_EQ(s3.warnings[0].group, "36->06");

  const ft::StageMargins s4 = ft::county_margins(t.counties, geo);
  ASSERT_EQ(s4.margins.size(), 2u);
  EXPECT_EQ(s4.margins[0].name, "county columns");
  EXPECT_TRUE(s4.margins[0].rows.is_whole());
  EXPECT_EQ(s4.margins[0].cols.labels(),
            (std::vector<std::string>{"06001", "06003", "36005", "36047"}));
  EXPECT_EQ(s4.margins[0].targets, (std::vector<double>{125, 128, 102, 105}));
  EXPECT_EQ(s4.margins[1].name, "county rows");
  EXPECT_TRUE(s4.margins[1].cols.is_whole());
  EXPECT_EQ(s4.margins[1].targets, (std::vector<double>{120, 130, 100, 110}));
  EXPECT_TRUE(s4.warnings.empty());

  for (const auto* s : {&s2, &s3, &s4})
    for (const auto& m : s->margins) EXPECT_NO_THROW(m.validate(geo.size(), geo.size()));
}

TEST(TargetsMargins, MissingTargetsNameTheGroup) {
  const GoldenTargets t = golden_targets("case01");
  const flowfit::Geography texas({"060010001001", "481130001001"});
  try {
    ft::state_nonmover_margins(t.states, texas);
    FAIL() << "expected InputError";
  } catch (const flowfit::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("state 48"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ft::state_flow_margins(t.states, texas), flowfit::InputError);
  try {
    ft::county_margins(t.counties, texas);
    FAIL() << "expected InputError";
  } catch (const flowfit::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("48113"), std::string::npos) << e.what();
  }
  // A pair of geography states without an ACS estimate.
  ft::StateCensusTables tables = ft::load_golden_state_tables(
      case_path("case01", "state_components.csv"), case_path("case01", "state_flows.csv"), kYear);
  tables.flows.pop_back();
  const ft::StateTargets partial = ft::build_state_targets(tables);
  try {
    ft::state_flow_margins(partial, golden_geography("case01"));
    FAIL() << "expected InputError";
  } catch (const flowfit::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("->"), std::string::npos) << e.what();
  }
  // Only one of the two states in the geography: the other census row is ignored and counted.
  const flowfit::Geography ca({"060010001001", "060030001001"});
  const ft::StageMargins s2 = ft::state_nonmover_margins(t.states, ca);
  ASSERT_EQ(s2.warnings.size(), 1u);
  EXPECT_EQ(s2.warnings[0].kind, ft::WarningKind::ignored_census_rows);
  EXPECT_EQ(s2.warnings[0].value, 1);
  const ft::StageMargins s4 = ft::county_margins(t.counties, ca);
  EXPECT_EQ(s4.margins[0].targets, (std::vector<double>{125, 128}));
}

// The margins, applied by the stage engine (reference backend) to each golden stage input,
// reproduce the golden stage outputs (SPEC tolerance: 1e-9 relative, 1e-9 absolute below 1).
TEST(TargetsMargins, ReproduceGoldenStagesThroughTheEngine) {
  for (const char* c : {"case01", "case02", "case04", "case05"}) {
    const flowfit::Geography geo = golden_geography(c);
    const GoldenTargets t = golden_targets(c);
    struct Step {
      const char* input;
      const char* output;
      ft::StageMargins margins;
      int iterations;
    };
    const Step steps[] = {
        {"E_input.mtx", "after_stage1_cbg.mtx", ft::cbg_row_margins(t.populations, geo, kYear), 1},
        {"after_stage1_cbg.mtx", "after_stage2_state_nonmovers.mtx",
         ft::state_nonmover_margins(t.states, geo), 1},
        {"after_stage2_state_nonmovers.mtx", "after_stage3_state_flows.mtx",
         ft::state_flow_margins(t.states, geo), 1},
        {"after_stage3_state_flows.mtx", "after_stage4_county_ipf.mtx",
         ft::county_margins(t.counties, geo), 3000},
    };
    auto backend = flowfit::make_reference_backend();
    for (const Step& s : steps) {
      flowfit::CsrMatrix e = flowfit::io::read_matrix(case_path(c, s.input));
      const flowfit::CsrMatrix want = flowfit::io::read_matrix(case_path(c, s.output));
      flowfit::Stage stage;
      stage.name = s.output;
      stage.margins = s.margins.margins;
      stage.stop = flowfit::StopRule::exactly(s.iterations);
      flowfit::run_stage(*backend, e, stage);
      ASSERT_EQ(e.row_ptr, want.row_ptr) << c << " " << s.output;  // .mtx drops explicit zeros
      ASSERT_EQ(e.col_idx, want.col_idx) << c << " " << s.output;
      for (int64_t k = 0; k < e.nnz(); ++k) {
        const double w = want.values[k];
        const double d = std::abs(e.values[k] - w);
        EXPECT_TRUE(d <= 1e-9 * std::abs(w) || (std::abs(w) < 1 && d <= 1e-9))
            << c << " " << s.output << " entry " << k << ": " << e.values[k] << " vs " << w;
      }
    }
  }
}
