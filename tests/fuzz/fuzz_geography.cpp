// libFuzzer harness: geography and unit-to-group mapping files.
#include "flowfit/io/geography_io.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = flowfit::fuzz::write_scratch(data, size, ".csv");
  flowfit::fuzz::expect_clean([&] { flowfit::io::read_geography(path); });
  flowfit::fuzz::expect_clean([&] { flowfit::io::read_mapping(path, "cbg_geoid", "county_fips"); });
  return 0;
}
