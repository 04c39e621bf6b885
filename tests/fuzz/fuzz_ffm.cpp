// libFuzzer harness: .ffm reader (header, offsets, checksums, CSR structure).
#include "flowfit/io/ffm.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = flowfit::fuzz::write_scratch(data, size, ".ffm");
  flowfit::fuzz::expect_clean([&] {
    flowfit::io::MatrixReadOptions options;
    options.max_dimension = 1 << 20;  // keeps each run fast; the limit check itself is exercised
    options.verify_checksum = size % 2 == 0;  // without the checksum, fuzzed bytes go deeper
    flowfit::io::read_ffm(path, options).validate();
  });
  return 0;
}
