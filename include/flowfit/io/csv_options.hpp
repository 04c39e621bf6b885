#pragma once
// Options shared by the CSV/TSV reader, table and writer.
#include <filesystem>

namespace flowfit::io {

struct CsvOptions {
  char delimiter = ',';
  char quote = '"';  // '\0' turns quoting off (every byte is literal)
  // Lines with no bytes at all (or just "\r") are skipped. A one-column file therefore cannot
  // hold an empty value.
  bool skip_blank_lines = true;
};

// CsvOptions with '\t' as delimiter for `.tsv` / `.tab` files, ',' otherwise.
CsvOptions csv_options_for(const std::filesystem::path& path);

// What a typed numeric getter accepts besides a well-formed number.
enum class NumberRule {
  any,          // NaN and +-inf allowed
  finite,       // NaN and +-inf rejected
  non_negative  // finite and >= 0 (-0 is accepted)
};

}  // namespace flowfit::io
