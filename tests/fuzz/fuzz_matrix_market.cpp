// libFuzzer harness: Matrix Market reader (host/io/matrix_market_reader.cpp).
#include "flowfit/io/matrix_market.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = flowfit::fuzz::write_scratch(data, size, ".mtx");
  flowfit::fuzz::expect_clean([&] {
    flowfit::io::MatrixReadOptions options;
    options.max_dimension = 1 << 20;  // keeps each run fast; the limit check itself is exercised
    options.duplicates = size % 2 ? flowfit::Duplicates::sum : flowfit::Duplicates::reject;
    flowfit::io::read_matrix_market(path, options).validate();
  });
  return 0;
}
