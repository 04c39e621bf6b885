#pragma once
// CsvWriter: writes a CSV/TSV table atomically (see AtomicFile). Fields holding the delimiter, a
// quote, CR or LF are quoted; doubles are written so that they read back bit-exactly.
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "flowfit/io/atomic_file.hpp"
#include "flowfit/io/number_format.hpp"

namespace flowfit::io {

struct CsvWriteOptions {
  char delimiter = ',';
  RealFormat real_format = RealFormat::shortest;
};

class CsvWriter {
 public:
  // Writes the header row at once.
  CsvWriter(const std::filesystem::path& path, std::vector<std::string> header,
            CsvWriteOptions options = {});

  CsvWriter& field(std::string_view text);
  CsvWriter& field(const char* text) { return field(std::string_view(text)); }
  CsvWriter& field(const std::string& text) { return field(std::string_view(text)); }
  CsvWriter& field(double value);
  template <std::integral T>
  CsvWriter& field(T value) {
    return integer_field(static_cast<int64_t>(value));
  }
  // Ends the row; throws flowfit::Error when it does not have one field per header column.
  void end_row();
  // Throws flowfit::Error when a row is unfinished.
  void commit();
  int64_t rows_written() const { return rows_; }

 private:
  CsvWriter& integer_field(int64_t value);
  void separator();

  AtomicFile out_;
  CsvWriteOptions options_;
  std::size_t n_columns_;
  std::size_t in_row_ = 0;
  int64_t rows_ = 0;
};

// The text of one field as CsvWriter writes it (quoted when needed).
std::string csv_escape(std::string_view text, char delimiter = ',');

}  // namespace flowfit::io
