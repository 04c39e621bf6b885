#pragma once
// CsvReader: streams the records of a CSV/TSV file with a header row, one record at a time.
// RFC 4180 quoting ("a,b" and "" for a quote inside quotes, newlines inside quotes), LF or CRLF
// line ends, a UTF-8 byte order mark is skipped and every field must be valid UTF-8. Fields are
// kept as text exactly (zero-padded FIPS codes stay as they are); typed getters parse on demand
// and throw flowfit::InputError naming the file, the 1-based line and the column name.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flowfit/io/csv_options.hpp"
#include "flowfit/io/mapped_file.hpp"

namespace flowfit::io {

class CsvReader {
 public:
  // Reads the header. Throws InputError on an empty file, duplicate or invalid header names.
  explicit CsvReader(const std::filesystem::path& path, CsvOptions options = {});
  // Parses text in memory; `text` must outlive the reader. `name` is used in error messages.
  CsvReader(std::string_view text, std::string name, CsvOptions options = {});

  const std::string& file() const { return file_; }
  const std::vector<std::string>& header() const { return header_; }
  int n_columns() const { return static_cast<int>(header_.size()); }
  std::optional<int> find_column(std::string_view name) const;
  // Index of a column; throws InputError(file, header line, name, "missing column").
  int column(std::string_view name) const;

  // Advances to the next record; false at the end. Throws InputError on a malformed record
  // (wrong number of fields, unterminated quote, invalid UTF-8).
  bool next();
  int64_t line() const { return record_line_; }  // line on which the current record starts
  int64_t header_line() const { return header_line_; }
  int64_t records_read() const { return records_; }

  std::string_view field(int col) const { return fields_[static_cast<std::size_t>(col)]; }
  double number(int col, NumberRule rule = NumberRule::finite) const;
  // nullopt for an empty field, otherwise like number().
  std::optional<double> optional_number(int col, NumberRule rule = NumberRule::finite) const;
  // A decimal integer (no exponent, no fraction); rule non_negative rejects negatives.
  int64_t integer(int col, NumberRule rule = NumberRule::any) const;

  // Throws InputError(file, line(), header()[col], reason).
  [[noreturn]] void fail(int col, std::string reason) const;

 private:
  void read_header();
  bool parse_record();
  void check_utf8(std::size_t record_begin);

  std::string file_;
  CsvOptions options_;
  MappedFile mapped_;
  std::string_view text_;
  std::size_t pos_ = 0;
  int64_t line_ = 1;  // line number at pos_
  int64_t header_line_ = 1;
  int64_t record_line_ = 0;
  int64_t records_ = 0;
  std::vector<std::string> header_;
  std::vector<std::string_view> fields_;
  std::vector<std::size_t> raw_begin_;  // where each field of the record starts in text_
  std::string scratch_;                 // unescaped quoted fields of the current record
};

}  // namespace flowfit::io
