// libFuzzer harness: triplet CSV matrices over a fixed small geography (tests/data/io).
#include "flowfit/io/geography_io.hpp"
#include "flowfit/io/triplet_csv.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const flowfit::Geography geo =
      flowfit::io::read_geography(std::string(FLOWFIT_TEST_DATA_DIR) + "/io/geo_small.csv");
  const auto path = flowfit::fuzz::write_scratch(data, size, ".csv");
  flowfit::fuzz::expect_clean([&] { flowfit::io::read_triplet_csv(path, geo, geo).validate(); });
  return 0;
}
