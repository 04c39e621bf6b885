// Flows between groups, shares, homophily ratios, the out-of-county rule; attribute joins with
// zero-padding, county code changes and quantile bins; checked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "flowfit/analysis/attributes.hpp"
#include "flowfit/analysis/group_flows.hpp"
#include "flowfit/error.hpp"
#include "support/analysis_fixtures.hpp"
#include "support/io_fixtures.hpp"

namespace flowfit::analysis {
namespace {

using flowfit::testing::five_cbgs;
using flowfit::testing::five_flows;

Grouping xyz() {
  const std::vector<std::string> labels{"x", "x", "y", "y", "z"};
  return Grouping::from_labels(labels);
}

TEST(AnalysisGroupFlows, SharesAndHomophilyRatios) {
  const GroupFlows f = group_flows(five_flows(), xyz(), nullptr);
  // Movers: x->x 5 + 4, x->y 3 + 2, x->z 6, y->x 1, y->y 10, y->z 9; 40 in all.
  EXPECT_DOUBLE_EQ(f.flow(0, 0), 9);
  EXPECT_DOUBLE_EQ(f.flow(0, 1), 5);
  EXPECT_DOUBLE_EQ(f.flow(0, 2), 6);
  EXPECT_DOUBLE_EQ(f.flow(1, 0), 1);
  EXPECT_DOUBLE_EQ(f.flow(1, 1), 10);
  EXPECT_DOUBLE_EQ(f.flow(1, 2), 9);
  EXPECT_DOUBLE_EQ(f.all_movers(), 40);
  EXPECT_DOUBLE_EQ(f.share(0, 0), 9.0 / 20);
  EXPECT_DOUBLE_EQ(f.all_share(0), 10.0 / 40);
  EXPECT_DOUBLE_EQ(f.ratio(0, 0), (9.0 / 20) / (10.0 / 40));
  EXPECT_DOUBLE_EQ(f.ratio(1, 1), (10.0 / 20) / (15.0 / 40));
  EXPECT_TRUE(std::isnan(f.share(2, 0)));  // z has no movers
  EXPECT_DOUBLE_EQ(f.population_share(0), 100.0 / 280);
  EXPECT_DOUBLE_EQ(f.population_share(1), 80.0 / 280);
}

TEST(AnalysisGroupFlows, OutOfCountyOnly) {
  const Geography geo = five_cbgs();
  GroupFlowOptions o;
  o.out_of_county_only = true;
  const GroupFlows f = group_flows(five_flows(), xyz(), &geo, o);
  // Between counties: u0->u3 2 (x->y), u1->u4 6, u2->u3 10 (y->y), u3->u0 1, u3->u4 9.
  EXPECT_DOUBLE_EQ(f.flow(0, 0), 0);
  EXPECT_DOUBLE_EQ(f.flow(0, 1), 2);
  EXPECT_DOUBLE_EQ(f.flow(1, 1), 10);
  EXPECT_DOUBLE_EQ(f.all_movers(), 28);
}

std::filesystem::path write_file(const std::string& name, const std::string& text) {
  const auto p = flowfit::testing::temp_file(name);
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

TEST(AnalysisAttributes, PadsShortKeysAndJoinsThroughCountyCodeChanges) {
  // Keys 1001 and 1003 lost their leading zero; 02158 is the 2019 code of 2010's 02270.
  const auto p =
      write_file("attr.csv", "fips,kind\r\n1001,urban\r\n1003,rural\r\n02158,remote\r\n");
  const AttributeTable t = read_attribute_table(p, "", "fips", "kind");
  EXPECT_EQ(t.key_length, 5);
  ASSERT_EQ(t.warnings.size(), 1u);
  EXPECT_NE(t.warnings[0].find("2 of 3 keys"), std::string::npos) << t.warnings[0];
  const Geography geo({"010010001001", "010030001001", "022700001001", "040010001001"});
  CountyCodeChanges changes;
  changes.to_2019["02270"] = "02158";
  JoinReport rep;
  const auto keys = join_keys(geo, t, &changes, &rep);
  EXPECT_EQ(keys, (std::vector<std::string>{"01001", "01003", "02158", ""}));
  EXPECT_EQ(rep.matched_units, 3);
  EXPECT_EQ(rep.via_code_change, 1);
  EXPECT_EQ(rep.unmatched_prefixes, (std::vector<std::string>{"04001"}));
  const Grouping g = categorical_groups(t, keys);
  EXPECT_EQ(g.labels(), (std::vector<std::string>{"remote", "rural", "urban"}));
  EXPECT_EQ(g.group_of(3), -1);
  // Without the changes the 02270 CBG does not join.
  JoinReport plain;
  join_keys(geo, t, nullptr, &plain);
  EXPECT_EQ(plain.matched_units, 2);
  std::filesystem::remove(p);
}

TEST(AnalysisAttributes, QuantileBinsKeepTiesTogether) {
  const auto p = write_file("num.csv",
                            "geoid,v\n01001,0.1\n01003,0.2\n01005,0.2\n01007,0.4\n01009,0.5\n"
                            "01011,9\n");
  const AttributeTable t = read_attribute_table(p, "", "geoid", "v");
  // 01011 is joined by no CBG, so it is not part of the bins.
  const Geography geo({"010010000001", "010030000001", "010050000001", "010070000001",
                       "010090000001", "010090000002"});
  const auto keys = join_keys(geo, t, nullptr);
  QuantileBins bins;
  const Grouping g = quantile_groups(t, keys, 2, &bins);
  // n = 5 rows: 0.1 (0 below -> bin 0), 0.2 x2 (1 below -> 2/5 -> bin 0), 0.4 (3 -> 6/5 -> 1),
  // 0.5 (4 -> 8/5 -> 1).
  EXPECT_EQ(bins.keys, (std::vector<int64_t>{3, 2}));
  EXPECT_DOUBLE_EQ(bins.lower[1], 0.4);
  EXPECT_DOUBLE_EQ(bins.upper[0], 0.2);
  EXPECT_EQ(g.label(g.group_of(2)), "q1");
  EXPECT_EQ(g.label(g.group_of(5)), "q2");
  std::filesystem::remove(p);
}

TEST(AnalysisAttributes, BadKeysNameTheLine) {
  const auto p = write_file("bad.csv", "geoid,v\n01001,a\n01x03,b\n");
  try {
    read_attribute_table(p, "", "geoid", "v");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.field(), "geoid");
  }
  std::filesystem::remove(p);
}

}  // namespace
}  // namespace flowfit::analysis
