#pragma once
// CsvTable: a whole CSV/TSV file in memory, rows of text fields with header lookup by name and
// typed getters that throw flowfit::InputError naming file, line and column. Built on CsvReader
// (same quoting, encoding and line-end rules).
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "flowfit/io/csv_options.hpp"

namespace flowfit::io {

class CsvReader;

class CsvTable {
 public:
  static CsvTable read(const std::filesystem::path& path, CsvOptions options = {});
  static CsvTable read(CsvReader& reader);  // the remaining records of an open reader

  const std::string& file() const { return file_; }
  const std::vector<std::string>& header() const { return header_; }
  int n_columns() const { return static_cast<int>(header_.size()); }
  int64_t n_rows() const { return static_cast<int64_t>(lines_.size()); }
  std::optional<int> find_column(std::string_view name) const;
  int column(std::string_view name) const;  // throws InputError(file, 1, name, "missing column")

  int64_t line(int64_t row) const { return lines_[static_cast<std::size_t>(row)]; }
  std::string_view field(int64_t row, int col) const;
  double number(int64_t row, int col, NumberRule rule = NumberRule::finite) const;
  std::optional<double> optional_number(int64_t row, int col,
                                        NumberRule rule = NumberRule::finite) const;
  int64_t integer(int64_t row, int col, NumberRule rule = NumberRule::any) const;
  // A whole column as text / as numbers.
  std::vector<std::string> strings(int col) const;
  std::vector<double> numbers(int col, NumberRule rule = NumberRule::finite) const;

  // Throws InputError at the first row whose key (the fields of `cols`) repeats an earlier row,
  // naming the key, both lines and the first key column.
  void check_unique(std::span<const int> cols) const;
  void check_unique(std::initializer_list<std::string_view> names) const;

  [[noreturn]] void fail(int64_t row, int col, std::string reason) const;

 private:
  std::string file_;
  int64_t header_line_ = 1;
  std::vector<std::string> header_;
  std::string text_;                  // every field, unescaped, back to back
  std::vector<std::size_t> offsets_;  // field k is text_[offsets_[k], offsets_[k + 1])
  std::vector<int64_t> lines_;
};

}  // namespace flowfit::io
