// libFuzzer harness: the census table loaders behind the targets (PEP state and county tables,
// ACS state totals and flows, the golden case tables, the CBG population inputs). The first byte
// picks the table the rest of the input replaces; the other tables of that loader are the
// project's own (data/census, tests/data/golden/case01), so the join and coverage checks run too.
#include <string>

#include "flowfit/targets/loaders.hpp"
#include "fuzz_support.hpp"

namespace {

const std::string kCensus = std::string(FLOWFIT_SOURCE_DIR) + "/data/census/";
const std::string kGolden = std::string(FLOWFIT_TEST_DATA_DIR) + "/golden/case01/";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  using namespace flowfit::targets;
  const int which = data[0] % 8;
  const int year = 2011 + (data[0] / 8) % 10;  // 2011..2020: one year outside the tables
  const auto path = flowfit::fuzz::write_scratch(data + 1, size - 1, ".csv");
  const std::string pep_state = kCensus + "pep_state_2010_2019.csv";
  const std::string totals = kCensus + "acs1_state_totals_2011_2019.csv";
  const std::string flows = kCensus + "acs1_state_flows_2011_2019.csv";
  flowfit::fuzz::expect_clean([&] {
    switch (which) {
      case 0:
        (void)load_state_census_tables(path, totals, flows, year);
        break;
      case 1:
        (void)load_state_census_tables(pep_state, path, flows, year);
        break;
      case 2:
        (void)load_state_census_tables(pep_state, totals, path, year);
        break;
      case 3:
        (void)load_county_census_table(path, year);
        break;
      case 4:
        (void)load_golden_state_tables(path, kGolden + "state_flows.csv", year);
        break;
      case 5:
        (void)load_golden_state_tables(kGolden + "state_components.csv", path, year);
        break;
      case 6:
        (void)load_golden_county_table(path, year);
        break;
      default:
        if (year % 2)
          (void)load_cbg_population_inputs(path, kGolden + "cbg_pop_acs5.csv");
        else
          (void)load_cbg_population_inputs(kGolden + "cbg_pop_census2010.csv", path);
    }
  });
  return 0;
}
