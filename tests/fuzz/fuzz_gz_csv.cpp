// libFuzzer harness: gzipped CSV tables as check-golden reads them (host/pipeline/golden_files):
// the input is written as a .csv.gz file (so damaged gzip streams are fuzzed too) and read
// through the same table checks as plain CSV.
#include "fuzz_support.hpp"
#include "host/pipeline/golden_files.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = flowfit::fuzz::write_scratch(data, size, ".csv.gz");
  flowfit::fuzz::expect_clean([&] {
    const flowfit::io::CsvTable t = flowfit::pipeline::detail::read_csv_any(path);
    for (int c = 0; c < t.n_columns(); ++c)
      for (int64_t r = 0; r < t.n_rows(); ++r) {
        try {
          t.number(r, c);
        } catch (const flowfit::Error& e) {
          flowfit::fuzz::check_message(e);
        }
      }
  });
  return 0;
}
