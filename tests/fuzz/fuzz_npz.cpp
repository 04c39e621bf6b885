// libFuzzer harness: .npz reader (zip directory, .npy headers, csr/csc/coo arrays).
#include "flowfit/io/npz.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = flowfit::fuzz::write_scratch(data, size, ".npz");
  flowfit::fuzz::expect_clean([&] {
    flowfit::io::MatrixReadOptions options;
    options.max_dimension = 1 << 20;  // keeps each run fast; the limit check itself is exercised
    options.duplicates = size % 2 ? flowfit::Duplicates::sum : flowfit::Duplicates::reject;
    flowfit::io::read_npz(path, options).validate();
  });
  return 0;
}
