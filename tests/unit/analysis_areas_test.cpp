// Areas of interest: out-migration and destinations of the area and of comparison regions.
#include <gtest/gtest.h>

#include "flowfit/analysis/areas_of_interest.hpp"
#include "flowfit/error.hpp"
#include "support/analysis_fixtures.hpp"

namespace flowfit::analysis {
namespace {

using flowfit::testing::five_cbgs;
using flowfit::testing::five_flows;

TEST(AnalysisAreas, AreaAgainstRestOfCountyAndState) {
  const Geography geo = five_cbgs();
  const auto member = members_from_geoids(geo, {"01001000100"});  // tract: u0, u1
  EXPECT_EQ(member, (std::vector<char>{1, 1, 0, 0, 0}));
  const auto r = area_of_interest(five_flows(), geo, member, nullptr, {});
  ASSERT_EQ(r.size(), 3u);
  // area u0, u1: within 5 + 4; to county 01001 outside the area: 3 (u0 -> u2);
  // rest of state: 2 (u0 -> u3); elsewhere: 6 (u1 -> u4).
  EXPECT_EQ(r[0].region, "area");
  EXPECT_EQ(r[0].n_cbgs, 2);
  EXPECT_DOUBLE_EQ(r[0].population_before, 100);
  EXPECT_DOUBLE_EQ(r[0].within_region, 9);
  EXPECT_DOUBLE_EQ(r[0].rest_of_county, 3);
  EXPECT_DOUBLE_EQ(r[0].rest_of_state, 2);
  EXPECT_DOUBLE_EQ(r[0].elsewhere, 6);
  EXPECT_DOUBLE_EQ(r[0].cbg_out_rate(), 20.0 / 100);
  EXPECT_DOUBLE_EQ(r[0].region_out_rate(), 11.0 / 100);
  // rest of county = u2: 10 to u3 (another county, same state).
  EXPECT_EQ(r[1].region, "rest_of_county");
  EXPECT_EQ(r[1].n_cbgs, 1);
  EXPECT_DOUBLE_EQ(r[1].rest_of_state, 10);
  // rest of state = u2, u3: u2 -> u3 is within the region; u3 -> u0 goes to the origin's
  // state (u0 is outside the region); u3 -> u4 elsewhere.
  EXPECT_EQ(r[2].region, "rest_of_state");
  EXPECT_EQ(r[2].n_cbgs, 2);
  EXPECT_DOUBLE_EQ(r[2].within_region, 10);
  EXPECT_DOUBLE_EQ(r[2].rest_of_state, 1);
  EXPECT_DOUBLE_EQ(r[2].elsewhere, 9);
}

TEST(AnalysisAreas, RadiusAndRings) {
  const Geography geo = five_cbgs();
  // On the equator, one degree apart: u0 at 0, u1 at 1, ..., u4 at 4 degrees of longitude.
  Centroids c{{0, 0, 0, 0, 0}, {0, 1, 2, 3, 4}};
  const auto member =
      members_within_radius(c, 0, 0.4, 50);  // u0 (27.6 mi), u1 (41.5), not u2 (110.5)
  EXPECT_EQ(member, (std::vector<char>{1, 1, 0, 0, 0}));
  const auto r = area_of_interest(five_flows(), geo, member, &c, {70, 140});
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[1].region, "neighbours_within_70mi");  // u2 (69.1 miles from u1)
  EXPECT_EQ(r[1].n_cbgs, 1);
  EXPECT_EQ(r[2].region, "neighbours_within_140mi");  // u2, u3
  EXPECT_EQ(r[2].n_cbgs, 2);
  EXPECT_THROW(members_from_geoids(geo, {"99"}), ConfigError);
  EXPECT_THROW(area_of_interest(five_flows(), geo, std::vector<char>(5, 0), nullptr, {}),
               ConfigError);
}

}  // namespace
}  // namespace flowfit::analysis
