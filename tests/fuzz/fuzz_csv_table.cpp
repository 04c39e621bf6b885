// libFuzzer harness: CSV/TSV tables (quoting, UTF-8, field counts, numbers, keys).
#include "flowfit/io/csv_table.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = flowfit::fuzz::write_scratch(data, size, size % 2 ? ".csv" : ".tsv");
  flowfit::fuzz::expect_clean([&] {
    using namespace flowfit::io;
    CsvTable t = CsvTable::read(path, csv_options_for(path));
    for (int c = 0; c < t.n_columns(); ++c) {
      for (int64_t r = 0; r < t.n_rows(); ++r) {
        try {
          t.number(r, c, NumberRule::non_negative);
        } catch (const flowfit::Error& e) {
          flowfit::fuzz::check_message(e);
        }
      }
    }
    if (t.n_columns() > 0) t.check_unique(std::vector<int>{0});
    t.column("value");
  });
  return 0;
}
